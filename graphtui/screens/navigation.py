"""Where the keys take the view: the node paused at, find's list, history landmarks. Pure:
they read a state or an event log and return ids or indices."""
from __future__ import annotations

import bisect

from engine import trace
from graphtui.model import RunFinished, State, event_kind
from graphtui.screens.find import Target


# What `{` / `}` stop at with no events filter: the story's turning points.
LANDMARKS = (trace.BackwardStarted, trace.BackwardFinished, trace.HookFired,
             trace.WarningRaised, trace.ErrorRaised, RunFinished)


def landmark(log, start: int, direction: int, kinds: frozenset[str] | None) -> int | None:
    """The index of the first event after (direction 1) or before (-1) ``start`` that is a
    landmark, or of one of ``kinds`` when given. None: there is none."""
    end = len(log) if direction > 0 else max(log.first_step, 0) - 1
    for index in range(start + direction, end, direction):
        event = log[index]
        if event_kind(event) in kinds if kinds is not None else isinstance(event, LANDMARKS):
            return index
    return None


def iteration_end(iterations, here: int, direction: int):
    """(iteration, moment) to show for ``<`` (direction -1) / ``>`` (1) from the moment
    ``here``: the end of the latest pass that ended before it, or of the first that ends
    after it (moment None: a pass still running, shown live). None: there is none."""
    def end(it):
        return it.end if it.end is not None else float("inf")
    if direction < 0:
        index = bisect.bisect_left(iterations, here, key=end) - 1
    else:
        index = bisect.bisect_right(iterations, here, key=end)
    if not 0 <= index < len(iterations):
        return None
    it = iterations[index]
    return it, it.end


def current(state: State) -> tuple[int | None, int | None]:
    """(node, tensor) the run is paused at, or failed at (a tensor: no grad_fn to fail at)."""
    if state.paused_at is not None:
        return state.paused_at, None
    if state.error is not None:
        return state.error.node_id, state.error.tensor_id
    return None, None


def find_targets(state: State) -> list[Target]:
    """Every node and every named tensor, labelled as the user would search for them: the
    id tells twins apart (two networks' ``AccumulateGrad (weight)``), and so does the module."""
    nodes = sorted(state.nodes.values(), key=lambda n: -n.id)
    targets = [Target("node", node.id, _node_target_label(state, node)) for node in nodes]
    targets += [Target("tensor", t.id, f"tensor {t.label}  {list(t.shape)}  tensor {t.id}")
                for t in state.tensors.values() if t.name]
    return targets


def _node_target_label(state: State, node) -> str:
    where = f"  in {node.module}" if node.module else ""
    return f"{state.node_label(node.id)}{where}  node {node.id}"


def node_of_tensor(state: State, tensor_id: int) -> int | None:
    """The tensor's grad_fn, or for a leaf the AccumulateGrad that feeds its .grad."""
    tensor = state.tensors.get(tensor_id)
    if tensor is not None and tensor.grad_fn_id is not None:
        return tensor.grad_fn_id
    for node in state.nodes.values():
        if node.is_accumulate_grad and node.output_ids[:1] == (tensor_id,):
            return node.id
    return None
