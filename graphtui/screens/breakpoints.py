"""The `B` form: add, list and remove breakpoints (``graphtui.breakpoints``).

Type a spec and press enter to add it; tab to the list, then `x` or delete removes the one
highlighted; escape closes. Changes apply at once: ``add(spec)`` returns the canonical spec
or raises ``BreakpointError`` (shown in the form), ``remove(spec)`` drops one; the screen
only shows the list they leave.
"""
from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from graphtui.breakpoints import SYNTAX, BreakpointError

NONE_SET = "no breakpoints: type one above"


class BreakpointsScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    BreakpointsScreen { align: center top; }
    BreakpointsScreen > Vertical {
        width: 64; max-width: 100%; height: auto; max-height: 100%; margin-top: 2;
        border: round $accent; background: $surface;
    }
    BreakpointsScreen Input { padding: 0 1; }
    BreakpointsScreen OptionList { border: none; height: auto; max-height: 8; }
    BreakpointsScreen Static { padding: 0 1; color: $text-muted; }
    BreakpointsScreen #breakpoint-error { color: $error; display: none; }
    BreakpointsScreen #breakpoint-error.-shown { display: block; }
    """

    BINDINGS = [Binding("escape", "dismiss", "Close", show=False)]

    def __init__(self, specs: tuple[str, ...], add: Callable[[str], str],
                 remove: Callable[[str], object]) -> None:
        super().__init__()
        self.specs = tuple(specs)
        self._add = add
        self._remove = remove

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "breakpoints"
            yield Input(placeholder=SYNTAX, compact=True, id="breakpoint-spec")
            yield Static("", id="breakpoint-error")
            yield OptionList(id="breakpoint-list")
            yield Static("enter add · tab, then x or del: remove · esc close")

    def on_mount(self) -> None:
        self._show_list()

    def _show_list(self, highlight: int | None = None) -> None:
        listing = self.query_one(OptionList)
        listing.clear_options()
        if not self.specs:
            listing.add_option(Option(NONE_SET, id="none", disabled=True))
            return
        listing.add_options(Option(spec, id=spec) for spec in self.specs)
        listing.highlighted = min(highlight or 0, len(self.specs) - 1)

    def _say(self, error: str | None) -> None:
        line = self.query_one("#breakpoint-error", Static)
        line.update(error or "")
        line.set_class(bool(error), "-shown")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            return
        try:
            spec = self._add(text)
        except BreakpointError as error:
            self._say(str(error))
            return
        self._say(None)
        if spec not in self.specs:
            self.specs += (spec,)
        event.input.value = ""
        self._show_list()

    def key_x(self) -> None:
        self._remove_highlighted()

    def key_delete(self) -> None:
        self._remove_highlighted()

    def _remove_highlighted(self) -> None:
        listing = self.query_one(OptionList)
        if not listing.has_focus or listing.highlighted is None or not self.specs:
            return
        index = listing.highlighted
        spec = self.specs[index]
        self._remove(spec)
        self.specs = self.specs[:index] + self.specs[index + 1:]
        self._show_list(highlight=index)
