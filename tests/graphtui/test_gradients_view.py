"""The gradients view (G), driven like a person: what it shows, its keys, and its snapshots
at 80x24 and 160x45 (``pytest --snapshot-update`` after a deliberate change; look at them)."""
from __future__ import annotations

from pathlib import Path

import pytest

from graphtui.headless import press_and_settle, settle
from graphtui.screens.gradients import GradientsScreen
from graphtui.screens.main import MainScreen
from graphtui.widgets.gradients_table import GradientsTable
from graphtui.widgets.tab_bar import TabBar
from tui_support import new_app, running, screen_text

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
VANISHING = SCENARIOS / "vanishing_gradients.py"
MLP = SCENARIOS / "mlp_training.py"
FROZEN = Path(__file__).resolve().parent / "fixtures" / "frozen_layer.py"
SMALL, LARGE = (80, 24), (160, 45)


async def open_view(ui, *keys):
    await ui.pilot.press("G", *keys)
    await ui.pilot.pause()
    assert isinstance(ui.app.screen, GradientsScreen)
    return screen_text(ui.app)


async def test_vanishing_finding_is_on_the_first_screen_at_80x24():
    async with running(VANISHING, break_on_backward=False, size=SMALL) as ui:
        lines = (await open_view(ui)).splitlines()
        assert lines[0].strip() == "Gradients  ·  backward 2 of 2, loss 0.778702"
        assert lines[1].strip() == ("⚠ vanishing gradients in backward 1 "
                                    "(0.weight ‖g‖ 5.4e-09 < 1e-07)")
        assert "vanishing: ‖g‖ < 1e-07 or < 1e-04 × last layer's" in lines[2]


async def test_keys_move_between_iterations_and_flags():
    async with running(VANISHING, break_on_backward=False, size=SMALL) as ui:
        await open_view(ui)
        await ui.pilot.press("f")                 # to the flagged iteration
        await ui.pilot.pause()
        text = screen_text(ui.app)
        assert "backward 1 of 2, loss 0.748369" in text
        assert "├ ⚠weight" in text and "5.4e-09" in text
        await ui.pilot.press("right")
        await ui.pilot.pause()
        assert "backward 2 of 2" in screen_text(ui.app)
        await ui.pilot.press("right")             # already the last: stays
        await ui.pilot.pause()
        assert "backward 2 of 2" in screen_text(ui.app)
        await ui.pilot.press("left", "2")         # the flow chart of backward 1
        await ui.pilot.pause()
        flow = screen_text(ui.app)
        assert "⚠ 0 (Linear)" in flow and "⚠ 10 (Linear)" in flow
        assert "⚠ 12 (Linear)" not in flow and "1e-10" in flow
        await ui.pilot.press("escape")
        await ui.pilot.pause()
        assert isinstance(ui.app.screen, MainScreen)


async def test_the_table_shows_update_ratios_and_the_loss_tab_its_range():
    async with running(MLP, break_on_backward=False, size=LARGE) as ui:
        text = await open_view(ui)
        assert "backward 8 of 8, loss 0.187543" in text
        assert "no vanishing or exploding gradients seen" in text
        weight_row = next(line for line in text.splitlines() if "├ weight" in line)
        assert weight_row.split()[2:5] == ["16×2", "2.5e-01", "-8.0e-02"]
        assert "1.1e-02" in weight_row                        # update/weight of SGD's step
        await ui.pilot.press("3")
        await ui.pilot.pause()
        loss = screen_text(ui.app)
        assert "5.204" in loss and "0.1875" in loss and "backward 8" in loss


async def test_a_click_on_a_tab_label_shows_its_tab():
    async with running(MLP, break_on_backward=False, size=SMALL) as ui:
        await open_view(ui)
        screen = ui.app.screen
        loss_start = next(start for tab, start, _ in screen.query_one(TabBar).spans()
                          if tab == "grad-loss")
        assert await ui.pilot.click(TabBar, offset=(loss_start + 1, 0))
        await ui.pilot.pause()
        assert screen.shown[1] == "grad-loss" and "0.1875" in screen_text(ui.app)
        assert await ui.pilot.click(TabBar, offset=(2, 0))     # "Table"
        await ui.pilot.pause()
        assert screen.shown[1] == "grad-table" and "├ weight" in screen_text(ui.app)


async def test_shown_again_after_a_theme_change_it_takes_the_new_theme():
    """Showing the view again skips Textual's restyle of every widget, unless the theme
    changed while it was hidden."""
    async with running(VANISHING, break_on_backward=False, size=SMALL) as ui:
        await open_view(ui)
        await ui.pilot.press("escape")
        ui.app.theme = "textual-light" if ui.app.theme != "textual-light" else "nord"
        await ui.pilot.pause()
        await open_view(ui)
        screen = ui.app.screen
        shown = [widget.rich_style for widget in screen.query("*")]
        screen.update_node_styles(animate=False)
        await ui.pilot.pause()
        assert shown == [widget.rich_style for widget in screen.query("*")]
        title = screen.query_one("#grad-title").rich_style
        await ui.pilot.press("escape")                # and back, the theme unchanged
        await open_view(ui)
        assert screen.query_one("#grad-title").rich_style == title


async def test_opened_at_an_earlier_moment_it_shows_that_iteration():
    async with running(MLP, break_on_backward=False, size=LARGE) as ui:
        main = ui.screen
        tracker_start = next(i for i, e in enumerate(ui.session.log)
                             if type(e).__name__ == "BackwardStarted")
        main._go_to(tracker_start + 2)            # inside the first backward
        await ui.pilot.pause()
        text = await open_view(ui)
        assert "backward 1 of 8, loss 5.20" in text


async def made_view(ui, title_part: str):
    """The view made unseen behind the main screen, once its title has ``title_part`` and
    it is laid out (on a loaded machine the layout may come a few frames after the title)."""
    for _ in range(100):
        await ui.pilot.pause(0.05)
        made = ui.screen._gradients
        if made is not None and made.is_mounted and made._size == ui.app.size \
                and title_part in str(made.query_one("#grad-title").render()) \
                and not made._layout_required:
            return made
    raise AssertionError(f"no view made unseen with {title_part!r}")


async def test_the_view_is_made_unseen_when_the_run_stops_and_g_shows_it():
    """screens/unseen.py: once the run has stopped the view is mounted, filled and laid out
    at the terminal's size behind the main screen; G shows that one, as made."""
    async with running(MLP, break_on_backward=False, size=LARGE) as ui:
        made = await made_view(ui, "backward 8 of 8")    # after the frame showing the end
        assert ui.app.screen is ui.screen
        table = made.query_one(GradientsTable)
        assert table.rows and table.size.width > 0 and not made._layout_required
        text = await open_view(ui)
        assert ui.app.screen is made
        assert "backward 8 of 8, loss 0.187543" in text and "├ weight" in text


async def test_the_view_made_at_a_pause_is_made_ready_again_when_the_run_ends():
    async with running(VANISHING, size=SMALL) as ui:         # paused at backward 1's start
        made = await made_view(ui, "backward 1 of 1")
        await ui.press("c")                                 # paused at backward 2's start:
        await ui.press("c")                                 # not remade at each stop
        assert ui.session.is_finished
        assert await made_view(ui, "backward 2 of 2, loss 0.778702") is made
        assert not made._layout_required and ui.app.screen is ui.screen


def snapshot(snap_compare, path: Path, keys: list[str], size) -> bool:
    app, session = new_app(path, break_on_backward=False)

    async def drive(pilot) -> None:
        await settle(pilot, session)
        await press_and_settle(pilot, session, keys)

    try:
        return snap_compare(app, terminal_size=size, run_before=drive)
    finally:
        session.stop()


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "160x45"])
@pytest.mark.parametrize("keys", [["G"], ["G", "f", "2"]], ids=["table", "flow"])
def test_snapshot_vanishing(snap_compare, size, keys):
    assert snapshot(snap_compare, VANISHING, keys, size)


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "160x45"])
def test_snapshot_loss_curve(snap_compare, size):
    assert snapshot(snap_compare, MLP, ["G", "3"], size)


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "160x45"])
def test_snapshot_frozen_layer(snap_compare, size):
    assert snapshot(snap_compare, FROZEN, ["G"], size)


async def test_a_frozen_layer_is_listed_and_module_labels_are_whole():
    async with running(FROZEN, break_on_backward=False, size=SMALL) as ui:
        lines = [line.rstrip() for line in (await open_view(ui)).splitlines()]
        header = next(line for line in lines if line.startswith("parameter"))
        assert header.split() == ["parameter", "shape", "‖g‖", "min", "max", "mean|g|", "NaN",
                                  "upd/w", "trend"]
        at = lines.index(header)
        assert lines[at + 1] == "body.0 (Linear)"
        assert lines[at + 4] == "body.1 (Linear)"
        assert lines[at + 5].split() == ["├", "weight", "8×8", "frozen:", "requires_grad=False"]
        assert lines[at + 6].split() == ["└", "bias", "8", "frozen:", "requires_grad=False"]
        assert lines[at + 7] == "projection_head (Linear)"
        assert lines[at + 8].split()[:3] == ["├", "weight", "1×8"]


async def test_a_backward_paused_before_any_grad_says_so_and_where_the_last_one_is():
    async with running(VANISHING, size=SMALL) as ui:        # paused at backward 1's start
        title = (await open_view(ui)).splitlines()[0].strip()
        assert title.endswith("backward 1 of 1, loss 0.748369  (running: no .grad yet)")
        await ui.pilot.press("escape", "c")
        await settle(ui.pilot, ui.session)                  # paused at backward 2's start
        title = (await open_view(ui)).splitlines()[0].strip()
        assert title.endswith("backward 2 of 2, loss 0.778702  (running: no .grad yet, ← 1)")
        await ui.pilot.press("left")
        await ui.pilot.pause()
        text = screen_text(ui.app)
        assert "backward 1 of 2, loss 0.748369" in text and "5.4e-09" in text
