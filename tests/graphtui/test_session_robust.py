"""Scenarios that misbehave: floods, sleeps, failures inside hooks, big tensors."""
from __future__ import annotations

import pytest

import graphtui.run as run_module
from engine import trace
from graphtui.model import RUN_FAILED, RUN_FINISHED, RUN_STOPPED
from graphtui.model import events as ev

WAIT = 60      # seconds: only a guard against hanging, never a measured time



def test_a_flood_of_output_is_capped_and_counted(run, monkeypatch):
    monkeypatch.setattr(run_module, "OUTPUT_EVENTS_KEPT", 100)
    session = run("for i in range(25_000):\n    print('line', i)\n")
    assert session.wait_until_finished(WAIT)
    state = session.state()
    assert len(state.output) == 100 and state.output[-1].text == "line 99"
    assert state.output_dropped == 24_900
    dropped = [e.count for e in session.log if isinstance(e, ev.EventsDropped)]
    assert sum(dropped) == 24_900 and len(session.log) < 200


def test_a_scenario_asleep_in_a_c_call_is_abandoned_not_waited_for(run):
    session = run("import time\nprint('sleeping')\ntime.sleep(2)\nprint('woke up')\n",
                  break_on_backward=False)
    while not session.state().output:
        session.wait_until_finished(0.05)
    assert session.stop(timeout=0.5) is False      # still asleep: abandoned
    state = session.state()
    assert state.run_state == RUN_STOPPED and session.is_finished
    assert [line.text for line in state.output] == ["sleeping"]
    session._run.thread.join(WAIT)     # its capture must not outlive the test


def test_an_exception_inside_a_hook_during_backward_fails_the_run_at_its_node(run):
    session = run("""
        import engine as torch
        x = torch.randn(2, requires_grad=True)
        y = x * 3

        def broken_hook(grad):
            raise ValueError("hook broke")

        y.register_hook(broken_hook)
        y.backward(torch.tensor([100, 0.1], dtype=torch.float))
    """, break_on_backward=False)
    assert session.wait_until_finished(WAIT)
    state = session.state()
    assert state.run_state == RUN_FAILED
    assert (state.error.exc_type, state.error.message) == ("ValueError", "hook broke")
    assert state.error.location == "scenario.py:7"
    assert 'raise ValueError("hook broke")' in state.error.traceback
    assert all(node.status != "running" for node in state.nodes.values())


def test_big_tensors_are_summarised_not_copied(run):
    session = run("""
        import engine as torch
        big = torch.ones(2_000_000, requires_grad=True)
        loss = (big * 2).sum()
        loss.backward()
    """, break_on_backward=False)
    assert session.wait_until_finished(WAIT)
    state = session.state()
    assert state.run_state == RUN_FINISHED
    big = next(t for t in state.tensors.values() if t.name == "big")
    assert big.grad.values is None and big.grad.numel == 2_000_000
    assert big.grad.max == pytest.approx(2.0)
    for event in session.log:
        for name in ("summary", "grad"):
            summary = getattr(event, name, None)
            if isinstance(summary, trace.Summary) and summary.values is not None:
                assert summary.values.size <= trace.values_cap


def test_value_budget_drops_copies_but_keeps_statistics(run):
    session = run("""
        import engine as torch
        x = torch.ones(1000, requires_grad=True)
        for _ in range(5):
            (x * 2).sum().backward()
    """, break_on_backward=False, value_budget=4000)
    assert session.wait_until_finished(WAIT)
    x = next(t for t in session.state().tensors.values() if t.name == "x")
    assert x.grad.values is None and x.grad.max == pytest.approx(10.0)
    assert x.grad_history[0].grad.values is not None or x.grad_history[0].grad.max == 2.0


def test_max_events_bounds_the_log_but_the_state_stays_whole(run, monkeypatch):
    monkeypatch.setattr(run_module, "COMPACT_EVERY", 256)
    session = run("""
        import engine as torch
        x = torch.ones(3, requires_grad=True)
        for _ in range(300):
            (x * 2).sum().backward()
        print(x.grad)
    """, break_on_backward=False, max_events=1000)
    assert session.wait_until_finished(WAIT)
    state = session.state()
    assert state.first_step > 0 and len(session.log) - session.log.first_step <= 1000 + 250 + 256
    x = next(t for t in state.tensors.values() if t.name == "x")
    assert x.grad.values.tolist() == [600.0, 600.0, 600.0] and x.grad_changes == 300
    assert state.output[-1].text == "tensor([600., 600., 600.])"


def test_past_its_value_budget_the_recorder_keeps_no_tensor_alive(run):
    session = run("""
        import gc, tracemalloc
        import engine as torch

        tracemalloc.start()
        x = torch.randn(500_000, requires_grad=True)
        baseline = tracemalloc.get_traced_memory()[0]
        z = x.exp()
        loss = (z * 2).sum()
        loss.backward()
        del z, loss
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - baseline
        tracemalloc.stop()      # tracing slows every later test in this process ~10x
        print("grown", grown)
    """, break_on_backward=False, value_budget=0)
    assert session.wait_until_finished(WAIT)
    state = session.state()
    assert state.run_state == RUN_FINISHED, state.error
    grown = int(state.output[-1].text.split()[1])
    # x.grad (2 MB) stays, as it should; z, its saved copies and 2*z (2 MB each) must not.
    assert grown < 3_000_000, grown


# os._exit would end the test process itself if the handling failed: run it in a child.
OS_EXIT_PROBE = """
import os, sys
from graphtui.session import Session
real_exit = os._exit
session = Session(sys.argv[1], break_on_backward=False)
session.start()
assert session.wait_until_finished(60)
state = session.state()
error = state.error
print("state", state.run_state)
print("error", error and (error.exc_type, error.message, error.exit_code, error.location))
print("output", [line.text for line in state.output])
print("traceback", error and error.traceback.splitlines()[-2:])
print("restored", os._exit is real_exit)
"""


@pytest.mark.parametrize("source, status, output", [
    ("import os\nprint('before')\nos._exit(3)\nprint('after')\n", 3, ["before"]),
    ("import os, threading, time\n"
     "def work():\n"
     "    os._exit(4)\n"
     "worker = threading.Thread(target=work)\n"
     "worker.start()\n"
     "worker.join()\n"
     "time.sleep(2)\n"
     "print('main body went on')\n", 4, []),
], ids=["main-thread", "scenario-thread"])
def test_os_exit_ends_the_scenario_not_the_process(write_scenario, source, status, output):
    import subprocess
    import sys

    probe = subprocess.run([sys.executable, "-c", OS_EXIT_PROBE, write_scenario(source)],
                           capture_output=True, text=True, timeout=WAIT)
    assert probe.returncode == 0, probe.stdout + probe.stderr
    lines = dict(line.split(" ", 1) for line in probe.stdout.splitlines())
    assert lines["state"] == RUN_FAILED
    assert lines["error"] == repr(("SystemExit", f"os._exit({status})", status, "scenario.py:3"))
    assert lines["output"] == repr(output)
    assert lines["traceback"] == repr([f"    os._exit({status})", f"SystemExit: {status}"])
    assert lines["restored"] == "True" and probe.stderr == ""


STOP_PROBE = """
import sys, time
from graphtui.session import Session
for attempt in range(int(sys.argv[2])):
    session = Session(sys.argv[1], break_on_backward=False)
    session.start()
    while len(session.log) < 2000:
        time.sleep(0.005)
    time.sleep(0.2)
    print(session.stop(timeout=1.0), session.state().run_state)
"""


def test_stopping_an_endless_print_loop_ends_it_every_time(write_scenario):
    """The stop is sent to the scenario's thread by id; a thread it was starting at that
    moment could take it instead (graphtui's own timers did) and the run went on."""
    import subprocess
    import sys

    path = write_scenario("i = 0\nwhile True:\n    print('line', i)\n    i += 1\n")
    probe = subprocess.run([sys.executable, "-c", STOP_PROBE, path, "20"],
                           capture_output=True, text=True, timeout=WAIT * 2)
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.splitlines() == ["True stopped"] * 20
    assert probe.stderr == ""
