"""The gradients view's table: every parameter of one iteration, grouped by module in layer
order, with its gradient's statistics, a sparkline of its norm over iterations and a flag.

A line-API widget, not Textual's DataTable: the table is a fixed set of columns of one-line
cells, a header and a row cursor, and DataTable's general machinery (keys, cell caches
cleared on every change, a Rich render per cell) was most of what a key of the view cost.
Here a row is drawn as one Rich ``Text`` and kept as a ``Strip`` by what it shows and the
styles it is drawn in, so another iteration draws only the rows whose numbers changed
(names, shapes, trends and headers stay as drawn), and showing the view again draws none.
It draws what DataTable drew: columns padded by the cells themselves (no cell padding), a
number right-aligned with its style, the header and the cursor row in the same component
styles, a row's cells marked with their row and column (``Style.meta``).
"""
from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from graphtui.model.gradient_rows import Row, shape_text
from graphtui.widgets.chart_text import FLAG_STYLE, MEAN_STYLE

NAME_WIDTH, NUMBER_WIDTH = 11, 9
# (label, width, right-aligned): a number's column is right-aligned, its header too, so
# each column starts with a space its cells leave (a number has at most width - 1 chars).
COLUMNS = (("parameter", NAME_WIDTH, False), ("shape", 6, False), ("‖g‖", NUMBER_WIDTH, True),
           ("min", NUMBER_WIDTH, True), ("max", NUMBER_WIDTH, True),
           ("mean|g|", NUMBER_WIDTH, True), ("NaN", 5, True), ("upd/w", NUMBER_WIDTH, True))
TREND_WIDTH = 8
WIDTHS = tuple(width for _, width, _ in COLUMNS) + (TREND_WIDTH + 1,)
TABLE_WIDTH = sum(WIDTHS)
HEADER = tuple(Text(label, justify="right" if right else "left")
               for label, _, right in COLUMNS) + (Text(" trend"),)
ROWS_KEPT = 1024        # row strips kept (a view shows ~40; a few hundred iterations' worth)


class GradientsTable(ScrollView, can_focus=True):
    COMPONENT_CLASSES = {"gradients-table--header", "gradients-table--cursor"}
    DEFAULT_CSS = """
    GradientsTable {
        background: $surface;
        color: $foreground;
        height: 1fr; width: auto; max-width: 100%;
        &:focus {
            background-tint: $foreground 5%;
            & > .gradients-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .gradients-table--header { background-tint: $foreground 5%; }
        }
        & > .gradients-table--header { text-style: bold; background: $panel; color: $foreground; }
        &:ansi > .gradients-table--header { background: ansi_bright_blue; color: ansi_default; }
        & > .gradients-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """
    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "cursor_to(0)", "First", show=False),
        Binding("end", "cursor_to(-1)", "Last", show=False),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.rows: list[tuple[Row, bool]] = []     # each row, and whether last in its module
        self.cursor_row = 0
        self._strips: dict[tuple, Strip] = {}     # row's key + styles + width -> its strip
        self.virtual_size = Size(TABLE_WIDTH, 1)

    def show(self, rows: list[Row]) -> None:
        """Show these rows; the cursor stays on its row number (the same parameter when the
        rows are another iteration of the same loop)."""
        self.rows = [(row, _last_in_module(rows, i)) for i, row in enumerate(rows)]
        self.cursor_row = max(0, min(self.cursor_row, len(rows) - 1))
        size = Size(TABLE_WIDTH, len(rows) + 1)
        if size != self.virtual_size:
            self.virtual_size = size
        self.refresh()

    # ------------------------------------------------------------------ keys and mouse

    def action_cursor(self, delta: int) -> None:
        self.move_cursor(self.cursor_row + delta)

    def action_page(self, direction: int) -> None:
        self.move_cursor(self.cursor_row + direction * max(1, self.size.height - 2))

    def action_cursor_to(self, row: int) -> None:
        self.move_cursor(row if row >= 0 else len(self.rows) - 1)

    def move_cursor(self, row: int) -> None:
        row = max(0, min(row, len(self.rows) - 1))
        if row == self.cursor_row:
            return
        self.cursor_row = row
        visible = max(1, self.size.height - 1)        # rows under the header
        top = int(self.scroll_y)
        if row < top:
            self.scroll_to(y=row, animate=False)
        elif row >= top + visible:
            self.scroll_to(y=row - visible + 1, animate=False)
        self.refresh()

    def _on_click(self, event: events.Click) -> None:
        if event.y >= 1:                              # not the header
            self.move_cursor(int(self.scroll_y) + event.y - 1)

    # ------------------------------------------------------------------ drawing

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        scroll_x, scroll_y = self.scroll_offset
        index = -1 if y == 0 else y - 1 + scroll_y    # the header stays at the top
        if index >= len(self.rows):
            return Strip.blank(width, self.rich_style)
        strip = self._row_strip(index, max(width, TABLE_WIDTH))
        return strip.crop(scroll_x, scroll_x + width) if scroll_x or width < TABLE_WIDTH \
            else strip

    def _row_strip(self, index: int, width: int) -> Strip:
        base = self.rich_style
        if index < 0:
            key, row_style, cursor = ("header",), \
                self.get_component_styles("gradients-table--header").rich_style, Style()
        else:
            key, row_style = self.rows[index], base
            cursor = self.get_component_rich_style("gradients-table--cursor") \
                if index == self.cursor_row else Style()
        # DataTable's cursor: its colour over the cells' own, its background under theirs.
        post = Style.from_color(color=cursor.color)
        cache_key = (key, index, row_style, cursor, base, width)
        strip = self._strips.get(cache_key)
        if strip is None:
            cells = tuple(zip(HEADER, WIDTHS)) if index < 0 else _cells(*self.rows[index])
            strip = _draw_row(cells, index, row_style + cursor, post, base, width,
                              self.app.console)
            if len(self._strips) >= ROWS_KEPT:
                self._strips.clear()
            self._strips[cache_key] = strip
        return strip


def _draw_row(cells: tuple, index: int, style: Style, post: Style, base: Style,
              width: int, console) -> Strip:
    """The row's cells (each with its width: a column's, or several columns' for a cell that
    spans them), each cropped and padded as DataTable pads a one-line cell (a right-aligned
    number's padding in its style, a left-aligned cell's not), over ``style``, then the rest
    of the line in ``style`` too."""
    line = Text()
    for cell, cell_width in cells:
        _append_fitted(line, cell if isinstance(cell, Text) else Text(cell), cell_width)
    start = 0
    for column, column_width in enumerate(WIDTHS):      # each column's cells marked as its
        line.stylize(Style.from_meta({"row": index, "column": column}), start,
                     start + column_width)
        start += column_width
    segments = list(Segment.apply_style(line.render(console), style, post))
    # As DataTable: the rest of the line in the row's style (an empty segment if none).
    meta = Style.from_meta({"row": index, "column": 0, "out_of_bounds": True})
    segments.append(Segment(" " * (width - TABLE_WIDTH), style + meta))
    return Strip(segments, width).adjust_cell_length(width, base).simplify()


def _append_fitted(line: Text, cell: Text, width: int) -> None:
    text = cell.copy()
    text.truncate(width, overflow=cell.overflow or "fold")
    gap = width - text.cell_len
    if gap > 0 and cell.justify == "right":
        text.pad_left(gap)            # inside the text: in its style
    line.append_text(text)
    if gap > 0 and cell.justify != "right":
        line.append(" " * gap)        # outside it: unstyled


def _last_in_module(rows: list[Row], index: int) -> bool:
    return index + 1 >= len(rows) or rows[index + 1].param is None


def _cells(row: Row, last: bool) -> tuple:
    """(cell, width) of each cell of the row. A module's row is its label, the whole width
    of the table; a parameter without a gradient says why across the statistics."""
    if row.param is None:
        return ((Text(row.label, style="bold", no_wrap=True, overflow="ellipsis"),
                 TABLE_WIDTH),)
    stat = row.stat
    flagged = row.flag is not None
    # A cut name or shape ends with "…": "4×1×3×" would read as a shape of its own.
    name = Text("└ " if last else "├ ", style="dim", no_wrap=True, overflow="ellipsis")
    name.append(("⚠" if flagged else "") + row.label, style=FLAG_STYLE if flagged else "")
    shape = Text(shape_text(row.param.shape), style="dim", no_wrap=True, overflow="ellipsis")
    trend = Text(" " + row.trend, style=MEAN_STYLE)
    if stat is None:
        name.stylize("dim", 2)
        missing = Text("  " + row.missing, style="dim italic", no_wrap=True,
                       overflow="ellipsis")
        return ((name, WIDTHS[0]), (shape, WIDTHS[1]), (missing, sum(WIDTHS[2:-1])),
                (trend, WIDTHS[-1]))
    bad = f"{stat.nan}/{stat.inf}" if stat.nan + stat.inf else "0"
    return tuple(zip((
        name,
        shape,
        _number(stat.norm, FLAG_STYLE if flagged else "bold"),
        _number(stat.min), _number(stat.max), _number(stat.abs_mean),
        Text(bad, style=FLAG_STYLE if bad != "0" else "dim", justify="right"),
        _number(stat.update_ratio),
        trend,
    ), WIDTHS))


def _number(value: float | None, style: str = "") -> Text:
    text = "—" if value is None else "0" if value == 0 else f"{value:.1e}"
    return Text(text, style=style, justify="right")
