"""What saved tensors really cost: memory per block, not bytes per buffer. Pure.

A node's saved buffers are tensors, and tensors share memory: `AddmmBackward0.mat2` is
`weight.t()`, a view of a parameter; a ReLU's output is saved as its `result` and again as
the next Linear's `mat1`. Counting each buffer's bytes overstates what the graph keeps alive
several times over. So, as PyTorch's own accounting does:

- buffers are grouped by the memory block (storage) they live in, and a block counts once,
  with all its bytes (a view keeps its whole storage alive);
- only memory the graph alone keeps alive counts: activations (what an op made) and wrapped
  Python numbers. A parameter (a leaf that requires grad, or a view of one) is the model's
  memory and an input leaf (a data batch) the caller's: saving them costs nothing extra. An
  input the caller drops is kept alive by the graph after all; the engine cannot see who
  holds a leaf, so inputs are listed apart ("input") and never counted;
- a block is charged to the first buffer (in creation order) that keeps it, so per-node and
  per-module figures add up to the total.

``StorageLedger`` is the builder's running count (the total, peak and timeline need the
history); ``memory_report`` reads one ``State`` for the per-node and per-module view.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from graphtui.model.describe import format_bytes
from graphtui.model.seq import SharedIntPairs
from graphtui.model.state import Buffer, BackwardPass, Node, State

TIMELINE_KEPT = 200_000           # points of the retained-memory timeline (one per change)
TOP_LEVEL = "(top level)"         # nodes made outside any module's forward


class StorageLedger:
    """Live blocks kept by retained saved buffers: key -> (buffers keeping it, its bytes)."""

    def __init__(self) -> None:
        self.blocks: dict = {}
        self.retained = 0             # bytes of extra blocks kept (see module doc)
        self.freed = 0                # bytes of extra blocks released by backward
        self.peak = 0
        self.peak_step = 0
        self.timeline = SharedIntPairs(TIMELINE_KEPT)

    def clone(self) -> "StorageLedger":
        twin = object.__new__(StorageLedger)
        twin.__dict__.update(self.__dict__)
        twin.blocks = dict(self.blocks)
        twin.timeline = self.timeline.fork()
        return twin

    def hold(self, buffer: Buffer, step: int) -> None:
        refs, nbytes, extra = self.blocks.get(buffer.key, (0, buffer.cost, buffer.is_extra))
        self.blocks[buffer.key] = (refs + 1, nbytes, extra)
        if refs == 0 and extra:
            self._move(nbytes, step)

    def let_go(self, buffer: Buffer, step: int, freed: bool = True) -> int:
        """Release one buffer's hold; the bytes of the block if that was the last (0 else,
        and 0 for a parameter's or an input's block: nothing extra is freed)."""
        entry = self.blocks.get(buffer.key)
        if entry is None:
            return 0
        refs, nbytes, extra = entry
        if refs > 1:
            self.blocks[buffer.key] = (refs - 1, nbytes, extra)
            return 0
        del self.blocks[buffer.key]
        if not extra:
            return 0
        self._move(-nbytes, step)
        if freed:
            self.freed += nbytes
        return nbytes

    def _move(self, delta: int, step: int) -> None:
        self.retained += delta
        if self.retained > self.peak:
            self.peak, self.peak_step = self.retained, step
        self.timeline.append(step, self.retained)


def retained_in(nodes: Iterable[Node]) -> tuple[tuple[tuple[int, str], ...], int]:
    """((node id, name) of the retained extra buffers, in node order; the bytes of their
    blocks, each once) among these nodes."""
    blocks: dict = {}
    kept = []
    for node in nodes:
        for buffer in node.saved:
            if not buffer.freed and buffer.is_extra:
                kept.append((buffer.node_id, buffer.name))
                blocks[buffer.key] = buffer.cost
    return tuple(sorted(kept)), sum(blocks.values())


@dataclass(frozen=True, slots=True)
class BufferCost:
    buffer: Buffer
    charged: int                      # bytes charged to it (0: not extra, or an alias)
    alias_of: tuple[int, str] | None  # (node id, name) of the buffer charged with its block

    @property
    def what(self) -> str:
        """One word for the memory column: "parameter", "input", "alias" or the bytes' kind."""
        if not self.buffer.is_extra:
            return self.buffer.kind
        return "alias" if self.alias_of is not None else self.buffer.kind


@dataclass(frozen=True, slots=True)
class Usage:
    retained: int = 0
    freed: int = 0


@dataclass(frozen=True, slots=True)
class MemoryReport:
    retained: int                               # = State.retained_bytes
    freed: int                                  # over the run (State.freed_bytes)
    peak: int
    peak_step: int
    timeline: Sequence[tuple[int, int]]
    costs: Mapping[tuple[int, str], BufferCost]  # (node id, buffer name) -> its cost
    by_node: Mapping[int, Usage]                # nodes with saved buffers
    by_module: Mapping[str, Usage]              # module path (TOP_LEVEL) -> its nodes' sum
    parameter_bytes: int                        # parameters' blocks saved, not counted
    input_bytes: int                            # input leaves' blocks saved, not counted

    @property
    def counted_buffers(self) -> int:
        return sum(1 for cost in self.costs.values() if cost.charged)


def memory_report(state: State) -> MemoryReport:
    costs = _costs(state.saved_buffers())
    by_node: dict[int, Usage] = {}
    by_module: dict[str, Usage] = {}
    for node in state.nodes.values():
        if not node.saved:
            continue
        usage = _usage(costs[(node.id, b.name)] for b in node.saved)
        by_node[node.id] = usage
        module = node.module or TOP_LEVEL
        total = by_module.get(module, Usage())
        by_module[module] = Usage(total.retained + usage.retained, total.freed + usage.freed)
    return MemoryReport(state.retained_bytes, state.freed_bytes, state.peak_retained_bytes,
                        state.peak_step, state.memory_timeline, costs, by_node, by_module,
                        _blocks_of(state, "parameter"), _blocks_of(state, "input"))


def _costs(buffers: list[Buffer]) -> dict[tuple[int, str], BufferCost]:
    """Charge each extra block to the first buffer keeping it: a retained one when any
    still is (the block is alive), else the first that kept it (the block was freed)."""
    owner = _owners(buffers)
    return {(buffer.node_id, buffer.name): _cost(buffer, owner) for buffer in buffers}


def costs_of(state: State, buffers: Iterable[Buffer]) -> dict[tuple[int, str], BufferCost]:
    """The costs of a few buffers (one node's), the same as ``memory_report(state).costs``
    has them, without the whole report: the inspector asks for one node's on every key,
    and a training loop's state keeps hundreds of nodes."""
    buffers = list(buffers)
    # A buffer without a storage (a wrapped number) is a block of its own: only shared
    # storages need the walk over every node's buffers.
    alone = [buffer for buffer in buffers if buffer.is_extra and buffer.storage is None]
    shared = {buffer.storage for buffer in buffers
              if buffer.is_extra and buffer.storage is not None}
    owner = _owners(b for b in state.saved_buffers() if b.storage in shared) if shared else {}
    owner.update(_owners(alone))
    return {(buffer.node_id, buffer.name): _cost(buffer, owner) for buffer in buffers}


def _owners(buffers: Iterable[Buffer]) -> dict:
    owner: dict = {}
    for buffer in buffers:
        if not buffer.is_extra:
            continue
        first = owner.get(buffer.key)
        if first is None or (first.freed and not buffer.freed):
            owner[buffer.key] = buffer
    return owner


def _cost(buffer: Buffer, owner: dict) -> BufferCost:
    first = owner.get(buffer.key)
    if first is None:
        return BufferCost(buffer, 0, None)
    if first is buffer:
        return BufferCost(buffer, buffer.cost, None)
    return BufferCost(buffer, 0, (first.node_id, first.name))


def _usage(costs: Iterable[BufferCost]) -> Usage:
    retained = freed = 0
    for cost in costs:
        if cost.buffer.freed:
            freed += cost.charged
        else:
            retained += cost.charged
    return Usage(retained, freed)


def _blocks_of(state: State, kind: str) -> int:
    blocks = {b.key: b.cost for b in state.saved_buffers() if b.kind == kind and not b.freed}
    return sum(blocks.values())


def kept_by(state: State, backward: BackwardPass) -> list[Buffer]:
    """The saved activations a ``retain_graph=True`` backward kept alive (as they are in this
    state: freed since, perhaps), those of nodes still known."""
    buffers = {(b.node_id, b.name): b for b in state.saved_buffers()}
    return [buffers[key] for key in backward.kept if key in buffers]


def what_text(state: State, cost: BufferCost) -> str:
    """`activation`, `parameter (no extra memory)`, `same memory as ReluBackward0.result`..."""
    if cost.alias_of is not None:
        node_id, name = cost.alias_of
        node = state.nodes.get(node_id)
        return f"same memory as {node.name if node else 'node'}.{name} (node {node_id})"
    kind = cost.buffer.kind
    if kind == "parameter":
        return "parameter (no extra memory)"
    if kind == "input":
        return "input leaf (not counted)"
    if cost.charged != cost.buffer.nbytes:
        return f"{kind}, keeps its {format_bytes(cost.charged)} storage"
    return kind


def sparkline(timeline: Sequence[tuple[int, int]], last_step: int, width: int) -> str:
    """Retained memory over the run as ``width`` block characters, one per span of steps
    (the highest value in each span), from step 0 to ``last_step``."""
    if width <= 0 or last_step <= 0:
        return ""
    levels = " ▁▂▃▄▅▆▇█"
    highs = [0] * width
    value, at = 0, 0
    points = list(timeline)
    for column in range(width):
        end = (column + 1) * last_step / width
        high = value
        while at < len(points) and points[at][0] <= end:
            value = points[at][1]
            high = max(high, value)
            at += 1
        highs[column] = high
    top = max(highs)
    if top == 0:
        return levels[0] * width
    return "".join(levels[0] if h == 0 else levels[max(1, round(h / top * 8))] for h in highs)
