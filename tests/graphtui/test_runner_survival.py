"""The debugger survives its debuggee: whatever the scenario does to its own process (abort,
segfault, being killed, running out of memory, closing its output, forking, threads), the
session stays up, keeps every event it received, says how the process ended, and re-runs.
Each of these would end the test process itself if the scenario ran inside it."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from graphtui.model import RUN_FAILED, RUN_FINISHED, RUN_STOPPED

WAIT = 60      # seconds: only a guard against hanging, never a measured time

OPS_THEN = """
    import os, sys
    import engine as torch
    x = torch.ones(3, requires_grad=True)
    y = x * 2
    print("before", flush=True)
"""


def finished_state(session):
    assert session.wait_until_finished(WAIT)
    return session.state()


def node_names(state) -> list[str]:
    return sorted(node.name for node in state.nodes.values())


def texts(state) -> list[str]:
    return [line.text for line in state.output]


def gone(pid: int) -> bool:
    """The process ended (or is a zombie nobody reaped yet)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def wait_for(condition, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "it never happened"
        time.sleep(0.02)


@pytest.mark.parametrize("ending, number, name", [
    ("os.abort()", 6, "SIGABRT"),
    ("import ctypes; ctypes.string_at(0)", 11, "SIGSEGV"),
    ("os.kill(os.getpid(), 9)", 9, "SIGKILL"),
])
def test_a_scenario_killed_by_a_signal_ends_the_run_and_keeps_its_events(run, ending, number,
                                                                         name):
    session = run(OPS_THEN + f"    {ending}\n    print('after')\n", break_on_backward=False)
    state = finished_state(session)
    assert state.run_state == RUN_FAILED
    assert state.error.exc_type == name
    assert state.error.message == f"the scenario process ended: signal {number} ({name})"
    assert node_names(state) == ["AccumulateGrad", "MulBackward0"]     # kept
    assert texts(state)[0] == "before" and "after" not in texts(state)
    if name == "SIGSEGV":            # the runner's fault handler says where, on its stderr
        assert "Fatal Python error: Segmentation fault" in texts(state)

    session.rerun()                  # a new process, the same story
    state = finished_state(session)
    assert state.run_number == 2 and state.error.exc_type == name
    assert node_names(state) == ["AccumulateGrad", "MulBackward0"]


def test_kill_9_of_the_runner_from_outside(run):
    session = run(OPS_THEN + "    import time\n    time.sleep(600)\n", break_on_backward=False)
    wait_for(lambda: texts(session.state()) == ["before"])
    os.kill(session.runner_pid, signal.SIGKILL)
    state = finished_state(session)
    assert state.run_state == RUN_FAILED
    assert state.error.message == "the scenario process ended: signal 9 (SIGKILL)"
    assert "out-of-memory" in state.error.traceback
    assert node_names(state) == ["AccumulateGrad", "MulBackward0"]


def test_memory_error_fails_the_run_with_its_traceback(run):
    session = run(OPS_THEN + "    hoard = bytearray(1 << 60)\n", break_on_backward=False)
    state = finished_state(session)
    assert (state.run_state, state.error.exc_type) == (RUN_FAILED, "MemoryError")
    assert state.error.location == "scenario.py:7"
    session.rerun()
    assert finished_state(session).error.exc_type == "MemoryError"


def test_a_scenario_that_closes_its_stdout_still_prints_and_finishes(run):
    session = run(OPS_THEN + """
    os.close(1)
    print("printed after closing fd 1")
    os.write(2, b"written on fd 2\\n")
    """, break_on_backward=False)
    state = finished_state(session)
    assert state.run_state == RUN_FINISHED, state.error
    assert texts(state)[:2] == ["before", "printed after closing fd 1"]
    assert ("stderr", "written on fd 2") in [(line.stream, line.text) for line in state.output]


def test_a_forked_child_neither_corrupts_nor_joins_the_record(run):
    session = run(OPS_THEN + """
    pid = os.fork()
    if pid == 0:                  # the child: its engine work is not the run's
        z = x * 5
        print("child prints", flush=True)
        os._exit(0)
    os.waitpid(pid, 0)
    w = x * 3
    print("parent done")
    """, break_on_backward=False)
    state = finished_state(session)
    assert state.run_state == RUN_FINISHED, state.error
    assert node_names(state) == ["AccumulateGrad", "MulBackward0", "MulBackward0"]
    assert "child prints" in texts(state)            # through the pipe, not the channel
    assert texts(state)[-1] == "parent done"


def test_threads_that_record_at_once_are_all_recorded(run):
    session = run(OPS_THEN + """
    import threading
    def work():
        for _ in range(50):
            x * 2
    workers = [threading.Thread(target=work) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    """, break_on_backward=False)
    state = finished_state(session)
    assert state.run_state == RUN_FINISHED, state.error
    created = [e for e in session.log if type(e).__name__ == "NodeCreated"]
    assert [e.name for e in created].count("MulBackward0") == 1 + 4 * 50
    assert len({e.node_id for e in created}) == len(created)


def test_stop_returns_at_once_and_leaves_no_process_behind(run):
    session = run(OPS_THEN + """
    import time
    child = os.fork()
    if child == 0:
        time.sleep(600)
        os._exit(0)
    print("child", child, flush=True)
    time.sleep(600)
    """, break_on_backward=False)
    wait_for(lambda: any(text.startswith("child ") for text in texts(session.state())))
    child = int(texts(session.state())[-1].split()[1])
    runner = session.runner_pid
    started = time.monotonic()
    assert session.stop(timeout=0.5)
    assert time.monotonic() - started < 0.5
    assert session.state().run_state == RUN_STOPPED
    wait_for(lambda: gone(runner) and gone(child), timeout=5)


def test_a_paused_run_stops_at_once_too(run):
    session = run(OPS_THEN + "    y.sum().backward()\n")
    assert session.wait_until_settled(WAIT) and session.is_paused
    started = time.monotonic()
    assert session.stop(timeout=0.5)
    assert time.monotonic() - started < 0.5 and gone(session.runner_pid)


ORPHAN_PROBE = """
import os, sys, time
from graphtui.session import Session
session = Session(sys.argv[1], break_on_backward=False)
session.start()
while not session.state().output:
    time.sleep(0.02)
print(session.runner_pid, flush=True)
os.kill(os.getpid(), 9)          # the debugger dies without a word
"""


def test_the_runner_dies_with_the_debugger(write_scenario):
    path = write_scenario("import time\nprint('up', flush=True)\ntime.sleep(600)\n")
    probe = subprocess.run([sys.executable, "-c", ORPHAN_PROBE, path], capture_output=True,
                           text=True, timeout=WAIT)
    assert probe.returncode == -signal.SIGKILL, probe.stderr
    runner = int(probe.stdout.split()[0])
    wait_for(lambda: gone(runner), timeout=5)


def test_the_runner_imports_neither_textual_nor_rich(run):
    session = run("""
        import sys
        import engine
        print(sorted(m for m in sys.modules if m.split(".")[0] in ("textual", "rich")))
    """, break_on_backward=False)
    state = finished_state(session)
    assert texts(state) == ["[]"]


def test_an_unstarted_session_leaves_no_runner_behind(write_scenario):
    from graphtui.session import Session

    session = Session(write_scenario("print('never')\n"))
    runner = session.runner_pid
    assert session.stop(timeout=1.0)
    wait_for(lambda: gone(runner), timeout=5)
    assert session.state().run_state == "not started"


def test_a_corrupted_channel_ends_the_run_with_a_notice(run):
    session = run(textwrap.dedent("""
        import os
        for fd in range(3, 64):          # the channel is among them: write garbage there
            try:
                os.write(fd, b"\\xff" * 64)
            except OSError:
                pass
        import time
        time.sleep(600)
    """), break_on_backward=False)
    state = finished_state(session)
    assert any("the channel to the scenario broke" in text for text in texts(state))
    assert state.run_state in (RUN_FAILED, RUN_STOPPED)


def test_what_a_child_process_printed_shows_before_the_next_print(run):
    """A child's output reaches the debugger through the runner's pipe, a print through
    the event stream: the runner lets the debugger read the pipe first, so the lines show
    in the order they were written, whichever the debugger reads first."""
    session = run(OPS_THEN + """
    import subprocess
    for turn in range(5):
        subprocess.run([sys.executable, "-c", f"print('child {turn}')"], check=True)
        print(f"parent {turn}", flush=True)
    os.write(2, b"raw on fd 2\\n")
    print("last", file=sys.stderr)
    """, break_on_backward=False)
    state = finished_state(session)
    assert state.run_state == RUN_FINISHED, state.error
    expected = ["before"] + [f"{who} {turn}" for turn in range(5)
                             for who in ("child", "parent")] + ["raw on fd 2", "last"]
    assert texts(state) == expected
