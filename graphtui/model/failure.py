"""Where in the graph a failed run failed, when the engine could not say.

The engine ties an error raised inside a backward node to that node. A scenario's own
exception (in its forward code, in a hook called before a node runs, anywhere) reaches the
model tied to nothing. ``locate_failure`` places it, so the screen can select it and the
inspector can show the traceback there:

1. a node the executor was inside when the run failed (the model marks it ✗);
2. the node of the hook whose function is on the traceback (a hook that raised): marked ✗;
3. otherwise the last op recorded before the failure (not marked: it did not fail, the
   scenario raised after it).
"""
from __future__ import annotations

import re
from dataclasses import replace

from graphtui.model import State
from graphtui.model.state import ERROR

_FRAME = re.compile(r'^\s*File "[^"]*", line \d+, in (\S+)', re.MULTILINE)


def locate_failure(state: State) -> State:
    """``state``, with its error tied to a node when it was tied to nothing."""
    error = state.error
    if error is None or error.node_id is not None or error.tensor_id is not None:
        return state
    node_id, failed_here, where = _site(state, error.traceback)
    if node_id is None:
        return state
    nodes = state.nodes
    if failed_here and nodes[node_id].status != ERROR:
        nodes = {**nodes, node_id: replace(nodes[node_id], status=ERROR)}
    location = ", ".join(part for part in (error.location, where) if part)
    return replace(state, nodes=nodes, error=replace(error, node_id=node_id, location=location))


def _site(state: State, traceback: str) -> tuple[int | None, bool, str]:
    running = [n.id for n in state.nodes.values() if n.status == ERROR]
    if running:
        return running[-1], True, ""
    hook = _raising_hook(state, traceback)
    if hook is not None:
        node_id = _hook_node(state, hook.target)
        if node_id is not None:
            return node_id, True, f"in hook {hook.callable_name}, at this node"
    if state.nodes:
        last = max(state.nodes.values(), key=lambda n: n.created_step)
        return last.id, False, "after this node's op, the last one recorded"
    return None, False, ""


def _raising_hook(state: State, traceback: str):
    """The live hook whose function is innermost on the traceback."""
    by_name = {h.callable_name: h for h in state.hooks.values() if not h.removed}
    for name in reversed(_FRAME.findall(traceback)):
        if name in by_name:
            return by_name[name]
    return None


def _hook_node(state: State, target: str) -> int | None:
    kind, _, raw = target.partition(":")
    if not raw.isdigit():
        return None
    if kind == "node":
        return int(raw) if int(raw) in state.nodes else None
    tensor = state.tensors.get(int(raw)) if kind == "tensor" else None
    return tensor.grad_fn_id if tensor is not None else None
