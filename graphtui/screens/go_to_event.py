"""The `t` box: type an event's number (as the events pane and dump print it), enter goes
there in history."""
from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class GoToEventScreen(ModalScreen[int | None]):
    DEFAULT_CSS = """
    GoToEventScreen { align: center top; }
    GoToEventScreen > Vertical {
        width: 40; max-width: 100%; height: auto; margin-top: 3;
        border: round $accent; background: $surface;
    }
    GoToEventScreen Input { padding: 0 1; }
    GoToEventScreen Static { padding: 0 1; color: $text-muted; }
    """

    BINDINGS = [Binding("escape", "dismiss", "Close", show=False)]

    def __init__(self, last: int) -> None:
        super().__init__()
        self.last = last

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "go to event"
            yield Input(placeholder=f"1 to {self.last:,}", type="integer", compact=True)
            yield Static(f"events are numbered 1 to {self.last:,}, as in dump")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(int(event.value) if event.value.strip().lstrip("-").isdigit() else None)
