"""How far the live view may move in one repaint, so a flood of events never blocks the UI.

Building the state for new events costs time (on the fetcher's thread, which shares the GIL
with the UI and the scenario). Each repaint goes at most
``chunk`` events further; the chunk grows while repaints are cheap and shrinks when one
took longer than ``budget``. Behind the log, the screen schedules another repaint soon.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class CatchUp:
    budget: float = 0.04          # seconds of model work per repaint
    chunk: int = 4096             # events per repaint, adapted
    shown: int = 0                # the step the live view shows
    min_chunk: int = 256
    max_chunk: int = 1 << 20

    def target(self, total: int) -> int:
        """The step to show next: the end of the log, or one chunk further."""
        if total < self.shown:             # a new, shorter log
            self.shown = 0
        return min(total, self.shown + self.chunk)

    def done(self, step: int, seconds: float) -> None:
        """The view now shows ``step``; it took ``seconds``."""
        self.shown = step
        if seconds > self.budget:
            self.chunk = max(self.min_chunk, self.chunk // 2)
        elif seconds < self.budget / 4:
            self.chunk = min(self.max_chunk, self.chunk * 2)

    def reset(self) -> None:
        self.shown = 0
