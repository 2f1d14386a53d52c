"""Turns events into ``State``, one event at a time.

``StateBuilder`` is the only mutable thing in the model: it holds dicts of frozen views and
replaces a view when an event changes it, so ``snapshot()`` is a shallow copy and
``clone()`` (a checkpoint for time travel) is cheap. Unknown event types are ignored, so an
older model can read a newer engine's log.
"""
from __future__ import annotations

from collections.abc import Iterable
from types import MappingProxyType

from engine import trace
from graphtui.model import events as ev
from graphtui.model.state import (
    DONE, ERROR, FREED, NAN_FORWARD, NAN_GRAD_IN, NAN_GRAD_OUT, NEXT, PENDING, RUN_FAILED,
    RUN_FINISHED, RUN_PAUSED, RUN_RUNNING, RUN_STOPPED, RUNNING, BackwardPass, Buffer, Edge, GradChange, Hook,
    HookFiring, Module, Node, OutputLine, Problem, Root, RunError, State, Tensor,
)
from graphtui.model.describe import has_nonfinite
from graphtui.model.fast_init import maker, replace
from graphtui.model.memory import StorageLedger, retained_in
from graphtui.model.node_attrs import node_attrs
from graphtui.model.iterations import IterationTracker, scalar_value
from graphtui.model.prune import prune_old_graphs
from graphtui.model.seq import SharedAppendOnly

GRAD_HISTORY_KEPT = 32
ROOTS_SHOWN = 64                  # a training loop makes a graph per step: show the latest
OUTPUT_LINES_KEPT = 200_000
PROBLEMS_KEPT = 10_000
BREAKPOINT_HITS_KEPT = 1000       # listed by dump; beyond, only counted
_STICKY = (ERROR,)                # statuses a later event does not overwrite
# Views made for nearly every event: built without their dataclass __init__ (fast_init).
_new_node, _new_tensor, _new_buffer, _new_edge, _new_grad_change = map(
    maker, (Node, Tensor, Buffer, Edge, GradChange))


# Ops that write a value given by the user: an infinity they write is a mask (attention's
# masked_fill(mask, -inf)), not a fault. A NaN is a fault whatever wrote it.
MASKING_NODES = frozenset({"MaskedFillBackward0", "MaskedFillBackward1", "WhereBackward0",
                           "FillBackward0", "FillBackward1"})
MASKING_OPS = frozenset({"masked_fill_", "fill_", "where"})


def deliberate_infinity(summary, node_name: str | None = None, op: str | None = None) -> bool:
    """±Inf and no NaN in the output of an op that wrote a user's value (a mask)."""
    if node_name not in MASKING_NODES and op not in MASKING_OPS:
        return False
    return summary is not None and not summary.nan


def inherited_infinity(summary, input_values) -> bool:
    """±Inf and no NaN in an op's output when an input already held an infinity: it came
    from there (a mask, or the user's data), it did not appear here."""
    if summary is None or summary.nan:
        return False
    return any(value is not None and value.inf for value in input_values)


class StateBuilder:
    def __init__(self, output_lines_kept: int = OUTPUT_LINES_KEPT, strict: bool = False):
        """``strict``: an event the model cannot apply raises (reading recordings, tests);
        otherwise it is counted in ``State.unreadable_events`` and skipped, so one odd
        event never takes the debugger down."""
        self.strict = strict
        self.unreadable_events = 0
        self.step = 0
        self.scenario = ""
        self.backend = ""
        self.run_number = 0
        self.run_state = "not started"
        self.paused_at: int | None = None
        self.paused_where: str | None = None
        self.paused_why: str | None = None                 # the breakpoint's detail
        self.breakpoint_hits: tuple[ev.BreakpointHit, ...] = ()
        self.breakpoint_hits_total = 0
        self.nodes: dict[int, Node] = {}
        self.tensors: dict[int, Tensor] = {}
        self.hooks: dict[int, Hook] = {}
        self.modules: dict[str, Module] = {}
        self.backward_roots: dict[int | None, Root] = {}   # keyed by node id (None: no grad_fn)
        self.no_grad_fn_roots: dict[int, Root] = {}        # keyed by tensor id
        self.sinks: dict[int, None] = {}                   # node ids nothing points to, ordered
        self.passes: dict[int, BackwardPass] = {}
        # A running pass's counts (nodes run, buffers and bytes freed) since its record was
        # written: a record per node run would be a copy of 14 fields (see _pass_record).
        self.pass_progress: dict[int, list[int]] = {}
        self.memory = StorageLedger()
        self.problems = SharedAppendOnly(PROBLEMS_KEPT)
        self.output = SharedAppendOnly(output_lines_kept)
        self.error: RunError | None = None
        self.last_engine_error: Problem | None = None
        self.events_dropped = 0
        self.output_dropped = 0
        self.first_nan_node: int | None = None
        self.first_nan_place: str | None = None
        self.nodes_forgotten = 0                           # nodes dropped with old graphs
        self.roots_forgotten = 0
        self.outputs_forgotten = 0                         # sinks dropped, never backpropagated
        self.current_pass: int | None = None
        self.executing: tuple[int, ...] = ()               # nodes entered, not yet left
        self.iterations = IterationTracker()

    # ------------------------------------------------------------ public

    def apply(self, event) -> None:
        handler = _HANDLERS.get(type(event))
        if handler is not None:
            try:
                handler(self, event)
            except Exception:
                if self.strict:
                    raise
                self.unreadable_events += 1
        self.step += 1

    def apply_all(self, events: Iterable) -> "StateBuilder":
        for event in events:
            self.apply(event)
        return self

    def clone(self) -> "StateBuilder":
        twin = object.__new__(StateBuilder)
        twin.__dict__.update(self.__dict__)
        for name in ("nodes", "tensors", "hooks", "modules", "backward_roots", "no_grad_fn_roots",
                     "sinks", "passes"):
            setattr(twin, name, dict(getattr(self, name)))
        twin.pass_progress = {key: list(counts) for key, counts in self.pass_progress.items()}
        twin.memory = self.memory.clone()
        twin.problems = self.problems.fork()
        twin.output = self.output.fork()
        twin.iterations = self.iterations.fork()
        return twin

    def size(self) -> int:
        """Entries a clone copies (its cost, in time and memory)."""
        return len(self.nodes) + len(self.tensors) + len(self.memory.blocks)

    def snapshot(self, total: int | None = None, first_step: int = 0) -> State:
        roots = self._roots()
        return State(
            step=self.step,
            first_step=first_step,
            total=self.step if total is None else max(total, self.step),
            scenario=self.scenario,
            backend=self.backend,
            run_number=self.run_number,
            run_state=self.run_state,
            paused_at=self.paused_at,
            paused_where=self.paused_where,
            paused_why=self.paused_why,
            breakpoint_hits=self.breakpoint_hits,
            breakpoint_hits_total=self.breakpoint_hits_total,
            nodes=MappingProxyType(dict(self.nodes)),
            tensors=MappingProxyType(dict(self.tensors)),
            hooks=MappingProxyType(dict(self.hooks)),
            modules=MappingProxyType(dict(self.modules)),
            roots=roots[-ROOTS_SHOWN:],
            roots_hidden=max(0, len(roots) - ROOTS_SHOWN) + self.roots_forgotten,
            nodes_forgotten=self.nodes_forgotten,
            outputs_forgotten=self.outputs_forgotten,
            unreadable_events=self.unreadable_events,
            backward_passes=tuple(self._pass_record(key) for key in self.passes),
            retained_bytes=self.memory.retained,
            freed_bytes=self.memory.freed,
            peak_retained_bytes=self.memory.peak,
            peak_step=self.memory.peak_step,
            memory_timeline=self.memory.timeline.view(),
            problems=self.problems.view(),
            error=self.error,
            output=self.output.view(),
            output_dropped=self.output_dropped + self.output.dropped,
            events_dropped=self.events_dropped,
            first_nan_node=self.first_nan_node,
            first_nan_place=self.first_nan_place,
            iterations=self.iterations.view(),
        )

    # ------------------------------------------------------------ helpers

    def _pass_record(self, pass_id: int, finish: bool = False) -> BackwardPass:
        """The pass's record with its counts so far (``finish``: written back, for good)."""
        record = self.passes[pass_id]
        counts = self.pass_progress.pop(pass_id, None) if finish else \
            self.pass_progress.get(pass_id)
        if counts is not None:
            nodes_run, buffers, nbytes = counts
            record = replace(record, nodes_run=record.nodes_run + nodes_run,
                             freed_buffers=record.freed_buffers + buffers,
                             freed_bytes=record.freed_bytes + nbytes)
            if finish:
                self.passes[pass_id] = record
        return record

    def _current_progress(self) -> list[int] | None:
        """The running counts of the current pass (None: no pass, or one forgotten)."""
        key = self.current_pass
        if key is None or key not in self.passes:
            return None
        counts = self.pass_progress.get(key)
        if counts is None:
            counts = self.pass_progress[key] = [0, 0, 0]
        return counts

    def _roots(self) -> tuple[Root, ...]:
        roots = list(self.backward_roots.values()) + list(self.no_grad_fn_roots.values())
        shown = {root.node_id for root in roots}
        for node_id in self.sinks:
            if node_id not in shown:
                node = self.nodes[node_id]
                tensor_id = node.output_ids[0] if node.output_ids else None
                roots.append(Root(node_id, tensor_id, "output"))
        return tuple(roots)

    def _set_status(self, node_id: int, status: str) -> Node | None:
        node = self.nodes.get(node_id)
        if node is None or node.status in _STICKY:
            return node
        node = replace(node, status=status)
        self.nodes[node_id] = node
        return node

    def _mark_nonfinite(self, node_id: int, summaries, place: str) -> None:
        for summary in summaries or ():
            if has_nonfinite(summary):
                node = self.nodes.get(node_id)
                if place == NAN_FORWARD and node is not None and (
                        deliberate_infinity(summary, node.name) or
                        inherited_infinity(summary, self._input_values(node))):
                    return
                self._mark_nan(node_id, place)
                return

    def _input_values(self, node: Node) -> list:
        """The values of the node's inputs that have an edge (as far as they are known)."""
        values = []
        for edge in node.next_edges:
            source = self.nodes.get(edge.node_id) if edge.node_id is not None else None
            if source is not None and source.output_ids:
                tensor = self.tensors.get(source.output_ids[0])
                values.append(tensor.value if tensor is not None else None)
        return values

    def _mark_nan(self, node_id: int, place: str) -> None:
        node = self.nodes.get(node_id)
        if node is not None and place not in node.nonfinite:
            self.nodes[node_id] = replace(node, nonfinite=node.nonfinite + (place,))
        if self.first_nan_node is None:
            self.first_nan_node, self.first_nan_place = node_id, place

    def hold_saved(self, buffers) -> None:
        for buffer in buffers:
            self.memory.hold(buffer, self.step + 1)

    def let_go_saved(self, buffers, freed: bool = True) -> tuple[int, int]:
        """Release buffers from the ledger: (buffers, bytes of memory that went with them).
        ``freed=False``: the model forgets them (old graphs), nothing was freed."""
        released = [b for b in buffers if not b.freed]
        nbytes = sum(self.memory.let_go(b, self.step + 1, freed) for b in released)
        return len(released), nbytes

    def _tensor(self, tensor_id: int, summary=None) -> Tensor:
        """The tensor's view, made up from a summary when the engine never announced it."""
        tensor = self.tensors.get(tensor_id)
        if tensor is None:
            shape = summary.shape if summary is not None else ()
            dtype = summary.dtype if summary is not None else "float32"
            tensor = Tensor(tensor_id, None, shape, dtype, True, True, created_step=self.step)
            self.tensors[tensor_id] = tensor
        return tensor

    def _reachable(self, start: Iterable[int | None]) -> list[int]:
        seen: set[int] = set()
        stack = [n for n in start if n is not None]
        while stack:
            node_id = stack.pop()
            if node_id in seen or node_id not in self.nodes:
                continue
            seen.add(node_id)
            stack.extend(e.node_id for e in self.nodes[node_id].next_edges if e.node_id is not None)
        return list(seen)

    def _root_tensor(self, node_id: int | None, tensor_id: int | None) -> int | None:
        """The tensor a root stands for: as given when we know it, else the node's output."""
        tensor = self.tensors.get(tensor_id) if tensor_id is not None else None
        if tensor is not None and (node_id is None or tensor.grad_fn_id in (node_id, None)):
            return tensor_id
        node = self.nodes.get(node_id) if node_id is not None else None
        if node is not None and node.output_ids:
            return node.output_ids[0]
        return tensor_id

    def _attach_hook(self, target: str, hook_id: int) -> None:
        kind, _, raw_id = target.partition(":")
        if not raw_id.isdigit():
            return
        table = self.nodes if kind == "node" else self.tensors if kind == "tensor" else None
        if table is not None and int(raw_id) in table:
            item = table[int(raw_id)]
            table[int(raw_id)] = replace(item, hook_ids=item.hook_ids + (hook_id,))


# ---------------------------------------------------------------- event handlers

def _on_run_started(b: StateBuilder, e: ev.RunStarted) -> None:
    b.scenario, b.run_number, b.run_state = e.scenario, e.run_number, RUN_RUNNING
    b.backend = e.backend


def _on_run_finished(b: StateBuilder, e: ev.RunFinished) -> None:
    b.run_state = {"finished": RUN_FINISHED, "stopped": RUN_STOPPED}.get(e.status, RUN_FAILED)
    b.paused_at = b.paused_where = b.paused_why = None
    if e.status != "failed":
        return
    engine_error = b.last_engine_error
    if engine_error is not None and engine_error.category != e.exc_type:
        engine_error = None
    node_id = engine_error.node_id if engine_error else None
    node_id = e.node_id if node_id is None else node_id
    b.error = RunError(e.exc_type or "Error", e.message, e.traceback, e.exit_code, node_id,
                       engine_error.tensor_id if engine_error else None,
                       e.location, b.step)
    if node_id is not None:
        b._set_status(node_id, ERROR)
    for node in list(b.nodes.values()):
        if node.status in (RUNNING, NEXT):
            b._set_status(node.id, ERROR)


def _on_output(b: StateBuilder, e: ev.OutputWritten) -> None:
    b.output.append(OutputLine(b.step, e.stream, e.text))


def _on_paused(b: StateBuilder, e: ev.Paused) -> None:
    b.run_state, b.paused_at, b.paused_where = RUN_PAUSED, e.node_id, e.where
    last_hit = b.breakpoint_hits[-1] if b.breakpoint_hits else None
    b.paused_why = last_hit.detail if e.reason == "breakpoint" and last_hit else None
    node = b.nodes.get(e.node_id) if e.node_id is not None else None
    if e.where == "node" and node is not None and node.status == RUNNING:
        b._set_status(node.id, NEXT)


def _on_resumed(b: StateBuilder, e: ev.Resumed) -> None:
    if b.paused_where == "node" and b.paused_at is not None:
        node = b.nodes.get(b.paused_at)
        if node is not None and node.status == NEXT:
            b._set_status(node.id, RUNNING)
    b.run_state, b.paused_at, b.paused_where, b.paused_why = RUN_RUNNING, None, None, None


def _on_breakpoint_hit(b: StateBuilder, e: ev.BreakpointHit) -> None:
    b.breakpoint_hits_total += 1
    if len(b.breakpoint_hits) < BREAKPOINT_HITS_KEPT:
        b.breakpoint_hits += (e,)


def _on_mute_changed(b: StateBuilder, e: ev.HookMuteChanged) -> None:
    hook = b.hooks.get(e.hook_id)
    if hook is not None:
        b.hooks[e.hook_id] = replace(hook, muted=e.muted)


def _on_events_dropped(b: StateBuilder, e: ev.EventsDropped) -> None:
    if e.kind == "output":
        b.output_dropped += e.count
    else:
        b.events_dropped += e.count


def _on_tensor_created(b: StateBuilder, e: trace.TensorCreated) -> None:
    tensor = _new_tensor(e.tensor_id, e.name, tuple(e.shape), e.dtype, e.requires_grad,
                         e.is_leaf, e.grad_fn_id, value=e.summary, created_step=b.step)
    old = b.tensors.get(e.tensor_id)
    if old is not None:     # described late: keep what was already known of it
        tensor = replace(tensor, name=e.name or old.name, grad=old.grad,
                         grad_history=old.grad_history, grad_changes=old.grad_changes,
                         retains_grad=old.retains_grad, hook_ids=old.hook_ids,
                         created_step=old.created_step)
    b.tensors[e.tensor_id] = tensor
    if e.grad_fn_id is not None:
        b._mark_nonfinite(e.grad_fn_id, (e.summary,), NAN_FORWARD)


def _on_tensor_named(b: StateBuilder, e: trace.TensorNamed) -> None:
    tensor = b._tensor(e.tensor_id)
    b.tensors[e.tensor_id] = replace(tensor, name=e.name)
    b.iterations.tensor_named(e.tensor_id, e.name)


def _on_tensor_modified(b: StateBuilder, e: trace.TensorModified) -> None:
    tensor = b._tensor(e.tensor_id, e.summary)
    b.tensors[e.tensor_id] = replace(tensor, version=e.version, grad_fn_id=e.grad_fn_id,
                                     value=e.summary if e.summary is not None else tensor.value,
                                     is_leaf=tensor.is_leaf and e.grad_fn_id is None,
                                     retains_grad=tensor.retains_grad or e.op == "retain_grad")
    if e.grad_fn_id is not None:
        b._mark_nonfinite(e.grad_fn_id, (e.summary,), NAN_FORWARD)


def _on_node_created(b: StateBuilder, e: trace.NodeCreated) -> None:
    saved = tuple(_new_buffer(e.node_id, s.name, tuple(s.shape), s.dtype, s.nbytes,
                              tensor_id=s.tensor_id, storage=s.storage,
                              storage_nbytes=s.storage_nbytes, kind=s.kind) for s in e.saved)
    edges = tuple(_new_edge(node_id, input_nr) for node_id, input_nr in e.next_functions)
    b.nodes[e.node_id] = _new_node(e.node_id, e.name, e.sequence_nr, edges,
                                   tuple(e.output_ids), e.module, e.location, saved=saved,
                                   attrs=node_attrs(e.attrs), created_step=b.step)
    b.hold_saved(saved)
    for edge in edges:
        b.sinks.pop(edge.node_id, None)
    if e.name != "AccumulateGrad":
        b.sinks[e.node_id] = None
        if len(b.sinks) > 2 * ROOTS_SHOWN:     # a forward-only loop: its graphs pile up
            prune_old_graphs(b, ROOTS_SHOWN)


def _on_backward_started(b: StateBuilder, e: trace.BackwardStarted) -> None:
    roots = tuple(Root(node_id, b._root_tensor(node_id, tensor_id), "backward")
                  for node_id, tensor_id in e.roots)
    for root in roots:
        if root.node_id is None:
            b.no_grad_fn_roots[root.tensor_id] = root
        else:
            b.backward_roots.pop(root.node_id, None)   # re-insert: latest backward last
            b.backward_roots[root.node_id] = root
    b.pass_progress.pop(e.backward_id, None)
    b.passes[e.backward_id] = BackwardPass(e.backward_id, e.kind, roots, e.retain_graph,
                                           e.create_graph, b.step)
    b.current_pass = e.backward_id
    _start_iteration(b, e, roots)
    for node_id in b._reachable(root.node_id for root in roots):
        if b.nodes[node_id].status == DONE:
            b._set_status(node_id, PENDING)
    prune_old_graphs(b, ROOTS_SHOWN)


def _start_iteration(b: StateBuilder, e: trace.BackwardStarted, roots: tuple[Root, ...]) -> None:
    first = roots[0] if roots else None
    node = b.nodes.get(first.node_id) if first and first.node_id is not None else None
    tensor = b.tensors.get(first.tensor_id) if first and first.tensor_id is not None else None
    b.iterations.started(b.step, e.backward_id, e.kind, roots, e.retain_graph,
                         node.name if node else None, tensor.name if tensor else None,
                         scalar_value(tensor.value) if tensor else None,
                         getattr(e, "location", None))


def _on_backward_finished(b: StateBuilder, e: trace.BackwardFinished) -> None:
    b.iterations.finished(b.step, e.backward_id, e.ok)
    bw = b._pass_record(e.backward_id, finish=True) if e.backward_id in b.passes else None
    if bw is not None:
        kept = retained_in(b.nodes[n] for n in b._reachable(r.node_id for r in bw.roots)) \
            if bw.retain_graph else ((), 0)
        b.passes[e.backward_id] = replace(bw, finished=True, ok=e.ok, kept=kept[0],
                                          kept_bytes=kept[1])
    if not e.ok:
        for node in list(b.nodes.values()):
            if node.status in (RUNNING, NEXT):
                b._set_status(node.id, ERROR)
    b.current_pass = None
    if not e.ok:                 # the failed node never reported leaving
        b.executing = ()


def _on_node_executing(b: StateBuilder, e: trace.NodeExecuting) -> None:
    b.executing += (e.node_id,)
    node = b.nodes.get(e.node_id)
    if node is not None:
        status = node.status if node.status in _STICKY else RUNNING
        b.nodes[e.node_id] = replace(node, status=status, grad_outputs=tuple(e.grad_outputs))
        b._mark_nonfinite(e.node_id, e.grad_outputs, NAN_GRAD_IN)


def _on_node_executed(b: StateBuilder, e: trace.NodeExecuted) -> None:
    if e.node_id in b.executing:
        cut = len(b.executing) - 1 - b.executing[::-1].index(e.node_id)
        b.executing = b.executing[:cut]
    node = b.nodes.get(e.node_id)
    if node is None:
        return
    all_freed = bool(node.saved) and all(buffer.freed for buffer in node.saved)
    node = replace(node, grad_inputs=tuple(e.grad_inputs), times_run=node.times_run + 1,
                   status=node.status if node.status in _STICKY else FREED if all_freed else DONE)
    b.nodes[e.node_id] = node
    b._mark_nonfinite(e.node_id, e.grad_inputs, NAN_GRAD_OUT)
    progress = b._current_progress()
    if progress is not None:
        progress[0] += 1
    b.iterations.node_ran(b.current_pass)


def _on_grad_accumulated(b: StateBuilder, e: trace.GradAccumulated) -> None:
    # grad None means .grad was set to None (zero_grad(set_to_none=True), `x.grad = None`).
    tensor = b._tensor(e.tensor_id, e.grad)
    change = _new_grad_change(b.step, e.grad, e.accumulated)
    history = (tensor.grad_history + (change,))[-GRAD_HISTORY_KEPT:]
    b.tensors[e.tensor_id] = replace(tensor, grad=e.grad, grad_history=history,
                                     grad_changes=tensor.grad_changes + 1,
                                     retains_grad=tensor.retains_grad or e.retained)


def _on_buffer_freed(b: StateBuilder, e: trace.BufferFreed) -> None:
    node = b.nodes.get(e.node_id)
    if node is None:
        return
    names = set(e.names)
    count, nbytes = b.let_go_saved(x for x in node.saved if x.name in names)
    saved = tuple(replace(x, freed=True) if x.name in names else x for x in node.saved)
    all_freed = all(x.freed for x in saved)
    status = FREED if all_freed and node.status == DONE else node.status
    b.nodes[e.node_id] = replace(node, saved=saved, status=status)
    progress = b._current_progress()
    if progress is not None:
        progress[1] += count
        progress[2] += nbytes
    b.iterations.buffers_freed(b.current_pass, count, nbytes)


def _on_hook_registered(b: StateBuilder, e: trace.HookRegistered) -> None:
    b.hooks[e.hook_id] = Hook(e.hook_id, e.kind, e.target, e.callable_name,
                              registered_step=b.step)
    b._attach_hook(e.target, e.hook_id)


def _on_hook_removed(b: StateBuilder, e: trace.HookRemoved) -> None:
    hook = b.hooks.get(e.hook_id)
    if hook is not None:
        b.hooks[e.hook_id] = replace(hook, removed=True)


def _on_hook_fired(b: StateBuilder, e: trace.HookFired) -> None:
    hook = b.hooks.get(e.hook_id) or Hook(e.hook_id, e.kind, e.target, "?", registered_step=b.step)
    firing = HookFiring(b.step, tuple(e.args), e.replaced, tuple(e.result), e.muted,
                        b.executing[-1] if b.executing else None)
    if e.muted:
        hook = replace(hook, times_muted=hook.times_muted + 1, last_firing=firing)
    else:
        hook = replace(hook, times_fired=hook.times_fired + 1, last_firing=firing)
    b.hooks[e.hook_id] = hook


def _on_module_forward(b: StateBuilder, e: trace.ModuleForward) -> None:
    module = b.modules.get(e.path) or Module(e.path, e.class_name)
    if e.phase == "start":
        module = replace(module, running=True, last_inputs=tuple(e.inputs))
    else:
        module = replace(module, running=False, forwards=module.forwards + 1,
                         last_outputs=tuple(e.outputs))
    b.modules[e.path] = module


def _on_warning(b: StateBuilder, e: trace.WarningRaised) -> None:
    b.problems.append(Problem(b.step, e.category, e.message, e.node_id, e.tensor_id))


def _on_engine_error(b: StateBuilder, e: trace.ErrorRaised) -> None:
    problem = Problem(b.step, e.exc_type, e.message, e.node_id, e.tensor_id)
    b.problems.append(problem)
    b.last_engine_error = problem
    if e.node_id is not None and e.node_id in b.nodes:
        b.nodes[e.node_id] = replace(b.nodes[e.node_id], status=ERROR)
    tensor = b.tensors.get(e.tensor_id) if e.tensor_id is not None else None
    if e.node_id is None and tensor is not None and tensor.grad_fn_id is None:
        # backward() on a tensor without grad_fn: show it as the root that failed.
        b.no_grad_fn_roots[tensor.id] = Root(None, tensor.id, "backward")


_HANDLERS = {
    ev.RunStarted: _on_run_started,
    ev.RunFinished: _on_run_finished,
    ev.OutputWritten: _on_output,
    ev.Paused: _on_paused,
    ev.Resumed: _on_resumed,
    ev.BreakpointHit: _on_breakpoint_hit,
    ev.HookMuteChanged: _on_mute_changed,
    ev.EventsDropped: _on_events_dropped,
    trace.TensorCreated: _on_tensor_created,
    trace.TensorNamed: _on_tensor_named,
    trace.TensorModified: _on_tensor_modified,
    trace.NodeCreated: _on_node_created,
    trace.BackwardStarted: _on_backward_started,
    trace.BackwardFinished: _on_backward_finished,
    trace.NodeExecuting: _on_node_executing,
    trace.NodeExecuted: _on_node_executed,
    trace.GradAccumulated: _on_grad_accumulated,
    trace.BufferFreed: _on_buffer_freed,
    trace.HookRegistered: _on_hook_registered,
    trace.HookRemoved: _on_hook_removed,
    trace.HookFired: _on_hook_fired,
    trace.ModuleForward: _on_module_forward,
    trace.WarningRaised: _on_warning,
    trace.ErrorRaised: _on_engine_error,
}
