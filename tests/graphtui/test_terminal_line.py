"""A program's output line as a terminal leaves it: progress bars, colours, backspaces."""
import pytest

from graphtui.model import events as ev
from graphtui.model.describe import describe_event
from graphtui.model.state import State
from graphtui.model.terminal_line import as_displayed


@pytest.mark.parametrize("raw,shown", [
    ("plain text", "plain text"),
    ("\r[#..] 1/3\r[##.] 2/3\r[###] 3/3", "[###] 3/3"),
    ("loss 0.5000 slow\rloss 0.25", "loss 0.2500 slow"),          # shorter: the rest stays
    ("\x1b[32m[ok]\x1b[0m done", "[ok] done"),
    ("\x1b]0;window title\x07epoch 1", "epoch 1"),
    ("abc\b\bXY", "aXY"),
    ("windows line\r", "windows line"),
    ("tab\tand bell\x07", "tab\tand bell"),
    (" 10%|█         | 1/10\r 20%|██        | 2/10", " 20%|██        | 2/10"),
])
def test_a_line_is_shown_as_a_terminal_leaves_it(raw, shown):
    assert as_displayed(raw) == shown


def test_the_event_list_shows_the_last_state_of_a_progress_bar():
    state = State()
    line = ev.OutputWritten("stdout", "\r\x1b[32m[#.]\x1b[0m 1/2\r\x1b[32m[##]\x1b[0m 2/2")
    assert describe_event(line, state) == "[##] 2/2"
    assert describe_event(ev.OutputWritten("stderr", "warn\rWARN"), state) == "[stderr] WARN"
