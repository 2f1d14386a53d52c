"""Run the app without a terminal: wait for a pause or the end, press keys, save an SVG."""
from __future__ import annotations

import asyncio
import time

from graphtui.app import GraphtuiApp

SETTLE_TIMEOUT = 60.0       # seconds; Numba's first compile can be slow


async def settle(pilot, session, timeout: float = SETTLE_TIMEOUT) -> None:
    """Wait until the scenario is paused or finished and the screen shows it."""
    deadline = time.monotonic() + timeout
    while not (session.is_paused or session.is_finished) and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    await pilot.pause()
    screen = pilot.app.main
    screen.refresh_now()
    # The live view catches up with a flood in chunks; a screenshot wants all of it.
    while (screen.moment is None and screen.state.step < len(session.log)
           and time.monotonic() < deadline):
        await pilot.pause()
        screen.refresh_now()
    await pilot.pause()
    # Work the screen handed to workers (the Why pane's findings) lands before the screenshot.
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def press_and_settle(pilot, session, keys: list[str]) -> None:
    """Press each key, letting the scenario settle after each (a step must land first)."""
    for key in keys:
        await pilot.press(key)
        await asyncio.sleep(0.02)
        await settle(pilot, session)


def screenshot(session, keys: list[str], out_path: str, size: tuple[int, int] = (120, 36)
               ) -> str:
    """Drive ``GraphtuiApp(session)`` headless and write the screen to ``out_path``."""
    async def run() -> None:
        app = GraphtuiApp(session, animations=False)
        async with app.run_test(size=size) as pilot:
            await settle(pilot, session)
            await press_and_settle(pilot, session, keys)
            app.save_screenshot(out_path)

    asyncio.run(run())
    return out_path
