"""Timing a key in a headless TUI until the screen has painted what it asked for.

A key's handler can return before the screen shows its result: the layout and repaint run
on the next screen update, and work a handler defers (``call_later``, a timer) runs after
it. Timing until a condition on the model holds would miss that work, or charge it to the
next key. ``Frames`` counts the frames the app draws; ``until_painted`` waits until the
condition holds, a frame was drawn since the key, and the screen has nothing left to draw.
"""
from __future__ import annotations

import asyncio
import time


class Frames:
    """Counts the frames ``app`` draws (its ``_display`` calls with something to show)."""

    def __init__(self, app) -> None:
        self.count = 0
        display = app._display

        def counted(screen, renderable) -> None:
            if renderable is not None:
                self.count += 1
            display(screen, renderable)

        app._display = counted
        self.app = app


def _settled(screen) -> bool:
    return not (screen._layout_required or screen._scroll_required or screen._repaint_required
                or screen._recompose_required or screen._dirty_widgets)


async def until_painted(frames: Frames, condition, timeout: float = 120.0
                        ) -> tuple[float, float]:
    """(wall seconds, UI-thread CPU seconds) from now (the key just posted) until
    ``condition()`` holds, a frame was drawn since now, and the screen has nothing left to
    draw (what the key's handler marked for repaint has been painted)."""
    started, cpu, first = time.perf_counter(), time.thread_time(), frames.count
    while not (condition() and frames.count > first and _settled(frames.app.screen)):
        if time.perf_counter() - started > timeout:
            raise TimeoutError("the screen never showed it")
        await asyncio.sleep(0.0005)
    return time.perf_counter() - started, time.thread_time() - cpu
