"""The Textual app: thin. The main screen does the work; the session runs the scenario."""
from __future__ import annotations

import os
from collections.abc import Iterable

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from graphtui.screens.keys import KEY_HELP, bindings_for
from graphtui.screens.main import MainScreen
from graphtui.widgets.keys_footer import WIDE


# Tests only: a key (e.g. "f12") that raises inside the running app, to check that a crash of
# graphtui itself restores the terminal and names its log file (tests/graphtui/test_tmux.py).
TEST_CRASH_KEY = "GRAPHTUI_TEST_CRASH_KEY"
TALL = 32                   # rows from which the events pane keeps its full height
QUIT_STOP_TIMEOUT = 0.5     # seconds ctrl+q waits for the scenario to stop (then it is left)


class GraphtuiApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "graphtui"
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", priority=True, id="quit")]
    # Below WIDE columns the footer's keys wrap onto a second row (app.tcss).
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (WIDE, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (TALL, "-tall")]     # app.tcss: the events pane

    def __init__(self, session, *, theme: str = "textual-dark", animations: bool = True) -> None:
        super().__init__()
        self.session = session
        self.theme = theme
        if not animations:
            self.animation_level = "none"
        if os.environ.get(TEST_CRASH_KEY):
            self.bind(os.environ[TEST_CRASH_KEY], "test_crash", show=False)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent) and not event.is_forwarded:
            user_active = getattr(self.session, "user_active", None)
            if user_active is not None:        # a live session: keys before a flood's apply
                user_active()
        await super().on_event(event)

    async def action_quit(self) -> None:
        # Stop the scenario first: a flood would compete with Textual's shutdown for the GIL.
        self.session.stop(timeout=QUIT_STOP_TIMEOUT)
        await super().action_quit()

    def action_test_crash(self) -> None:
        raise RuntimeError(f"crash forced by {TEST_CRASH_KEY} (tests only)")

    def on_mount(self) -> None:
        self.push_screen(MainScreen(self.session))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if isinstance(screen, MainScreen):
            for binding in bindings_for(screen.read_only):
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
