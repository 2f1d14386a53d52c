"""A recorded run as a session: the same API as ``Session``, nothing to execute.

The TUI opens a recording (``.jsonl`` or ``.gtr``) through this; tests can feed it canned logs (the way
memray's tests replay records into its UI). Commands that would drive a live scenario do
nothing; time travel and every state work as for a live run.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

from graphtui.batchlog import BatchLog
from graphtui.model.history import EventLog, History
from graphtui.model.state import State
from graphtui.recording import load


class ReplaySession:
    """A finished run read from a log. ``Session``'s attributes and commands, inert."""

    def __init__(self, events: Iterable, path: str | os.PathLike = "recording.jsonl",
                 backend: str = "engine", recorded_from: int = 0):
        """``recorded_from``: the recording's ``first_step`` (a run folded before it was
        saved), kept for a recording made of this one."""
        self.path = Path(path)
        self.backend = backend
        self.argv: tuple[str, ...] = ()
        if isinstance(events, BatchLog):       # a compact recording's batches, still encoded
            self.log = events
        else:
            self.log = EventLog()
            for event in events:
                self.log.append(event)
        self.log.recorded_from = recorded_from
        self.history = History(self.log)
        self.break_on_backward = False
        self.is_paused = False
        self.is_finished = True
        self.muted_hooks: frozenset[int] = frozenset()

    @classmethod
    def from_file(cls, path: str | os.PathLike) -> "ReplaySession":
        """Read a recording (``RecordingError`` when it is unusable)."""
        header, events = load(path)
        backend = header.get("backend", "engine")   # older recordings: the engine's only
        first_step = header.get("first_step", 0)
        return cls(events, path, backend if isinstance(backend, str) else "engine",
                   first_step if type(first_step) is int and first_step > 0 else 0)

    def state(self) -> State:
        return self.history.latest()

    def state_at(self, step: int) -> State:
        return self.history.state_at(step)

    def add_listener(self, listener: Callable[[], None]) -> None:
        pass

    def remove_listener(self, listener: Callable[[], None]) -> None:
        pass

    def start(self) -> None:
        pass

    def step(self) -> None:
        pass

    def continue_(self) -> None:
        pass

    def pause(self) -> None:
        pass

    def toggle_break(self) -> bool:
        return False

    def mute(self, hook_id: int) -> None:
        pass

    def unmute(self, hook_id: int) -> None:
        pass

    def toggle_mute(self, hook_id: int) -> bool:
        return False

    def rerun(self) -> None:
        pass

    def stop(self, timeout: float = 1.0) -> bool:
        return True

    def wait_until_settled(self, timeout: float | None = None) -> bool:
        return True

    def wait_until_finished(self, timeout: float | None = None) -> bool:
        return True
