"""What both backends can know of a run, extracted from a finished Session: the comparison
of tests/torch_backend/test_both_backends.py (and docs/torch_backend.md) is made on this."""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from engine import trace
from graphtui.model import events as ev
from graphtui.session import Session

TIMEOUT = 240
_TRIGGERED = re.compile(r" \(Triggered internally at [^)]*\)")


@dataclass
class Story:
    nodes: list           # (name, ((child name | None, input_nr), ...)), sorted
    saved: list           # (node name, edges, ((saved name, shape, dtype, kind, storage
                          # bytes), ...)) per node that saved tensors, sorted
    shared: list          # groups of (node name, saved name) that keep one block of memory
    hooks: list           # (kind, target, callable name, muted) per firing, in order
    problems: list        # (category, message) of warnings and errors, in order
    error: tuple | None   # (exc_type, message) of the run's failure
    grads: dict           # tensor name -> final .grad values (flat float64), unique names
    output: list          # the scenario's printed lines
    run_state: str


def run(path, backend: str, **options) -> Session:
    session = Session(path, break_on_backward=False, backend=backend, **options)
    session.start()
    if not session.wait_until_finished(TIMEOUT):
        session.stop()
        raise AssertionError(f"{path} under {backend} did not finish in {TIMEOUT} s")
    return session


def story_of(session: Session) -> Story:
    state = session.state()
    names = {node.id: node.name for node in _values(state.nodes)}
    nodes_in_order = sorted(_values(state.nodes), key=lambda n: n.id)
    nodes = sorted(((n.name, _edges(n, names)) for n in nodes_in_order), key=repr)
    saved = sorted(((n.name, _edges(n, names), _saved(n)) for n in nodes_in_order if n.saved),
                   key=repr)
    hooks_by_id = {}
    firings, problems = [], []
    for event in session.log:
        kind = type(event)
        if kind is trace.HookRegistered:
            hooks_by_id[event.hook_id] = event
        elif kind is trace.HookFired:
            # as registered: the engine fires a legacy module backward hook as the
            # grad_fn post-hook it becomes, under the module registration's id
            hook = hooks_by_id.get(event.hook_id, event)
            firings.append((hook.kind, re.sub(r":\d+$", "", hook.target),
                            getattr(hook, "callable_name", "?"), event.muted))
        elif kind in (trace.WarningRaised, trace.ErrorRaised):
            category = event.category if kind is trace.WarningRaised else event.exc_type
            problems.append((category, _TRIGGERED.sub("", event.message)))
    error = None if state.error is None else (state.error.exc_type,
                                             _TRIGGERED.sub("", state.error.message))
    return Story(nodes, saved, _shared(nodes_in_order), firings, problems, error, _grads(state),
                 [line.text for line in state.output if line.stream == "stdout"],
                 state.run_state)


def _edges(node, names: dict) -> tuple:
    return tuple((names.get(e.node_id) if e.node_id is not None else None, e.input_nr)
                 for e in node.next_edges)


def _saved(node) -> tuple:
    """The node's saved values by name, each with its shape, dtype, whose memory it is and
    the bytes of that memory (a list saved under one name, as ``cat`` saves its inputs, gives
    one entry per tensor)."""
    return tuple(sorted((b.name, tuple(b.shape), b.dtype, b.kind, b.storage_nbytes)
                        for b in node.saved))


def _shared(nodes) -> list:
    """The saved values that share a block of memory (a view, an op's output saved by the
    next op too), as sorted groups of (node name, saved name)."""
    by_storage: dict = {}
    for node in nodes:
        for buffer in node.saved:
            if buffer.storage is not None:
                by_storage.setdefault(buffer.storage, []).append((node.name, buffer.name))
    return sorted(tuple(sorted(group)) for group in by_storage.values() if len(group) > 1)


def _values(collection):
    return collection.values() if hasattr(collection, "values") else collection


def _grads(state) -> dict:
    counts: dict[str, int] = {}
    for tensor in _values(state.tensors):
        if tensor.name:
            counts[tensor.name] = counts.get(tensor.name, 0) + 1
    grads = {}
    for tensor in _values(state.tensors):
        if tensor.name and counts[tensor.name] == 1 and tensor.grad is not None:
            grad = tensor.grad      # a big tensor's summary keeps statistics, not values
            values = grad.values if grad.values is not None else \
                [grad.min, grad.max, grad.mean, grad.norm]
            grads[tensor.name] = np.asarray(values, dtype=np.float64).ravel()
    return grads
