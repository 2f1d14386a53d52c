"""The `?` screen: every key with what it does."""
from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from graphtui.screens.keys import KEY_HELP, bindings_for
from graphtui.widgets.fmt import nonfinite_mark, status_text

OTHER_KEYS = [
    ("ctrl+q", "Quit."),
    ("ctrl+p", "Command palette: every key above, by name."),
    ("1 2 3 4", "Inspector tabs: Node, Tensor, Saved, Hooks."),
    ("g", "Group the graph by module (conv1, fc, ...) or show it from the roots."),
    ("e", "Cycle the events filter (All, Backward, Hooks, Forward, Output, Warnings/errors)."),
    ("tab / shift+tab", "Move focus between the graph, the inspector and the events."),
    ("arrows, enter", "Move in the graph tree; enter or a click expands a node. In the events "
                      "pane (tab to it): move the cursor, enter shows that moment."),
    ("mouse", "Click a node, a tab, a hook row or an event line to select it."),
    ("escape", "Close this screen or the find box."),
]


def keys_table(read_only: bool = False) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(ratio=1)
    for binding in bindings_for(read_only):
        table.add_row(binding.key_display or binding.key, KEY_HELP[binding.id])
    for key, text in OTHER_KEYS:
        table.add_row(key, text)
    return table


def glyph_legend() -> Text:
    text = Text("Graph rows: ")
    for status in ("pending", "next", "running", "done", "error"):
        text.append_text(status_text(status))
        text.append("   ")
    text.append_text(nonfinite_mark(("forward output",)))
    text.append(" NaN/Inf in its forward output;")
    text.append_text(nonfinite_mark(("gradient produced",)))
    text.append(" in a gradient it received or produced.")
    text.append("\n'12 B' / 'freed': memory its saved activations keep (parameters and inputs "
                "cost nothing extra), or freed.  "
                "'conv1': the module it ran in.  '↑ above': a node already shown above.")
    return text


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 92; max-width: 100%; height: auto; max-height: 100%;
        border: round $accent; border-title-color: $accent;
        background: $surface; padding: 0 1;
    }
    HelpScreen Static.note { color: $text-muted; margin-top: 1; }
    """

    BINDINGS = [
        Binding("escape,question_mark,q", "dismiss", "Close", show=False),
    ]

    def __init__(self, read_only: bool = False) -> None:
        super().__init__()
        self.read_only = read_only

    def compose(self) -> ComposeResult:
        with VerticalScroll() as body:
            body.border_title = "graphtui keys" + (" (a recording: read-only)"
                                                   if self.read_only else "")
            yield Static(keys_table(self.read_only))
            yield Static(glyph_legend(), classes="note")
