"""A screen made ready before it is shown: composed, mounted, laid out and drawn once while
another screen is on top, so that pushing it later only paints what it already drew.

Textual composes and mounts a screen when it is first pushed, then lays it out and draws
it over the next frames: for the gradients view that was most of what the first `G` cost,
all of it on the UI thread while the user waits. Made in advance (when the run stops), the
key finds it ready; ``ScreenResume`` then neither restyles it (the screen skips that when
the theme is the same) nor lays it out again (its size is the app's).

This leans on Textual's private parts (8.x): ``_load_screen_css`` and ``_register`` (what
``push_screen`` calls for a screen that is not running yet), and the screen's
``_refresh_layout``, ``_compositor``, ``_size`` and ``_layout_required``.
tests/graphtui/test_gradients_view.py opens a view made this way and compares the screen.
"""
from __future__ import annotations

from textual.app import App
from textual.screen import Screen


def mount_unseen(app: App, screen: Screen) -> None:
    """Compose and mount an installed screen that is not on the stack. Its ``on_mount``
    runs once its widgets are mounted, and may call ``lay_out_unseen``."""
    if screen.is_running:
        return
    app._load_screen_css(screen)
    app._register(app, screen)


def on_top(screen: Screen) -> bool:
    """Whether the screen is the one shown; False while the app closes (its stack empty,
    where ``app.screen`` raises), so a timer or a callback firing then does nothing."""
    stack = screen.app.screen_stack
    return bool(stack) and stack[-1] is screen


def is_unseen(screen: Screen) -> bool:
    return not any(screen in stack for stack in screen.app._screen_stacks.values())


def lay_out_unseen(screen: Screen) -> None:
    """From the screen's ``on_mount``: once it is mounted (Textual arranges only mounted
    widgets), arrange and draw it unseen (see ``_lay_out``)."""
    if is_unseen(screen):
        screen.call_later(_lay_out, screen, ROUNDS)


ROUNDS = 3       # layouts at most: widgets that take their size may ask for another


def _lay_out(screen: Screen, rounds: int) -> None:
    """Arrange the screen's widgets at the app's size; when they have taken their sizes
    (their Resize messages handled), again if one of them asked for it, else draw them:
    their lines are kept for the first paint."""
    if not is_unseen(screen) or not screen.is_attached:
        return
    if rounds < ROUNDS and not screen._layout_required:
        screen._compositor.render_update(full=True)
        return
    size = screen.app.size
    screen._refresh_layout(size)
    # What ScreenResume compares with the app's size to decide on a layout (Textual sets
    # it nowhere else, so a screen shown again is always laid out again).
    screen._size = size
    screen._layout_required = False      # what its widgets asked for until now is done
    if rounds > 1:
        screen.call_after_refresh(_lay_out, screen, rounds - 1)
