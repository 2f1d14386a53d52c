"""The scenario's ``sys.stdout``, ``sys.stderr`` and ``sys.stdin`` in the runner.

What the scenario prints through Python goes, line by line, into the event stream as
``OutputWritten`` (in order with the engine's events); ``fileno()`` is the runner's own
file descriptor, a pipe the debugger reads, so writes that bypass Python (C code, child
processes, ``os.write``) and what a dying process prints still arrive. stdin is at
end-of-file: ``input()`` gets EOFError and a notice says why. In a process forked by the
scenario the streams write straight to the file descriptors: the event stream is the
runner's alone.
"""
from __future__ import annotations

import io
import os
from collections.abc import Callable

MAX_PENDING_CHARS = 64 * 1024          # a "line" longer than this is cut, not held forever
INPUT_NOTICE = ("input() is not available under graphtui: the scenario's stdin is at "
                "end-of-file (EOFError)")

Sink = Callable[[str, str], None]      # (stream name, line without its newline)


class LineStream(io.TextIOBase):
    def __init__(self, name: str, fd: int, on_line: Sink, echo: bool = False) -> None:
        self.name = name
        self._fd = fd
        self._on_line = on_line
        self._echo = echo
        self._pending = ""
        self._pid = os.getpid()

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if os.getpid() != self._pid or self._echo:
            self._write_fd(text)
            if os.getpid() != self._pid:
                return len(text)
        *lines, rest = (self._pending + text).split("\n")
        for line in lines:
            self._on_line(self.name, line)
        while len(rest) > MAX_PENDING_CHARS:
            self._on_line(self.name, rest[:MAX_PENDING_CHARS])
            rest = rest[MAX_PENDING_CHARS:]
        self._pending = rest
        return len(text)

    def _write_fd(self, text: str) -> None:
        try:
            os.write(self._fd, text.encode("utf-8", errors="replace"))
        except OSError:          # the scenario closed it: its writes go nowhere, as in Python
            pass

    def flush_pending(self) -> None:
        """Send an unfinished last line (the run is ending)."""
        if self._pending and os.getpid() == self._pid:
            line, self._pending = self._pending, ""
            self._on_line(self.name, line)

    def flush(self) -> None:
        pass

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        return self._fd

    @property
    def encoding(self) -> str:
        return "utf-8"

    @property
    def errors(self) -> str:
        return "replace"

    @property
    def buffer(self) -> "_BinarySide":
        return _BinarySide(self)


class _BinarySide:
    """``sys.stdout.buffer``: bytes become lines like text."""

    def __init__(self, text: LineStream) -> None:
        self._text = text

    def write(self, data) -> int:
        self._text.write(bytes(data).decode("utf-8", errors="replace"))
        return len(data)

    def flush(self) -> None:
        pass


class EndOfFile(io.TextIOBase):
    """stdin: every read is end-of-file, and says so once per read."""

    def __init__(self, on_read: Callable[[], None]) -> None:
        self._on_read = on_read

    def readable(self) -> bool:
        return True

    def readline(self, size: int | None = -1) -> str:
        self._on_read()
        return ""

    def read(self, size: int | None = -1) -> str:
        return self.readline()

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        raise io.UnsupportedOperation("graphtui gives the scenario no stdin")

    @property
    def buffer(self) -> "_BinaryEndOfFile":
        return _BinaryEndOfFile(self)


class _BinaryEndOfFile:
    def __init__(self, text: EndOfFile) -> None:
        self._text = text

    def readline(self, size: int = -1) -> bytes:
        self._text.readline()
        return b""

    read = readline
