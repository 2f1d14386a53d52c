"""Warnings and errors shown where they belong: at the node or tensor they concern. Pure."""
from __future__ import annotations

from rich.console import RenderableType
from rich.text import Text

from graphtui.model import State
from graphtui.model.describe import short_traceback

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
