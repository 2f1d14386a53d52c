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
