"""Smoke test: the real `graphtui run` in a real terminal (tmux), driven by keys, read back as
text a person would see. Skipped where tmux is missing (`.ci/run` installs it)."""
from __future__ import annotations

import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tui_support import write_lesson

TMUX = shutil.which("tmux")
REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed")


# A server of our own (-L), so the test never touches anyone else's tmux sessions.
SOCKET = f"graphtui-test-{uuid.uuid4().hex[:8]}"


def tmux(*args: str, check: bool = True) -> str:
    return subprocess.run([TMUX, "-L", SOCKET, *args], check=check, capture_output=True,
                          text=True).stdout


def wait_for(session: str, text: str, timeout: float = 60.0) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = tmux("capture-pane", "-p", "-t", session, check=False)   # may be starting
        if text in screen:
            return screen
        time.sleep(0.2)
    size = tmux("display", "-p", "-t", session, "#{window_width}x#{window_height}").strip()
    raise AssertionError(f"{text!r} not on a {size} screen after {timeout}s:\n{screen}")


def test_graphtui_run_in_a_terminal_steps_and_quits(tmp_path):
    scenario = write_lesson(tmp_path, "lesson2_mul.py")
    session = "smoke"
    # `python -m graphtui` from the repository, so the test needs no console script on PATH.
    # The short sleep lets tmux give the pane its 120x36 before the app reads the size.
    command = f"sleep 0.5; {sys.executable} -m graphtui run {scenario}; sleep 5"
    # -f /dev/null: no user or system tmux.conf can change the size or the keys.
    tmux("-f", "/dev/null", "new-session", "-d", "-s", session, "-x", "120", "-y", "36",
         "-c", str(REPO), command)
    try:
        screen = wait_for(session, "paused at MulBackward0")
        assert "Graph" in screen and "Inspector" in screen and "Events" in screen
        assert "n Step" in screen                     # the footer shows the keys
        assert "break: backward" in screen            # the whole header: 120 columns

        tmux("send-keys", "-t", session, "n")
        wait_for(session, "paused at AccumulateGrad")
        tmux("send-keys", "-t", session, "n")
        wait_for(session, "finished")
        tmux("send-keys", "-t", session, "2")
        screen = wait_for(session, "[300.0000, 0.3000]")
        assert ".grad" in screen

        tmux("send-keys", "-t", session, "C-q")
        deadline = time.monotonic() + 10
        while "Inspector" in tmux("capture-pane", "-p", "-t", session, check=False):
            assert time.monotonic() < deadline, "ctrl+q did not quit"
            time.sleep(0.2)
    finally:
        subprocess.run([TMUX, "-L", SOCKET, "kill-server"], capture_output=True)
