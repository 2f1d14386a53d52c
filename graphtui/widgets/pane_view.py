"""Base for the inspector's views: a scrollable Static that re-renders from (state, selection)."""
from __future__ import annotations

import io

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from graphtui.model import EventNumbers, State
from graphtui.widgets.selection import Selection


def facts(*rows: tuple[str, RenderableType | str]) -> Table:
    """A two-column grid: dim labels on the left, values on the right."""
    table = Table.grid(padding=(0, 1))
    table.add_column(style="dim", no_wrap=True)
    table.add_column(ratio=1, overflow="fold")     # a long path folds rather than being cut
    for label, value in rows:
        table.add_row(label, value)
    return table


def heading(text: str) -> Text:
    return Text(text, style="bold underline")


class PaneView(VerticalScroll):
    """Subclasses implement ``render_view(state, selection)`` returning a renderable."""

    DEFAULT_CSS = """
    PaneView { padding: 0 1; background: $surface; }
    PaneView > Static { width: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Static(classes="body")

    _last: RenderableType = ""
    _height: int | None = None               # lines of the body last shown (None: unknown)
    numbers: EventNumbers | None = None      # the events' numbers (as the events pane shows)

    def show(self, state: State, selection: Selection, numbers: EventNumbers | None = None
             ) -> None:
        self.numbers = numbers
        self._last = self.render_view(state, selection)
        body = self.query_one(".body", Static)
        content = RenderedOnce(self._last)
        # A layout only when the height changes: most keys that move through history show
        # the same item, as tall as before. Measured as Textual measures it, so the render
        # kept for that width serves the paint too.
        height = content.height(self.app, body.content_size.width)
        body.update(content, layout=height is None or height != self._height)
        self._height = height

    def render_view(self, state: State, selection: Selection) -> RenderableType:
        raise NotImplementedError

    @property
    def text(self) -> str:
        """What the view shows, as plain text (for tests)."""
        return plain_text(self._last)


class RenderedOnce:
    """``renderable``, rendered once per width. Textual renders a Rich renderable in a
    Static twice for each update: once to measure its height for the layout, once to draw
    it; a grid of facts is most of what a key that moves the inspector costs. The segments
    of the first are kept and given again for the second."""

    def __init__(self, renderable: RenderableType) -> None:
        self.renderable = renderable
        self._segments: tuple | None = None      # (options key, segments)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        key = (options.max_width, options.min_width, options.justify, options.overflow,
               options.no_wrap, options.highlight, options.markup)
        if self._segments is None or self._segments[0] != key:
            self._segments = (key, list(console.render(self.renderable, options)))
        return self._segments[1]

    def height(self, app, width: int) -> int | None:
        """Its lines at ``width``, as Textual's ``RichVisual.get_height`` counts them (with
        the same options, so that render is the one kept); None before a layout."""
        if width <= 0:
            return None
        options = app.console_options.update_width(width).update(highlight=False)
        return sum(text.count("\n") for text, _, _ in self.__rich_console__(app.console, options))

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.renderable)


def plain_text(renderable: RenderableType, width: int = 200) -> str:
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    console.print(renderable)
    return console.export_text()


def section(title: str, body: RenderableType) -> Group:
    """A heading with its body right under it."""
    return Group(heading(title), body)


def stack(*parts: RenderableType | None) -> Group:
    """A Group of the parts that are not None, separated by blank lines."""
    items: list[RenderableType] = []
    for part in parts:
        if part is None:
            continue
        if items:
            items.append(Text(""))
        items.append(part)
    return Group(*items)
