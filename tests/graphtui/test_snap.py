"""SVG snapshots of the main screen at 120x36, paused mid-backward, one per inspector tab,
for several of the tutorial's lessons. Fixed theme, no animations; ids reset per test.

Update after a deliberate change of the screen with ``pytest --snapshot-update``, and look
at the new SVGs before committing them."""
from __future__ import annotations

import pytest

from graphtui.headless import press_and_settle, settle
from tui_support import SIZE, new_app, write_lesson

TABS = {"node": "1", "tensor": "2", "saved": "3", "hooks": "4"}

# scenario -> keys that leave it paused in the middle of a backward pass
PAUSED_MID_BACKWARD = {
    "lesson2_mul.py": ["n"],          # MulBackward0 ran; paused before AccumulateGrad (x)
    "lesson4_twice.py": ["c"],        # second backward, at MulBackward0 with freed buffers
    "tensor_hook.py": ["n"],          # the tensor hook fired; paused before AccumulateGrad
    "lesson6_ops.py": ["n", "n"],     # two nodes into the sum's backward
}


def snap(snap_compare, tmp_path, lesson: str, keys: list[str], break_on_backward=True) -> bool:
    app, session = new_app(write_lesson(tmp_path, lesson), break_on_backward)

    async def drive(pilot) -> None:
        await settle(pilot, session)
        await press_and_settle(pilot, session, keys)

    try:
        return snap_compare(app, terminal_size=SIZE, run_before=drive)
    finally:
        session.stop()


@pytest.mark.parametrize("tab", list(TABS))
@pytest.mark.parametrize("lesson", list(PAUSED_MID_BACKWARD))
def test_paused_mid_backward(snap_compare, tmp_path, lesson, tab):
    assert snap(snap_compare, tmp_path, lesson, PAUSED_MID_BACKWARD[lesson] + [TABS[tab]])


@pytest.mark.parametrize("tab", list(TABS))
def test_conv1_backward_hook_has_fired(snap_compare, tmp_path, tab):
    """Paused after ConvolutionBackward0 ran: conv1's legacy backward hook fired there."""
    assert snap(snap_compare, tmp_path, "conv1_backward_hook.py", ["n", "n", "n", TABS[tab]])


def test_failed_second_backward_shows_the_error_at_its_node(snap_compare, tmp_path):
    assert snap(snap_compare, tmp_path, "lesson4_twice.py", ["c", "c"])


def test_history_shows_an_earlier_moment(snap_compare, tmp_path):
    """x found with `/`, then six events back: .grad is [300, 0.3] again, before the +=."""
    find_x = ["slash", *"tensor", "space", "x", "enter"]
    keys = find_x + ["2"] + ["left_square_bracket"] * 6
    assert snap(snap_compare, tmp_path, "lesson5_retain.py", keys, break_on_backward=False)


def test_help_screen(snap_compare, tmp_path):
    assert snap(snap_compare, tmp_path, "lesson2_mul.py", ["question_mark"])


def test_nan_in_a_forward_output_beside_next_to_run(snap_compare, tmp_path):
    # Paused before SqrtBackward0: "●" next to run, and "⚠ NaN fwd" (its forward output).
    assert snap(snap_compare, tmp_path, "masked_sqrt.py", ["n", "n", TABS["node"]])


def test_saved_memory_after_a_retain_graph_backward(snap_compare, tmp_path):
    # Each storage once, weights as "parameter", the timeline, what retain_graph kept.
    assert snap(snap_compare, tmp_path, "mlp_memory.py", ["c", TABS["saved"]])


def test_why_pane_on_the_inplace_error(snap_compare):
    """The Why pane (w) over a failed run: the in-place error first, then why x.grad and
    the selected h.grad are None."""
    from pathlib import Path
    app, session = new_app(Path(__file__).resolve().parents[2] / "scenarios" / "inplace_error.py",
                           break_on_backward=False)

    async def drive(pilot) -> None:
        await settle(pilot, session)
        await press_and_settle(pilot, session, ["w"])

    try:
        assert snap_compare(app, terminal_size=SIZE, run_before=drive)
    finally:
        session.stop()
