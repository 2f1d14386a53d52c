"""Iterations: each backward pass of a run, numbered, as a training loop's steps.

An iteration is the Nth backward pass of the run: one per ``BackwardStarted`` event (each
``backward()`` / ``autograd.grad`` call, a nested one included), numbered from 1 in the
order they start. The API other parts of the debugger read (kept stable)::

    state.iterations                  # IterationList: every iteration started by state.step
    state.iterations[-1]              # the current one (the latest started), or IndexError
    state.iterations.current          # the same, or None before the first backward
    state.iterations.at(step)         # the iteration current after the first `step` events
    len(state.iterations)             # how many started so far ("backward 12 of 200")
    it = state.iterations[11]         # Iteration(number=12, ...), 0-based indexing
    it.start, it.end                  # log indices: its BackwardStarted event, and just past
                                      # its BackwardFinished (None while it runs), so its
                                      # events are log[it.start:it.end]
    it.root_value                     # the loss, when the (first) root is a scalar
    it.location                       # "train.py:31", the line of the backward call

Cheap and incremental: the builder calls ``IterationTracker.started / finished /
tensor_named / node_ran / buffers_freed`` as it applies events (a few microseconds each); ``view()`` costs
O(iterations still running), not O(iterations). Records are shared by a builder and its
clones (time travel checkpoints), like the output lines (``graphtui.model.seq``). The
records outlive the graphs the builder forgets (``graphtui.model.prune``) and the events the
log discards, so a 10,000-step loop still lists its 10,000 losses (up to ``ITERATIONS_KEPT``; later ones are counted in ``dropped``).
"""
from __future__ import annotations

import bisect
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from graphtui.model.fast_init import replace
from graphtui.model.seq import checked_index

if TYPE_CHECKING:                      # state.py holds an IterationList: no import cycle
    from graphtui.model.state import Root

ITERATIONS_KEPT = 100_000         # records past this are counted, not kept (memory bound)


@dataclass(frozen=True, slots=True)
class Iteration:
    number: int                        # 1 for the run's first backward pass
    backward_id: int                   # the engine's id of the pass (BackwardStarted)
    kind: str                          # "backward" | "grad" (autograd.grad)
    start: int                         # log index of its BackwardStarted
    end: int | None = None             # log index just past its BackwardFinished; None: running
    roots: tuple[Root, ...] = ()
    root_name: str | None = None       # the first root's node name, "MseLossBackward0"
    root_tensor_name: str | None = None  # the first root tensor's name when known, "loss"
    root_value: float | None = None    # the first root's value when it is a scalar
    location: str | None = None        # "file.py:31" of the backward() call
    retain_graph: bool = False
    ok: bool | None = None             # None: still running
    nodes_run: int = 0
    buffers_freed: int = 0
    bytes_freed: int = 0

    @property
    def finished(self) -> bool:
        return self.end is not None

    @property
    def root_node_id(self) -> int | None:
        return self.roots[0].node_id if self.roots else None

    @property
    def root_tensor_id(self) -> int | None:
        return self.roots[0].tensor_id if self.roots else None

    @property
    def root_text(self) -> str:
        """``MseLossBackward0 → loss``, or what is known of the root."""
        name = self.root_name or ("no grad_fn" if self.roots else "?")
        return f"{name} → {self.root_tensor_name}" if self.root_tensor_name else name


class IterationList(Sequence):
    """The iterations started by one state's step, oldest first (a frozen view)."""
    __slots__ = ("_items", "_length", "_open", "dropped")

    def __init__(self, items: list = (), length: int = 0,
                 open_ones: dict[int, Iteration] | None = None, dropped: int = 0):
        self._items, self._length, self.dropped = items, length, dropped
        self._open = open_ones or {}

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._length))]
        index = checked_index(index, self._length)
        return self._open.get(index) or self._items[index]

    @property
    def current(self) -> Iteration | None:
        return self[-1] if self._length else None

    def at(self, step: int) -> Iteration | None:
        """The iteration current after the first ``step`` events: the latest one whose
        BackwardStarted is among them. None before the first."""
        index = bisect.bisect_left(self, step, key=lambda it: it.start) - 1
        return self[index] if index >= 0 else None

    def number(self, number: int) -> Iteration | None:
        """The iteration numbered ``number`` (from 1), when it is kept."""
        return self[number - 1] if 1 <= number <= self._length else None

    def __eq__(self, other) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    def __repr__(self) -> str:
        return f"IterationList({self._length} iterations)"


class IterationTracker:
    """The builder's part that keeps the iterations (see the module's docstring)."""
    __slots__ = ("_items", "_length", "_open", "_progress", "_by_backward", "dropped")

    def __init__(self):
        self._items: list[Iteration] = []       # shared with forks; an index's final record
        self._length = 0
        self._open: dict[int, Iteration] = {}   # index -> record while it runs (this fork)
        # index -> [nodes run, buffers freed, bytes freed] since its record was written: a
        # record per node run would be a copy of 15 fields (see _record)
        self._progress: dict[int, list[int]] = {}
        self._by_backward: dict[int, int] = {}  # backward id -> index, while it runs
        self.dropped = 0

    def fork(self) -> "IterationTracker":
        twin = object.__new__(IterationTracker)
        twin._items, twin._length, twin.dropped = self._items, self._length, self.dropped
        twin._open, twin._by_backward = dict(self._open), dict(self._by_backward)
        twin._progress = {index: list(counts) for index, counts in self._progress.items()}
        return twin

    def view(self) -> IterationList:
        running = {index: self._record(index) for index in self._open}
        return IterationList(self._items, self._length, running, self.dropped)

    def _record(self, index: int) -> Iteration:
        """A running iteration's record with its counts so far."""
        record = self._open[index]
        counts = self._progress.get(index)
        if counts is None:
            return record
        nodes_run, buffers, nbytes = counts
        return replace(record, nodes_run=record.nodes_run + nodes_run,
                       buffers_freed=record.buffers_freed + buffers,
                       bytes_freed=record.bytes_freed + nbytes)

    def _counts(self, backward_id: int | None) -> list[int] | None:
        index = self._by_backward.get(backward_id) if backward_id is not None else None
        if index is None:
            return None
        counts = self._progress.get(index)
        if counts is None:
            counts = self._progress[index] = [0, 0, 0]
        return counts

    def started(self, step: int, backward_id: int, kind: str, roots: tuple[Root, ...],
                retain_graph: bool, root_name: str | None, root_tensor_name: str | None,
                root_value: float | None, location: str | None) -> None:
        if self._length >= ITERATIONS_KEPT:
            self.dropped += 1
            return
        index = self._length
        location = sys.intern(location) if location else None   # one string per line
        record = Iteration(index + 1, backward_id, kind, step, None, roots, root_name,
                           root_tensor_name, root_value, location, retain_graph)
        if index == len(self._items):
            self._items.append(record)       # a fork further on may have put it there already
        self._length += 1
        self._open[index] = record
        self._by_backward[backward_id] = index

    def finished(self, step: int, backward_id: int, ok: bool) -> None:
        index = self._by_backward.pop(backward_id, None)
        if index is None:
            return
        record = replace(self._record(index), end=step + 1, ok=ok)
        del self._open[index]
        self._progress.pop(index, None)
        self._items[index] = record          # the same final record every fork would write

    def tensor_named(self, tensor_id: int, name: str) -> None:
        """The recorder names the tensors in sight just after a backward starts: a running
        iteration's root may get its name ("loss") then."""
        for index, record in self._open.items():
            if record.root_tensor_id == tensor_id and record.root_tensor_name is None:
                self._open[index] = replace(record, root_tensor_name=name)

    def node_ran(self, backward_id: int | None) -> None:
        counts = self._counts(backward_id)
        if counts is not None:
            counts[0] += 1

    def buffers_freed(self, backward_id: int | None, count: int, nbytes: int) -> None:
        counts = self._counts(backward_id)
        if counts is not None:
            counts[1] += count
            counts[2] += nbytes


def scalar_value(summary) -> float | None:
    """The value of a one-element summary (a loss), else None."""
    if summary is None or summary.numel != 1:
        return None
    if summary.values is not None:
        return float(summary.values.reshape(-1)[0])
    return float(summary.mean) if summary.stats is not None else None


def iteration_rows(iterations: Sequence[Iteration], numbers=None) -> list[dict]:
    """One plain dict per iteration, for ``dump --json`` and the text table. ``start`` and
    ``end`` are log indices; with ``numbers`` (``EventNumbers`` of the log), ``first_event``
    and ``last_event`` are the numbers the TUI and the dump show for its BackwardStarted and
    BackwardFinished (``last_event`` None while it runs)."""
    rows = []
    for it in iterations:
        row = {"iteration": it.number, "kind": it.kind, "root": it.root_text,
               "root_value": it.root_value, "nodes_run": it.nodes_run,
               "buffers_freed": it.buffers_freed, "bytes_freed": it.bytes_freed,
               "start": it.start, "end": it.end, "ok": it.ok, "location": it.location}
        if numbers is not None:
            row["first_event"] = numbers.number(it.start)
            row["last_event"] = numbers.number(it.end - 1) if it.end is not None else None
        rows.append(row)
    return rows
