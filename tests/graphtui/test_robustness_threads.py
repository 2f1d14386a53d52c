"""Threads a scenario starts: their engine work is recorded, the gate holds them one at a
time, the run waits for them as Python's exit would, and none can hang the debugger."""
from __future__ import annotations


from graphtui.model import RUN_FINISHED, RUN_PAUSED, RUN_STOPPED

WAIT = 60      # seconds: only a guard against hanging, never a measured time

BACKWARD_IN = """
    import threading
    import engine as torch

    x = torch.ones(3, requires_grad=True)

    def train():
        loss = (x * 2).sum()
        loss.backward()
        print("grad", x.grad.tolist())

    worker = threading.Thread(target=train, name="trainer")
    worker.start()
"""


def node_names(state) -> set[str]:
    return {node.name for node in state.nodes.values()}


def test_engine_work_in_a_thread_the_scenario_started_is_recorded(run):
    session = run(BACKWARD_IN + "    worker.join()\n", break_on_backward=False)
    assert session.wait_until_finished(WAIT)
    state = session.state()
    assert state.run_state == RUN_FINISHED, state.error
    assert {"MulBackward0", "SumBackward0"} <= node_names(state)
    x = next(t for t in state.tensors.values() if t.name == "x")
    assert x.grad.values.tolist() == [2.0, 2.0, 2.0]
    assert [line.text for line in state.output] == ["grad [2.0, 2.0, 2.0]"]


def test_the_gate_holds_a_scenario_thread_and_steps_it(run):
    session = run(BACKWARD_IN + "    worker.join()\n", break_on_backward=True)
    assert session.wait_until_settled(WAIT)
    state = session.state()
    assert state.run_state == RUN_PAUSED
    assert state.nodes[state.paused_at].name == "SumBackward0"
    session.step()
    assert session.wait_until_settled(WAIT)
    assert session.state().nodes[session.state().paused_at].name == "MulBackward0"
    session.continue_()
    assert session.wait_until_finished(WAIT)
    assert session.state().run_state == RUN_FINISHED


def test_the_run_waits_for_non_daemon_threads_as_python_does(run):
    session = run("""
        import threading, time
        import engine as torch

        def late():
            time.sleep(0.3)
            x = torch.ones(2, requires_grad=True)
            (x * 5).sum().backward()
            print("late thread done")

        threading.Thread(target=late).start()
        print("main body ends")
    """, break_on_backward=False)
    assert session.wait_until_finished(WAIT)
    state = session.state()
    assert [line.text for line in state.output] == ["main body ends", "late thread done"]
    assert "MulBackward0" in node_names(state)


def test_a_daemon_thread_left_running_is_named_and_not_recorded(run):
    session = run("""
        import threading, time
        import engine as torch

        def spin():                     # outlives the main body by about a second
            x = torch.ones(2, requires_grad=True)
            for _ in range(100):
                (x * 2).sum()
                time.sleep(0.01)

        threading.Thread(target=spin, name="spinner", daemon=True).start()
        time.sleep(0.1)
    """, break_on_backward=False)
    assert session.wait_until_finished(WAIT)
    steps = len(session.log)
    notice = session.state().output[-1]
    assert notice.stream == "graphtui" and "1 thread(s)" in notice.text
    assert "spinner" in notice.text and "unrecorded" in notice.text
    assert len(session.log) == steps


def test_stop_ends_the_wait_for_a_thread_still_running(run):
    session = run("""
        import threading, time

        def long():                     # "never ends", as far as the test waits
            for _ in range(150):
                time.sleep(0.01)

        threading.Thread(target=long).start()
        print("main body ends")
    """, break_on_backward=False)
    while not session.state().output:
        session.wait_until_finished(0.05)
    assert not session.wait_until_finished(0.3)      # waiting for the thread, as Python would
    assert session.stop(timeout=1.0) is True
    assert session.state().run_state == RUN_STOPPED


def test_a_batch_split_over_the_engines_helper_threads_does_not_hold_the_run(run):
    # 17 samples of 4x20x20 through a 3x3 conv: large enough that the kernels hand half the
    # batch to the engine's own helper thread, which lives on after the run (it used to be
    # awaited as one of the scenario's threads, so the run never finished).
    session = run("""
        import threading
        import engine as torch
        from engine.kernels import _threads
        _threads.set_num_threads(2)
        conv = torch.nn.Conv2d(4, 6, 3, padding=1)
        conv(torch.ones(17, 4, 20, 20)).sum().backward()
        print("grad", tuple(conv.weight.grad.shape))
        print("helper", any(isinstance(t, _threads.KernelHelper) for t in threading.enumerate()))
    """, break_on_backward=False)
    assert session.wait_until_finished(WAIT)
    state = session.state()
    assert state.run_state == RUN_FINISHED, state.error
    assert [line.text for line in state.output] == ["grad (6, 4, 3, 3)", "helper True"]
