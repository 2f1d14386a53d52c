"""The inspector views' renderable wrapper: rendered once per width, drawn as the original."""
from __future__ import annotations

import io

from rich.console import Console
from rich.text import Text
from textual.app import App
from textual.widgets import Static

from graphtui.widgets.pane_view import PaneView, RenderedOnce, facts


class Counted:
    """A renderable that counts its renders."""

    def __init__(self, renderable) -> None:
        self.renderable, self.renders = renderable, 0

    def __rich_console__(self, console, options):
        self.renders += 1
        yield from console.render(self.renderable, options)


def printed(renderable, width: int) -> str:
    console = Console(width=width, file=io.StringIO(), record=True, color_system="truecolor")
    console.print(renderable)
    return console.export_text(styles=True)


def test_rendered_once_per_width_and_drawn_as_the_original():
    grid = facts(("next_functions", Text("[0] (AddmmBackward0, 0)\n[1] None")),
                 ("made at", Text("a/very/long/path/to/the/scenario/file.py:120")))
    counted = Counted(grid)
    once = RenderedOnce(counted)
    first = printed(once, 40)
    assert printed(once, 40) == first == printed(grid, 40)
    assert counted.renders == 1                   # measured, then drawn: one render
    assert printed(once, 24) == printed(grid, 24) != first
    assert counted.renders == 2


class Lines(PaneView):
    """A view that shows the selection's text (here: whatever ``show`` is given)."""

    def render_view(self, state, selection):
        return Text(selection)


class OneView(App):
    CSS = "Lines { height: 20; width: 40; }"

    def compose(self):
        yield Lines()


async def test_a_view_asks_for_a_layout_only_when_its_height_changes():
    app = OneView()
    async with app.run_test(size=(60, 24)) as pilot:
        view = app.query_one(Lines)
        body = view.query_one(".body", Static)
        asked: list[bool] = []
        update = body.update
        body.update = lambda content, *, layout=True: (asked.append(layout),
                                                      update(content, layout=layout))[1]
        for text in ("one\ntwo", "three\nfour\nfive", "six\nseven\neight", "nine"):
            view.show(None, text)
            await pilot.pause()
            assert body.size.height == text.count("\n") + 1       # laid out when it changed
        assert asked == [True, True, False, True]
