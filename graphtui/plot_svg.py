"""``graphtui dump --plot OUT.svg``: the gradient-flow chart and the loss curve as one SVG.

Drawn here, element by element (no plotting library): the flow chart has one row per layer
(module) in layer order, a bar to the largest |grad| (light) over a bar to the mean |grad|
(dark) on a log axis with a line per decade, a flagged layer's label in red; the loss curve
is a polyline over iteration numbers with a linear axis. Pure: returns the text.
"""
from __future__ import annotations

from xml.sax.saxutils import escape

from graphtui.dump_gradients import findings_line, iteration_title
from graphtui.model.gradient_rows import LayerFlow, LogScale, downsample, layer_flow
from graphtui.model.gradients import THRESHOLDS, GradientTracker

WIDTH = 900
MARGIN = 20
LABEL_WIDTH = 170
ROW_HEIGHT = 18
LOSS_HEIGHT = 220
MAX_LOSS_POINTS = 600
MEAN_COLOUR, MAX_COLOUR, FLAG_COLOUR = "#1f5fa8", "#9cc3ea", "#c0392b"
FONT = 'font-family="DejaVu Sans, Arial, sans-serif"'


def gradient_charts_svg(tracker: GradientTracker, title: str) -> str:
    iteration = next((it for it in reversed(tracker.iterations) if it.grads), None)
    parts: list[str] = []
    y = MARGIN
    parts.append(_text(MARGIN, y + 14, f"graphtui · {title}", 16, bold=True))
    y += 30
    if iteration is None:
        parts.append(_text(MARGIN, y + 12, "no backward pass wrote a gradient: nothing to draw"))
        y += 30
    else:
        parts.append(_text(MARGIN, y + 11, f"findings: {findings_line(tracker)}", 11,
                           colour=FLAG_COLOUR if tracker.findings() else "#333"))
        y += 16
        parts.append(_text(MARGIN, y + 11, f"thresholds: {THRESHOLDS}", 11, colour="#555"))
        y += 26
        for shown in _iterations_to_draw(tracker, iteration):
            parts.append(_text(MARGIN, y + 12, f"Gradient flow, {iteration_title(tracker, shown)}"
                               "  (mean and max |grad| per layer, log scale)", 13, bold=True))
            y = _flow_chart(parts, layer_flow(tracker, shown), y + 22) + 14
    y += 20
    y = _loss_chart(parts, tracker.losses(), y)
    height = y + MARGIN
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
            f'viewBox="0 0 {WIDTH} {height}">\n'
            f'<rect width="{WIDTH}" height="{height}" fill="white"/>\n'
            + "\n".join(parts) + "\n</svg>\n")


def _iterations_to_draw(tracker: GradientTracker, last):
    """The last iteration, and before it the first flagged one when that is another."""
    flagged = [f.iterations[0] for f in tracker.findings()]
    first = next((it for it in tracker.iterations if flagged and it.number == min(flagged)), None)
    return [first, last] if first is not None and first is not last else [last]


def _flow_chart(parts: list[str], layers: list[LayerFlow], top: int) -> int:
    scale = LogScale([v for layer in layers for v in (layer.mean, layer.max)])
    left, right = MARGIN + LABEL_WIDTH, WIDTH - 2 * MARGIN
    bottom = top + ROW_HEIGHT * len(layers)

    def x_of(value):
        fraction = scale.fraction(value)
        return None if fraction is None else left + fraction * (right - left)

    for decade in scale.decades:
        x = x_of(10.0 ** decade)
        parts.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{bottom}" '
                     f'stroke="#ddd" stroke-width="1"/>')
        parts.append(_text(x, bottom + 14, f"1e{decade}", 10, anchor="middle", colour="#555"))
    for row, layer in enumerate(layers):
        y = top + row * ROW_HEIGHT
        colour = FLAG_COLOUR if layer.flagged else "#222"
        label = layer.name + (f"  ({layer.flagged})" if layer.flagged else "")
        parts.append(_text(left - 6, y + 13, label, 11, anchor="end", colour=colour))
        for value, colour_bar, inset in ((layer.max, MAX_COLOUR, 2), (layer.mean, MEAN_COLOUR, 5)):
            x = x_of(value)
            if x is not None:
                parts.append(f'<rect x="{left}" y="{y + inset}" width="{max(x - left, 1):.1f}" '
                             f'height="{ROW_HEIGHT - 2 * inset}" fill="{colour_bar}"/>')
    parts.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="#333"/>')
    legend_y = bottom + 32
    parts.append(f'<rect x="{left}" y="{legend_y - 9}" width="12" height="10" fill="{MAX_COLOUR}"/>')
    parts.append(_text(left + 16, legend_y, "max |grad|", 11))
    parts.append(f'<rect x="{left + 110}" y="{legend_y - 9}" width="12" height="10" '
                 f'fill="{MEAN_COLOUR}"/>')
    parts.append(_text(left + 126, legend_y, "mean |grad|", 11))
    return legend_y + 6


def _loss_chart(parts: list[str], losses: list[tuple[int, float]], top: int) -> int:
    parts.append(_text(MARGIN, top + 12, "Loss over iterations (the backward root's value)",
                       13, bold=True))
    top += 24
    if not losses:
        parts.append(_text(MARGIN, top + 12, "no backward started from a scalar: no loss curve"))
        return top + 20
    points = downsample(losses, MAX_LOSS_POINTS)
    left, right, bottom = MARGIN + 70, WIDTH - MARGIN, top + LOSS_HEIGHT
    low, high = min(v for _, v in points), max(v for _, v in points)
    if high - low < 1e-12 * max(1.0, abs(high)):
        low, high = low - 0.5, high + 0.5
    first, last = points[0][0], max(points[-1][0], points[0][0] + 1)

    def xy(number, value):
        return (left + (number - first) / (last - first) * (right - left),
                bottom - (value - low) / (high - low) * (bottom - top))

    for i in range(5):
        value = low + (high - low) * i / 4
        _, y = xy(first, value)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="#eee"/>')
        parts.append(_text(left - 6, y + 4, f"{value:.4g}", 10, anchor="end", colour="#555"))
    parts.append(f'<rect x="{left}" y="{top}" width="{right - left}" height="{bottom - top}" '
                 f'fill="none" stroke="#333"/>')
    coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(n, v) for n, v in points))
    parts.append(f'<polyline points="{coords}" fill="none" stroke="{MEAN_COLOUR}" '
                 f'stroke-width="2"/>')
    if len(points) <= 60:
        for n, v in points:
            x, y = xy(n, v)
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{MEAN_COLOUR}"/>')
    parts.append(_text(left, bottom + 14, f"backward {first}", 10, colour="#555"))
    parts.append(_text(right, bottom + 14, f"backward {points[-1][0]}", 10, anchor="end",
                       colour="#555"))
    return bottom + 20


def _text(x, y, text: str, size: int = 12, *, anchor: str = "start", bold: bool = False,
          colour: str = "#222") -> str:
    weight = ' font-weight="bold"' if bold else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" {FONT} fill="{colour}" '
            f'text-anchor="{anchor}"{weight}>{escape(text)}</text>')
