"""A scenario and its runs, as the debugger (TUI, dump, recording) sees them.

    session = Session("scenarios/seed_04.py", break_on_backward=True)
    session.add_listener(lambda: app.post_message(...))   # called from any thread
    session.start()
    session.state()            # the live State;  session.state_at(k): time travel
    session.step(); session.continue_(); session.pause(); session.rerun(); session.stop()

Each run is a runner process (``graphtui.runner``) the session talks to through one
``graphtui.channel.Channel``: the events come up into the channel's log, the session's
commands go down. The step gate lives in the runner. Nothing the scenario does (exceptions,
exits, signals, crashes, input()) reaches the debugger: the run ends as "failed" with the
scenario's own traceback, or with what ended its process. A re-run is a new runner; the
session keeps across runs only the break setting and the hooks muted (by what they are,
since ids restart) and the breakpoints. No Textual imports here.
"""
from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from graphtui import channel as channel_module
from graphtui import gc_tuning
from graphtui.batchlog import BatchLog
from graphtui.breakpoints import parse as parse_breakpoint
from graphtui.breakpoints import parse_all as parse_breakpoints
from graphtui.budget import DEFAULT_VALUE_BUDGET
from graphtui.channel import Channel
from graphtui.model import events as ev
from graphtui.model.gradients import tracker_for
from graphtui.model.history import History
from graphtui.model.state import State
from graphtui.runner.streams import INPUT_NOTICE
from graphtui.scenario import check_scenario

__all__ = ["INPUT_NOTICE", "Listener", "Session"]

Listener = Callable[[], None]

BACKENDS = ("engine", "torch")        # what ``import torch`` runs on in the runner

UI_SWITCH_INTERVAL = 0.001     # seconds; see add_listener
NOTIFY_INTERVAL = 1 / 30        # listeners hear of ordinary events at most this often
# Events a live run keeps for time travel; older ones are folded into the earliest checkpoint.
LIVE_MAX_EVENTS = 200_000
COMPACT_EVERY = 65_536          # the history applies and trims the log at least this often
APPLY_AFTER = 2048              # events received and not applied before the history applies
MAX_BACKLOG = 8192             # ... and before the channel stops reading (the runner waits)


class Session:
    """One scenario and its runs. Commands may be called from any thread."""

    def __init__(self, path: str | os.PathLike, argv: Sequence[str] = (),
                 break_on_backward: bool = True, value_budget: int = DEFAULT_VALUE_BUDGET,
                 max_events: int = LIVE_MAX_EVENTS, python: str | None = None,
                 echo_output: bool = False, breakpoints: Sequence[str] = (),
                 hold_breakpoints: bool = True, backend: str = "engine",
                 reread: bool = False):
        """``value_budget``: bytes of tensor values the history may copy (then statistics
        only); ``max_events``: events kept for time travel (older ones are folded into a
        checkpoint). ``python``: the interpreter of the runner (this one by default);
        ``echo_output``: the scenario's output also goes to this process's terminal (its
        file descriptors are not captured). ``breakpoints``: specs (``graphtui.breakpoints``;
        ``BreakpointError`` for a bad one); ``hold_breakpoints`` False: a hit is recorded
        (``BreakpointHit``) and the run goes on (dump). ``backend``: what the scenario's
        ``import torch`` runs on, "engine" (graphtui's engine) or "torch" (real PyTorch,
        watched). ``reread``: the whole run will be read again once it ends (dump), so the
        batches the history decodes stay decoded (up to ``max_events``), and earlier states
        will not be asked for (``History(travels=False)``). Raises
        ``ScenarioError`` for a file that cannot be run. The first runner starts at once and
        waits for ``start()``."""
        if backend not in BACKENDS:
            raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
        self.path = Path(path)
        self.backend = backend
        self.value_budget = value_budget
        self.max_events = max_events
        self.argv = tuple(argv)
        self.scenario = check_scenario(path)      # ScenarioError for an unusable file
        self._python = python
        self._echo = echo_output
        self._break_on_backward = break_on_backward
        self._breakpoints = tuple(b.spec for b in parse_breakpoints(breakpoints))
        self._hold_breakpoints = hold_breakpoints
        self._reread = reread
        self._listeners: list[Listener] = []
        self._cond = threading.Condition()
        self._muted_keys: set[tuple] = set()
        self._last_notify = 0.0
        self._user_active_at = -ACTIVE_WINDOW
        self._late_notify_pending = False
        _late_notices.start()
        self._run_number = 1
        self._gc_runs: set[int] = set()       # runs started and not ended (see _gc_begin)
        self._channel, self._history = self._new_channel()

    # ------------------------------------------------------------ state

    @property
    def log(self):
        """The current run's events (a fresh log per run)."""
        return self._channel.log

    @property
    def history(self) -> History:
        return self._history

    def state(self) -> State:
        """The live state: every event received so far."""
        return self._history.latest()

    def state_at(self, step: int) -> State:
        """The state after the first ``step`` events of the current run."""
        return self._history.state_at(step)

    @property
    def break_on_backward(self) -> bool:
        return self._break_on_backward

    @property
    def breakpoints(self) -> tuple[str, ...]:
        """The breakpoints' specs, in the order added (kept across re-runs)."""
        return self._breakpoints

    @property
    def is_paused(self) -> bool:
        channel = self._channel
        return channel.paused and not channel.finished

    @property
    def is_finished(self) -> bool:
        """The current run ended (finished, failed or stopped)."""
        channel = self._channel
        return channel.started and channel.finished

    @property
    def muted_hooks(self) -> frozenset[int]:
        """Hook ids of the current run that are muted."""
        return frozenset(self._channel.muted)

    @property
    def runner_pid(self) -> int:
        """The process id of the current run's runner."""
        return self._channel.pid

    # ------------------------------------------------------------ listeners

    def add_listener(self, listener: Listener) -> None:
        """``listener()`` is called, from whichever thread changed things, when the state
        changed: at once for run start/end, pauses and mutes, at most every
        ``NOTIFY_INTERVAL`` for the rest. Keep it cheap (post a message)."""
        self._listeners.append(listener)
        # A UI is watching: its thread shares the GIL with the reader and the history's
        # applier, and waits for it after each of its many short waits; switching threads
        # every millisecond instead of Python's 5 ms keeps keys answered during a flood.
        sys.setswitchinterval(min(sys.getswitchinterval(), UI_SWITCH_INTERVAL))

    def remove_listener(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    # ------------------------------------------------------------ commands

    def start(self) -> None:
        """Start the first run (no-op when one was started already)."""
        with self._cond:
            if not self._channel.started:
                self._channel.start(self._config())
                self._gc_begin(self._run_number)     # under the lock: before it can end

    def step(self) -> None:
        """Run the next backward node and pause before the one after. While the run goes,
        the same as ``pause()``."""
        channel = self._live_channel()
        if channel is not None:
            channel.step()

    def continue_(self) -> None:
        """Run to the next break (start of the next backward, if breaking) or to the end."""
        channel = self._live_channel()
        if channel is not None:
            channel.continue_()

    def pause(self) -> None:
        """Pause before the next backward node, or after the next op the forward records."""
        channel = self._live_channel()
        if channel is not None and not channel.paused:
            channel.pause()

    def toggle_break(self) -> bool:
        """Flip breaking at the start of each backward pass; returns the new setting."""
        self._break_on_backward = not self._break_on_backward
        self._channel.set_break(self._break_on_backward)
        self._notify(force=True)
        return self._break_on_backward

    def add_breakpoint(self, spec: str) -> str:
        """Add a breakpoint (``BreakpointError`` for a bad spec); returns its canonical spec.
        The running scenario gets it at once."""
        canonical = parse_breakpoint(spec).spec
        if canonical not in self._breakpoints:
            self.set_breakpoints((*self._breakpoints, canonical))
        return canonical

    def remove_breakpoint(self, spec: str) -> bool:
        """Remove a breakpoint; False when there was no such one."""
        canonical = parse_breakpoint(spec).spec
        if canonical not in self._breakpoints:
            return False
        self.set_breakpoints(b for b in self._breakpoints if b != canonical)
        return True

    def set_breakpoints(self, specs) -> None:
        """Replace all breakpoints (``BreakpointError`` for a bad spec: none changes)."""
        specs = tuple(b.spec for b in parse_breakpoints(specs))
        with self._cond:          # not between a start's configuration and its sending
            self._breakpoints = specs
            self._channel.set_breakpoints(list(specs))
        self._notify(force=True)

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
        """End the current run and start the scenario again, in a new runner (mutes and breakpoints kept)."""
        self._channel.stop()
        with self._cond:
            self._run_number += 1
            self._channel, self._history = self._new_channel()
            self._channel.start(self._config())
            self._gc_begin(self._run_number)
            self._cond.notify_all()
        self._notify(force=True)

    def stop(self, timeout: float = 1.0) -> bool:
        """End the current run; True when its process is gone within ``timeout`` seconds."""
        return self._channel.stop(timeout)

    def wait_until_settled(self, timeout: float | None = None) -> bool:
        """Block until the run is paused or has ended (for headless mode and tests)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while True:
                channel = self._channel
                if channel.started and (channel.paused or channel.finished):
                    return True
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._cond.wait(remaining if remaining is not None else 0.5)

    def wait_until_finished(self, timeout: float | None = None) -> bool:
        channel = self._channel
        return channel.started and channel.done.wait(timeout)

    # ------------------------------------------------------------ internals

    def _new_channel(self) -> tuple[Channel, History]:
        number = self._run_number
        log = BatchLog(self.max_events if self._reread else 0)
        history = History(log, max_events=self.max_events, travels=not self._reread)
        channel = Channel(number, lambda what: self._on_change(number, what), log,
                          python=self._python, capture_fds=not self._echo,
                          backlogged=lambda: _backlog(history) > MAX_BACKLOG)
        return channel, history

    def _config(self) -> dict:
        return {"scenario": str(self.scenario), "given": str(self.path),
                "argv": [str(self.path), *self.argv], "number": self._run_number,
                "break": self._break_on_backward, "value_budget": self.value_budget,
                "breakpoints": list(self._breakpoints),
                "hold_breakpoints": self._hold_breakpoints,
                "output_kept": channel_module.OUTPUT_EVENTS_KEPT,
                "muted_keys": sorted(list(key) for key in self._muted_keys),
                "echo": self._echo, "backend": self.backend}

    def _live_channel(self) -> Channel | None:
        channel = self._channel
        return channel if channel.started and not channel.finished else None

    def _gc_begin(self, number: int) -> None:
        """A live run makes objects at the rate of the events it sends, and the history
        keeps most of them: fewer collections meanwhile (``gc_tuning``), until it ends."""
        gc_tuning.begin_recording()
        self._gc_runs.add(number)

    def _gc_end(self, number: int) -> None:
        with self._cond:
            ended = number in self._gc_runs
            self._gc_runs.discard(number)
        if ended:
            gc_tuning.end_recording()

    @property
    def collects_less(self) -> bool:
        """A run of this session is live and holds the GC's threshold up (gc_tuning)."""
        return bool(self._gc_runs)

    def _on_change(self, number: int, what: str) -> None:
        """From a channel's reader thread: something came up."""
        if what == "finished":
            self._gc_end(number)
        if number != self._run_number:
            return                          # a run replaced meanwhile
        history = self._history
        every = max(256, min(COMPACT_EVERY, APPLY_AFTER, self.max_events // 4))
        settled = what in ("paused", "finished")
        if settled:
            with self._cond:
                self._cond.notify_all()
        if settled or _backlog(history) >= every:
            _background.compact(history, then=self._settled if settled else None,
                                rest=self.rest_share)
        if not settled:
            self._notify()

    def user_active(self) -> None:
        """The user pressed a key or clicked (the UI calls this, from any thread): for a
        moment the history's applier rests longer between batches (``rest_share``)."""
        self._user_active_at = time.monotonic()

    def rest_share(self) -> float:
        """Seconds the history's background applier rests per second it applied. The UI
        thread shares this process's GIL: while the user acts (``user_active``, within
        ``ACTIVE_WINDOW`` s) it gets most of it, so keys are answered during a flood;
        otherwise a little, for repaints, and the flood is applied at nearly full speed
        (the runner waits while the history is behind). No UI watching: no rest."""
        if not self._listeners:
            return 0.0
        if time.monotonic() - self._user_active_at < ACTIVE_WINDOW:
            return REST_SHARE
        return IDLE_REST_SHARE

    def _settled(self) -> None:
        with self._cond:
            self._cond.notify_all()
        self._notify(force=True)

    def _set_muted(self, hook_id: int, muted: bool) -> None:
        channel = self._channel
        key = channel.hook_keys.get(hook_id)
        if muted:
            channel.mute(hook_id)
            if key:
                self._muted_keys.add(key)
        else:
            channel.unmute(hook_id)
            self._muted_keys.discard(key)
        channel.log.append(ev.HookMuteChanged(hook_id, muted))
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
            except Exception:        # a broken listener must not break the session
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
    """One thread announces, for every session, the events of a quiet spell a moment later."""

    def __init__(self) -> None:
        self._due: set[Session] = set()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        with self._cond:
            if self._thread is None:
                self._thread = threading.Thread(target=self._announce, daemon=True,
                                                name="graphtui-late-notices")
                self._thread.start()

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


class _Background:
    """One thread applies the events that came up to their history (and trims it) and to
    the run's gradient tracker (``tracker_for``), off the channels' reader threads, which
    must keep reading."""

    def __init__(self) -> None:
        self._jobs: dict[History, list] = {}
        self._rest: Callable[[], float] = lambda: 0.0
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def compact(self, history: History, then: Callable[[], None] | None = None,
                rest: Callable[[], float] = lambda: 0.0) -> None:
        """Apply ``history``'s backlog soon, then call ``then``. After each slice the
        history applies, rest ``rest()`` seconds per second the slice took (at most
        ``MAX_REST``): asked afresh each time, so a key pressed in the middle of a long
        backlog is answered within a slice."""
        with self._cond:
            self._rest = rest
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, daemon=True,
                                                name="graphtui-history")
                self._thread.start()
            callbacks = self._jobs.setdefault(history, [])
            if then is not None:
                callbacks.append(then)
            self._cond.notify()

    def _work(self) -> None:
        while True:
            with self._cond:
                while not self._jobs:
                    self._cond.wait()
                jobs, self._jobs = self._jobs, {}
            for history, callbacks in jobs.items():
                try:
                    # The gradient statistics first, before compact() may fold the oldest
                    # events away; the history then applies the batches this decoded,
                    # still in the log's cache, instead of a reader decoding them again.
                    started = time.monotonic()
                    tracker_for(history.log)
                    self._pace(time.monotonic() - started)
                    history.compact(pace=self._pace)
                    gc_tuning.keep_applied()
                except Exception:        # shown when the UI reads the state; never fatal here
                    pass
                for callback in callbacks:
                    callback()

    def _pace(self, spent: float) -> None:
        share = self._rest()
        if share:
            time.sleep(min(MAX_REST, share * spent))


MAX_REST = 0.2
REST_SHARE = 2.0        # with a UI, the user acting: seconds of rest per second of applying
IDLE_REST_SHARE = 0.25  # with a UI, the user not acting: enough for the repaints
ACTIVE_WINDOW = 1.0     # seconds after a key or a click that count as the user acting


def _backlog(history: History) -> int:
    """Events received that the history has not applied yet."""
    return len(history.log) - history.applied_step


_background = _Background()
_late_notices = _LateNotices()
