"""One pass over an event log collecting the facts ``findings`` words: nodes with their
lines and saved versions, tensors and how they were made, backward passes, hooks, errors,
saved tensors changed in place, and the first NaN/Inf of the forward and of the backward.

Mutable while it runs, read-only after; small records, kept only for what a finding needs.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import math

import numpy as np

from engine import trace
from graphtui.model import events as ev
from graphtui.model.builder import deliberate_infinity, has_nonfinite, inherited_infinity

_sum = np.add.reduce


@dataclass(slots=True)
class NodeFacts:
    id: int
    name: str
    location: str | None
    edges: tuple                       # ((node_id | None, input_nr), ...)
    output_ids: tuple[int, ...]
    saved: tuple                       # trace.SavedInfo


@dataclass(slots=True)
class TensorFacts:
    id: int
    name: str | None
    requires_grad: bool
    is_leaf: bool
    grad_fn_id: int | None
    step: int                          # where it was made
    made: str | None = None            # "no_grad" | "detach"
    location: str | None = None
    value: trace.Summary | None = None
    version: int = 0
    retains_grad: bool = False
    grad: trace.Summary | None = None  # its .grad now
    grad_set: bool = False             # holds a .grad at the end
    cleared_step: int | None = None    # its .grad was last set to None here


@dataclass(slots=True)
class BackwardFacts:
    id: int
    kind: str
    roots: tuple
    location: str | None
    step: int
    ok: bool | None = None
    end_step: int | None = None


@dataclass(slots=True)
class HookFacts:
    id: int
    kind: str
    target: str
    callable_name: str
    step: int
    fired: int = 0
    muted: int = 0
    removed_step: int | None = None
    last_step: int | None = None
    last_args: tuple = ()
    last_replaced: bool = False
    last_result: tuple = ()


@dataclass(frozen=True, slots=True)
class StaleSave:
    """A saved tensor changed in place after it was saved, while still retained."""
    node_id: int
    saved_name: str
    saved_version: int
    tensor_id: int                     # the saved tensor
    changed_id: int                    # the tensor the op changed (it, or a view of it)
    op: str
    version: int
    location: str | None
    step: int
    through: str = "same"              # SAME | VIEW | MEMORY: how the change reached it


SAME, VIEW, MEMORY = "same", "view", "memory"


@dataclass(frozen=True, slots=True)
class ErrorFacts:
    message: str
    node_id: int | None
    backward_id: int | None            # the backward running when it was raised
    step: int


@dataclass(frozen=True, slots=True)
class Freed:
    names: tuple[str, ...]
    backward_id: int | None
    step: int


@dataclass(frozen=True, slots=True)
class ForwardNan:
    tensor_id: int
    summary: trace.Summary
    inputs: tuple                      # ((tensor_id, Summary | None), ...)
    op: str | None                     # the in-place op that wrote it; None: an op's output
    location: str | None
    step: int


@dataclass(frozen=True, slots=True)
class BackwardNan:
    node_id: int
    backward_id: int | None
    summary: trace.Summary             # the first gradient holding NaN/Inf
    incoming: tuple                    # what the node received
    incoming_bad: bool                 # the NaN came in already (from the seed gradient)
    step: int


@dataclass(slots=True)
class Scan:
    nodes: dict[int, NodeFacts] = field(default_factory=dict)
    tensors: dict[int, TensorFacts] = field(default_factory=dict)
    backwards: dict[int, BackwardFacts] = field(default_factory=dict)
    hooks: dict[int, HookFacts] = field(default_factory=dict)
    errors: list[ErrorFacts] = field(default_factory=list)
    stale_saves: list[StaleSave] = field(default_factory=list)
    freed_by: dict[int, Freed] = field(default_factory=dict)       # node id -> last freeing
    accumulators: dict[int, int] = field(default_factory=dict)    # tensor id -> AccumulateGrad
    module_forwards: dict[str, int] = field(default_factory=dict) # path -> last forward's step
    ran: set = field(default_factory=set)                          # node ids that ran
    ran_in: dict[int, set] = field(default_factory=dict)           # backward id -> node ids
    looked_at: dict = field(default_factory=dict)      # tensor ids whose .grad was read (warned)
    first_nan_forward: ForwardNan | None = None
    first_nan_backward: BackwardNan | None = None
    savers: dict[int, list] = field(default_factory=dict)  # tensor id -> [(node, SavedInfo)]
    storage_savers: dict[int, list] = field(default_factory=dict)  # storage id -> the same
    freed: set = field(default_factory=set)                 # (node id, saved name)
    current: int | None = None                              # the backward running
    incoming: dict[int, tuple] = field(default_factory=dict)  # node id -> grads received
    _reachable: dict[int, frozenset] = field(default_factory=dict)
    _consumers: dict | None = None

    def run(self, events: Sequence) -> "Scan":
        handlers = _HANDLERS
        for step, event in enumerate(events, start=getattr(events, "first_step", 0)):
            handler = handlers.get(type(event))
            if handler is not None:
                handler(self, event, step)
        return self

    def reachable(self, backward_id: int) -> frozenset:
        """Node ids a backward's roots lead to (computed once per backward, when asked)."""
        known = self._reachable.get(backward_id)
        if known is None:
            stack = [node for node, _ in self.backwards[backward_id].roots if node is not None]
            seen: set[int] = set()
            while stack:
                node_id = stack.pop()
                if node_id in seen or node_id not in self.nodes:
                    continue
                seen.add(node_id)
                stack.extend(n for n, _ in self.nodes[node_id].edges if n is not None)
            known = self._reachable[backward_id] = frozenset(seen)
        return known

    def graph_end(self, node_id: int) -> int | None:
        """A node nothing consumes (a graph's output) that leads to ``node_id``: the latest
        one, found walking the edges backwards (the map is built when first asked)."""
        consumers = self._consumers
        if consumers is None:
            consumers = self._consumers = {}
            for node in self.nodes.values():
                for edge_node, _ in node.edges:
                    if edge_node is not None:
                        consumers.setdefault(edge_node, []).append(node.id)
        seen, stack, ends = set(), [node_id], []
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            above = consumers.get(current)
            if above:
                stack.extend(above)
            elif current != node_id:
                ends.append(current)
        return max(ends, default=None)

    def inputs_of(self, node_id: int) -> tuple:
        """(tensor id, its value now) of each input a node has an edge for."""
        inputs = []
        for edge_node, input_nr in self.nodes[node_id].edges:
            source = self.nodes.get(edge_node) if edge_node is not None else None
            if source is None or not source.output_ids:
                continue
            tensor_id = source.output_ids[min(input_nr, len(source.output_ids) - 1)]
            facts = self.tensors.get(tensor_id)
            inputs.append((tensor_id, facts.value if facts else None))
        return tuple(inputs)


# ---------------------------------------------------------------- handlers

def _nonfinite(summary) -> bool:
    """``has_nonfinite``, made cheap for the common case of small finite float values: their
    sum is finite (an overflowing sum goes on to the exact check)."""
    if summary is None:
        return False
    values = summary.values
    if values is not None and values.dtype.kind == "f" and values.size:
        if math.isfinite(_sum(values)):
            return False
    return has_nonfinite(summary)


def _first_nonfinite(summaries):
    for summary in summaries:
        if summary is not None and _nonfinite(summary):
            return summary
    return None


# TensorModified.op values that are no op of the scenario's computation.
_NOT_OPS = frozenset({"init", "requires_grad_", "retain_grad"})
# PyTorch's warning when the scenario reads a non-leaf's .grad: the user looks at it.
_NON_LEAF_GRAD_READ = "not a leaf Tensor is being accessed"


def _run_started(scan: Scan, e: ev.RunStarted, step: int) -> None:
    scan.__init__()


def _tensor_created(scan: Scan, e: trace.TensorCreated, step: int) -> None:
    old = scan.tensors.get(e.tensor_id)
    facts = TensorFacts(e.tensor_id, e.name or (old.name if old else None), e.requires_grad,
                        e.is_leaf, e.grad_fn_id, step, getattr(e, "made", None),
                        getattr(e, "location", None), e.summary)
    scan.tensors[e.tensor_id] = facts
    # Only an op's output: a parameter is made empty (any bits) and then initialised.
    made_by_op = e.grad_fn_id is not None or facts.made is not None
    if scan.first_nan_forward is None and made_by_op and _nonfinite(e.summary) and \
            not _masked(scan, e.grad_fn_id, e.summary):
        inputs = scan.inputs_of(e.grad_fn_id) if e.grad_fn_id in scan.nodes else ()
        scan.first_nan_forward = ForwardNan(e.tensor_id, e.summary, inputs, None, None, step)


def _masked(scan: Scan, node_id, summary) -> bool:
    """Infinities a mask wrote, or that came from an input holding them already."""
    node = scan.nodes.get(node_id) if node_id is not None else None
    if node is None:
        return False
    return deliberate_infinity(summary, node.name) or inherited_infinity(
        summary, [value for _, value in scan.inputs_of(node_id)])


def _tensor_named(scan: Scan, e: trace.TensorNamed, step: int) -> None:
    facts = scan.tensors.get(e.tensor_id)
    if facts is not None:
        facts.name = e.name


def _tensor_modified(scan: Scan, e: trace.TensorModified, step: int) -> None:
    facts = scan.tensors.get(e.tensor_id)
    if facts is None:
        return
    if e.op == "retain_grad":
        facts.retains_grad = True
        return
    location = getattr(e, "location", None)
    facts.version, facts.grad_fn_id = e.version, e.grad_fn_id
    facts.is_leaf = facts.is_leaf and e.grad_fn_id is None
    if e.requires_grad is not None:
        facts.requires_grad = e.requires_grad
    if e.summary is not None:
        facts.value = e.summary
        if scan.first_nan_forward is None and e.op not in _NOT_OPS and \
                _nonfinite(e.summary) and not deliberate_infinity(e.summary, op=e.op) and \
                not _masked(scan, e.grad_fn_id, e.summary):
            scan.first_nan_forward = ForwardNan(e.tensor_id, e.summary, (), e.op, location, step)
    for node_id, saved, through in _sharing_version(scan, e):
        if saved.version < e.version and (node_id, saved.name) not in scan.freed \
                and not any(s.node_id == node_id and s.saved_name == saved.name
                            for s in scan.stale_saves):
            scan.stale_saves.append(StaleSave(node_id, saved.name, saved.version,
                                              saved.tensor_id or e.tensor_id, e.tensor_id,
                                              e.op, e.version, location, step, through))


def _sharing_version(scan: Scan, e: trace.TensorModified) -> list:
    """(node id, SavedInfo, how) of the saved tensors whose version counter the change
    moved: the tensor itself (how: SAME), its base (VIEW: a view shares its base's
    counter), and what else lives in its memory (MEMORY: a base whose view was saved, a
    sibling view; told by the storage id)."""
    found: dict[tuple, tuple] = {}
    sources = [(scan.savers.get(e.tensor_id, ()), SAME)]
    base_id = getattr(e, "base_id", None)
    if base_id is not None:
        sources.append((scan.savers.get(base_id, ()), VIEW))
    storage = getattr(e, "storage", None)
    if storage is not None:
        sources.append((scan.storage_savers.get(storage, ()), MEMORY))
    for savers, how in sources:
        for node_id, saved in savers:
            found.setdefault((node_id, saved.name), (node_id, saved, how))
    return list(found.values())


def _node_created(scan: Scan, e: trace.NodeCreated, step: int) -> None:
    scan.nodes[e.node_id] = NodeFacts(e.node_id, e.name, e.location, tuple(e.next_functions),
                                      tuple(e.output_ids), tuple(e.saved))
    if e.name == "AccumulateGrad" and e.output_ids:
        scan.accumulators[e.output_ids[0]] = e.node_id
    for saved in e.saved:
        if saved.tensor_id is not None:
            scan.savers.setdefault(saved.tensor_id, []).append((e.node_id, saved))
        if saved.storage is not None and saved.kind != trace.SCALAR:
            scan.storage_savers.setdefault(saved.storage, []).append((e.node_id, saved))


def _backward_started(scan: Scan, e: trace.BackwardStarted, step: int) -> None:
    scan.backwards[e.backward_id] = BackwardFacts(e.backward_id, e.kind, tuple(e.roots),
                                                  getattr(e, "location", None), step)
    scan.current = e.backward_id
    scan.ran_in[e.backward_id] = set()


def _backward_finished(scan: Scan, e: trace.BackwardFinished, step: int) -> None:
    bw = scan.backwards.get(e.backward_id)
    if bw is not None:
        bw.ok, bw.end_step = e.ok, step
    scan.current = None


def _node_executing(scan: Scan, e: trace.NodeExecuting, step: int) -> None:
    scan.incoming[e.node_id] = tuple(e.grad_outputs)
    if scan.first_nan_backward is None:
        bad = _first_nonfinite(e.grad_outputs)
        if bad is not None:
            scan.first_nan_backward = BackwardNan(e.node_id, scan.current, bad,
                                                  tuple(e.grad_outputs), True, step)


def _node_executed(scan: Scan, e: trace.NodeExecuted, step: int) -> None:
    scan.ran.add(e.node_id)
    if scan.current is not None:
        scan.ran_in[scan.current].add(e.node_id)
    incoming = scan.incoming.pop(e.node_id, ())
    if scan.first_nan_backward is None:
        bad = _first_nonfinite(e.grad_inputs)
        if bad is not None:
            scan.first_nan_backward = BackwardNan(e.node_id, scan.current, bad, incoming,
                                                  False, step)


def _grad_accumulated(scan: Scan, e: trace.GradAccumulated, step: int) -> None:
    facts = scan.tensors.get(e.tensor_id)
    if facts is None:
        return
    facts.grad, facts.grad_set = e.grad, e.grad is not None
    facts.retains_grad = facts.retains_grad or e.retained
    if e.grad is None:
        facts.cleared_step = step


def _buffer_freed(scan: Scan, e: trace.BufferFreed, step: int) -> None:
    scan.freed.update((e.node_id, name) for name in e.names)
    scan.freed_by[e.node_id] = Freed(tuple(e.names), scan.current, step)


def _hook_registered(scan: Scan, e: trace.HookRegistered, step: int) -> None:
    scan.hooks[e.hook_id] = HookFacts(e.hook_id, e.kind, e.target, e.callable_name, step)


def _hook_removed(scan: Scan, e: trace.HookRemoved, step: int) -> None:
    hook = scan.hooks.get(e.hook_id)
    if hook is not None and hook.removed_step is None:
        hook.removed_step = step


def _hook_fired(scan: Scan, e: trace.HookFired, step: int) -> None:
    hook = scan.hooks.get(e.hook_id)
    if hook is None:
        return
    hook.last_step = step
    if e.muted:
        hook.muted += 1
        return
    hook.fired += 1
    args = tuple(e.args)
    if e.kind == "post_accumulate_grad":       # it is given the tensor: its .grad is what counts
        kind, _, raw = e.target.partition(":")
        facts = scan.tensors.get(int(raw)) if raw.isdigit() else None
        args = (facts.grad if facts is not None else None,)
    hook.last_args, hook.last_replaced, hook.last_result = args, e.replaced, tuple(e.result)


def _module_forward(scan: Scan, e: trace.ModuleForward, step: int) -> None:
    if e.phase == "start":
        scan.module_forwards[e.path] = step


def _warning(scan: Scan, e: trace.WarningRaised, step: int) -> None:
    if e.tensor_id is not None and _NON_LEAF_GRAD_READ in e.message:
        scan.looked_at[e.tensor_id] = step


def _error(scan: Scan, e: trace.ErrorRaised, step: int) -> None:
    scan.errors.append(ErrorFacts(e.message, e.node_id, scan.current, step))


_HANDLERS = {
    ev.RunStarted: _run_started,
    trace.TensorCreated: _tensor_created,
    trace.TensorNamed: _tensor_named,
    trace.TensorModified: _tensor_modified,
    trace.NodeCreated: _node_created,
    trace.BackwardStarted: _backward_started,
    trace.BackwardFinished: _backward_finished,
    trace.NodeExecuting: _node_executing,
    trace.NodeExecuted: _node_executed,
    trace.GradAccumulated: _grad_accumulated,
    trace.BufferFreed: _buffer_freed,
    trace.HookRegistered: _hook_registered,
    trace.HookRemoved: _hook_removed,
    trace.HookFired: _hook_fired,
    trace.ModuleForward: _module_forward,
    trace.WarningRaised: _warning,
    trace.ErrorRaised: _error,
}
