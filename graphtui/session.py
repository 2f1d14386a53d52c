"""A scenario run under the recorder: the event log, the step gate, mutes, re-runs.

    session = Session("scenarios/seed_04.py", break_on_backward=True)
    session.add_listener(lambda: app.post_message(...))   # called from any thread
    session.start()            # call once the UI runs (Textual swaps sys.stdout while it runs)
    session.state()            # the live State;  session.state_at(k): time travel
    session.step(); session.continue_(); session.pause(); session.rerun(); session.stop()

The scenario runs with ``runpy.run_path(path, run_name="__main__")`` on a worker thread.
The session subscribes to ``engine.trace`` and records only events from that thread;
writes of that thread to stdout/stderr become ``OutputWritten`` events
(``graphtui.capture``). The step gate blocks the worker inside the ``NodeExecuting``
subscriber call, before the node runs. Nothing the scenario does (exceptions, SystemExit,
KeyboardInterrupt, input()) escapes the worker: the run ends as "failed" with the scenario's
own traceback. No Textual imports here.
"""
from __future__ import annotations

import ctypes
import os
import runpy
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from engine import trace
from graphtui import capture, naming
from graphtui.budget import DEFAULT_VALUE_BUDGET, ValueBudget
from graphtui.model import events as ev
from graphtui.model.history import DEFAULT_MAX_EVENTS, EventLog, History
from graphtui.model.state import State
from graphtui.scenario import check_scenario, scenario_traceback

Listener = Callable[[], None]

NOTIFY_INTERVAL = 1 / 30        # listeners hear of ordinary events at most this often
OUTPUT_EVENTS_KEPT = 100_000    # output lines per run; beyond, counted (EventsDropped)
COMPACT_EVERY = 65_536          # the recorder applies and trims the log this often
INPUT_NOTICE = ("input() is not available under graphtui: the scenario's stdin is at "
                "end-of-file (EOFError)")


class _StopRun(BaseException):
    """Raised inside the worker to end a run the user stopped or restarted. A BaseException,
    so neither the engine's nor the scenario's ``except Exception`` swallows it."""


class Session:
    """One scenario and its runs. Commands may be called from any thread."""

    def __init__(self, path: str | os.PathLike, argv: Sequence[str] = (),
                 break_on_backward: bool = True, value_budget: int = DEFAULT_VALUE_BUDGET,
                 max_events: int = DEFAULT_MAX_EVENTS):
        """``value_budget``: bytes of tensor values the history may copy (then statistics
        only); ``max_events``: events kept for time travel (older ones are folded into a
        checkpoint). Raises ``ScenarioError`` for a file that cannot be run."""
        self.path = Path(path)
        self.value_budget = value_budget
        self.max_events = max_events
        self.argv = tuple(argv)
        self.scenario = check_scenario(path)      # ScenarioError for an unusable file
        self._break_on_backward = break_on_backward
        self._listeners: list[Listener] = []
        self._cond = threading.Condition()
        self._muted_keys: set[tuple] = set()
        self._run: _Run | None = None
        self._run_number = 0
        self._last_notify = 0.0
        self._late_notify_pending = False

    # ------------------------------------------------------------ state

    @property
    def log(self) -> EventLog:
        """The current run's events (a fresh log per run)."""
        return self._current().log

    @property
    def history(self) -> History:
        return self._current().history

    def state(self) -> State:
        """The live state: every event recorded so far."""
        return self._current().history.latest()

    def state_at(self, step: int) -> State:
        """The state after the first ``step`` events of the current run."""
        return self._current().history.state_at(step)

    @property
    def break_on_backward(self) -> bool:
        return self._break_on_backward

    @property
    def is_paused(self) -> bool:
        run = self._run
        return run is not None and run.paused

    @property
    def is_finished(self) -> bool:
        """The current run ended (finished, failed or stopped)."""
        run = self._run
        return run is not None and run.finished

    @property
    def muted_hooks(self) -> frozenset[int]:
        """Hook ids of the current run that are muted."""
        run = self._run
        return frozenset(run.muted_ids) if run else frozenset()

    # ------------------------------------------------------------ listeners

    def add_listener(self, listener: Listener) -> None:
        """``listener()`` is called, from whichever thread changed things, when the state
        changed: at once for run start/end, pauses and mutes, at most every
        ``NOTIFY_INTERVAL`` for the rest. Keep it cheap (post a message)."""
        self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    # ------------------------------------------------------------ commands

    def start(self) -> None:
        """Start the first run (no-op when one was started already)."""
        with self._cond:
            if self._run is None:
                self._start_run()

    def step(self) -> None:
        """Run the next backward node and pause before the one after. While the run goes,
        the same as ``pause()``."""
        with self._cond:
            run = self._run
            if run is None or run.finished:
                return
            if run.paused:
                run.release, run.paused = "step", False
            else:
                run.stop_at_next = True
            self._cond.notify_all()

    def continue_(self) -> None:
        """Run to the next break (start of the next backward, if breaking) or to the end."""
        with self._cond:
            run = self._run
            if run is None or run.finished:
                return
            run.stop_at_next = run.pause_requested = False
            if run.paused:
                run.release, run.paused = "continue", False
            self._cond.notify_all()

    def pause(self) -> None:
        """Pause before the next backward node, or after the next op the forward records."""
        with self._cond:
            run = self._run
            if run is not None and not run.finished and not run.paused:
                run.pause_requested = True

    def toggle_break(self) -> bool:
        """Flip breaking at the start of each backward pass; returns the new setting."""
        self._break_on_backward = not self._break_on_backward
        self._notify(force=True)
        return self._break_on_backward

    def mute(self, hook_id: int) -> None:
        """Mute a hook: it stays registered, the engine skips it (logged as muted). The mute
        is kept for the same hook in later runs."""
        self._set_muted(hook_id, True)

    def unmute(self, hook_id: int) -> None:
        self._set_muted(hook_id, False)

    def toggle_mute(self, hook_id: int) -> bool:
        """Returns whether the hook is muted now."""
        muted = hook_id not in self.muted_hooks
        self._set_muted(hook_id, muted)
        return muted

    def rerun(self) -> None:
        """Stop the current run and start the scenario again from the start (mutes kept)."""
        with self._cond:
            old = self._run
        if old is not None:
            self._abort(old)
        with self._cond:
            self._start_run()

    def stop(self, timeout: float = 1.0) -> bool:
        """End the current run; True when its thread is gone within ``timeout`` seconds."""
        run = self._run
        if run is None:
            return True
        return self._abort(run, timeout)

    def wait_until_settled(self, timeout: float | None = None) -> bool:
        """Block until the run is paused or has ended (for headless mode and tests)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while True:
                run = self._run
                if run is not None and (run.paused or run.finished):
                    return True
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._cond.wait(remaining)

    def wait_until_finished(self, timeout: float | None = None) -> bool:
        run = self._run
        return run is not None and run.done.wait(timeout)

    # ------------------------------------------------------------ internals

    def _current(self) -> "_Run":
        if self._run is None:
            self._run = _Run(self, 0)     # an empty log until start(): states are empty
        return self._run

    def _start_run(self) -> None:
        self._run_number += 1
        run = _Run(self, self._run_number)
        self._run = run
        run.thread.start()

    def _abort(self, run: "_Run", timeout: float = 1.0) -> bool:
        with self._cond:
            run.aborting = True
            self._cond.notify_all()
        if run.thread.ident is None or run.thread is threading.current_thread():
            return True
        run.thread.join(min(0.2, timeout))
        if run.thread.is_alive() and not run.cleaning_up:
            # A loop that records no events never meets the gate: interrupt it directly.
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(run.thread.ident),
                                                       ctypes.py_object(_StopRun))
            run.thread.join(max(0.0, timeout - 0.2))
        if run.thread.is_alive():
            run.abandon()
        return not run.thread.is_alive()

    def _set_muted(self, hook_id: int, muted: bool) -> None:
        run = self._current()
        key = run.hook_keys.get(hook_id)
        if muted:
            trace.muted_hooks.add(hook_id)
            run.muted_ids.add(hook_id)
            if key:
                self._muted_keys.add(key)
        else:
            trace.muted_hooks.discard(hook_id)
            run.muted_ids.discard(hook_id)
            self._muted_keys.discard(key)
        run.log.append(ev.HookMuteChanged(hook_id, muted))
        self._notify(force=True)

    def _notify(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_notify < NOTIFY_INTERVAL:
            self._schedule_late_notify()
            return
        self._last_notify = now
        for listener in tuple(self._listeners):
            try:
                listener()
            except Exception:        # a broken listener must not break the scenario
                pass

    def _schedule_late_notify(self) -> None:
        # So the last events before a quiet spell are not left unannounced.
        if not self._late_notify_pending:
            self._late_notify_pending = True
            timer = threading.Timer(NOTIFY_INTERVAL, self._late_notify)
            timer.daemon = True
            timer.start()

    def _late_notify(self) -> None:
        self._late_notify_pending = False
        self._notify(force=True)


class _Run:
    """One execution of the scenario: its thread, log, history and gate state."""

    def __init__(self, session: Session, number: int):
        self.session = session
        self.number = number
        self.log = EventLog()
        self.history = History(self.log, max_events=session.max_events)
        self.budget = ValueBudget(session.value_budget)
        self.thread = threading.Thread(target=self._main, name=f"graphtui-scenario-{number}",
                                       daemon=True)
        self.done = threading.Event()
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
        self.output_kept = 0
        self.output_dropped = 0
        self.last_named_line: tuple | None = None

    # ------------------------------------------------------------ thread body

    def _main(self) -> None:
        session = self.session
        self.record(ev.RunStarted(str(session.path), (str(session.path), *session.argv),
                                  self.number))
        finish = ev.RunFinished("stopped")
        saved_argv, saved_path = sys.argv, list(sys.path)
        try:
            capture.capture_thread(self._on_output, self._on_input)
            trace.subscribe(self._on_event)
            sys.argv = [str(session.path), *session.argv]
            sys.path.insert(0, str(session.scenario.parent))
            globals_after = runpy.run_path(str(session.scenario), run_name="__main__")
            self._name_from(naming.names_in_namespace(globals_after))
            finish = ev.RunFinished("finished")
        except _StopRun:
            finish = ev.RunFinished("stopped")
        except SystemExit as error:
            finish = self._exit_event(error)
        except BaseException as error:          # the scenario's failure is the show
            finish = self._failure_event(error)
        finally:
            self.cleaning_up = True
            trace.unsubscribe(self._on_event)
            if not self.abandoned:
                sys.argv = saved_argv
                sys.path[:] = saved_path
            capture.release_thread(silence=self.abandoned)
            self._drop_note()
            for hook_id in self.muted_ids:
                trace.muted_hooks.discard(hook_id)
            self._finish(finish)

    def _finish(self, event: ev.RunFinished) -> None:
        if not self.abandoned:
            self.log.append(event)
        with self.session._cond:
            self.finished, self.paused = True, False
            self.session._cond.notify_all()
        self.done.set()
        self.session._notify(force=True)

    def _exit_event(self, error: SystemExit) -> ev.RunFinished:
        code = error.code
        if code is None or code == 0:
            return ev.RunFinished("finished", "SystemExit", str(code or 0), exit_code=code or 0)
        text, location = scenario_traceback(error, self.session.scenario)
        return ev.RunFinished("failed", "SystemExit", str(code), text, code, location)

    def _failure_event(self, error: BaseException) -> ev.RunFinished:
        text, location = scenario_traceback(error, self.session.scenario)
        tb = error.__traceback__
        while tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
        if tb is not None:
            self._name_from(naming.names_in_frames(
                naming.scenario_frames(self.session.scenario, tb.tb_frame)))
        return ev.RunFinished("failed", type(error).__name__, str(error), text, None, location)

    def abandon(self) -> None:
        """The thread would not stop (stuck in a C call): forget it, silence its output."""
        self.abandoned = True
        capture.silence_thread(self.thread.ident)
        trace.unsubscribe(self._on_event)
        with self.session._cond:
            self.finished, self.paused = True, False
            self.session._cond.notify_all()
        self.log.append(ev.RunFinished("stopped"))
        self.done.set()

    # ------------------------------------------------------------ recording

    def record(self, event) -> None:
        step = self.log.append(event)
        if step % COMPACT_EVERY == COMPACT_EVERY - 1:
            self.history.compact()
        self.session._notify(force=isinstance(event, _ANNOUNCED))

    def _on_event(self, event) -> None:
        """The trace subscriber: runs on the engine's thread, inside the engine's call."""
        if threading.get_ident() != self.thread.ident or self.abandoned:
            return
        if self.aborting:
            raise _StopRun
        capture.ensure_installed()
        self.record(self.budget.admit(event))
        try:
            self._react(event)
        except _StopRun:
            raise
        except Exception as error:   # a recorder bug must not become the scenario's error
            self._on_output("graphtui", f"graphtui: recorder error: {error!r}")

    def _react(self, event) -> None:
        kind = type(event)
        if kind is trace.TensorCreated and event.name:
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
        """Block the scenario until the user steps, continues or stops."""
        self._name_visible_tensors()
        cond = self.session._cond
        with cond:
            self.paused, self.stop_at_next, self.pause_requested = True, False, False
            self.release = None
            self.log.append(ev.Paused(where, node_id, reason))
            cond.notify_all()
        self.session._notify(force=True)
        with cond:
            while self.release is None and not self.aborting:
                cond.wait()
            how, self.release, self.paused = self.release, None, False
            if self.aborting:
                raise _StopRun
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
        frames = naming.scenario_frames(self.session.scenario, sys._getframe())
        if frames:
            where = (id(frames[0].f_code), frames[0].f_lineno)
            if where != self.last_named_line:
                self.last_named_line = where
                self._name_from(naming.names_in_frames(frames))

    def _name_visible_tensors(self) -> None:
        frames = naming.scenario_frames(self.session.scenario, sys._getframe())
        self._name_from(naming.names_in_frames(frames))

    def _name_from(self, names) -> None:
        for tensor_id, name in names:
            if tensor_id not in self.names:
                self.names[tensor_id] = name
                self.log.append(trace.TensorNamed(tensor_id, name))

    # ------------------------------------------------------------ output

    def _on_output(self, stream: str, text: str) -> None:
        if self.output_kept >= OUTPUT_EVENTS_KEPT:
            self.output_dropped += 1
            if self.output_dropped % 10_000 == 0:
                self.log.append(ev.EventsDropped("output", 10_000))
            return
        self.output_kept += 1
        self.record(ev.OutputWritten(stream, text))

    def _drop_note(self) -> None:
        leftover = self.output_dropped % 10_000
        if leftover:
            self.log.append(ev.EventsDropped("output", leftover))

    def _on_input(self) -> None:
        self._on_output("graphtui", INPUT_NOTICE)


_ANNOUNCED = (ev.RunStarted, ev.RunFinished, ev.Paused, ev.Resumed, trace.BackwardStarted,
              trace.BackwardFinished, trace.ErrorRaised)
