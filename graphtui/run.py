"""One execution of a scenario: the worker thread, what it records, and the step gate.

The worker runs ``runpy.run_path(path, run_name="__main__")`` subscribed to
``engine.trace``; it records the events of its own thread and of the threads the scenario
starts (its capture family), captures their stdout/stderr as ``OutputWritten`` lines, names
tensors after the scenario's variables and blocks inside the ``NodeExecuting`` subscriber
call when the gate says so (one thread at a time). Whatever the scenario does ends the run,
never the process: exceptions, ``sys.exit`` and ``os._exit`` (from any of its threads) alike.

When the main body ends, the run waits, as Python's exit does, for the non-daemon threads
the scenario started (still recording them); daemon threads still running then are named in
a notice and run on unrecorded. The ``Session`` owns the runs and the commands; this module
is its engine room.
"""
from __future__ import annotations

import ctypes
import runpy
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

from engine import trace
from engine.autograd.node import Node
from graphtui import capture, gc_tuning, naming
from graphtui.budget import ValueBudget
from graphtui.model import events as ev
from graphtui.model.history import EventLog, History
from graphtui.scenario import scenario_traceback

if TYPE_CHECKING:
    from graphtui.session import Session

# Frames of the debugger (and of runpy, which starts the scenario) are not the scenario's:
# the engine leaves them out of the locations and anomaly tracebacks it records.
trace.register_host_files(str(Path(__file__).parent) + "/", runpy.__file__, "<frozen runpy>")

OUTPUT_EVENTS_KEPT = 100_000    # output lines per run; beyond, counted (EventsDropped)
COMPACT_EVERY = 65_536          # the recorder applies and trims the log at least this often
DROP_NOTE_EVERY = 10_000        # one EventsDropped per this many lines not kept
INPUT_NOTICE = ("input() is not available under graphtui: the scenario's stdin is at "
                "end-of-file (EOFError)")


def _fresh_engine_state() -> None:
    """Start the run as a fresh process would: tensors, nodes and hooks numbered from 1, and
    the engine's process-wide modes (grad, inference, anomaly, default dtype) at their
    defaults, whatever an earlier run left switched on."""
    reset = getattr(trace, "reset_ids", None)
    if reset is not None:
        reset()
    import engine
    from engine.autograd import grad_mode
    engine.quiet_numpy_warnings()       # NumPy's error state is per thread
    engine.set_grad_enabled(True)
    grad_mode.state.inference = False
    engine.set_detect_anomaly(False)
    engine.set_default_dtype(engine.float32)


def _look_like_the_main_thread() -> None:
    """Threads the scenario starts default to non-daemon, as they would under plain Python
    (they inherit the flag from this thread, a daemon so a stuck scenario never holds the
    process open). Only the flag changes: the interpreter decided at start not to wait."""
    if hasattr(threading.current_thread(), "_daemonic"):
        threading.current_thread()._daemonic = False


def _node_running_in(tb) -> int | None:
    """The id of the innermost backward node the engine was running (or about to run: its
    hooks) where the traceback passes, read from the executor's frames; None outside one."""
    node_id = None
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_globals.get("__name__", "").startswith("engine.autograd"):
            node = frame.f_locals.get("node")
            if isinstance(node, Node) and getattr(node, "_id", None) is not None:
                node_id = node._id
        tb = tb.tb_next
    return node_id


def raise_in_thread(thread: threading.Thread, exception: type[BaseException]) -> bool:
    """Make ``exception`` (a class) raise in ``thread`` at its next Python instruction.
    False when it was not sent: a thread being started shares its parent's id for a
    moment, and the exception must not reach both (the C API's advice: take it back)."""
    ident = ctypes.c_ulong(thread.ident)
    reached = ctypes.pythonapi.PyThreadState_SetAsyncExc(ident, ctypes.py_object(exception))
    if reached > 1:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ident, None)
    return reached == 1


def _describe_tensor(tensor_id: int, name: str, tensor) -> trace.TensorCreated:
    grad_fn = getattr(tensor, "grad_fn", None)
    data = getattr(tensor, "_data", None)
    dtype = data.dtype.name if data is not None else str(tensor.dtype).removeprefix("torch.")
    return trace.TensorCreated(
        tensor_id, name, tuple(tensor.shape), dtype,
        bool(tensor.requires_grad), bool(tensor.is_leaf), getattr(grad_fn, "_id", None),
        trace.summarize(tensor))


class StopRun(BaseException):
    """Raised inside the worker to end a run the user stopped or restarted. A BaseException,
    so neither the engine's nor the scenario's ``except Exception`` swallows it."""


class ScenarioExited(SystemExit):
    """``os._exit(status)`` in the scenario: ends the run as ``sys.exit(status)`` would.
    Raised in the scenario's main thread, or sent to it (as a class: the status and where
    os._exit was called wait on the run) when a thread it started called os._exit."""


class ScenarioRun:
    """One execution of the scenario: its thread, log, history and gate state."""

    def __init__(self, session: "Session", number: int):
        self.session = session
        self.number = number
        self.log = EventLog()
        self.history = History(self.log, max_events=session.max_events)
        self.budget = ValueBudget(session.value_budget)
        # Trim often enough that the log never holds much more than max_events.
        self.compact_every = max(256, min(COMPACT_EVERY, session.max_events // 4))
        self.thread = threading.Thread(target=self._main, name=f"graphtui-scenario-{number}",
                                       daemon=True)
        self.done = threading.Event()
        self.family = capture.Family(self._on_output, self._on_input, self._on_os_exit)
        self.gate_lock = threading.Lock()     # one scenario thread at a time in the gate
        self.exit_lock = threading.Lock()     # one os._exit is the one that ends the run
        self.os_exit: tuple[int, traceback.StackSummary] | None = None   # status, caller
        self.paused = False
        self.finished = False
        self.aborting = False
        self.cleaning_up = False
        self.abandoned = False
        self.release: str | None = None
        self.stop_at_next = False
        self.stop_unit = "node"               # what a step stops at: "node" or "op"
        self.pause_requested = False
        self.first_node_of_pass = False
        self.hook_keys: dict[int, tuple] = {}
        self.hook_key_counts: dict[tuple, int] = {}
        self.muted_ids: set[int] = set()
        self.names: dict[int, str] = {}       # tensor id -> name, as recorded
        self.announced: set[int] = set()      # tensor ids a TensorCreated was recorded for
        self.output_kept = 0
        self.output_dropped = 0
        self.last_named_line: tuple | None = None

    # ------------------------------------------------------------ thread body

    def _main(self) -> None:
        with gc_tuning.recording():
            self._record_and_clean_up()

    def _record_and_clean_up(self) -> None:
        saved_argv, saved_path = sys.argv, list(sys.path)
        try:
            finish = self._execute()
        except ScenarioExited as error:    # the one os._exit sent here landed after the body
            finish = self._exit_event(error)
        except StopRun:                    # a stop sent twice landed after the first
            finish = ev.RunFinished("stopped")
        for _attempt in range(3):          # ... or during the clean-up: finish it
            try:
                self._clean_up(finish, saved_argv, saved_path)
                return
            except (ScenarioExited, StopRun):
                pass

    def _execute(self) -> ev.RunFinished:
        """Run the scenario; how it ended."""
        session = self.session
        self.record(ev.RunStarted(str(session.path), (str(session.path), *session.argv),
                                  self.number))
        try:
            capture.capture_thread(self.family)
            _look_like_the_main_thread()
            _fresh_engine_state()
            trace.subscribe(self._on_event)
            sys.argv = [str(session.path), *session.argv]
            sys.path.insert(0, str(session.scenario.parent))
            globals_after = runpy.run_path(str(session.scenario), run_name="__main__")
            self._name_from(naming.names_in_namespace(globals_after))
            del globals_after
            self._wait_for_scenario_threads()
            return ev.RunFinished("finished")
        except StopRun:
            return ev.RunFinished("stopped")
        except SystemExit as error:
            return self._exit_event(error)
        except BaseException as error:          # the scenario's failure is the show
            return self._failure_event(error)
        finally:
            self.cleaning_up = True

    def _clean_up(self, finish: ev.RunFinished, saved_argv: list, saved_path: list) -> None:
        """Undo what the run changed in the process and announce its end. Safe to repeat."""
        self.cleaning_up = True
        trace.unsubscribe(self._on_event)
        self._note_threads_left_running()
        if not self.abandoned:
            sys.argv = saved_argv
            sys.path[:] = saved_path
        capture.release_thread(silence=self.abandoned)
        self._drop_note()
        self._forget_mutes()
        self._finish(finish)

    def _wait_for_scenario_threads(self) -> None:
        """As Python does before it exits: wait for the non-daemon threads the scenario
        started (they may start more while we wait). Stopping the run ends the wait."""
        awaited = self.family.awaited
        index = 0
        while index < len(awaited):
            while awaited[index].is_alive():
                awaited[index].join(0.05)
                if self.aborting:
                    raise StopRun
            index += 1

    def _note_threads_left_running(self) -> None:
        left = [t for t in self.family.running_threads() if t is not threading.current_thread()]
        if left and not self.abandoned and not self.finished:
            names = ", ".join(t.name for t in left[:3]) + (", ..." if len(left) > 3 else "")
            self.log.append(ev.OutputWritten(
                "graphtui", f"graphtui: the run ended with {len(left)} thread(s) of the "
                            f"scenario still running ({names}); they go on unrecorded"))

    def _finish(self, event: ev.RunFinished) -> None:
        if self.finished and not self.abandoned:
            return
        if not self.abandoned:
            self.log.append(event)
        with self.session._cond:
            self.finished, self.paused = True, False
            self.session._cond.notify_all()
        self.done.set()
        self.session._notify(force=True)

    def _exit_event(self, error: SystemExit) -> ev.RunFinished:
        stack = None
        if isinstance(error, ScenarioExited) and self.os_exit is not None:
            (code, stack), message = self.os_exit, f"os._exit({self.os_exit[0]})"
            error = SystemExit(code)
        else:
            code, message = error.code, str(error.code or 0)
        if code is None or code == 0:
            return ev.RunFinished("finished", "SystemExit", message, exit_code=code or 0)
        text, location = scenario_traceback(error, self.session.scenario, stack)
        return ev.RunFinished("failed", "SystemExit", message, text, code, location)

    def _on_os_exit(self, status: int) -> None:
        """``os._exit`` called by the scenario or one of its threads: end the run with that
        status, as ``sys.exit`` would, instead of ending the debugger's process."""
        with self.exit_lock:
            first = self.os_exit is None and not self.cleaning_up
            if first:
                self.os_exit = (status, traceback.extract_stack(sys._getframe(1)))
        if threading.get_ident() == self.thread.ident:
            raise ScenarioExited(status)
        if first:           # only the first is sent: _main is ready for one, late or not
            while not raise_in_thread(self.thread, ScenarioExited) and self.thread.is_alive():
                time.sleep(0.001)
        raise SystemExit(status)        # ends this thread quietly, as sys.exit would

    def _failure_event(self, error: BaseException) -> ev.RunFinished:
        text, location = scenario_traceback(error, self.session.scenario)
        tb = error.__traceback__
        while tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
        if tb is not None:
            self._name_from(naming.names_in_frames(
                naming.scenario_frames(self.session.scenario, tb.tb_frame)))
        return ev.RunFinished("failed", type(error).__name__, str(error), text, None, location,
                              _node_running_in(error.__traceback__))

    def abandon(self) -> None:
        """The thread would not stop (stuck in a C call): forget it, silence its output."""
        self.abandoned = True
        capture.silence_thread(self.thread.ident)
        trace.unsubscribe(self._on_event)
        self._forget_mutes()
        with self.session._cond:
            self.finished, self.paused = True, False
            self.session._cond.notify_all()
        self.log.append(ev.RunFinished("stopped"))
        self.done.set()

    def _forget_mutes(self) -> None:
        # Ids restart with every run: a stale mute would silence the next run's hook.
        for hook_id in self.muted_ids:
            trace.muted_hooks.discard(hook_id)

    # ------------------------------------------------------------ recording

    def record(self, event) -> None:
        step = self.log.append(event)
        if step % self.compact_every == self.compact_every - 1:
            self.history.compact()
        self.session._notify(force=isinstance(event, _ANNOUNCED))

    def _on_event(self, event) -> None:
        """The trace subscriber: runs on the engine's thread, inside the engine's call."""
        if self.abandoned or self.cleaning_up or not self._is_scenario_thread():
            return
        if self.aborting:
            if isinstance(event, _SAFE_TO_STOP):
                raise StopRun
            return
        try:
            capture.ensure_installed()
            self.record(self.budget.admit(event))
            self._react(event)
        except StopRun:
            raise
        except Exception as error:   # a recorder bug must not become the scenario's error
            self._on_output("graphtui", f"graphtui: recorder error: {error!r}")

    def _is_scenario_thread(self) -> bool:
        return (threading.get_ident() == self.thread.ident
                or capture.family_of_this_thread() is self.family)

    def _react(self, event) -> None:
        kind = type(event)
        if kind is trace.TensorCreated:
            self.announced.add(event.tensor_id)
            if event.name:
                self.names.setdefault(event.tensor_id, event.name)
        elif kind is trace.TensorNamed:
            self.names.setdefault(event.tensor_id, event.name)
        elif kind is trace.HookRegistered:
            self._remember_hook(event)
        elif kind is trace.BackwardStarted:
            self._name_visible_tensors()
            self.first_node_of_pass = True
        elif kind is trace.NodeCreated:
            self._name_if_new_statement()
            if self.pause_requested or (self.stop_at_next and self.stop_unit == "op"):
                self._hold("op", event.node_id, "pause" if self.pause_requested else "step")
        elif kind is trace.NodeExecuting:
            self._gate_node(event.node_id)

    def _gate_node(self, node_id: int) -> None:
        first, self.first_node_of_pass = self.first_node_of_pass, False
        if first and self.session.break_on_backward:
            self._hold("node", node_id, "break")
        elif self.stop_at_next:
            self._hold("node", node_id, "step")
        elif self.pause_requested:
            self._hold("node", node_id, "pause")

    def _hold(self, where: str, node_id: int | None, reason: str) -> None:
        """Block the scenario until the user steps, continues or stops. Scenario threads
        pause one at a time: another that reaches the gate meanwhile waits its turn."""
        with self.gate_lock:
            self._name_visible_tensors()
            cond = self.session._cond
            with cond:
                if self.aborting:
                    raise StopRun
                self.paused, self.stop_at_next, self.pause_requested = True, False, False
                self.release = None
                self.log.append(ev.Paused(where, node_id, reason))
                cond.notify_all()
            # The user waits for this stop: apply the model here, while this thread would
            # only wait, so the screen gets the paused state at once instead of catching up
            # a whole forward pass chunk by chunk (seconds on a 10,000-op graph).
            self.history.compact()
            self.session._notify(force=True)
            with cond:
                while self.release is None and not self.aborting and not self.finished:
                    cond.wait()
                how, self.release, self.paused = self.release, None, False
                if self.aborting:
                    raise StopRun
                if how is None:      # the main body ended meanwhile: let this thread go
                    return
                self.stop_at_next, self.stop_unit = how == "step", where
            self.record(ev.Resumed(how))

    # ------------------------------------------------------------ hooks

    def _remember_hook(self, event: trace.HookRegistered) -> None:
        """Key hooks by what they are, not their id (ids change between runs), so a hook
        muted in one run is muted again when the re-run registers it."""
        target = event.target if ":" not in event.target else event.target.split(":")[0]
        base = (event.kind, target, event.callable_name)
        count = self.hook_key_counts.get(base, 0)
        self.hook_key_counts[base] = count + 1
        key = (*base, count)
        self.hook_keys[event.hook_id] = key
        if key in self.session._muted_keys:
            trace.muted_hooks.add(event.hook_id)
            self.muted_ids.add(event.hook_id)
            self.log.append(ev.HookMuteChanged(event.hook_id, True))

    # ------------------------------------------------------------ names

    def _name_if_new_statement(self) -> None:
        # The result of the previous statement is assigned by now; scan once per line.
        frame = naming.innermost_scenario_frame(self.session.scenario, sys._getframe())
        if frame is not None:
            where = (id(frame.f_code), frame.f_lineno)
            if where != self.last_named_line:
                self.last_named_line = where
                self._name_from(naming.names_in_frames(
                    naming.scenario_frames(self.session.scenario, frame)))

    def _name_visible_tensors(self) -> None:
        frames = naming.scenario_frames(self.session.scenario, sys._getframe())
        self._name_from(naming.names_in_frames(frames))

    def _name_from(self, names) -> None:
        for tensor_id, name, tensor in names:
            if tensor_id not in self.announced:
                # The engine gave it an id but never described it (a parameter, say).
                self.announced.add(tensor_id)
                name = self.names.setdefault(tensor_id, name)
                self.log.append(self.budget.admit(_describe_tensor(tensor_id, name, tensor)))
            elif tensor_id not in self.names:
                self.names[tensor_id] = name
                self.log.append(trace.TensorNamed(tensor_id, name))

    # ------------------------------------------------------------ output

    def _on_output(self, stream: str, text: str) -> None:
        if self.finished:          # a thread the scenario left running, after the end
            return
        if self.output_kept >= OUTPUT_EVENTS_KEPT:
            self.output_dropped += 1
            if self.output_dropped % DROP_NOTE_EVERY == 0:
                self.log.append(ev.EventsDropped("output", DROP_NOTE_EVERY))
            return
        self.output_kept += 1
        self.record(ev.OutputWritten(stream, text))

    def _drop_note(self) -> None:
        leftover = self.output_dropped % DROP_NOTE_EVERY
        if leftover:
            self.log.append(ev.EventsDropped("output", leftover))
            self.output_dropped -= leftover        # noted once, should clean-up repeat

    def _on_input(self) -> None:
        self._on_output("graphtui", INPUT_NOTICE)


# Events announcing that something is about to happen: raising there leaves the engine as
# consistent as an exception from the scenario would. Events from cleanup paths (finished,
# freed, executed) are never interrupted.
_SAFE_TO_STOP = (trace.TensorCreated, trace.NodeCreated, trace.NodeExecuting,
                 trace.BackwardStarted, trace.HookRegistered, trace.ModuleForward)

_ANNOUNCED = (ev.RunStarted, ev.RunFinished, ev.Paused, ev.Resumed, trace.BackwardStarted,
              trace.BackwardFinished, trace.ErrorRaised)
