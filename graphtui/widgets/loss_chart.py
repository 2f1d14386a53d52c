"""The loss curve: the backward root's scalar value over iterations, as columns."""
from __future__ import annotations

from textual.widget import Widget

from graphtui.widgets.chart_text import column_chart

MAX_ROWS = 16


class LossChart(Widget):
    DEFAULT_CSS = """
    LossChart { height: 1fr; padding: 0 1; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.points: list[tuple[int, float]] = []

    def show(self, points: list[tuple[int, float]]) -> None:
        if points != self.points:         # the same loop: nothing to redraw
            self.points = points
            self.refresh()

    def render(self):
        rows = max(3, min(MAX_ROWS, self.content_size.height - 1))
        return column_chart(self.points, max(30, self.content_size.width), rows)
