"""graphtui.session on tiny scenario files. These scenarios speak the engine's event contract
directly (engine.trace.emit), so they test the recorder, gate and capture independently of
the engine; test_session_engine.py runs the real engine."""
from __future__ import annotations

import sys
import threading

import pytest

from engine import trace
from graphtui.model import DONE, FREED, NEXT, RUN_FAILED, RUN_FINISHED, RUN_PAUSED, RUN_STOPPED
from graphtui.model import events as ev
from graphtui.scenario import ScenarioError
from graphtui.session import INPUT_NOTICE, Session

WAIT = 30      # seconds: only a guard against hanging, never a measured time

MUL_BACKWARD = """
    import numpy as np
    from engine import trace

    def s(values):
        return trace.summarize(np.asarray(values, dtype="float32"))

    trace.emit(trace.TensorCreated(901, None, (2,), "float32", True, True, None, s([1, 2])))
    trace.emit(trace.TensorNamed(901, "x"))
    trace.emit(trace.NodeCreated(901, "AccumulateGrad", 0, (), (901,), (), None, None))
    trace.emit(trace.NodeCreated(902, "MulBackward0", 1, ((901, 0), (None, 0)), (902,),
               (trace.SavedInfo("other", (), "float32", 4),), None, None))
    print("forward done")
    trace.emit(trace.BackwardStarted(1, "backward", ((902, 902),), False, False))
    trace.emit(trace.NodeExecuting(902, "MulBackward0", (s([100, 0.1]),)))
    trace.emit(trace.NodeExecuted(902, "MulBackward0", (s([300, 0.3]), None)))
    trace.emit(trace.BufferFreed(902, ("other",), 4))
    trace.emit(trace.NodeExecuting(901, "AccumulateGrad", (s([300, 0.3]),)))
    trace.emit(trace.GradAccumulated(901, s([300, 0.3]), False))
    trace.emit(trace.NodeExecuted(901, "AccumulateGrad", ()))
    trace.emit(trace.BackwardFinished(1, True))
    print("backward done")
"""


@pytest.fixture
def sessions():
    """Sessions made by a test; stopped afterwards so no worker outlives it."""
    made: list[Session] = []

    def make(*args, **kwargs) -> Session:
        session = Session(*args, **kwargs)
        made.append(session)
        return session
    yield make
    for session in made:
        session.stop()


def settled(session: Session):
    assert session.wait_until_settled(WAIT)
    return session.state()


def finished(session: Session):
    assert session.wait_until_finished(WAIT)
    return session.state()


def x_grad(state):
    grad = state.tensors[901].grad
    return None if grad is None else grad.values.tolist()


def test_break_on_backward_pauses_before_the_first_node_and_steps_one_node_at_a_time(
        write_scenario, sessions):
    session = sessions(write_scenario(MUL_BACKWARD))
    session.start()
    state = settled(session)
    assert state.run_state == RUN_PAUSED and state.paused_at == 902
    assert state.nodes[902].status == NEXT and x_grad(state) is None
    assert [line.text for line in state.output] == ["forward done"]

    session.step()
    state = settled(session)
    assert state.paused_at == 901 and state.nodes[902].status == FREED
    assert x_grad(state) is None

    session.step()
    state = finished(session)
    assert state.run_state == RUN_FINISHED and state.nodes[901].status == DONE
    assert x_grad(state) == pytest.approx([300, 0.3])
    assert [line.text for line in state.output] == ["forward done", "backward done"]


def test_time_travel_through_a_recorded_run(write_scenario, sessions):
    session = sessions(write_scenario(MUL_BACKWARD), break_on_backward=False)
    session.start()
    final = finished(session)
    grad_step = next(i for i, e in enumerate(session.log) if isinstance(e, trace.GradAccumulated))
    assert x_grad(session.state_at(grad_step)) is None
    assert x_grad(session.state_at(grad_step + 1)) == pytest.approx([300, 0.3])
    assert x_grad(final) == pytest.approx([300, 0.3])


def test_break_never_runs_straight_through(write_scenario, sessions):
    session = sessions(write_scenario(MUL_BACKWARD), break_on_backward=False)
    session.start()
    state = finished(session)
    assert not any(isinstance(e, ev.Paused) for e in session.log)
    assert state.run_state == RUN_FINISHED


def test_toggle_break_and_continue(write_scenario, sessions):
    session = sessions(write_scenario(MUL_BACKWARD))
    assert session.toggle_break() is False and session.toggle_break() is True
    session.start()
    settled(session)
    session.continue_()
    assert finished(session).run_state == RUN_FINISHED


def test_output_of_both_streams_is_captured_and_other_threads_pass_through(
        write_scenario, sessions, capsys):
    session = sessions(write_scenario("""
        import sys
        print("to stdout")
        print("to stderr", file=sys.stderr)
        sys.stdout.write("no newline at the end")
    """))
    session.start()
    print("from the test thread")
    state = finished(session)
    assert [(line.stream, line.text) for line in state.output] == [
        ("stdout", "to stdout"), ("stderr", "to stderr"), ("stdout", "no newline at the end")]
    assert "from the test thread" in capsys.readouterr().out
    assert not type(sys.stdout).__name__ == "_RoutedStream"


def test_scenario_sees_its_own_argv(write_scenario, sessions):
    path = write_scenario("import sys\nprint(sys.argv)\n")
    session = sessions(path, ["--lr", "0.1"])
    session.start()
    state = finished(session)
    assert state.output[0].text == repr([str(path), "--lr", "0.1"])
    assert sys.argv[0] != str(path)


def test_an_exception_fails_the_run_with_the_scenarios_own_traceback(write_scenario, sessions):
    path = write_scenario("""
        print("before")

        def explode():
            raise RuntimeError("element 0 of tensors does not require grad")

        explode()
    """)
    session = sessions(path)
    session.start()
    state = finished(session)
    assert state.run_state == RUN_FAILED
    error = state.error
    assert error.exc_type == "RuntimeError"
    assert error.message == "element 0 of tensors does not require grad"
    assert error.location == "scenario.py:5"
    lines = error.traceback.splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert lines[1].startswith(f'  File "{path}", line 7')
    assert "runpy" not in error.traceback and "graphtui" not in error.traceback
    assert lines[-1] == "RuntimeError: element 0 of tensors does not require grad"
    assert state.output[0].text == "before"


@pytest.mark.parametrize("ending, status, exc_type, code", [
    ("raise SystemExit(3)", RUN_FAILED, "SystemExit", 3),
    ("import sys; sys.exit('bad input')", RUN_FAILED, "SystemExit", "bad input"),
    ("import sys; sys.exit()", RUN_FINISHED, None, None),
    ("raise KeyboardInterrupt", RUN_FAILED, "KeyboardInterrupt", None),
])
def test_exits_and_interrupts_end_the_run_not_the_process(write_scenario, sessions, ending,
                                                          status, exc_type, code):
    session = sessions(write_scenario(ending + "\n"))
    session.start()
    state = finished(session)
    assert state.run_state == status
    if exc_type:
        assert (state.error.exc_type, state.error.exit_code) == (exc_type, code)
    assert threading.main_thread().is_alive()


def test_input_gets_end_of_file_with_a_notice(write_scenario, sessions):
    session = sessions(write_scenario("""
        try:
            input("your name? ")
        except EOFError:
            print("got EOF")
    """))
    session.start()
    state = finished(session)
    texts = [line.text for line in state.output]
    assert INPUT_NOTICE in texts
    assert texts[-1].endswith("got EOF")
    assert state.run_state == RUN_FINISHED


def test_stop_ends_a_loop_that_records_nothing(write_scenario, sessions):
    session = sessions(write_scenario("""
        print("looping")
        while True:
            pass
    """))
    session.start()
    assert session.stop(timeout=WAIT)
    assert session.state().run_state == RUN_STOPPED


def test_pause_holds_a_running_forward_after_its_next_op(write_scenario, sessions):
    session = sessions(write_scenario("""
        from engine import trace
        node = 5000
        while True:
            node += 1
            trace.emit(trace.NodeCreated(node, "ExpBackward0", node, (), (), (), None, None))
    """))
    session.start()
    session.pause()
    state = settled(session)
    assert state.run_state == RUN_PAUSED and state.paused_where == "op"
    assert state.nodes[state.paused_at].name == "ExpBackward0"
    session.stop(timeout=WAIT)
    assert session.state().run_state == RUN_STOPPED


HOOKED = """
    import numpy as np
    from engine import trace

    import sys         # ids may differ between runs: mutes must follow the hook, not its id
    hook_id = 10_000 + int(sys.argv[1] if len(sys.argv) > 1 else 1)
    trace.emit(trace.HookRegistered(hook_id, "forward", "conv1", "print_shapes"))
    trace.emit(trace.NodeCreated(hook_id, "MulBackward0", 0, (), (), (), None, None))
    trace.emit(trace.BackwardStarted(1, "backward", ((hook_id, None),), False, False))
    trace.emit(trace.NodeExecuting(hook_id, "MulBackward0", ()))
    trace.emit(trace.HookFired(hook_id, "forward", "conv1", (), muted=trace.is_muted(hook_id)))
"""


class NumberedRuns:
    """Gives HOOKED a different hook id in each run, as the argument of the scenario."""

    def __init__(self, session):
        self.session, self.number = session, 1

    def rerun(self):
        self.number += 1
        self.session.argv = (str(self.number),)
        self.session.rerun()


def test_rerun_starts_again_and_keeps_mutes(write_scenario, sessions):
    session = sessions(write_scenario(HOOKED))
    session.start()
    first = settled(session)
    (first_hook,) = first.hooks
    session.mute(first_hook)
    assert session.state().hooks[first_hook].muted
    assert session.muted_hooks == {first_hook}

    NumberedRuns(session).rerun()
    state = settled(session)
    (second_hook,) = state.hooks
    assert second_hook != first_hook and state.run_number == 2
    assert state.hooks[second_hook].muted
    assert session.muted_hooks == {second_hook}
    session.continue_()
    state = finished(session)
    assert state.hooks[second_hook].times_muted == 1
    assert state.hooks[second_hook].times_fired == 0


def test_unmute_lets_the_hook_fire(write_scenario, sessions):
    session = sessions(write_scenario(HOOKED))
    session.start()
    (hook,) = settled(session).hooks
    assert session.toggle_mute(hook) is True
    assert session.toggle_mute(hook) is False
    session.continue_()
    state = finished(session)
    assert (state.hooks[hook].times_fired, state.hooks[hook].times_muted) == (1, 0)


def test_listeners_hear_of_pauses_and_the_end(write_scenario, sessions):
    session = sessions(write_scenario(MUL_BACKWARD))
    heard = threading.Event()
    session.add_listener(heard.set)
    session.start()
    settled(session)
    # The pause is announced after the history has taken in the last events, which can
    # be a moment after wait_until_settled returns.
    assert heard.wait(WAIT)
    heard.clear()
    session.continue_()
    finished(session)
    assert heard.wait(WAIT)


def test_state_before_start_is_empty_and_start_still_runs(write_scenario, sessions):
    session = sessions(write_scenario("print('ran')\n"))
    assert session.state().run_state == "not started"
    assert not session.is_finished
    session.start()
    state = finished(session)
    assert state.run_state == RUN_FINISHED and state.output[0].text == "ran"


def test_unusable_files_are_refused_before_running(tmp_path):
    with pytest.raises(ScenarioError, match="no such file"):
        Session(tmp_path / "missing.py")


def test_binary_writes_and_flushes_are_captured_too(write_scenario, sessions):
    session = sessions(write_scenario("""
        import sys
        sys.stdout.buffer.write("bytes ✓\\n".encode())
        print("flushed", flush=True)
        sys.stderr.writelines(["a", "b\\n"])
        print(sys.stdout.isatty(), sys.stdin.buffer.readline())
    """))
    session.start()
    state = finished(session)
    texts = [(line.stream, line.text) for line in state.output]
    assert texts[:3] == [("stdout", "bytes ✓"), ("stdout", "flushed"), ("stderr", "ab")]
    assert texts[-1] == ("stdout", "False b''")


def test_a_mute_made_after_the_run_ended_does_not_leak_into_the_next_run_by_id(
        write_scenario, sessions):
    session = sessions(write_scenario(HOOKED), break_on_backward=False)
    session.start()
    (hook,) = finished(session).hooks
    session.mute(hook)
    assert session.muted_hooks == {hook}
    NumberedRuns(session).rerun()
    state = finished(session)
    (new_hook,) = state.hooks
    assert new_hook != hook and session.muted_hooks == {new_hook}
    assert state.hooks[new_hook].muted and state.hooks[new_hook].times_muted == 1


def test_threads_the_scenario_starts_are_captured_too(write_scenario, sessions, capsys):
    session = sessions(write_scenario("""
        import threading
        worker = threading.Thread(target=lambda: print("from the scenario's thread"))
        worker.start()
        worker.join()
        print("joined")
    """))
    session.start()
    other = threading.Thread(target=lambda: print("from the test's thread"))
    other.start()
    other.join()
    state = finished(session)
    assert [line.text for line in state.output] == ["from the scenario's thread", "joined"]
    assert "from the test's thread" in capsys.readouterr().out
    assert threading.Thread.start.__name__ == "start"


def test_the_applier_rests_only_for_a_ui_and_longest_while_the_user_acts(
        write_scenario, sessions, monkeypatch):
    from graphtui import session as session_module

    session = sessions(write_scenario(MUL_BACKWARD))
    assert session.rest_share() == 0.0              # nobody watching: apply at full speed
    session.add_listener(lambda: None)
    assert session.rest_share() == session_module.IDLE_REST_SHARE
    session.user_active()
    assert session.rest_share() == session_module.REST_SHARE
    clock = session_module.time.monotonic() + session_module.ACTIVE_WINDOW + 0.01
    monkeypatch.setattr(session_module.time, "monotonic", lambda: clock)
    assert session.rest_share() == session_module.IDLE_REST_SHARE
    assert session_module.IDLE_REST_SHARE < session_module.REST_SHARE
