"""The `/` box: type part of a node or tensor name, pick one, the graph jumps to it."""
from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

MAX_SHOWN = 200


@dataclass(frozen=True)
class Target:
    kind: str          # "node" | "tensor"
    id: int
    label: str         # what the user sees and searches: "MulBackward0  node 3", "tensor x"


def matching(targets: list[Target], query: str) -> list[Target]:
    """Targets whose label contains every word of the query (case-insensitive)."""
    words = query.lower().split()
    return [t for t in targets if all(w in t.label.lower() for w in words)]


class FindScreen(ModalScreen[Target | None]):
    DEFAULT_CSS = """
    FindScreen { align: center top; }
    FindScreen > Vertical {
        width: 70; height: auto; max-height: 24; margin-top: 3;
        border: round $accent; background: $surface;
    }
    FindScreen Input { padding: 0 1; }
    FindScreen OptionList { border: none; height: auto; max-height: 20; }
    """

    BINDINGS = [
        Binding("escape", "dismiss", "Close", show=False),
        Binding("down", "cursor_down", show=False),
        Binding("up", "cursor_up", show=False),
    ]

    def __init__(self, targets: list[Target]) -> None:
        super().__init__()
        self._targets = targets
        self._shown: list[Target] = []

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "find a node or tensor"
            # Compact: one row, no border. The default's tall border in a one-row box left
            # no row for the text itself.
            yield Input(placeholder="name, e.g. Mul or conv1.weight", compact=True)
            yield OptionList()

    def on_mount(self) -> None:
        self._fill("")

    @on(Input.Changed)
    def _query_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def _fill(self, query: str) -> None:
        self._shown = matching(self._targets, query)[:MAX_SHOWN]
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(Option(t.label) for t in self._shown)
        if self._shown:
            options.highlighted = 0

    def action_cursor_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        highlighted = self.query_one(OptionList).highlighted
        self._pick(highlighted)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._pick(event.option_index)

    def _pick(self, index: int | None) -> None:
        if index is not None and 0 <= index < len(self._shown):
            self.dismiss(self._shown[index])
        else:
            self.dismiss(None)
