"""A scenario run under the recorder: the event log, the step gate, mutes, re-runs.

    session = Session("scenarios/seed_04.py", break_on_backward=True)
    session.add_listener(lambda: app.post_message(...))   # called from any thread
    session.start()            # call once the UI runs (Textual swaps sys.stdout while it runs)
    session.state()            # the live State;  session.state_at(k): time travel
    session.step(); session.continue_(); session.pause(); session.rerun(); session.stop()

Each run (``graphtui.run.ScenarioRun``) executes the scenario with ``runpy`` on a worker
thread and records what the engine reports and what the scenario prints; its step gate
blocks the worker before a backward node runs. Nothing the scenario does (exceptions,
SystemExit, KeyboardInterrupt, input()) escapes the worker: the run ends as "failed" with
the scenario's own traceback. No Textual imports here.
"""
from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from engine import trace
from graphtui import capture
from graphtui.budget import DEFAULT_VALUE_BUDGET
from graphtui.model import events as ev
from graphtui.model.history import EventLog, History
from graphtui.model.state import State
from graphtui.run import INPUT_NOTICE, ScenarioRun, StopRun, raise_in_thread
from graphtui.scenario import check_scenario

__all__ = ["INPUT_NOTICE", "Listener", "Session"]

Listener = Callable[[], None]

NOTIFY_INTERVAL = 1 / 30        # listeners hear of ordinary events at most this often
# Events a live run keeps for time travel: at ~0.5-1 KB each (values beside, under the value
# budget), about 100-200 MB at most; older ones are folded into the earliest checkpoint.
LIVE_MAX_EVENTS = 200_000


class Session:
    """One scenario and its runs. Commands may be called from any thread."""

    def __init__(self, path: str | os.PathLike, argv: Sequence[str] = (),
                 break_on_backward: bool = True, value_budget: int = DEFAULT_VALUE_BUDGET,
                 max_events: int = LIVE_MAX_EVENTS):
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
        self._run: ScenarioRun | None = None
        self._run_number = 0
        self._last_notify = 0.0
        self._late_notify_pending = False
        _late_notices.start()

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
            if self._run is None or self._run.number == 0:     # none, or the empty stand-in
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
        gone = self._abort(run, timeout)
        trace.muted_hooks.difference_update(run.muted_ids)   # the engine is shared
        return gone

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

    def _current(self) -> "ScenarioRun":
        if self._run is None:
            self._run = ScenarioRun(self, 0)     # an empty log until start(): states are empty
        return self._run

    def _start_run(self) -> None:
        if self._run is not None:
            # Mutes made after the old run ended are still set by id; ids restart with the
            # new run, so drop them: the new run re-mutes its hooks by what they are.
            trace.muted_hooks.difference_update(self._run.muted_ids)
        self._run_number += 1
        run = ScenarioRun(self, self._run_number)
        self._run = run
        run.thread.start()

    def _abort(self, run: "ScenarioRun", timeout: float = 1.0) -> bool:
        with self._cond:
            run.aborting = True
            self._cond.notify_all()
        if run.thread.ident is None or run.thread is threading.current_thread():
            return True
        run.thread.join(min(0.2, timeout))
        deadline = time.monotonic() + max(0.0, timeout - 0.2)
        while run.thread.is_alive() and not run.cleaning_up and time.monotonic() < deadline:
            # A loop that records no events never meets the gate: interrupt it directly, and
            # again if that did not land (a thread being started shares its id for a moment).
            raise_in_thread(run.thread, StopRun)
            run.thread.join(min(0.1, max(0.0, deadline - time.monotonic())))
        run.thread.join(max(0.0, deadline - time.monotonic()))
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
            _late_notices.schedule(self)

    def _late_notify(self) -> None:
        self._late_notify_pending = False
        self._notify(force=True)


class _LateNotices:
    """One thread announces, for every session, the events of a quiet spell a moment later.
    It is started by whoever makes a Session (the UI), never by a scenario's thread: a thread
    being started shares its parent's id for a moment, so a stop sent to the scenario could
    land in it instead."""

    def __init__(self) -> None:
        self._due: set[Session] = set()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        with self._cond:
            if self._thread is None:
                self._thread = threading.Thread(target=self._announce, daemon=True,
                                                name="graphtui-late-notices")
                capture.start_uncaptured(self._thread)

    def schedule(self, session: Session) -> None:
        with self._cond:
            self._due.add(session)
            self._cond.notify()

    def _announce(self) -> None:
        while True:
            with self._cond:
                while not self._due:
                    self._cond.wait()
            time.sleep(NOTIFY_INTERVAL)
            with self._cond:
                due, self._due = self._due, set()
            for session in due:
                session._late_notify()


_late_notices = _LateNotices()
