"""What graphtui knows about a scenario file: whether it can be run, and its own frames.

``check_scenario`` turns every way a file can be unusable into one line naming the file (and
the line, for a syntax error), so the CLI can refuse it before any UI starts.
``scenario_traceback`` formats an exception with graphtui's and runpy's frames removed,
so the user sees the traceback Python would have printed for ``python scenario.py``.
"""
from __future__ import annotations

import functools
import os
import traceback
from pathlib import Path


_PYTHON_SUFFIXES = ("", ".py", ".pyw")      # no suffix: a script run by its shebang


class ScenarioError(Exception):
    """A scenario file that cannot be run; ``str()`` is the one line to print."""


def check_scenario(path: str | os.PathLike) -> Path:
    """The resolved path of a runnable scenario, or ScenarioError saying what is wrong."""
    given = os.fspath(path)
    file = Path(given)
    if not file.exists():
        raise ScenarioError(f"{given}: no such file")
    if file.is_dir():
        raise ScenarioError(f"{given}: is a directory, not a Python file")
    if not file.is_file():        # a device or a pipe: reading it might never end
        raise ScenarioError(f"{given}: not a regular file")
    if file.suffix.lower() not in _PYTHON_SUFFIXES:
        raise ScenarioError(f"{given}: not a Python file ({file.suffix}); a scenario is a "
                            ".py script")
    try:
        raw = file.read_bytes()
    except OSError as error:
        raise ScenarioError(f"{given}: cannot be read ({error.strerror or error})") from None
    source = _decode(given, raw)
    try:
        compile(source, given, "exec", dont_inherit=True)
    except SyntaxError as error:
        where = f"{given}:{error.lineno}" if error.lineno else given
        raise ScenarioError(f"{where}: {type(error).__name__}: {error.msg}") from None
    return file.resolve()


def _decode(given: str, raw: bytes) -> str:
    if b"\x00" in raw:
        line = raw[:raw.index(b"\x00")].count(b"\n") + 1
        raise ScenarioError(f"{given}:{line}: not a Python file (contains NUL bytes)")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[:error.start].count(b"\n") + 1
        raise ScenarioError(f"{given}:{line}: not UTF-8 text (byte {raw[error.start]:#04x} "
                            f"at offset {error.start}); is this a Python file?") from None


@functools.lru_cache(maxsize=4096)
def is_scenario_frame(filename: str, scenario: Path) -> bool:
    """Whether code from ``filename`` is the scenario's (cached: asked for every frame)."""
    try:
        return Path(filename).resolve() == scenario
    except (OSError, ValueError):
        return False


def scenario_traceback(error: BaseException, scenario: Path,
                       stack: traceback.StackSummary | None = None) -> tuple[str, str | None]:
    """The formatted traceback from the scenario's first frame on, and ``file:line`` of the
    innermost scenario frame (None when the error did not pass through the scenario).
    ``stack``: the frames to show instead of the error's own (where it was really called)."""
    summary = traceback.TracebackException.from_exception(error)
    if stack is not None:
        summary.stack = stack
    _trim(summary, scenario)
    location = None
    for frame in summary.stack:
        if is_scenario_frame(frame.filename, scenario):
            location = f"{Path(frame.filename).name}:{frame.lineno}"
    return "".join(summary.format()), location


def _trim(summary: traceback.TracebackException, scenario: Path, seen=None) -> None:
    seen = seen if seen is not None else set()
    if id(summary) in seen:
        return
    seen.add(id(summary))
    frames = list(summary.stack)
    first = next((i for i, f in enumerate(frames) if is_scenario_frame(f.filename, scenario)),
                 None)
    if first is not None:
        frames = frames[first:]
        while len(frames) > 1 and _is_ours(frames[-1].filename):
            frames.pop()         # raised by graphtui on the scenario's behalf (os._exit)
        frames = [f for f in frames if not _watching(f)]
    elif frames and _is_ours(frames[0].filename):
        frames = [f for f in frames if not _is_ours(f.filename)]
    summary.stack = traceback.StackSummary.from_list(frames)
    for chained in (summary.__cause__, summary.__context__):
        if chained is not None:
            _trim(chained, scenario, seen)


_GRAPHTUI_DIRS = tuple({str(Path(__file__).parent) + os.sep,
                        str(Path(__file__).resolve().parent) + os.sep})


def _watching(frame: traceback.FrameSummary) -> bool:
    """A frame of the torch backend watching an op (graphtui's own, or PyTorch handing the
    call to the backend's function mode): not in the traceback plain PyTorch prints."""
    if frame.filename.startswith(_BACKENDS_DIR):
        return True
    line = (frame.line or "").lstrip()
    return frame.name == "handle_torch_function" or line.startswith(
        ("return handle_torch_function(", "result_tuple = handle_torch_function("))


_BACKENDS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "backends") + os.sep


def _is_ours(filename: str) -> bool:
    return filename.endswith(os.sep + "runpy.py") or filename.startswith(_GRAPHTUI_DIRS)
