"""A row of tab labels over an underline bar, drawn as Textual's ``Tabs`` draws them, in one
widget: the gradients view's tabs. ``TabbedContent`` is a dozen widgets (tabs, underline,
scroll containers, panes) that are made, styled and laid out when the view opens and
restyled at each switch; here a switch is one repaint of two lines, and the panes are the
children of a ``ContentSwitcher``. A click on a label picks its tab (``Picked``)."""
from __future__ import annotations

from rich.console import Group
from rich.style import Style
from rich.text import Text
from textual import events
from textual.message import Message
from textual.reactive import reactive
from textual.renderables.bar import Bar
from textual.widget import Widget


class TabBar(Widget):
    COMPONENT_CLASSES = {"tab-bar--tab", "tab-bar--active", "tab-bar--bar"}
    DEFAULT_CSS = """
    TabBar {
        width: 1fr;
        height: 2;
        & > .tab-bar--tab { color: $foreground 50%; }
        & > .tab-bar--active { color: $foreground; }
        & > .tab-bar--bar { color: $block-cursor-background; background: $foreground 10%; }
        &:ansi {
            & > .tab-bar--tab { text-style: dim; }
            & > .tab-bar--active { text-style: not dim bold; }
            & > .tab-bar--bar { color: $block-cursor-background; background: $border-blurred; }
        }
    }
    """
    active: reactive[str] = reactive("")

    class Picked(Message):
        """A tab's label was clicked."""

        def __init__(self, tab: str) -> None:
            super().__init__()
            self.tab = tab

    def __init__(self, tabs: list[tuple[str, str]], active: str, **kwargs) -> None:
        """``tabs``: (id, label) in order."""
        super().__init__(**kwargs)
        self.tabs = tabs
        self.set_reactive(TabBar.active, active)

    def spans(self) -> list[tuple[str, int, int]]:
        """Each tab's id and the columns [start, end) its label takes (one column of
        padding each side, as a Tab has)."""
        spans, x = [], 0
        for tab, label in self.tabs:
            spans.append((tab, x + 1, x + 1 + len(label)))
            x += len(label) + 2
        return spans

    def render(self) -> Group:
        labels = Text(no_wrap=True)
        for tab, label in self.tabs:
            style = "tab-bar--active" if tab == self.active else "tab-bar--tab"
            labels.append(" ")            # a Tab's padding: not in the label's colour
            labels.append(label, style=self.get_component_rich_style(style)
                          + Style.from_meta({"tab": tab}))
            labels.append(" ")
        start, end = next((s, e) for tab, s, e in self.spans() if tab == self.active)
        bar = self.get_component_rich_style("tab-bar--bar")
        return Group(labels, Bar((start, end), Style.from_color(bar.color),
                                 Style.from_color(bar.bgcolor)))

    def _on_click(self, event: events.Click) -> None:
        for tab, start, end in self.spans():
            if start - 1 <= event.x < end + 1 and tab != self.active:
                self.post_message(self.Picked(tab))
