"""The gradients view's table widget on its own: it draws, line for line and style for
style, what Textual's DataTable drew for the same cells (the reference it replaced), keeps
row strips that draw what a fresh render draws, and moves its row cursor like DataTable."""
from __future__ import annotations

from rich.text import Text
from textual.app import App
from textual.containers import Horizontal
from textual.widgets import DataTable

from graphtui.model.gradient_rows import FROZEN, Row
from graphtui.model.gradients import EXPLODING, Flag, GradStat, Param
from graphtui.widgets.gradients_table import COLUMNS, TABLE_WIDTH, TREND_WIDTH, WIDTHS, \
    GradientsTable, _cells

LONG_MODULE = "encoder.layers.11.self_attention.output_projection_with_a_longer_name (Linear)"


def param(tensor_id, name, module, shape, requires_grad=True):
    return Param(tensor_id, f"{module}.{name}", module, shape, tensor_id, requires_grad)


def sample_rows(scale: float = 1.0) -> list[Row]:
    """Three modules, one label longer than the first column, one longer than the table, a
    shape too long for its column, a frozen parameter, a flagged parameter with NaN and
    Inf, a missing update ratio, and a zero."""
    conv = "features.0.conv_with_a_long_name"
    stat = GradStat(2.5e-3 * scale, -1.25e-4, 3.5e-4, 4.25e-5, 0, 0, 1.5e-2)
    bad = GradStat(float("nan"), None, None, None, 3, 1, None)
    rows = [Row(conv, "0 (Conv2d with a long label)"),
            Row(conv, "weight", param(1, "weight", conv, (128, 64, 3, 3)), stat, None,
                "▁▂▃▄▅▆▇█"),
            Row(conv, "bias", param(2, "bias", conv, (128,)),
                GradStat(0.0, 0.0, 0.0, 0.0, 0, 0, None), None, "▁▁"),
            Row("enc", LONG_MODULE),
            Row("enc", "weight", param(3, "weight", "enc", (8, 8), False), None, None, "",
                FROZEN),
            Row("fc", "fc (Linear)")]
    for k in range(14):
        rows.append(Row("fc", f"p{k}", param(10 + k, f"p{k}", "fc", (10, k + 1)),
                        stat if k % 3 else bad,
                        Flag(EXPLODING, 10 + k, "NaN 3") if k % 3 == 0 else None, "▃▄"))
    return rows


class ReferenceTable(DataTable):
    """The DataTable the widget replaced, configured as it was."""
    DEFAULT_CSS = "ReferenceTable { height: 12; width: 80; }"

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.cell_padding = 0
        for label, width, right in COLUMNS:
            self.add_column(Text(label, justify="right" if right else "left"), width=width)
        self.add_column(Text(" trend"), width=TREND_WIDTH + 1)

    def show(self, rows: list[Row]) -> None:
        self.clear()
        for index, row in enumerate(rows):
            last = index + 1 >= len(rows) or rows[index + 1].param is None
            self.add_row(*column_cells(_cells(row, last)), key=str(index))


def column_cells(cells) -> list[Text]:
    """One cell per column: a cell that spans columns (a module's label, why a parameter
    has no gradient), fitted to its span and cut at the columns' edges (DataTable has no
    spans: the cut pieces, side by side, draw the cell)."""
    out: list[Text] = []
    for cell, width in cells:
        first = len(out)
        last = next(k for k in range(first, len(WIDTHS)) if sum(WIDTHS[first:k + 1]) == width)
        if last == first:
            out.append(cell)
            continue
        text = cell.copy()
        text.truncate(width, overflow=cell.overflow or "fold")
        edges = [sum(WIDTHS[first:k + 1]) for k in range(first, last)]
        pieces = list(text.divide(edges))
        pieces += [Text("")] * (last + 1 - first - len(pieces))
        for piece in pieces:
            piece.overflow, piece.no_wrap = "fold", True
        out.extend(pieces)
    return out


class Side(App):
    CSS = "GradientsTable { height: 12; width: 80; }"

    def compose(self):
        with Horizontal():
            yield GradientsTable()
            yield ReferenceTable()


def lines(widget) -> list[list]:
    return [list(widget.render_line(y)) for y in range(widget.size.height)]


async def test_it_draws_what_datatable_draws_focused_or_not_wherever_the_cursor_is():
    app = Side()
    async with app.run_test(size=(170, 20)) as pilot:
        table, reference = app.query_one(GradientsTable), app.query_one(ReferenceTable)
        rows = sample_rows()
        table.show(rows)
        reference.show(rows)
        await pilot.pause()
        for focused in (False, True):
            for cursor in (0, 1, 5):
                table.move_cursor(cursor)
                reference.move_cursor(row=cursor, animate=False)
                drawn = []
                for widget in (table, reference):     # each focused in turn, or neither
                    app.set_focus(widget if focused else None)
                    await pilot.pause()
                    drawn.append(lines(widget))
                assert drawn[0] == drawn[1], (focused, cursor)
        text = "\n".join("".join(s.text for s in line) for line in lines(table))
        assert "0 (Conv2d with a long label)" in text and "128×6…" in text
        assert "2.5e-03" in text and "⚠p0" in text and "3/1" in text
        assert LONG_MODULE[:TABLE_WIDTH - 1] + "…" in text
        assert "└ weight   8×8     " + FROZEN in text


async def test_rows_kept_from_an_earlier_iteration_draw_what_a_fresh_render_draws():
    app = Side()
    async with app.run_test(size=(170, 20)) as pilot:
        table = app.query_one(GradientsTable)
        for scale in (1.0, 2.0, 1.0, 2.0):            # back and forth between two iterations
            table.show(sample_rows(scale))
            await pilot.pause()
        kept = lines(table)
        reused = dict(table._strips)
        assert len(reused) >= 4
        table._strips.clear()
        assert lines(table) == kept
        assert all(reused[key] == strip for key, strip in table._strips.items()
                   if key in reused)
        assert "5.0e-03" in "".join(s.text for s in kept[2])


async def test_the_cursor_moves_and_scrolls_under_a_fixed_header():
    app = Side()
    async with app.run_test(size=(170, 20)) as pilot:
        table = app.query_one(GradientsTable)
        table.show(sample_rows())
        table.focus()
        await pilot.pause()
        await pilot.press("down", "down")
        assert table.cursor_row == 2
        await pilot.press("end")
        await pilot.pause()
        assert table.cursor_row == 19
        top = "".join(s.text for s in table.render_line(0))
        bottom = "".join(s.text for s in table.render_line(table.size.height - 1))
        assert top.startswith("parameter")          # the header stays
        assert "p13" in bottom and table.scroll_y == 20 - (table.size.height - 1)
        await pilot.press("pageup")
        assert table.cursor_row == 19 - (table.size.height - 2)
        await pilot.press("home", "up")
        await pilot.pause()
        assert table.cursor_row == 0 and table.scroll_y == 0
        table.show(sample_rows()[:3])                 # fewer rows: the cursor stays inside
        table.move_cursor(9)
        assert table.cursor_row == 2
