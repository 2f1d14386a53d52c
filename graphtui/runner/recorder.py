"""What the runner records: the engine's events, names for tensors, hooks to mute again, and
the scenario's output lines, sent up in batches; and where the step gate is asked.

The recorder is the engine's subscriber (``on_event``, called on whichever scenario thread
runs the engine; ``subscribe()`` subscribes it with its value budget, under which the engine
makes the events' summaries). Events go into a batch; a batch is sent when it
is full, when the gate pauses, when the scenario prints a line (so a process that dies next
has sent it) and, by ``Sender``'s timer, when it has waited ``FLUSH_AFTER`` seconds.
"""
from __future__ import annotations

import array
import fcntl
import os
import stat
import sys
import termios
import threading
import time
from collections import deque
from collections.abc import Iterable
from pathlib import Path

from engine import trace
from graphtui import naming, wire
from graphtui.budget import ValueBudget
from graphtui.model import events as ev
from graphtui.outputfold import OutputFold
from graphtui.runner.gate import StepGate
from graphtui.runner.hookkeys import HookKeys
from graphtui.scenario import is_scenario_frame

BATCH_EVENTS = 4096          # events per batch at most
FLUSH_AFTER = 0.02           # seconds an event may wait in a batch
DROP_NOTE_EVERY = 10_000     # one EventsDropped per this many output lines not kept


class Sender:
    """Batches of events, written to the channel's file descriptor as frames.

    Scenario threads only append to the queue (a deque: appending needs no lock); whoever
    sends takes the lock and sends the events the queue holds then, oldest first."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._queue: deque = deque()
        self._first_seen = None          # the event first in the queue at the timer's last look
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self.closed = False

    def add(self, event) -> None:
        queue = self._queue
        queue.append(event)
        if len(queue) >= BATCH_EVENTS:
            self.flush()

    def flush(self, kind: int = wire.BATCH) -> None:
        with self._lock:
            self._send_locked(kind)

    def flush_if_stale(self) -> None:
        """Send the queue when its first event was already first at the last look (the
        timer looks every FLUSH_AFTER seconds): it has waited that long at least."""
        try:
            first = self._queue[0]
        except IndexError:
            self._first_seen = None
            return
        if first is self._first_seen:
            self._first_seen = None
            self.flush()
        else:
            self._first_seen = first

    def send_raw(self, data: bytes) -> None:
        with self._lock:
            self._send_locked(wire.BATCH)
            self._write(data)

    def _send_locked(self, kind: int) -> None:
        queue = self._queue
        take = queue.popleft
        batch = [take() for _ in range(len(queue))]  # scenario threads may append meanwhile
        if batch or kind != wire.BATCH:
            payload = wire.encode_events(batch)
            self._write(wire.frame_header(kind, len(batch), len(payload)))
            self._write(payload)

    def _write(self, data: bytes) -> None:
        if self.closed or os.getpid() != self._pid:
            return
        view = memoryview(data)
        while view:
            try:
                written = os.write(self._fd, view)
            except OSError:             # the debugger is gone: nobody to tell
                self.closed = True
                return
            view = view[written:]

    def flush_periodically(self) -> None:
        """The timer thread's loop: events of a quiet spell go up a moment later."""
        while not self.closed:
            time.sleep(FLUSH_AFTER)
            try:
                self.flush_if_stale()
            except Exception:            # an event that cannot be pickled: said by add()
                pass


class Recorder:
    def __init__(self, sender: Sender, scenario: Path, gate: StepGate | None,
                 value_budget: int, muted_keys: Iterable[tuple] = (),
                 output_kept: int = 100_000) -> None:
        self.sender = sender
        self.scenario = scenario
        self.gate = gate
        self.budget = ValueBudget(value_budget)
        self.muted_keys = set(muted_keys)
        self.hook_keys = HookKeys()
        self.output_fold = OutputFold(output_kept, DROP_NOTE_EVERY)
        self.names: dict[int, str] = {}       # tensor id -> name, as recorded
        self.announced: set[int] = set()      # tensor ids a TensorCreated was recorded for
        self.first_node_of_pass = False
        self.last_named_line: tuple | None = None
        self._last_frames: tuple = (None, [])   # (a frame, the scenario frames from it)
        self._scenario_files: dict[str, bool] = {}
        self.detached = False
        # fd 1 and 2 are pipes the debugger reads (not the terminal of `graphtui record`)
        self.debugger_reads_output_fds = False
        self._add = sender.add
        self._breaker = gate.breaker if gate is not None else None
        self._reactions = self._reactions_by_type()

    def record(self, event) -> None:
        self.sender.add(event)

    def subscribe(self) -> None:
        """Start receiving the engine's events, its summaries made under our value budget."""
        trace.subscribe(self.on_event, self.budget)

    def unsubscribe(self) -> None:
        trace.unsubscribe(self.on_event)
        naming.forget_namespaces()
        self._last_frames = (None, [])

    # ------------------------------------------------------------ the engine's subscriber

    def on_event(self, event) -> None:
        if self.detached:
            return
        try:
            self._add(event)
            react = self._reactions.get(type(event))
            if react is not None:
                react(event)
            breaker = self._breaker
            if breaker is not None and type(event) in breaker.handlers:
                self._at_gate(event)
        except Exception as error:   # a recorder bug must not become the scenario's error
            self.output("graphtui", f"graphtui: recorder error: {error!r}")

    def _reactions_by_type(self) -> dict:
        """What the recorder does on events of these types (all others: only record them,
        and pass them to the gate when it has a use for them: the types its breaker
        handles, which include the ops and nodes it stops at)."""
        return {trace.TensorCreated: self._tensor_created,
                trace.TensorNamed: self._tensor_named,
                trace.HookRegistered: self._remember_hook,
                trace.BackwardStarted: self._backward_started,
                trace.NodeCreated: self._name_if_new_statement}

    def _tensor_created(self, event: trace.TensorCreated) -> None:
        self.announced.add(event.tensor_id)
        if event.name:
            self.names.setdefault(event.tensor_id, event.name)

    def _tensor_named(self, event: trace.TensorNamed) -> None:
        self.names.setdefault(event.tensor_id, event.name)

    def _backward_started(self, event: trace.BackwardStarted) -> None:
        self.name_visible_tensors()
        self.first_node_of_pass = True

    def _at_gate(self, event) -> None:
        gate = self.gate
        kind = type(event)
        if self._stopped_by_breakpoint(gate, event):
            if kind is trace.NodeExecuting:
                self.first_node_of_pass = False
            return
        if kind is trace.NodeCreated:
            if gate.wants_op_stop():
                self._hold("op", event.node_id, "pause" if gate.pause_requested else "step")
        elif kind is trace.NodeExecuting:
            first, self.first_node_of_pass = self.first_node_of_pass, False
            reason = gate.node_stop_reason(first)
            if reason is not None:
                self._hold("node", event.node_id, reason)

    def _stopped_by_breakpoint(self, gate: StepGate, event) -> bool:
        """Record the breakpoint this event hits; True when the gate held the run for it."""
        hit = gate.breakpoint_hit(event)
        if hit is None:
            return False
        self.record(ev.BreakpointHit(hit.spec, hit.detail, hit.where, hit.node_id))
        if not gate.hold_breakpoints:
            return False
        self._hold(hit.where, hit.node_id, "breakpoint", hit.unit)
        return True

    def _hold(self, where: str, node_id: int | None, reason: str,
              unit: str | None = None) -> None:
        how = self.gate.hold(where, node_id, reason, self._send_pause, unit)
        self.record(ev.Resumed(how))

    def _send_pause(self, where: str, node_id: int | None, reason: str) -> None:
        self.name_visible_tensors()
        self.record(ev.Paused(where, node_id, reason))
        self.sender.flush(wire.PAUSED)

    def detach(self) -> None:
        """Record nothing more (in a process the scenario forked: the channel is not its)."""
        self.detached = True
        self.unsubscribe()

    # ------------------------------------------------------------ hooks

    def _remember_hook(self, event: trace.HookRegistered) -> None:
        key = self.hook_keys.key_of(event.kind, event.target, event.callable_name)
        muted = key in self.muted_keys
        if muted:
            trace.muted_hooks.add(event.hook_id)
            self.record(ev.HookMuteChanged(event.hook_id, True))
        self.sender.send_raw(wire.hook_frame(event.hook_id, key, muted))

    # ------------------------------------------------------------ names

    def _name_if_new_statement(self, event=None) -> None:
        # The result of the previous statement is assigned by now; scan once per line.
        frame = self._innermost_scenario_frame()
        if frame is not None:
            where = (id(frame.f_code), frame.f_lineno)
            if where != self.last_named_line:
                self.last_named_line = where
                self.name_from(naming.names_in_frames(self._scenario_frames_from(frame)))

    def _scenario_frames_from(self, frame) -> list:
        """naming.scenario_frames from ``frame``, a running frame: while the same one runs
        its callers stay the same (a generator's may change between two resumptions)."""
        start, frames = self._last_frames
        if frame is not start or frame.f_code.co_flags & naming.RESUMABLE:
            frames = naming.scenario_frames(self.scenario, frame)
            self._last_frames = (frame, frames)
        return frames

    def _innermost_scenario_frame(self):
        """naming.innermost_scenario_frame, with the answer per file remembered: asked for
        every op the scenario records."""
        known = self._scenario_files
        frame = sys._getframe(2)
        while frame is not None:
            filename = frame.f_code.co_filename
            ours = known.get(filename)
            if ours is None:
                ours = known[filename] = is_scenario_frame(filename, self.scenario)
            if ours:
                return frame
            frame = frame.f_back
        return None

    def name_visible_tensors(self, start=None) -> None:
        frames = naming.scenario_frames(self.scenario, start or sys._getframe())
        self.name_from(naming.names_in_frames(frames))

    def name_from(self, names) -> None:
        for tensor_id, name, tensor in names:
            if tensor_id not in self.announced:
                # The engine gave it an id but never described it (a parameter, say).
                self.announced.add(tensor_id)
                name = self.names.setdefault(tensor_id, name)
                self.record(describe_tensor(tensor_id, name, tensor))
            elif tensor_id not in self.names:
                self.names[tensor_id] = name
                self.record(trace.TensorNamed(tensor_id, name))

    # ------------------------------------------------------------ output

    def output(self, stream: str, text: str) -> None:
        """One line the scenario wrote (or a notice of ours): sent at once, so a process
        that dies next has told it."""
        if self.detached:
            return
        if self.debugger_reads_output_fds and stream != "graphtui":
            wait_for_output_pipes()
        for event in self.output_fold.admit(stream, text):
            self.record(event)
        self.sender.flush()

    def flush_folded_output(self) -> None:
        """At the end of the run: the last lines of a flood, after the count of those
        folded away before them."""
        for event in self.output_fold.finish():
            self.record(event)


OUTPUT_FDS = (1, 2)
PIPE_WAIT = 0.05             # seconds a line waits at most for the output pipes to drain


def wait_for_output_pipes() -> None:
    """Before a line the scenario printed is sent as an event: let the debugger read what is
    still in the runner's output pipes (what a child process, C code or os.write wrote
    there before the print), so it shows before the line, not after. The debugger reads
    those pipes even while it is behind on events; past PIPE_WAIT the line goes anyway."""
    deadline = None
    while _bytes_in_pipes():
        now = time.monotonic()
        if deadline is None:
            deadline = now + PIPE_WAIT
        elif now >= deadline:
            return
        time.sleep(0.0005)


def _bytes_in_pipes() -> int:
    pending = array.array("i", [0])
    total = 0
    for fd in OUTPUT_FDS:
        try:
            if not stat.S_ISFIFO(os.fstat(fd).st_mode):
                continue            # closed, or a file or terminal the scenario put there
            fcntl.ioctl(fd, termios.FIONREAD, pending, True)
        except OSError:
            continue
        total += pending[0]
    return total


def describe_tensor(tensor_id: int, name: str, tensor) -> trace.TensorCreated:
    grad_fn = getattr(tensor, "grad_fn", None)
    data = getattr(tensor, "_data", None)
    dtype = data.dtype.name if data is not None else str(tensor.dtype).removeprefix("torch.")
    return trace.TensorCreated(
        tensor_id, name, tuple(tensor.shape), dtype,
        bool(tensor.requires_grad), bool(tensor.is_leaf), getattr(grad_fn, "_id", None),
        trace.summarize(tensor))
