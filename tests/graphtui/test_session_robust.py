"""Scenarios that misbehave: floods, sleeps, failures inside hooks, big tensors."""
from __future__ import annotations

import io

import pytest

import graphtui.channel as channel_module
import graphtui.session as session_module
from engine import trace
from graphtui.model import RUN_FAILED, RUN_FINISHED, RUN_STOPPED
from graphtui.dump import dump_session
from graphtui.model import events as ev

WAIT = 60      # seconds: only a guard against hanging, never a measured time



def test_a_flood_of_output_keeps_its_first_and_last_lines(run, monkeypatch):
    monkeypatch.setattr(channel_module, "OUTPUT_EVENTS_KEPT", 100)
    session = run("for i in range(25_000):\n    print('line', i)\nprint('done')\n")
    assert session.wait_until_finished(WAIT)
    state = session.state()
    texts = [line.text for line in state.output]
    assert texts[:50] == [f"line {i}" for i in range(50)]
    assert texts[50:] == [f"line {i}" for i in range(24_951, 25_000)] + ["done"]
    assert state.output_dropped == 24_901
    dropped = [e.count for e in session.log if isinstance(e, ev.EventsDropped)]
    assert sum(dropped) == 24_901 and len(session.log) < 200
    printed = io.StringIO()
    dump_session(session, printed)
    text = printed.getvalue()
    assert "4,901 output lines folded away" in text and "line 49\n" in text
    assert text.index("line 24999") < text.index("done") < text.index("== run finished")


def test_a_flood_written_to_the_file_descriptor_keeps_both_ends_too(run, monkeypatch):
    monkeypatch.setattr(channel_module, "OUTPUT_EVENTS_KEPT", 100)
    session = run("import os\nfor i in range(1_000):\n    os.write(1, b'fd %d\\n' % i)\n"
                  "os.write(1, b'done\\n')\n")
    assert session.wait_until_finished(WAIT)
    state = session.state()
    texts = [line.text for line in state.output]
    assert texts[0] == "fd 0" and texts[-1] == "done" and len(texts) == 100
    assert state.output_dropped == 901


def test_a_scenario_asleep_in_a_c_call_is_stopped_at_once(run):
    session = run("import time\nprint('sleeping')\ntime.sleep(30)\nprint('woke up')\n",
                  break_on_backward=False)
    while not session.state().output:
        session.wait_until_finished(0.05)
    assert session.stop(timeout=1.0) is True       # its process ends, asleep or not
    state = session.state()
    assert state.run_state == RUN_STOPPED and session.is_finished
    assert [line.text for line in state.output] == ["sleeping"]


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
    monkeypatch.setattr(session_module, "COMPACT_EVERY", 256)
    session = run("""
        import engine as torch
        x = torch.ones(3, requires_grad=True)
        for _ in range(300):
            (x * 2).sum().backward()
        print(x.grad)
    """, break_on_backward=False, max_events=1000)
    assert session.wait_until_finished(WAIT)
    # The run's last batch is applied and trimmed on the history thread after the finish is
    # announced; compacting here (what that thread does) makes the check deterministic.
    session.history.compact()
    state = session.state()
    assert state.first_step > 0 and len(session.log) - session.log.first_step <= 1000 + 250 + 256
    x = next(t for t in state.tensors.values() if t.name == "x")
    assert x.grad.values.tolist() == [600.0, 600.0, 600.0] and x.grad_changes == 300
    assert state.output[-1].text == "tensor([600., 600., 600.])"


def test_past_its_value_budget_the_recorder_keeps_no_tensor_alive(run):
    session = run("""
        import gc, tracemalloc
        import engine as torch

        # the same ops once before measuring: loading their kernels (and the recorder's
        # statistics kernel) allocates about 1 MB once, which is not a tensor kept alive
        w = torch.randn(100_000, requires_grad=True)
        ((w.exp() * 2).sum()).backward()
        del w
        gc.collect()
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
def test_os_exit_ends_the_scenario_process_and_says_so(run, source, status, output):
    session = run(source, break_on_backward=False)
    assert session.wait_until_finished(WAIT)
    state = session.state()
    assert state.run_state == RUN_FAILED
    error = state.error
    assert (error.exc_type, error.exit_code) == ("SystemExit", status)
    assert error.message == f"the scenario process ended: exit status {status}"
    assert [line.text for line in state.output] == output


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
    """Stopping ends the runner's process however busy it is printing."""
    import subprocess
    import sys

    path = write_scenario("i = 0\nwhile True:\n    print('line', i)\n    i += 1\n")
    probe = subprocess.run([sys.executable, "-c", STOP_PROBE, path, "5"],
                           capture_output=True, text=True, timeout=WAIT * 2)
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.splitlines() == ["True stopped"] * 5
    assert probe.stderr == ""
