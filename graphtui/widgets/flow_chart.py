"""The gradient-flow chart of one iteration: mean and max |grad| per layer, log scale."""
from __future__ import annotations

from textual.widget import Widget

from graphtui.model.gradient_rows import LayerFlow
from graphtui.widgets.chart_text import flow_chart


class FlowChart(Widget):
    DEFAULT_CSS = """
    FlowChart { height: auto; padding: 0 1; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.flow: list[LayerFlow] = []

    def show(self, layers: list[LayerFlow]) -> None:
        # Another iteration of the same model has as many layers, so the same height: a
        # repaint, not a layout of the whole screen.
        resized = len(layers) != len(self.flow) or not self.flow
        self.flow = layers
        self.refresh(layout=resized)

    def render(self):
        return flow_chart(self.flow, max(30, self.content_size.width))

    def get_content_height(self, container, viewport, width: int) -> int:
        return len(self.flow) + 2 if self.flow else 1
