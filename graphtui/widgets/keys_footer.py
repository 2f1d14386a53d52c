"""The footer: every shown key, on two rows when the terminal is narrow.

Textual's Footer lays its keys out as one grid row (it sets one column per key itself), so
at 80 columns `/ Find`, `? Help` and `^q Quit` ran off the edge. Below ``WIDE`` columns this
footer uses ``NARROW_COLUMNS`` columns and as many rows as that takes (app.tcss).

Textual's Footer builds its key widgets again whenever the screen's bindings may have
changed: each change of focus, each return from another screen (the gradients view, help).
That rebuild and the styling of its widgets cost more than the rest of such a key. This
footer rebuilds only when the keys it would show differ from the ones it shows.
"""
from __future__ import annotations

from textual import events
from textual.widgets import Footer

WIDE = 130               # from this many columns one row holds every shown key
NARROW_COLUMNS = 6


class KeysFooter(Footer):
    _shown_keys: tuple | None = None     # what the key widgets were last built from

    def compose(self):
        if self._bindings_ready:
            self._shown_keys = _keys_shown(self.screen, self.app.COMMAND_PALETTE_BINDING)
        yield from super().compose()
        self._set_columns(self.app.size.width)

    def bindings_changed(self, screen) -> None:
        if (self._shown_keys is not None and self.is_attached and screen is self.screen
                and _keys_shown(screen, self.app.COMMAND_PALETTE_BINDING) == self._shown_keys):
            return
        super().bindings_changed(screen)

    def on_resize(self, event: events.Resize) -> None:
        self._set_columns(event.size.width)

    def _set_columns(self, width: int) -> None:
        if width and width < WIDE:
            self.styles.grid_size_columns = NARROW_COLUMNS


def _keys_shown(screen, palette_key: str) -> tuple:
    """What Footer.compose draws from: the shown bindings (and the command palette's),
    whether each is enabled, and their tooltips."""
    return tuple((key, binding.key, binding.action, binding.description, binding.key_display,
                  binding.group, enabled, tooltip)
                 for key, (_, binding, enabled, tooltip) in screen.active_bindings.items()
                 if binding.show or key == palette_key)
