"""The debugger's end of the channel to one runner: the process, what comes up, what goes down.

``Channel(number)`` starts ``python -m graphtui.runner`` at once (it imports the engine while
the debugger gets ready) and ``start(config)`` lets it run the scenario. One reader thread
waits on the three pipes of the runner (events, stdout, stderr) and on its end:

- event frames (``graphtui.wire``) go into ``log`` (a ``BatchLog``) still encoded;
- what the process writes on its file descriptors (C code, child processes, a crash
  report) becomes ``OutputWritten`` lines, bounded like the scenario's prints;
- when the process ends without having reported the end of the run (a signal, os._exit,
  the OOM killer), the channel adds the ``RunFinished`` itself: "the scenario process
  ended: signal 6 (SIGABRT)". Every event received before is kept.

Commands go down as lines: ``step``, ``continue_``, ``pause``, ``set_break``,
``set_breakpoints``, ``mute``, ``unmute``, ``stop``. ``on_change(what)`` is called from the reader thread with "events",
"hook", "paused" or "finished". The runner is in a session of its own (a process group):
``stop`` ends it and any process it forked; the runner ends itself when the debugger goes.
"""
from __future__ import annotations

import errno
import os
import select
import signal
import threading
import time
from collections.abc import Callable

from graphtui import spawn, wire
from graphtui.batchlog import BatchLog
from graphtui.model import events as ev
from graphtui.outputfold import OutputFold

OUTPUT_EVENTS_KEPT = 100_000    # output lines per run; beyond, counted (EventsDropped)
DROP_NOTE_EVERY = 10_000        # one EventsDropped per this many lines not kept
STOP_GRACE = 0.25               # seconds a runner gets to report a stop before it is killed
READ_SIZE = 1 << 20
POLL = 0.1                      # seconds between checks that the process still lives
BACKLOG_WAIT = 0.005            # seconds between looks at a backlog that stops reading


class Channel:
    def __init__(self, number: int, on_change: Callable[[str], None] = lambda what: None,
                 log: BatchLog | None = None, python: str | None = None, capture_fds: bool = True,
                 backlogged: Callable[[], bool] = lambda: False) -> None:
        """``backlogged()``: whether the debugger is too far behind with the events received;
        while it is, the channel reads no more of them, so the runner waits (its writes
        block) instead of the debugger's memory growing without bound."""
        self.number = number
        self._backlogged = backlogged
        self.log = log if log is not None else BatchLog()
        self.hook_keys: dict[int, tuple] = {}
        self.muted: set[int] = set()             # hooks muted in this run, by id
        self.paused = False
        self.started = False
        self.done = threading.Event()
        self._on_change = on_change
        self._stopping = False
        self._reported_end = False
        self._frames = wire.FrameReader()
        self._write_lock = threading.Lock()
        self._pending_lines = {"stdout": b"", "stderr": b""}
        self._output_fold = OutputFold(OUTPUT_EVENTS_KEPT, DROP_NOTE_EVERY)
        self._spawn(python, capture_fds)
        self._reader = threading.Thread(target=self._read, daemon=True,
                                        name=f"graphtui-channel-{number}")
        self._reader.start()

    # ------------------------------------------------------------ state

    @property
    def finished(self) -> bool:
        return self.done.is_set()

    @property
    def pid(self) -> int:
        return self._process.pid

    # ------------------------------------------------------------ commands

    def start(self, config: dict) -> None:
        """Let the runner run the scenario. ``config``: see ``graphtui.runner.main``."""
        self.started = True
        self._write(wire.start_line(config))

    def step(self) -> None:
        self.paused = False
        self._send(wire.command("step"))

    def continue_(self) -> None:
        self.paused = False
        self._send(wire.command("continue"))

    def pause(self) -> None:
        self._send(wire.command("pause"))

    def set_break(self, on: bool) -> None:
        self._send(wire.command("break", int(on)))

    def set_breakpoints(self, specs: list[str]) -> None:
        self._send(wire.command("breakpoints", list(specs)))

    def mute(self, hook_id: int) -> None:
        self.muted.add(hook_id)
        self._send(wire.command("mute", hook_id))

    def unmute(self, hook_id: int) -> None:
        self.muted.discard(hook_id)
        self._send(wire.command("unmute", hook_id))

    def stop(self, timeout: float = 1.0) -> bool:
        """End the run (the runner reports it, or is killed after ``STOP_GRACE``); True
        when the process is gone within ``timeout`` seconds."""
        if self.done.is_set():
            return True
        deadline = time.monotonic() + timeout
        self._stopping = True
        if self.started:
            self._send(wire.command("stop"))
            self.done.wait(min(STOP_GRACE, timeout))
        if not self.done.is_set():
            self.kill()
        return self.done.wait(max(0.0, deadline - time.monotonic()))

    def kill(self) -> None:
        """SIGKILL the runner and every process it started in its group."""
        try:
            os.killpg(self._process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def _send(self, data: bytes) -> None:
        if self.started:          # before, the configuration says it all
            self._write(data)

    def _write(self, data: bytes) -> None:
        with self._write_lock:
            try:
                os.write(self._down, data)
            except OSError:        # the runner is gone: its end is being read
                pass

    # ------------------------------------------------------------ the process

    def _spawn(self, python: str | None, capture_fds: bool) -> None:
        spawned = spawn.take(python, capture_fds)
        self._process, self._up, self._down = spawned.process, spawned.up, spawned.down
        self._outputs = {}
        if capture_fds:
            self._outputs = {self._process.stdout.fileno(): "stdout",
                             self._process.stderr.fileno(): "stderr"}

    def _read(self) -> None:
        try:
            self._read_until_the_end()
        except Exception as error:        # a corrupted stream: say so, end the run
            self.kill()
            self._add_line("graphtui", f"graphtui: the channel to the scenario broke: {error}")
        self._process.wait()
        self.kill()               # what the scenario forked ends with it: no orphans
        self._drain_outputs()
        self._finish()

    def _read_until_the_end(self) -> None:
        waiting = [self._up, *self._outputs]
        while self._up in waiting:
            if self._backlogged():
                self._on_change("backlog")
                listened = [fd for fd in waiting if fd != self._up]
                ready, _, _ = select.select(listened, [], [], BACKLOG_WAIT)
            else:
                ready, _, _ = select.select(waiting, [], [], POLL)
            for fd in ready:
                data = os.read(fd, READ_SIZE)
                if not data:
                    waiting.remove(fd)
                elif fd == self._up:
                    self._on_frames(self._frames.feed(data))
                else:
                    self._on_output(self._outputs[fd], data)
            if self._up in waiting and self._process.poll() is not None:
                # Ended, though a process it forked may hold the channel open: what it sent
                # is in the pipe already.
                for data in _available(self._up):
                    self._on_frames(self._frames.feed(data))
                return

    def _drain_outputs(self) -> None:
        """What the process wrote on its file descriptors before it ended (a process it
        forked may still hold them open: take what is there, do not wait for it)."""
        for fd, stream in self._outputs.items():
            for data in _available(fd):
                self._on_output(stream, data)
            pending = self._pending_lines[stream]
            if pending:
                self._pending_lines[stream] = b""
                self._add_line(stream, pending.decode("utf-8", errors="replace"))

    # ------------------------------------------------------------ what comes up

    def _on_frames(self, frames) -> None:
        for kind, count, payload in frames:
            if kind == wire.HOOK:
                hook_id, key, muted = wire.read_hook(payload)
                self.hook_keys[hook_id] = key
                if muted:                 # muted again by key, as in an earlier run
                    self.muted.add(hook_id)
                continue
            self.log.append_encoded(count, payload)
            if kind == wire.PAUSED:
                self.paused = True
            elif kind == wire.FINISHED:
                self._reported_end = True
        if frames:
            self._on_change("paused" if self.paused else "events")

    def _on_output(self, stream: str, data: bytes) -> None:
        *lines, rest = (self._pending_lines[stream] + data).split(b"\n")
        self._pending_lines[stream] = rest
        for line in lines:
            self._add_line(stream, line.decode("utf-8", errors="replace"))
        if lines:
            self._on_change("events")

    def _add_line(self, stream: str, text: str) -> None:
        for event in self._output_fold.admit(stream, text):
            self.log.append(event)

    def _finish(self) -> None:
        for event in self._output_fold.finish():
            self.log.append(event)
        if self._frames.partial and not self._stopping:
            self._add_line("graphtui", "graphtui: the process ended in the middle of sending "
                                       "a batch of events; that batch is lost")
        if not self._reported_end and self.started:
            self.log.append(ended_event(self._process.returncode, self._stopping))
        for fd in (self._up, self._down):
            _close(fd)
        for stream in (self._process.stdout, self._process.stderr):
            if stream is not None:
                stream.close()
        self.paused = False
        self.done.set()
        self._on_change("finished")


def ended_event(returncode: int, stopped: bool) -> ev.RunFinished:
    """How a run ended whose process died without reporting it."""
    if stopped:
        return ev.RunFinished("stopped")
    if returncode < 0:
        number = -returncode
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        message = f"the scenario process ended: signal {number} ({name})"
        why = _SIGNAL_HINTS.get(name, "")
        return ev.RunFinished("failed", name, message, f"{message}{why}\n", returncode)
    message = f"the scenario process ended: exit status {returncode}"
    why = (" (os._exit, or a native library ended the process; events up to the last "
           "batch sent are kept)")
    status = "finished" if returncode == 0 else "failed"
    return ev.RunFinished(status, "SystemExit", message, f"{message}{why}\n", returncode)


_SIGNAL_HINTS = {
    "SIGABRT": " (os.abort(), or a native library gave up)",
    "SIGSEGV": " (a crash in native code; where is in its stderr output)",
    "SIGBUS": " (a crash in native code; where is in its stderr output)",
    "SIGKILL": " (killed from outside: kill -9, or the system's out-of-memory killer)",
}


def _available(fd: int):
    """The bytes a pipe holds now, without waiting for more."""
    os.set_blocking(fd, False)
    while True:
        try:
            data = os.read(fd, READ_SIZE)
        except OSError as error:
            if error.errno in (errno.EAGAIN, errno.EWOULDBLOCK):
                return
            raise
        if not data:
            return
        yield data


def _close(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass
