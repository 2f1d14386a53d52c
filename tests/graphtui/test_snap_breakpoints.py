"""SVG snapshots of breakpoints: the run paused by the NaN breakpoint (status line, graph,
events pane) and the `B` form over it at 80x24. Fixed theme, no animations; ids reset.

Update after a deliberate change with ``pytest --snapshot-update`` and look at the SVGs."""
from __future__ import annotations

from graphtui.app import GraphtuiApp
from graphtui.headless import press_and_settle, settle
from graphtui.session import Session
from tui_support import SIZE, reset_engine_ids

NAN = ("import engine as torch\n"
       "x = torch.tensor([-1.0, 4.0], requires_grad=True)\n"
       "y = torch.where(x > 0, torch.sqrt(x), torch.zeros_like(x))\n"
       "y.sum().backward()\n"
       "print(x.grad)\n")


def snap(snap_compare, tmp_path, keys: list[str], size) -> bool:
    path = tmp_path / "nan_grad.py"
    path.write_text(NAN, encoding="utf-8")
    reset_engine_ids()
    session = Session(path, break_on_backward=False,
                      breakpoints=["nan", "node:WhereBackward0"])
    app = GraphtuiApp(session, animations=False)

    async def drive(pilot) -> None:
        await settle(pilot, session)
        await press_and_settle(pilot, session, keys)

    try:
        return snap_compare(app, terminal_size=size, run_before=drive)
    finally:
        session.stop()


def test_paused_by_the_nan_breakpoint_after_the_node_that_made_the_nan(snap_compare,
                                                                       tmp_path):
    """Forward NaN, WhereBackward0, then the gradient SqrtBackward0 produced: paused there."""
    assert snap(snap_compare, tmp_path, ["c", "c"], SIZE)


def test_the_breakpoints_form_at_80x24(snap_compare, tmp_path):
    assert snap(snap_compare, tmp_path, ["B"], (80, 24))
