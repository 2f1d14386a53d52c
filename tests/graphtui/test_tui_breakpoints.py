"""The breakpoints form (`B`) and what the status line says about breakpoints, driven like a
person does it."""
from __future__ import annotations

from contextlib import asynccontextmanager

import pytest
from textual.widgets import OptionList

from graphtui.app import GraphtuiApp
from graphtui.headless import settle
from graphtui.screens.breakpoints import NONE_SET, BreakpointsScreen
from graphtui.session import Session
from tui_support import Driver, reset_engine_ids, running, write_lesson

KEY_NAMES = {":": "colon", " ": "space"}


async def type_text(ui, text: str) -> None:
    await ui.pilot.press(*[KEY_NAMES.get(char, char) for char in text])


async def add_breakpoint(ui, spec: str) -> None:
    await type_text(ui, spec)
    await ui.pilot.press("enter")
    await ui.pilot.pause()


@asynccontextmanager
async def running_with(path, breakpoints, size):
    """The app on a scenario started with these breakpoints, settled at its first stop."""
    reset_engine_ids()
    session = Session(path, break_on_backward=False, breakpoints=breakpoints)
    app = GraphtuiApp(session, animations=False)
    try:
        async with app.run_test(size=size) as pilot:
            await settle(pilot, session)
            yield Driver(app, pilot, session)
    finally:
        session.stop()


def form_text(ui) -> str:
    return ui.screen_text()


async def test_add_a_node_breakpoint_run_to_it_and_keep_it_on_rerun(tmp_path):
    async with running(write_lesson(tmp_path, "conv1_hook.py")) as ui:
        assert "breakpoint" not in ui.status()            # none set: no field
        await ui.pilot.press("B")
        await ui.pilot.pause()
        assert isinstance(ui.app.screen, BreakpointsScreen)
        assert NONE_SET in form_text(ui)
        await add_breakpoint(ui, "node:ConvolutionBackward0")
        assert "node:ConvolutionBackward0" in form_text(ui)
        assert NONE_SET not in form_text(ui)
        await ui.pilot.press("escape")
        await ui.pilot.pause()
        assert ui.session.breakpoints == ("node:ConvolutionBackward0",)
        assert "1 breakpoint" in ui.status()

        await ui.press("c")                                # from the first node of backward
        conv = ui.state.nodes[ui.state.paused_at]
        assert conv.name == "ConvolutionBackward0"
        assert f"paused: ConvolutionBackward0 (node {conv.id}) about to run" in ui.status()

        await ui.press("c")
        assert ui.state.run_state == "finished" and "paused" not in ui.status()

        await ui.press("r")                                # kept across the re-run
        assert ui.state.run_number == 2 and ui.state.paused_why is None   # break: backward
        await ui.press("c")
        assert ui.state.nodes[ui.state.paused_at].name == "ConvolutionBackward0"
        assert "1 breakpoint" in ui.status() and "about to run" in ui.status()


async def test_a_bad_spec_is_said_in_the_form_and_nothing_is_added(tmp_path):
    async with running(write_lesson(tmp_path, "lesson2_mul.py")) as ui:
        await ui.pilot.press("B")
        await add_breakpoint(ui, "bogus")
        assert "unknown breakpoint 'bogus'" in form_text(ui)
        assert ui.session.breakpoints == ()
        await add_breakpoint(ui, "")                       # cleared? no: the text stays
        await ui.pilot.press(*["backspace"] * 5)
        await add_breakpoint(ui, "nan")
        assert "unknown breakpoint" not in form_text(ui)
        assert ui.session.breakpoints == ("nan",)


async def test_remove_a_breakpoint_from_the_list(tmp_path):
    async with running(write_lesson(tmp_path, "lesson2_mul.py")) as ui:
        ui.session.set_breakpoints(["nan", "hook", "backward:2"])
        await ui.pilot.press("B")
        await ui.pilot.pause()
        await ui.pilot.press("tab")                        # to the list
        listing = ui.app.screen.query_one(OptionList)
        assert listing.has_focus
        await ui.pilot.press("down", "x")                  # the second one: hook
        await ui.pilot.pause()
        assert ui.session.breakpoints == ("nan", "backward:2")
        assert "hook" not in form_text(ui).split("breakpoints")[1].split("enter add")[0]
        await ui.pilot.press("escape")
        await ui.pilot.pause()
        assert "2 breakpoints" in ui.status()


@pytest.mark.parametrize("size", [(80, 24)])
async def test_nan_breakpoint_status_and_form_fit_80x24(tmp_path, size):
    path = tmp_path / "nan.py"
    path.write_text("import engine as torch\n"
                    "x = torch.tensor([-1.0, 4.0], requires_grad=True)\n"
                    "y = torch.where(x > 0, torch.sqrt(x), torch.zeros_like(x))\n"
                    "y.sum().backward()\n", encoding="utf-8")
    async with running_with(path, ["nan"], size) as ui:
        rows = ui.screen_text().splitlines()
        top = "\n".join(rows[:next(i for i, row in enumerate(rows) if row.startswith("╭"))])
        assert "paused: NaN in the forward output of SqrtBackward0 (nan.py:3)" in top
        assert "break: never" in top and "1 breakpoint" in top
        await ui.pilot.press("B")
        await ui.pilot.pause()
        lines = ui.screen_text().splitlines()
        box = [line for line in lines if "│" in line and "breakpoints" not in line]
        assert any("nan" in line for line in box)
        assert any("enter add · tab, then x or del: remove · esc close" in line for line in lines)
