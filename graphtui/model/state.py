"""The visible state at one point of history, as frozen values.

Everything the TUI shows comes from a ``State``; a ``State`` comes only from the event log
(``graphtui.model.builder``). Ids are the engine's small integers (``engine.trace``).
Summaries are ``engine.trace.Summary`` (shape, dtype, statistics, values when small).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from engine.trace import Summary
from graphtui.model.iterations import IterationList

# Node statuses, in the order a node goes through them during one backward pass.
PENDING = "pending"      # recorded, not yet reached by a backward pass
NEXT = "next"            # the step gate holds the backward just before this node
RUNNING = "running"      # the executor is inside this node
DONE = "done"            # ran; its saved buffers (if any) are still retained
FREED = "freed"          # its saved buffers were released (ran without retain_graph)
ERROR = "error"          # an engine error names this node
NODE_STATUSES = (PENDING, NEXT, RUNNING, DONE, FREED, ERROR)

# Where a node met NaN/Inf (Node.nonfinite): not a status, so "next to run" still shows.
NAN_FORWARD = "forward output"        # the value its op computed in the forward
NAN_GRAD_IN = "gradient received"     # a gradient flowing into it (born upstream)
NAN_GRAD_OUT = "gradient produced"    # a gradient it computed (born here, unless received)
NONFINITE_PLACES = (NAN_FORWARD, NAN_GRAD_IN, NAN_GRAD_OUT)

# Run states for the header.
RUN_NOT_STARTED = "not started"
RUN_RUNNING = "running"
RUN_PAUSED = "paused"
RUN_FINISHED = "finished"
RUN_FAILED = "failed"
RUN_STOPPED = "stopped"

_EMPTY: Mapping = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Edge:
    """One ``next_functions`` entry: the node gradients flow to, or None (no grad needed)."""
    node_id: int | None
    input_nr: int


@dataclass(frozen=True, slots=True)
class Buffer:
    """A value a node saved for its backward (``_saved_<name>``)."""
    node_id: int
    name: str
    shape: tuple[int, ...]
    dtype: str
    nbytes: int
    freed: bool = False
    tensor_id: int | None = None
    storage: int | None = None                 # memory it lives in (engine.trace.SavedInfo)
    storage_nbytes: int | None = None          # bytes of that memory; None: unknown, = nbytes
    kind: str = "activation"                   # activation | parameter | input | scalar

    @property
    def key(self):
        """Which memory it keeps: buffers with one key are one block, counted once."""
        return self.storage if self.storage is not None else ("buffer", self.node_id, self.name)

    @property
    def cost(self) -> int:
        """Bytes its memory holds (a view keeps its whole storage alive)."""
        return self.storage_nbytes if self.storage_nbytes is not None else self.nbytes

    @property
    def is_extra(self) -> bool:
        """Kept alive only by the graph (an activation, a wrapped number): a parameter or an
        input leaf is memory its owner holds anyway."""
        return self.kind in ("activation", "scalar")


@dataclass(frozen=True, slots=True)
class Node:
    """A grad_fn node (``MulBackward0``, ``AccumulateGrad``, ...)."""
    id: int
    name: str
    seq: int                                   # sequence_nr: creation order
    next_edges: tuple[Edge, ...]
    output_ids: tuple[int, ...]                # tensors it is grad_fn of (the variable for AccumulateGrad)
    module: str | None = None                  # module path the op ran in
    location: str | None = None                # "file.py:12" of the user's line
    status: str = PENDING
    saved: tuple[Buffer, ...] = ()
    attrs: tuple[tuple[str, object], ...] = ()  # its plain saved values: (("dim", (1,)), ...)
    grad_outputs: tuple[Summary | None, ...] | None = None   # last received; None = not yet
    grad_inputs: tuple[Summary | None, ...] | None = None    # last produced, one per edge
    hook_ids: tuple[int, ...] = ()             # hooks whose target is this node
    times_run: int = 0
    created_step: int = 0
    nonfinite: tuple[str, ...] = ()            # NONFINITE_PLACES where it met NaN/Inf, in order

    @property
    def is_accumulate_grad(self) -> bool:
        return self.name == "AccumulateGrad"

    @property
    def retained_bytes(self) -> int:
        """Bytes of the memory its retained saved activations keep alive, each block once
        (parameters and inputs cost nothing extra; see graphtui.model.memory)."""
        blocks = {b.key: b.cost for b in self.saved if not b.freed and b.is_extra}
        return sum(blocks.values())


@dataclass(frozen=True, slots=True)
class GradChange:
    """One change of a tensor's ``.grad``: accumulation is visible as a sequence of these."""
    step: int
    grad: Summary | None                       # None: .grad was cleared (zero_grad)
    accumulated: bool                          # added to an existing .grad


@dataclass(frozen=True, slots=True)
class Tensor:
    id: int
    name: str | None                           # variable or parameter name when known
    shape: tuple[int, ...]
    dtype: str
    requires_grad: bool
    is_leaf: bool
    grad_fn_id: int | None = None
    retains_grad: bool = False
    version: int = 0
    value: Summary | None = None
    grad: Summary | None = None
    grad_history: tuple[GradChange, ...] = ()  # the most recent changes (capped)
    grad_changes: int = 0                      # all changes, including ones no longer kept
    hook_ids: tuple[int, ...] = ()
    created_step: int = 0

    @property
    def label(self) -> str:
        return self.name if self.name else f"tensor {self.id}"


@dataclass(frozen=True, slots=True)
class HookFiring:
    step: int
    args: tuple
    replaced: bool
    result: tuple
    muted: bool
    node_id: int | None = None                 # the backward node running when it fired


@dataclass(frozen=True, slots=True)
class Hook:
    id: int
    kind: str                                  # engine.trace.HookRegistered.kind
    target: str                                # module path, "tensor:<id>", "node:<id>"
    callable_name: str
    removed: bool = False
    muted: bool = False                        # the debugger's mute, at this point of history
    times_fired: int = 0                       # really called
    times_muted: int = 0                       # would have fired, skipped by the mute
    last_firing: HookFiring | None = None
    registered_step: int = 0

    @property
    def is_module_hook(self) -> bool:
        return not self.target.startswith(("tensor:", "node:"))


@dataclass(frozen=True, slots=True)
class Module:
    """An nn.Module seen running forward (path as the engine names it: "conv1")."""
    path: str
    class_name: str
    forwards: int = 0                          # forwards finished
    running: bool = False                      # inside its forward at this moment
    last_inputs: tuple = ()                    # summaries of the last forward's inputs
    last_outputs: tuple = ()


@dataclass(frozen=True, slots=True)
class Root:
    """A tree root for the graph pane: a tensor backward was called on, or an output no
    other node consumes yet (a loss before its backward)."""
    node_id: int | None                        # None: the tensor has no grad_fn
    tensor_id: int | None
    source: str                                # "backward" | "output"


@dataclass(frozen=True, slots=True)
class BackwardPass:
    id: int
    kind: str                                  # "backward" | "grad"
    roots: tuple[Root, ...]
    retain_graph: bool
    create_graph: bool
    started_step: int
    finished: bool = False
    ok: bool | None = None
    nodes_run: int = 0
    freed_buffers: int = 0                     # saved buffers it released
    freed_bytes: int = 0                       # memory that released (blocks no one else keeps)
    kept: tuple[tuple[int, str], ...] = ()     # retain_graph: (node id, name) of the saved
    kept_bytes: int = 0                        #   activations it left retained, their memory

    @property
    def kept_buffers(self) -> int:
        return len(self.kept)


@dataclass(frozen=True, slots=True)
class Problem:
    """A warning or an engine error, tied to the node/tensor it concerns."""
    step: int
    category: str                              # warning category or exception type
    message: str
    node_id: int | None = None
    tensor_id: int | None = None


@dataclass(frozen=True, slots=True)
class RunError:
    """How the scenario failed: its own traceback, and where in the graph."""
    exc_type: str
    message: str
    traceback: str
    exit_code: int | str | None = None
    node_id: int | None = None
    tensor_id: int | None = None
    location: str | None = None
    step: int = 0


@dataclass(frozen=True, slots=True)
class OutputLine:
    step: int
    stream: str
    text: str


@dataclass(frozen=True, slots=True)
class Header:
    """The facts the header line shows."""
    scenario: str
    run_state: str                             # one of the RUN_* values
    paused_node: int | None
    paused_node_name: str | None
    step: int                                  # events applied
    total: int                                 # events recorded so far
    hooks_on: int                              # registered, not removed, not muted
    hooks_muted: int

    @property
    def is_live(self) -> bool:
        return self.step >= self.total


@dataclass(frozen=True, slots=True)
class State:
    """The whole visible state after the first ``step`` events of the log."""
    step: int = 0
    total: int = 0
    first_step: int = 0                        # earliest step still reachable by time travel
    scenario: str = ""
    backend: str = ""                          # "engine" or "torch" (from the run's start)
    run_number: int = 0
    run_state: str = RUN_NOT_STARTED
    paused_at: int | None = None               # node id the gate holds before, when paused
    paused_where: str | None = None            # "node" | "op" | "after" | "module" | "hook"
    paused_why: str | None = None              # what the breakpoint paused at saw
    breakpoint_hits: tuple = ()                # BreakpointHit events, the first 1000
    breakpoint_hits_total: int = 0
    nodes: Mapping[int, Node] = field(default_factory=lambda: _EMPTY)
    tensors: Mapping[int, Tensor] = field(default_factory=lambda: _EMPTY)
    hooks: Mapping[int, Hook] = field(default_factory=lambda: _EMPTY)
    modules: Mapping[str, Module] = field(default_factory=lambda: _EMPTY)
    roots: tuple[Root, ...] = ()               # the most recent ROOTS_SHOWN, oldest first
    roots_hidden: int = 0                      # earlier roots left out (training loops)
    nodes_forgotten: int = 0                   # nodes of old graphs no longer kept
    outputs_forgotten: int = 0                 # outputs never backpropagated, no longer kept
    unreadable_events: int = 0                 # events the model could not apply (skipped)
    backward_passes: tuple[BackwardPass, ...] = ()
    retained_bytes: int = 0                    # memory saved activations keep, each block once
    freed_bytes: int = 0                       # such memory released so far
    peak_retained_bytes: int = 0               # the most retained_bytes has been
    peak_step: int = 0                         # the step it was first reached at
    memory_timeline: Sequence[tuple[int, int]] = ()   # (step, retained_bytes) at each change
    problems: Sequence[Problem] = ()           # warnings and engine errors, in order (capped)
    error: RunError | None = None
    output: Sequence[OutputLine] = ()          # what the scenario printed (may be capped)
    output_dropped: int = 0                    # lines folded away because of the budget
    events_dropped: int = 0                    # other events not kept because of the budget
    first_nan_node: int | None = None          # first node whose output or gradient held NaN/Inf
    first_nan_place: str | None = None         # where: one of NONFINITE_PLACES
    iterations: IterationList = field(default_factory=IterationList)   # backward passes so far

    @property
    def header(self) -> Header:
        hooks_live = [h for h in self.hooks.values() if not h.removed]
        muted = sum(1 for h in hooks_live if h.muted)
        paused = self.nodes.get(self.paused_at) if self.paused_at is not None else None
        return Header(self.scenario, self.run_state, self.paused_at,
                      paused.name if paused else None, self.step, self.total,
                      len(hooks_live) - muted, muted)

    def tensor_name(self, tensor_id: int | None) -> str | None:
        tensor = self.tensors.get(tensor_id) if tensor_id is not None else None
        return tensor.name if tensor else None

    def node_label(self, node_id: int) -> str:
        """``MulBackward0``, or ``AccumulateGrad (x)`` when the leaf has a name."""
        node = self.nodes[node_id]
        if node.is_accumulate_grad and node.output_ids:
            name = self.tensor_name(node.output_ids[0])
            if name:
                return f"{node.name} ({name})"
        return node.name

    def nodes_by_module(self) -> dict[str | None, list[int]]:
        """Node ids grouped by the module whose forward recorded them (None: top level),
        groups in order of their first node."""
        groups: dict[str | None, list[int]] = {}
        for node in self.nodes.values():
            groups.setdefault(node.module, []).append(node.id)
        return groups

    def saved_buffers(self) -> list[Buffer]:
        """Every node's saved buffers, in node creation order."""
        return [b for node in self.nodes.values() for b in node.saved]
