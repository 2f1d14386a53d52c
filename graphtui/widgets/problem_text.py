"""Warnings and errors shown where they belong: at the node or tensor they concern. Pure."""
from __future__ import annotations

import re
from pathlib import Path

import engine

from rich.console import RenderableType
from rich.text import Text

from graphtui.model import State

_TRACEBACK_FILE = re.compile(r'File "(?:[^"]*[/\\])?([^"/\\]+)"')
_FRAME = re.compile(r'^  File "([^"]*)", line \d+, in ')
ENGINE_DIR = str(Path(engine.__file__).resolve().parent)


def short_traceback(text: str) -> str:
    """The traceback with the engine's own frames folded into one line each run of them, and
    directories dropped from file names (stable across machines)."""
    return _TRACEBACK_FILE.sub(r'File "\1"', fold_engine_frames(text.rstrip("\n")))


def fold_engine_frames(text: str) -> str:
    """`  … 6 frames inside the engine` instead of the executor's calls between the
    scenario's frames (a hook called by backward, say): the scenario's code is the point."""
    lines, out, hidden, i = text.splitlines(), [], 0, 0
    while i < len(lines):
        match = _FRAME.match(lines[i])
        end = i + 1
        while match and end < len(lines) and lines[end].startswith("    "):
            end += 1                     # the frame's source line and its ^^^ marks
        if match and _in_engine(match[1]):
            hidden += 1
        else:
            if hidden:
                out.append(f"  … {hidden} frame{'s' if hidden > 1 else ''} inside the engine")
                hidden = 0
            out.extend(lines[i:end])
        i = end
    return "\n".join(out)


def _in_engine(filename: str) -> bool:
    return str(Path(filename).resolve()).startswith(ENGINE_DIR)


def problems_for(state: State, node_id: int | None = None, tensor_id: int | None = None
                 ) -> RenderableType | None:
    """Warnings and engine errors tied to this node/tensor, and the run's traceback when the
    failure concerns it."""
    text = Text()
    error = state.error
    if error is not None and not ((node_id is not None and error.node_id == node_id) or
                                  (tensor_id is not None and error.tensor_id == tensor_id)):
        error = None
    for problem in state.problems:
        if error is not None and problem.message == error.message:
            continue                       # said below, with its traceback
        if (node_id is not None and problem.node_id == node_id) or (
                tensor_id is not None and problem.tensor_id == tensor_id):
            style = "yellow" if "Warning" in problem.category else "bold red"
            text.append(f"{problem.category}: {problem.message}\n", style=style)
    if error is not None:
        text.append(error_text(error))
    text.rstrip()
    return text if text.plain else None


def error_text(error) -> Text:
    """`RuntimeError: ...` and the scenario's own traceback."""
    text = Text(f"{error.exc_type}: {error.message}\n", style="bold red")
    if error.location:
        text.append(f"raised at {error.location}\n", style="red")
    if error.traceback:
        text.append(short_traceback(error.traceback) + "\n", style="dim")
    return text
