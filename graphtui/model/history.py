"""The event log and the states along it: live, and at any earlier step (time travel).

Step k means "after the first k events": ``state_at(log, 0)`` is the empty state and
``state_at(log, len(log))`` the live one. ``History`` keeps a live builder that only moves
forward (cheap live updates) and checkpoints every ``checkpoint_every`` events, so an
earlier state costs one clone plus at most that many replayed events.
"""
from __future__ import annotations

import bisect
import threading
from collections.abc import Sequence

from graphtui.model.builder import StateBuilder
from graphtui.model.state import State


class EventLog(Sequence):
    """Append-only, written by one thread (the scenario's), read by any.

    Appending to and reading a prefix of a list are safe under the GIL, so readers take no
    lock; the step index of an event is its position.
    """

    def __init__(self):
        self._events: list = []

    def append(self, event) -> int:
        self._events.append(event)
        return len(self._events) - 1

    def __len__(self) -> int:
        return len(self._events)

    def __getitem__(self, index):
        return self._events[index]


def state_at(events: Sequence, step: int | None = None) -> State:
    """The state after the first ``step`` events (all of them when None). Pure, from scratch."""
    total = len(events)
    step = total if step is None else max(0, min(step, total))
    return StateBuilder().apply_all(events[:step]).snapshot(total)


class History:
    """Live and past states of one log, built incrementally."""

    def __init__(self, log: Sequence, checkpoint_every: int = 2048, max_checkpoints: int = 64):
        self.log = log
        self.checkpoint_every = checkpoint_every
        self.max_checkpoints = max_checkpoints
        self._live = StateBuilder()
        self._checkpoints: list[StateBuilder] = [self._live.clone()]
        self._travel: StateBuilder | None = None
        self._lock = threading.Lock()

    def latest(self) -> State:
        """The state after every event recorded so far."""
        with self._lock:
            self._catch_up(len(self.log))
            return self._live.snapshot(len(self.log))

    def state_at(self, step: int) -> State:
        """The state after the first ``step`` events (clamped to what was recorded)."""
        with self._lock:
            total = len(self.log)
            step = max(0, min(step, total))
            if step >= self._live.step:
                self._catch_up(step)
                return self._live.snapshot(total)
            return self._travel_to(step).snapshot(total)

    # ------------------------------------------------------------ internals

    def _catch_up(self, step: int) -> None:
        live, every = self._live, self.checkpoint_every
        while live.step < step:
            next_mark = (live.step // every + 1) * every
            stop = min(step, next_mark)
            live.apply_all(self.log[live.step:stop])
            if live.step == next_mark:
                self._add_checkpoint(live.clone())

    def _add_checkpoint(self, builder: StateBuilder) -> None:
        self._checkpoints.append(builder)
        if len(self._checkpoints) > self.max_checkpoints:
            # Keep memory bounded on huge logs: halve the checkpoints, double the spacing.
            self._checkpoints = self._checkpoints[::2]
            self.checkpoint_every *= 2

    def _travel_to(self, step: int) -> StateBuilder:
        travel = self._travel
        if travel is None or travel.step > step or step - travel.step > self.checkpoint_every:
            marks = [c.step for c in self._checkpoints]
            travel = self._checkpoints[bisect.bisect_right(marks, step) - 1].clone()
        travel.apply_all(self.log[travel.step:step])
        self._travel = travel
        return travel
