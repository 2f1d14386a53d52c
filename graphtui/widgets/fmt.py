"""Pure text helpers shared by the widgets: glyphs, values, statistics. No Textual."""
from __future__ import annotations

import numpy as np
from rich.text import Text

from graphtui.model import format_bytes, format_shape

# Node status (graphtui.model.state) -> (glyph, rich style).
STATUS_GLYPHS: dict[str, tuple[str, str]] = {
    "pending": ("○", "dim"),
    "next": ("●", "bold yellow"),
    "running": ("◐", "bold yellow"),
    "done": ("✓", "green"),
    "freed": ("✓", "green"),
    "error": ("✗", "bold red"),
}
NAN_GLYPH = ("⚠", "bold magenta")      # beside the status glyph: where NaN/Inf was met

STATUS_WORDS = {
    "pending": "pending", "next": "next to run", "running": "running", "done": "done",
    "freed": "done, buffers freed", "error": "error",
}


def status_glyph(status: str | None) -> Text:
    glyph, style = STATUS_GLYPHS.get(status or "pending", ("·", "dim"))
    return Text(glyph, style=style)


def nonfinite_mark(places) -> Text:
    """`⚠ NaN fwd` / `⚠ NaN grad`: a short mark after a node's name (Node.nonfinite)."""
    if not places:
        return Text("")
    which = ["fwd" if p == "forward output" else "grad" for p in places]
    which = list(dict.fromkeys(which))
    return Text(f" {NAN_GLYPH[0]} NaN {'+'.join(which)}", style=NAN_GLYPH[1])


def status_text(status: str | None) -> Text:
    _, style = STATUS_GLYPHS.get(status or "pending", ("·", "dim"))
    text = status_glyph(status)
    text.append(" " + STATUS_WORDS.get(status or "pending", str(status)), style=style)
    return text


def number(value, precision: int = 4) -> str:
    if value is None:
        return "—"
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    value = float(value)
    if value != value:
        return "nan"
    if value in (float("inf"), float("-inf")):
        return "inf" if value > 0 else "-inf"
    magnitude = abs(value)
    if magnitude and (magnitude >= 1e6 or magnitude < 1e-4):
        return f"{value:.{precision}e}"
    return f"{value:.{precision}f}"


def values_text(values, shape, max_items: int = 10, precision: int = 4) -> str:
    """A compact list like `[300.0000, 0.3000]`; nested for matrices, elided when long."""
    array = np.asarray(values)
    try:
        array = array.reshape(tuple(shape))
    except ValueError:
        pass
    if array.ndim == 0:
        return number(array.item(), precision)
    return _nested(array, max_items, precision, 1)


def _nested(array: np.ndarray, max_items: int, precision: int, indent: int) -> str:
    if array.ndim == 1:
        items = [v if isinstance(v, str) else number(v, precision)
                 for v in _elide(array.tolist(), max_items)]
        return "[" + ", ".join(items) + "]"
    rows = _elide(list(array), 4)
    inner = [r if isinstance(r, str) else _nested(r, max_items, precision, indent + 1)
             for r in rows]
    return "[" + (",\n" + " " * indent).join(inner) + "]"


def _elide(items: list, limit: int) -> list:
    if len(items) <= limit:
        return items
    half = limit // 2
    return items[:half] + ["..."] + items[-half:]


def summary_values(summary, max_items: int = 10) -> str:
    """Values when the summary kept them, else its head and an ellipsis; `None` for None."""
    if summary is None:
        return "None"
    if summary.values is not None:
        return values_text(summary.values, summary.shape, max_items)
    head = ", ".join(number(v) for v in summary.head)
    return f"[{head}, ...]"


def stats_text(summary) -> str:
    """min / max / mean / norm and non-finite counts of a trace Summary."""
    if summary is None or not summary.numel:
        return ""
    parts = [f"min {number(summary.min)}", f"max {number(summary.max)}",
             f"mean {number(summary.mean)}"]
    if summary.norm is not None:
        parts.append(f"norm {number(summary.norm)}")
    if summary.nan:
        parts.append(f"nan {summary.nan}")
    if summary.inf:
        parts.append(f"inf {summary.inf}")
    return "  ".join(parts)


def summary_line(summary) -> str:
    """`[2] float32  [300.0000, 0.3000]`, or shape and statistics when big."""
    if summary is None:
        return "None"
    head = f"{format_shape(summary.shape)} {summary.dtype}"
    if summary.numel <= 10:
        return f"{head}  {summary_values(summary)}"
    return f"{head}  {stats_text(summary)}"


def bytes_text(nbytes: int | None) -> str:
    return "?" if nbytes is None else format_bytes(nbytes)
