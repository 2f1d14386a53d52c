"""Charts drawn with block characters into rich Text: horizontal log-scale bars (gradient
flow) and a column chart (loss curve). They render alike in a terminal and in SVG
screenshots (no braille, whose dots many fonts draw unevenly). No Textual."""
from __future__ import annotations

import math

from rich.text import Text

from graphtui.model.gradient_rows import LayerFlow, LogScale, downsample

EIGHTHS = " ▁▂▃▄▅▆▇█"
MEAN_STYLE, MAX_STYLE, FLAG_STYLE = "bold dodger_blue2", "sky_blue3", "bold red"


def flow_chart(layers: list[LayerFlow], width: int) -> Text:
    """One row per layer: a solid bar to the mean |grad|, a light one on to the max, on a
    log axis whose decades are labelled below."""
    text = Text()
    if not layers:
        return Text("No parameter received a gradient in this iteration.", style="dim")
    scale = LogScale([v for layer in layers for v in (layer.mean, layer.max)])
    label_width = min(max(len(layer.name) for layer in layers) + 2, max(12, width // 3))
    bar_width = max(10, width - label_width - 1)
    for layer in layers:
        mark = "⚠ " if layer.flagged else "  "
        style = FLAG_STYLE if layer.flagged else ""
        text.append((mark + layer.name)[:label_width].ljust(label_width), style=style)
        text.append(" ")
        mean_cells = _cells(scale.fraction(layer.mean), bar_width)
        max_cells = max(_cells(scale.fraction(layer.max), bar_width), mean_cells)
        text.append("█" * mean_cells, style=MEAN_STYLE)
        text.append("░" * (max_cells - mean_cells), style=MAX_STYLE)
        text.append("\n")
    text.append(" " * (label_width + 1))
    text.append_text(_decade_axis(scale, bar_width))
    text.append("\n")
    text.append(" " * (label_width + 1))
    text.append("█", style=MEAN_STYLE)
    text.append(" mean |grad|   ")
    text.append("░", style=MAX_STYLE)
    text.append(" max |grad|  (log scale)", style="")
    return text


def _cells(fraction: float | None, width: int) -> int:
    return 0 if fraction is None else max(1, round(fraction * width))


def _decade_axis(scale: LogScale, width: int) -> Text:
    """Labels "1e-8" at their decades, as many as fit without overlapping."""
    line = [" "] * width
    span = scale.high - scale.low
    step = 1
    while span / step * 6 > width and step < span:
        step += 1
    for decade in range(scale.low, scale.high + 1, step):
        label = f"1e{decade}"
        at = min(round((decade - scale.low) / span * (width - 1)), width - len(label))
        if all(c == " " for c in line[max(0, at - 1):at + len(label) + 1]):
            line[at:at + len(label)] = label
    return Text("".join(line), style="dim")


def column_chart(points: list[tuple[int, float]], width: int, height: int) -> Text:
    """The series as columns of eighth blocks, ``height`` rows, y labels at the left; more
    points than columns are averaged in buckets."""
    if not points:
        return Text("No backward started from a scalar: no loss curve.", style="dim")
    labels = [f"{v:.4g}" for v in (max(v for _, v in points), min(v for _, v in points))]
    label_width = max(len(s) for s in labels) + 1
    columns = downsample(points, max(1, width - label_width - 1))
    values = [v for _, v in columns]
    low, high = min(values), max(values)
    span = high - low if high - low > 1e-12 * max(1.0, abs(high)) else 1.0
    eighths = [1 + round((v - low) / span * (height * 8 - 1)) if math.isfinite(v) else 0
               for v in values]
    repeat = max(1, min(8, (width - label_width - 1) // len(eighths)))
    eighths = [e for e in eighths for _ in range(repeat)]      # few points: wider columns
    text = Text()
    for row in range(height):
        floor = (height - 1 - row) * 8
        label = labels[0] if row == 0 else labels[1] if row == height - 1 else ""
        text.append(label.rjust(label_width - 1) + " ", style="dim")
        text.append("".join(EIGHTHS[min(8, max(0, e - floor))] for e in eighths),
                    style=MEAN_STYLE)
        text.append("\n")
    first, last = f"backward {columns[0][0]}", f"backward {columns[-1][0]}"
    gap = max(1, len(eighths) - len(first) - len(last))
    text.append(" " * label_width + first + " " * gap + last, style="dim")
    return text
