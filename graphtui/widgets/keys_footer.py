"""The footer: every shown key, on two rows when the terminal is narrow.

Textual's Footer lays its keys out as one grid row (it sets one column per key itself), so
at 80 columns `/ Find`, `? Help` and `^q Quit` ran off the edge. Below ``WIDE`` columns this
footer uses ``NARROW_COLUMNS`` columns and as many rows as that takes (app.tcss).
"""
from __future__ import annotations

from textual import events
from textual.widgets import Footer

WIDE = 130               # from this many columns one row holds every shown key
NARROW_COLUMNS = 6


class KeysFooter(Footer):
    def compose(self):
        yield from super().compose()
        self._set_columns(self.app.size.width)

    def on_resize(self, event: events.Resize) -> None:
        self._set_columns(event.size.width)

    def _set_columns(self, width: int) -> None:
        if width and width < WIDE:
            self.styles.grid_size_columns = NARROW_COLUMNS
