"""dump and the TUI tell a failure alike: the same folded traceback, the same short paths
(issue 16 items 10 and 12)."""
from __future__ import annotations

import io

from graphtui.dump import write_state
from graphtui.model.describe import short_path
from graphtui.session import Session
from graphtui.widgets.problem_text import error_text
from tui_support import reset_engine_ids, write_lesson


def finished(path) -> Session:
    reset_engine_ids()
    session = Session(path, break_on_backward=False)
    session.start()
    assert session.wait_until_finished(60)
    return session


def test_dump_folds_engine_frames_as_the_tui_does(tmp_path):
    session = finished(write_lesson(tmp_path, "lesson4_twice.py"))
    out = io.StringIO()
    write_state(session.log, session.state(), out)
    # the traceback, up to the gradient table that ends the dump
    dumped = out.getvalue().split("Traceback (most recent call last):\n")[1]
    dumped = dumped.split("\n== gradients")[0]
    shown = error_text(session.state().error).plain.split("Traceback (most recent call last):\n")[1]
    assert dumped.strip() == shown.strip()
    assert 'File "lesson4_twice.py", line 8, in <module>' in dumped    # outside the cwd: name
    assert "frames inside the engine" in dumped and "/engine/" not in dumped


def test_paths_are_relative_under_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert short_path(str(tmp_path / "scenarios" / "net.py")) == "scenarios/net.py"
    assert short_path("/elsewhere/lib/net.py") == "net.py"
    assert short_path("scenarios/net.py") == "scenarios/net.py"


def test_seven_digit_event_numbers_keep_a_space_from_the_border():
    from graphtui.model import events as ev
    from graphtui.widgets.events_pane import event_line, number_width
    line = event_line(1_234_566, ev.OutputWritten("stdout", "done"), None, 1_234_567,
                      number_width(1_234_567)).plain
    assert line.startswith(" 1234567 output ")
    assert event_line(4, ev.Resumed("step"), None, None).plain.startswith("     · gate ")
