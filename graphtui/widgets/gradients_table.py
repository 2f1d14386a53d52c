"""The gradients view's table: every parameter of one iteration, grouped by module in layer
order, with its gradient's statistics, a sparkline of its norm over iterations and a flag.

Columns are padded by the cells themselves (the table's own padding is 0), so the whole
table fits 80 columns.

DataTable forgets every rendered cell whenever one cell changes, the styles are refreshed
(each time the view is shown again) or the focus moves, and drawing ~100 cells through
Rich is most of what such a key costs. This table also keeps each cell's render by what
it draws from (its text and styles, width, the row's and cursor's styles), so a cell that
looks as before (names, shapes, trends, headers; everything when the view is shown again)
is not drawn again."""
from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from graphtui.model.gradient_rows import Row, shape_text
from graphtui.widgets.chart_text import FLAG_STYLE, MEAN_STYLE

NAME_WIDTH, NUMBER_WIDTH = 11, 9
COLUMNS = (("parameter", NAME_WIDTH), ("shape", 6), ("‖g‖", NUMBER_WIDTH),
           ("min", NUMBER_WIDTH), ("max", NUMBER_WIDTH), ("mean|g|", NUMBER_WIDTH),
           ("NaN", 5), ("upd/w", NUMBER_WIDTH))
TREND_WIDTH = 8
CELLS_KEPT = 4096       # cell renders kept (a view shows ~120; a few iterations' worth)


class GradientsTable(DataTable):
    DEFAULT_CSS = """
    GradientsTable { height: 1fr; width: auto; max-width: 100%; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._cells_drawn: dict[tuple, list] = {}    # cell key -> its lines of segments

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.cell_padding = 0
        for label, width in COLUMNS:
            justify = "right" if width == NUMBER_WIDTH else "left"
            self.add_column(Text(label, justify=justify), width=width)
        self.add_column(Text(" trend"), width=TREND_WIDTH + 1)

    def show(self, rows: list[Row]) -> None:
        """Fill the table; when the rows are the same parameters as shown (another
        iteration of the same loop), only their cells change, which redraws less."""
        layout = [(row.module, row.label) for row in rows]
        cells = [_cells(row, _last_in_module(rows, i)) for i, row in enumerate(rows)]
        if layout == getattr(self, "_row_layout", None):
            for index, row_cells in enumerate(cells):
                for column, value in zip(self.columns, row_cells):
                    self.update_cell(str(index), column, value)
            return
        self._row_layout = layout
        self.clear()
        for index, row_cells in enumerate(cells):
            self.add_row(*row_cells, key=str(index))

    def _render_cell(self, row_index: int, column_index: int, base_style, width: int,
                     cursor: bool = False, hover: bool = False) -> list:
        """DataTable's render of a cell, kept by everything that render depends on."""
        key = self._cell_key(row_index, column_index, base_style, width, cursor, hover)
        if key is None:
            return super()._render_cell(row_index, column_index, base_style, width,
                                        cursor, hover)
        lines = self._cells_drawn.get(key)
        if lines is None:
            lines = super()._render_cell(row_index, column_index, base_style, width,
                                         cursor, hover)
            if len(self._cells_drawn) >= CELLS_KEPT:
                self._cells_drawn.clear()
            self._cells_drawn[key] = lines
        return lines

    def _cell_key(self, row_index: int, column_index: int, base_style, width: int,
                  cursor: bool, hover: bool) -> tuple | None:
        """What DataTable._render_cell draws from; None for a cell it does not cover (a row
        label, a fixed cell, a row not one line high)."""
        is_header = row_index == -1
        if column_index < 0 or row_index < -1 or (self.fixed_rows or self.fixed_columns):
            return None
        height = self.header_height if is_header else \
            self.rows[self._row_locations.get_key(row_index)].height
        if height != 1:
            return None
        cell = self._get_row_renderables(row_index).cells[column_index]
        if not isinstance(cell, Text):
            return None
        styles = self._get_styles_to_render_cell(
            is_header, False, False, hover, cursor, self.show_cursor,
            self._show_hover_cursor, self.cursor_foreground_priority == "css",
            self.cursor_background_priority == "css")
        content = (cell.plain, cell.style, cell.justify, cell.overflow, cell.no_wrap,
                   cell.end, cell.tab_size, tuple(cell.spans))
        return (row_index, column_index, content, base_style, width, styles)


def _last_in_module(rows: list[Row], index: int) -> bool:
    return index + 1 >= len(rows) or rows[index + 1].param is None


def _cells(row: Row, last: bool) -> tuple:
    if row.param is None:
        return (Text(row.label, style="bold", no_wrap=True, overflow="ellipsis"),) + \
            ("",) * len(COLUMNS)
    stat = row.stat
    flagged = row.flag is not None
    name = Text("└ " if last else "├ ", style="dim")
    name.append(("⚠" if flagged else "") + row.label, style=FLAG_STYLE if flagged else "")
    bad = f"{stat.nan}/{stat.inf}" if stat.nan + stat.inf else "0"
    return (
        name,
        Text(shape_text(row.param.shape), style="dim"),
        _number(stat.norm, FLAG_STYLE if flagged else "bold"),
        _number(stat.min), _number(stat.max), _number(stat.abs_mean),
        Text(bad, style=FLAG_STYLE if bad != "0" else "dim", justify="right"),
        _number(stat.update_ratio),
        Text(" " + row.trend, style=MEAN_STYLE),
    )


def _number(value: float | None, style: str = "") -> Text:
    text = "—" if value is None else "0" if value == 0 else f"{value:.1e}"
    return Text(text, style=style, justify="right")
