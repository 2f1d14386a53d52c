"""The event log and the states along it: live, and at any earlier step (time travel).

Step k means "after the first k events": ``state_at(log, 0)`` is the empty state and
``state_at(log, len(log))`` the live one. ``History`` keeps a live builder that only moves
forward (cheap live updates) and checkpoints every ``checkpoint_every`` events, so an
earlier state costs one clone plus at most that many replayed events.

Training loops: the TUI moves from one backward pass's end to the next (``<`` / ``>``). A
time-travel replay that passes the end of a pass keeps a clone of the builder there (at
most one per ``PASS_END_GAP`` events, the ``PASS_ENDS_KEPT`` most recently used): a later
request replays from the nearest of these, the checkpoints and the travelling builder, so
stepping through passes costs at most ``PASS_END_GAP`` events each. The live builder passes
the end of every pass of the run, most of them never visited (dump visits none): it keeps
one at most every ``size / LIVE_PASS_END_SHARE`` events, as checkpoints are spaced (a clone
copies the builder's tables), so the first step back from the live state replays at most
that many events and then keeps the ends of the passes it went through; with
``travels=False`` (dump) it keeps none.
"""
from __future__ import annotations

import bisect
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager
from collections.abc import Callable, Sequence

from engine.trace import BackwardFinished
from graphtui.model.builder import StateBuilder
from graphtui.model.events import Discarded
from graphtui.model.state import State


class EventLog(Sequence):
    """Append-only, written mostly by the scenario's thread, read by any.

    The step index of an event is its position. To keep memory bounded, ``History`` may
    discard events before a checkpoint: they are then gone (``first_step`` says from where
    the log still holds them) while their effect lives on in the checkpoint. Indexing below
    ``first_step`` gives a ``Discarded`` placeholder; slices start at ``first_step``.
    """

    # A recording's log: the step the run's first event kept had when it was recorded (a run
    # folded before it was saved); written back into the header of a recording made of it.
    recorded_from = 0

    def __init__(self):
        self._events: list = []
        self._first = 0
        self._lock = threading.Lock()

    @property
    def first_step(self) -> int:
        return self._first

    def append(self, event) -> int:
        with self._lock:
            self._events.append(event)
            return self._first + len(self._events) - 1

    def __len__(self) -> int:
        return self._first + len(self._events)

    def __getitem__(self, index):
        with self._lock:
            if isinstance(index, slice):
                start, stop, stride = index.indices(self._first + len(self._events))
                start = max(start, self._first)
                return self._events[start - self._first:max(stop - self._first, 0):stride]
            if index < 0:
                index += self._first + len(self._events)
            if 0 <= index < self._first:
                return Discarded(index)
            return self._events[index - self._first]

    def __iter__(self):
        return iter(self[self._first:])

    def discard_before(self, step: int) -> None:
        with self._lock:
            step = min(step, self._first + len(self._events))
            if step > self._first:
                del self._events[:step - self._first]
                self._first = step


DEFAULT_MAX_EVENTS = 1_000_000
PASS_ENDS_KEPT = 32             # builders kept at the ends of backward passes (see History)
PASS_END_GAP = 128              # events at least between two kept there
LIVE_PASS_END_SHARE = 8         # see History._live_pass_end_gap
COMPACT_SLICE = 1024            # events compact() applies per hold of the lock
CHECKPOINT_SIZE_SHARE = 2        # see History._worth_a_checkpoint
READER_GRACE = 0.05             # seconds compact() lets a waiting reader go first, per slice


def state_at(events: Sequence, step: int | None = None) -> State:
    """The state after the first ``step`` events (all of them when None). Pure, from scratch."""
    total = len(events)
    step = total if step is None else max(0, min(step, total))
    return StateBuilder().apply_all(events[:step]).snapshot(total)


class History:
    """Live and past states of one log, built incrementally."""

    def __init__(self, log: Sequence, checkpoint_every: int = 2048, max_checkpoints: int = 64,
                 max_events: int = DEFAULT_MAX_EVENTS, travels: bool = True):
        """``travels`` False: earlier states will hardly be asked for (dump reads the last
        one), so the live builder keeps no pass ends; time travel still works, replaying
        from the checkpoints."""
        self.log = log
        self.travels = travels
        # Discarding happens at checkpoints, so they must be closer than max_events.
        self.checkpoint_every = max(1, min(checkpoint_every, max_events // 4))
        self.max_checkpoints = max_checkpoints
        self.max_events = max_events
        self._live = StateBuilder()
        self._checkpoints: list[StateBuilder] = [self._live.clone()]
        self._travel: StateBuilder | None = None
        self._pass_ends: OrderedDict[int, StateBuilder] = OrderedDict()   # step -> builder
        self._latest: State | None = None
        self._lock = threading.Lock()
        self._readers_waiting = 0       # threads waiting for the lock to read a state

    @property
    def applied_step(self) -> int:
        """How many events the live builder has applied: asking for an earlier state costs
        a replay from a checkpoint, a later one only the events in between."""
        return self._live.step

    @property
    def first_step(self) -> int:
        """The earliest step time travel can reach (later than 0 once events were discarded)."""
        return self._checkpoints[0].step

    def latest(self) -> State:
        """The state after every event recorded so far."""
        with self._reading():
            total = len(self.log)
            cached = self._latest
            if cached is not None and cached.step == total:
                return cached
            self._catch_up(total)
            self._latest = self._live.snapshot(total, self.first_step)
            return self._latest

    def compact(self, pace: Callable[[float], None] | None = None) -> None:
        """Apply what was recorded and, past ``max_events`` kept, discard the oldest events
        (time travel then starts at a checkpoint). Called by the recorder now and then, so
        memory stays bounded even when nobody looks at the state. ``pace(seconds)`` is
        called after each slice of ``COMPACT_SLICE`` events with the time it took (the
        session rests there, so a UI thread sharing the GIL answers keys)."""
        target = len(self.log)
        while self.applied_step < target:
            # In slices, letting go of the lock between them: the UI thread asking for a
            # state waits for one slice, not for the whole backlog. A lock is not fair (this
            # thread would take it straight back), so a waiting reader is let in first.
            started = time.monotonic()
            with self._lock:
                self._catch_up(min(target, self._live.step + COMPACT_SLICE))
            self._let_readers_in()
            if pace is not None:
                pace(time.monotonic() - started)
        with self._lock:
            if not hasattr(self.log, "discard_before"):
                return
            keep_from = len(self.log) - self.max_events // 2
            if len(self.log) - self.first_step <= self.max_events:
                return
            kept = [c for c in self._checkpoints if c.step >= keep_from]
            base = max((c for c in self._checkpoints if c.step < keep_from),
                       key=lambda c: c.step, default=None)
            self._checkpoints = ([base] if base is not None else []) + kept
            self._travel = None
            self._pass_ends.clear()
            self.log.discard_before(self._checkpoints[0].step)

    def state_at(self, step: int) -> State:
        """The state after the first ``step`` events (clamped to what was recorded)."""
        with self._reading():
            total = len(self.log)
            step = max(self.first_step, min(step, total))
            if step >= self._live.step:
                self._catch_up(step)
                return self._live.snapshot(total, self.first_step)
            return self._travel_to(step).snapshot(total, self.first_step)

    def live_state(self, step: int) -> State:
        """The live state with at least the first ``step`` events applied: more when the
        live builder has applied more, never a replay. (``state_at(step)`` just behind the
        live builder, which a background thread moves on meanwhile, replays from a
        checkpoint: on a big graph thousands of events.)"""
        with self._reading():
            total = len(self.log)
            self._catch_up(max(self._live.step, min(step, total)))
            return self._live.snapshot(total, self.first_step)

    # ------------------------------------------------------------ internals

    @contextmanager
    def _reading(self):
        self._readers_waiting += 1
        try:
            self._lock.acquire()
        finally:
            self._readers_waiting -= 1
        try:
            yield
        finally:
            self._lock.release()

    def _let_readers_in(self) -> None:
        deadline = time.monotonic() + READER_GRACE
        while self._readers_waiting > 0 and time.monotonic() < deadline:
            time.sleep(0.0002)

    def _catch_up(self, step: int) -> None:
        live = self._live
        while live.step < step:
            every = self.checkpoint_every
            next_mark = (live.step // every + 1) * every
            stop = min(step, next_mark)
            self._replay(live, stop, self._live_pass_end_gap(live) if self.travels else None)
            if live.step == next_mark and self._worth_a_checkpoint(live):
                self._add_checkpoint(live.clone())

    def _worth_a_checkpoint(self, live: StateBuilder) -> bool:
        """A checkpoint copies the builder's tables: on a big graph (a 100,000-node chain)
        one every ``checkpoint_every`` events would cost time and memory quadratic in its
        size. Spacing them at least ``size / CHECKPOINT_SIZE_SHARE`` events apart keeps both
        linear: their total is a few times one state, and a jump back replays at most that
        many events."""
        last = self._checkpoints[-1].step if self._checkpoints else 0
        return live.step - last >= live.size() // CHECKPOINT_SIZE_SHARE

    @staticmethod
    def _live_pass_end_gap(live: StateBuilder) -> int:
        """Events at least between two pass ends the live builder keeps: a clone copies
        ``size`` table entries, so one per ``size / LIVE_PASS_END_SHARE`` events copies at
        most that many entries per event, however big the state (one per pass of a
        training loop copied the whole state every few hundred events)."""
        return max(PASS_END_GAP, live.size() // LIVE_PASS_END_SHARE)

    def _replay(self, builder: StateBuilder, stop: int, gap: int | None) -> None:
        """Apply the events up to ``stop``, keeping a clone at the ends of backward passes,
        at least ``gap`` events apart (None: none)."""
        events = self.log[builder.step:stop]
        if gap is None:
            builder.apply_all(events)
            return
        last_kept = max((kept for kept in self._pass_ends if kept <= builder.step),
                        default=-gap)
        done = 0
        for offset, event in enumerate(events):
            if type(event) is BackwardFinished:
                end = builder.step + offset - done + 1
                if end - last_kept >= gap:
                    builder.apply_all(events[done:offset + 1])
                    done = offset + 1
                    self._keep_pass_end(builder)
                    last_kept = end
        builder.apply_all(events[done:])

    def _keep_pass_end(self, builder: StateBuilder) -> None:
        ends = self._pass_ends
        if builder.step in ends:
            ends.move_to_end(builder.step)
            return
        ends[builder.step] = builder.clone()
        if len(ends) > PASS_ENDS_KEPT:
            ends.popitem(last=False)

    def _add_checkpoint(self, builder: StateBuilder) -> None:
        self._checkpoints.append(builder)
        if len(self._checkpoints) > self.max_checkpoints:
            # Keep memory bounded on huge logs: halve the checkpoints, double the spacing.
            self._checkpoints = self._checkpoints[::2]
            self.checkpoint_every *= 2

    def _travel_to(self, step: int) -> StateBuilder:
        travel = self._travel
        marks = [c.step for c in self._checkpoints]
        base = self._checkpoints[bisect.bisect_right(marks, step) - 1]
        kept = max((s for s in self._pass_ends if base.step < s <= step), default=None)
        if kept is not None:
            base = self._pass_ends[kept]
            self._pass_ends.move_to_end(kept)
        if travel is None or travel.step > step or travel.step < base.step:
            travel = base.clone()
        self._replay(travel, step, PASS_END_GAP)
        self._travel = travel
        return travel
