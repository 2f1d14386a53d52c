"""The other keys and the mouse: pause, break toggle, clicking an event, the palette, and a
10,000-node graph that must stay fast."""
from __future__ import annotations

import asyncio
import time

from graphtui.widgets.events_log import EventsLog
from graphtui.widgets.graph_tree import GraphTree
from tui_support import running, write_lesson


async def test_pause_stops_a_running_forward(tmp_path):
    path = write_lesson(tmp_path, "long_forward.py")
    async with running(path, break_on_backward=False, settled=False) as ui:
        deadline = time.monotonic() + 30
        while len(ui.session.log) < 2000 and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        await ui.press("p")
        assert ui.session.is_paused and not ui.session.is_finished
        assert "paused at MulBackward0" in ui.status()     # after the op that made it
        await ui.press("c")
        assert "finished" in ui.status()


async def test_break_toggle_lets_the_second_backward_run_through(tmp_path):
    async with running(write_lesson(tmp_path, "lesson4_twice.py")) as ui:
        assert "break: backward" in ui.status()
        await ui.pilot.press("b")
        await ui.pilot.pause()
        assert "break: never" in ui.status()
        await ui.press("c")                     # no pause at the second backward: it fails
        assert "failed" in ui.status()


async def test_clicking_an_event_shows_that_moment(tmp_path):
    async with running(write_lesson(tmp_path, "lesson2_mul.py"), break_on_backward=False) as ui:
        timeline = ui.screen.query_one(EventsLog)
        top_row = int(timeline.scroll_y)                  # filter "All": row i is event i
        await ui.pilot.click(EventsLog, offset=(10, 0))
        await ui.pilot.pause()
        assert ui.screen.moment == top_row + 1            # the state just after that event
        assert f"history {top_row + 1}/" in ui.status()


async def test_palette_offers_every_debugger_key(tmp_path):
    async with running(write_lesson(tmp_path, "lesson2_mul.py")) as ui:
        titles = [command.title for command in ui.app.get_system_commands(ui.screen)]
        for wanted in ("(n)", "(c)", "(p)", "(b)", "(h)", "(j)", "([)", "(])", "(t)", "({)",
                       "(})", "(r)", "(/)", "(?)"):
            assert any(title.endswith(wanted) for title in titles), wanted


async def test_a_10000_node_chain_opens_lazily_and_steps_fast(tmp_path):
    async with running(write_lesson(tmp_path, "chain_10k.py")) as ui:
        assert "paused at SumBackward0" in ui.status()
        assert len(ui.state.nodes) > 10_000
        graph = ui.screen.query_one(GraphTree)
        assert len(graph._loaded) < 100             # only what is open is built

        started = time.perf_counter()
        ui.screen.refresh_now()
        assert time.perf_counter() - started < 0.5

        for _ in range(6):                   # deeper than the rows opened at first sight
            await ui.press("n")
        assert "paused at MulBackward0" in ui.status()
        assert graph.entry.node_id == ui.state.paused_at  # the cursor follows the run
        assert len(graph._loaded) < 100


async def test_grouping_by_module_follows_the_selected_node(tmp_path):
    async with running(write_lesson(tmp_path, "conv1_hook.py")) as ui:
        selected = ui.selected_label()
        await ui.pilot.press("g")
        await ui.pilot.pause()
        graph = ui.screen.query_one(GraphTree)
        top = [str(child.label) for child in graph.root.children]
        assert any(label.startswith("conv1") for label in top)
        assert ui.selected_label().split()[1] == selected.split()[1]   # same node, new row
        await ui.pilot.press("g")
        await ui.pilot.pause()
        assert not any(str(c.label).startswith("conv1") for c in graph.root.children)


async def test_a_key_tells_the_session_the_user_acts(tmp_path):
    async with running(write_lesson(tmp_path, "lesson2_mul.py")) as ui:
        before = ui.session._user_active_at
        await ui.pilot.press("question_mark")
        await ui.pilot.pause()
        assert ui.session._user_active_at > before
        from graphtui.session import REST_SHARE
        assert ui.session.rest_share() == REST_SHARE


async def test_a_flood_is_repainted_at_most_every_min_refresh(tmp_path, monkeypatch):
    """Each repaint costs the UI thread (the compositor redraws every pane): during a flood
    the live view is repainted at most every MIN_REFRESH seconds, a stop at once."""
    from graphtui.screens import main as main_module

    shows: list[tuple[float, bool]] = []      # (when it ended, paced: while the run runs)
    on_fetched = main_module.MainScreen.on_fetched

    def recording(screen, fetched):
        before = screen._last_refresh
        running = not (screen.session.is_paused or screen.session.is_finished)
        on_fetched(screen, fetched)
        if screen._last_refresh != before:
            shows.append((screen._last_refresh, running))

    monkeypatch.setattr(main_module.MainScreen, "on_fetched", recording)
    path = tmp_path / "flood.py"
    path.write_text("import torch\nx = torch.ones(3, requires_grad=True)\ny = x\n"
                    "for _ in range(60_000):\n    y = y * 1.0\n")
    async with running(path, break_on_backward=False, settled=False) as ui:
        deadline = time.monotonic() + 120
        while not ui.session.is_finished and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        await ui.pilot.pause()
    paced = [later - earlier for (earlier, _), (later, running_then) in zip(shows, shows[1:])
             if running_then]
    assert len(paced) >= 3                    # the flood was shown while it ran
    assert min(paced) >= main_module.MIN_REFRESH * 0.99
    assert main_module.MIN_REFRESH >= 0.1
