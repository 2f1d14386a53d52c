"""Bounding a flood of output as a terminal's scrollback would, but keeping both ends.

The first ``kept - tail`` lines are sent as they come; after them only the last ``tail``
lines are held back, and the lines pushed out of that window are counted, with one
``EventsDropped("output", n)`` note per ``note_every`` of them. When the run ends,
``finish()`` gives the note for the rest of the count and then the held-back lines, so a
scenario that prints 200,000 lines and then "done" still shows "done" last. Used by the
runner (lines written through Python) and by the channel (lines written to the file
descriptors directly).
"""
from __future__ import annotations

from collections import deque

from graphtui.model import events as ev

TAIL_KEPT = 1_000            # lines held back at the end of a flood


class OutputFold:
    def __init__(self, kept: int, note_every: int, tail: int = TAIL_KEPT) -> None:
        self.tail_kept = max(0, min(tail, kept // 2))
        self.head_kept = kept - self.tail_kept
        self.note_every = note_every
        self.sent = 0
        self.folded = 0                      # lines pushed out of the tail window
        self._unnoted = 0
        self._tail: deque[ev.OutputWritten] = deque()

    def admit(self, stream: str, text: str) -> list:
        """The events to send now for one line (often the line itself)."""
        line = ev.OutputWritten(stream, text)
        if self.sent < self.head_kept:
            self.sent += 1
            return [line]
        self._tail.append(line)
        if len(self._tail) <= self.tail_kept:
            return []
        self._tail.popleft()
        self.folded += 1
        self._unnoted += 1
        if self._unnoted == self.note_every:
            self._unnoted = 0
            return [ev.EventsDropped("output", self.note_every)]
        return []

    def finish(self) -> list:
        """The note for the lines folded since the last one, then the held-back tail."""
        ending = []
        if self._unnoted:
            ending.append(ev.EventsDropped("output", self._unnoted))
            self._unnoted = 0
        ending.extend(self._tail)
        self.sent += len(self._tail)
        self._tail.clear()
        return ending
