"""Thread-aware stand-ins for sys.stdout, sys.stderr, sys.stdin and os._exit.

``sys.stdout`` is process-global, but only the scenario's threads should be captured: the UI
thread (Textual, which writes to the real terminal through its driver and captures prints
of its own) must keep its streams. Writes from a registered thread (or a thread it started)
go, line by line, to that thread's sink; every other thread passes through to the stream that was there before.
For a registered thread stdin is at end-of-file, so ``input()`` raises EOFError instead of
fighting the UI for the terminal; ``fileno()`` is refused so ``input()`` cannot bypass us.
``os._exit`` called from a registered thread calls its family's ``on_exit`` (which ends the
scenario) instead of killing the whole process, the debugger with it.

Threads a registered thread starts join its ``Family``. Those started as non-daemon are made
daemon (so a scenario's thread never holds graphtui's process open at exit) and listed in
``Family.awaited``: the run waits for them, as Python's exit would.
"""
from __future__ import annotations

import io
import os
import sys
import threading
from collections.abc import Callable

MAX_PENDING_CHARS = 64 * 1024          # a "line" longer than this is cut, not held forever

Sink = Callable[[str, str], None]      # (stream name, line without newline)
_sinks: dict[int, "_ThreadSink"] = {}
_lock = threading.Lock()


class Family:
    """A captured thread and the threads it starts: where their lines go, what their
    ``input()`` and ``os._exit()`` do, and the threads to wait for."""

    def __init__(self, on_line: Sink, on_input: Callable[[], None],
                 on_exit: Callable[[int], None] | None = None):
        self.on_line = on_line
        self.on_input = on_input
        self.on_exit = on_exit                       # must raise; None: the real os._exit
        self.awaited: list[threading.Thread] = []    # started non-daemon by the family

    def running_threads(self) -> list[threading.Thread]:
        """Threads of the family started by its members and still alive."""
        with _lock:
            idents = {ident for ident, sink in _sinks.items() if sink.family is self}
        return [t for t in threading.enumerate() if t.ident in idents and t.is_alive()]


class _ThreadSink:
    def __init__(self, family: Family):
        self.family = family
        self.on_line = family.on_line
        self.on_input = family.on_input
        self.pending: dict[str, str] = {}

    def write(self, stream: str, text: str) -> None:
        buffered = self.pending.get(stream, "") + text
        *lines, rest = buffered.split("\n")
        for line in lines:
            self.on_line(stream, line)
        while len(rest) > MAX_PENDING_CHARS:
            self.on_line(stream, rest[:MAX_PENDING_CHARS])
            rest = rest[MAX_PENDING_CHARS:]
        self.pending[stream] = rest

    def flush_pending(self) -> None:
        for stream, rest in list(self.pending.items()):
            if rest:
                self.on_line(stream, rest)
        self.pending.clear()


def _sink_of_this_thread() -> _ThreadSink | None:
    return _sinks.get(threading.get_ident())


def family_of_this_thread() -> Family | None:
    sink = _sinks.get(threading.get_ident())
    return sink.family if sink is not None else None


class _RoutedStream:
    def __init__(self, name: str, passthrough):
        self._name = name
        self._passthrough = passthrough

    def write(self, text: str) -> int:
        sink = _sink_of_this_thread()
        if sink is None:
            return self._passthrough.write(text)
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        sink.write(self._name, text)
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        if _sink_of_this_thread() is None and self._passthrough is not None:
            self._passthrough.flush()

    def isatty(self) -> bool:
        return False if _sink_of_this_thread() else self._passthrough.isatty()

    def fileno(self) -> int:
        if _sink_of_this_thread():
            raise io.UnsupportedOperation("graphtui captures this stream; it has no file descriptor")
        return self._passthrough.fileno()

    def readline(self, size: int = -1) -> str:
        sink = _sink_of_this_thread()
        if sink is None:
            return self._passthrough.readline(size)
        sink.on_input()
        return ""

    def read(self, size: int = -1) -> str:
        return self.readline(size) if _sink_of_this_thread() else self._passthrough.read(size)

    @property
    def buffer(self):
        """The binary side: for the scenario, bytes written become lines like text."""
        if _sink_of_this_thread() is None:
            return self._passthrough.buffer
        return _RoutedBinary(self)

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    def __getattr__(self, name):
        return getattr(self._passthrough, name)


class _RoutedBinary:
    def __init__(self, text_stream: _RoutedStream):
        self._text = text_stream

    def write(self, data) -> int:
        self._text.write(bytes(data).decode("utf-8", errors="replace"))
        return len(data)

    def flush(self) -> None:
        pass

    def readline(self, size: int = -1) -> bytes:
        return self._text.readline(size).encode()

    read = readline


_original_thread_start = threading.Thread.start
_original_os_exit = os._exit


def _exit_ending_only_the_scenario(status: int) -> None:
    """os._exit: from a captured thread, ends its scenario (``Family.on_exit`` raises);
    from any other thread, the real one."""
    family = family_of_this_thread()
    if family is None or family.on_exit is None:
        _original_os_exit(status)
    family.on_exit(status)
    raise SystemExit(status)         # on_exit should have raised; never return from _exit


def _start_inheriting_capture(thread: threading.Thread) -> None:
    """Thread.start, except that a thread started by a captured thread is captured too
    (a scenario's own worker threads print into the scenario's output, not the terminal)
    and joins its parent's family. The engine's own service threads (its kernel helpers,
    ``engine_service``) are neither: they outlive the run and print nothing."""
    parent = _sink_of_this_thread()
    if parent is not None and not getattr(thread, "engine_service", False):
        family = parent.family
        run = thread.run
        if not thread.daemon:
            thread.daemon = True
            family.awaited.append(thread)

        def run_captured():
            ident = threading.get_ident()
            with _lock:
                _sinks[ident] = _ThreadSink(family)
            try:
                run()
            finally:
                with _lock:
                    sink = _sinks.pop(ident, None)
                if sink is not None:
                    sink.flush_pending()
                if not _sinks:
                    _uninstall()
        thread.run = run_captured
    _original_thread_start(thread)


def start_uncaptured(thread: threading.Thread) -> None:
    """Start one of graphtui's own threads: never captured, even from a scenario thread."""
    _original_thread_start(thread)


# Every routing stream ever installed stays referenced: CPython 3.11's print() holds only a
# borrowed reference to sys.stdout between its writes, so a stream uninstalled (or swapped
# out by Textual) while a scenario thread is inside print() would be freed under it, a
# use-after-free that crashed the process when a printing run was stopped.
_streams_ever_installed: list["_RoutedStream"] = []


def _ensure(name: str) -> None:
    current = getattr(sys, name)
    if type(current) is not _RoutedStream:
        routed = _RoutedStream(name, current)
        _streams_ever_installed.append(routed)
        setattr(sys, name, routed)


def ensure_installed() -> None:
    """Put the routing streams in place (again, if someone such as Textual replaced them)."""
    if is_installed():
        return
    with _lock:
        for name in ("stdout", "stderr", "stdin"):
            _ensure(name)
        threading.Thread.start = _start_inheriting_capture
        os._exit = _exit_ending_only_the_scenario


def is_installed() -> bool:
    # Asked once per recorded event: plain type checks, no loop.
    return (type(sys.stdout) is _RoutedStream and type(sys.stderr) is _RoutedStream
            and type(sys.stdin) is _RoutedStream)


def capture_thread(family: Family) -> None:
    """Route the calling thread's stdout/stderr lines to ``family.on_line``; stdin reads
    call ``family.on_input`` and return end-of-file; os._exit calls ``family.on_exit``."""
    ensure_installed()
    with _lock:
        _sinks[threading.get_ident()] = _ThreadSink(family)


def release_thread(silence: bool = False) -> None:
    """Stop capturing the calling thread, flushing its unfinished lines (dropped if
    ``silence``: an abandoned run's leftovers must not reach the terminal)."""
    with _lock:
        sink = _sinks.pop(threading.get_ident(), None)
    if sink is not None and not silence:
        sink.flush_pending()
    if not _sinks:
        _uninstall()


def silence_thread(ident: int) -> None:
    """Swallow everything a thread writes from now on (a run abandoned but still alive)."""
    with _lock:
        _sinks[ident] = _ThreadSink(Family(lambda stream, line: None, lambda: None,
                                           _end_this_thread))


def _end_this_thread(status: int) -> None:
    raise SystemExit(status)


def _uninstall() -> None:
    with _lock:
        if _sinks:
            return
        for name in ("stdout", "stderr", "stdin"):
            current = getattr(sys, name)
            if isinstance(current, _RoutedStream):
                setattr(sys, name, current._passthrough)
        threading.Thread.start = _original_thread_start
        os._exit = _original_os_exit
