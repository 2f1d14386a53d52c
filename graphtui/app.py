"""The Textual app: thin. The main screen does the work; the session runs the scenario."""
from __future__ import annotations

from collections.abc import Iterable

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from graphtui.screens.keys import DEBUGGER_BINDINGS, KEY_HELP
from graphtui.screens.main import MainScreen


class GraphtuiApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "graphtui"
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", priority=True, id="quit")]

    def __init__(self, session, *, theme: str = "textual-dark", animations: bool = True) -> None:
        super().__init__()
        self.session = session
        self.theme = theme
        if not animations:
            self.animation_level = "none"

    def on_mount(self) -> None:
        self.push_screen(MainScreen(self.session))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if isinstance(screen, MainScreen):
            for binding in DEBUGGER_BINDINGS:
                key = binding.key_display or binding.key
                yield SystemCommand(f"{binding.tooltip} ({key})", KEY_HELP[binding.id],
                                    _runner(screen, binding.action))

    @property
    def main(self) -> MainScreen:
        return next(s for s in self.screen_stack if isinstance(s, MainScreen))


def _runner(screen: MainScreen, action: str):
    async def run() -> None:
        await screen.run_action(action)
    return run
