"""SVG snapshots of a training loop's iterations at 80x24 and 160x45: the status line's
"backward N of M" with the loss, the older passes folded above the current graph, and the
moment `<` goes back to. Update with ``pytest --snapshot-update`` and look at the SVGs."""
from __future__ import annotations

import pytest

from graphtui.headless import press_and_settle, settle
from graphtui.widgets.graph_tree import GraphTree
from tui_support import new_app, write_lesson

SIZES = {"80x24": (80, 24), "160x45": (160, 45)}


def snap(snap_compare, tmp_path, keys: list[str], size) -> bool:
    app, session = new_app(write_lesson(tmp_path, "mlp_loop.py"), break_on_backward=False)

    async def drive(pilot) -> None:
        await settle(pilot, session)
        await press_and_settle(pilot, session, keys)
        # Where the tree is scrolled depends on where the cursor was while the run went on
        # (a race); from the top, the cursor's pass is in view at both sizes.
        pilot.app.screen.query_one(GraphTree).scroll_home(animate=False)
        await pilot.pause()

    try:
        return snap_compare(app, terminal_size=size, run_before=drive)
    finally:
        session.stop()


@pytest.mark.parametrize("size", list(SIZES))
def test_a_finished_loop_shows_its_last_pass(snap_compare, tmp_path, size):
    assert snap(snap_compare, tmp_path, [], SIZES[size])


@pytest.mark.parametrize("size", list(SIZES))
def test_two_passes_back(snap_compare, tmp_path, size):
    assert snap(snap_compare, tmp_path, ["less_than_sign"] * 3, SIZES[size])
