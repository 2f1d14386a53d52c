"""Smoke test: the real `graphtui run` in a real terminal (tmux), driven by keys, read back as
text a person would see. Skipped where tmux is missing (`.ci/run` installs it)."""
from __future__ import annotations

import re
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
            time.sleep(0.1)              # the rest of a frame being written
            return tmux("capture-pane", "-p", "-t", session, check=False)
        time.sleep(0.05)
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
        kill_server()


def kill_server() -> None:
    """Kill our tmux server and wait until it is gone (the next test starts a new one)."""
    subprocess.run([TMUX, "-L", SOCKET, "kill-server"], capture_output=True)
    deadline = time.monotonic() + 5
    while subprocess.run([TMUX, "-L", SOCKET, "list-sessions"], capture_output=True).returncode == 0:
        assert time.monotonic() < deadline, "tmux server would not go"
        time.sleep(0.05)


# ---------------------------------------------------------------- a shell, then graphtui in it

ENDLESS_OPS = """
import engine as torch
x = torch.ones(3, requires_grad=True)
while True:
    y = x * 2
"""


def start_shell(session: str) -> None:
    """A plain bash at 120x36 in our private server, its prompt `$ `."""
    tmux("-f", "/dev/null", "new-session", "-d", "-s", session, "-x", "120", "-y", "36",
         "-c", str(REPO), "PS1='$ ' bash --norc --noprofile")
    wait_for(session, "$")


def run_in_shell(session: str, line: str) -> None:
    tmux("send-keys", "-t", session, "-l", line)
    tmux("send-keys", "-t", session, "Enter")


def pane_flag(session: str, flag: str) -> str:
    return tmux("display", "-p", "-t", session, f"#{{{flag}}}").strip()


def seconds_until(session: str, text: str, timeout: float = 10.0) -> float:
    started = time.monotonic()
    wait_for(session, text, timeout)
    return time.monotonic() - started - 0.1          # wait_for's settling


def assert_terminal_restored(session: str) -> None:
    """Out of the alternate screen, cursor shown, no mouse reporting, and the shell reads a
    line again in cooked mode (echo, icanon)."""
    assert pane_flag(session, "alternate_on") == "0"
    assert pane_flag(session, "cursor_flag") == "1"
    assert pane_flag(session, "mouse_any_flag") == "0"
    tmux("send-keys", "-t", session, "clear", "Enter")
    run_in_shell(session, "stty -a | tr ' ' '\\n' | grep -x -e '-*icanon' -e '-*echo'; echo typed-$((40+2))")
    screen = wait_for(session, "typed-42")
    assert "\nicanon" in screen and "\necho" in screen, screen


def test_endless_scenario_answers_keys_and_ctrl_q_restores_the_terminal(tmp_path):
    scenario = tmp_path / "endless.py"
    scenario.write_text(ENDLESS_OPS, encoding="utf-8")
    session = "endless"
    start_shell(session)
    try:
        run_in_shell(session, f"{sys.executable} -m graphtui run {scenario} --break never; "
                              "echo exit=$?")
        wait_for(session, "running")
        time.sleep(1.0)                                     # flooding by now
        tmux("send-keys", "-t", session, "?")
        help_took = seconds_until(session, "graphtui keys")
        tmux("send-keys", "-t", session, "Escape")
        wait_for_gone(session, "graphtui keys")
        assert "running" in tmux("capture-pane", "-p", "-t", session)

        tmux("send-keys", "-t", session, "C-q")
        quit_took = seconds_until(session, "exit=0")
        print(f"help screen after {help_took:.3f} s, back at the prompt {quit_took:.3f} s "
              "after ctrl+q")
        # Hang guards, not speed figures: the targets are 0.1 s and 1 s (measured 0.3-1.0 s on
        # a quiet machine, over 3 s on a loaded one).
        assert help_took < 10.0
        assert quit_took < 10.0
        assert_terminal_restored(session)
    finally:
        kill_server()


def test_a_crash_inside_graphtui_restores_the_terminal_and_names_its_log(tmp_path):
    scenario = write_lesson(tmp_path, "lesson2_mul.py")
    session = "crash"
    start_shell(session)
    try:
        run_in_shell(session, f"GRAPHTUI_TEST_CRASH_KEY=f12 {sys.executable} -m graphtui run "
                              f"{scenario}; echo exit=$?")
        wait_for(session, "paused at MulBackward0")
        tmux("send-keys", "-t", session, "F12")
        screen = wait_for(session, "exit=70")
        log_path = re.search(r"the details are in (\S+?\.log)", screen.replace("\n", ""))
        assert log_path, screen
        text = Path(log_path[1]).read_text(encoding="utf-8")
        assert "crash forced by GRAPHTUI_TEST_CRASH_KEY" in text and "action_test_crash" in text
        Path(log_path[1]).unlink()
        assert_terminal_restored(session)
    finally:
        kill_server()


def wait_for_gone(session: str, text: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while text in tmux("capture-pane", "-p", "-t", session, check=False):
        assert time.monotonic() < deadline, f"{text!r} stayed on screen"
        time.sleep(0.05)


def test_quitting_after_a_failed_scenario_exits_1(tmp_path):
    scenario = tmp_path / "fails.py"
    scenario.write_text("print('about to fail')\nraise ValueError('nope')\n", encoding="utf-8")
    session = "failed"
    start_shell(session)
    try:
        run_in_shell(session, f"{sys.executable} -m graphtui run {scenario}; echo exit=$?")
        wait_for(session, "ValueError: nope")
        tmux("send-keys", "-t", session, "C-q")
        wait_for(session, "exit=1")
    finally:
        kill_server()
