"""The events timeline: a Line API view over the session's (append-only) event list.

Only the visible lines are formatted, and filtering scans each event once, so a log of a
million events scrolls and grows without stalling the UI.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

Describe = Callable[[int, object], Text]
KindOf = Callable[[object], str]


END_TRIES = 5      # refreshes a scroll to the end may wait for the layout to catch up


class EventsLog(ScrollView, can_focus=True):
    """One line per recorded event; the line at the history moment is highlighted."""

    DEFAULT_CSS = """
    EventsLog { background: $surface; overflow-x: hidden; }
    EventsLog > .events-log--moment { background: $accent 30%; text-style: bold; }
    EventsLog:focus > .events-log--moment { background: $accent 50%; }
    EventsLog > .events-log--cursor { text-style: underline; }
    EventsLog:focus > .events-log--cursor { background: $secondary 40%; text-style: none; }
    """
    COMPONENT_CLASSES = {"events-log--moment", "events-log--cursor"}
    # Focused (tab), the arrows move a cursor over the events and enter shows that moment.
    BINDINGS = [
        Binding("enter", "pick", "Go to event", show=False),
        Binding("up", "move_cursor(-1)", show=False),
        Binding("down", "move_cursor(1)", show=False),
        Binding("pageup", "move_page(-1)", show=False),
        Binding("pagedown", "move_page(1)", show=False),
        Binding("home", "move_cursor(-1_000_000_000)", show=False),
        Binding("end", "move_cursor(1_000_000_000)", show=False),
    ]

    class Picked(Message):
        """The user chose an event: the screen moves history to it."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, describe: Describe, kind_of: KindOf, **kwargs) -> None:
        super().__init__(**kwargs)
        self._describe = describe
        self._kind_of = kind_of
        self._events: Sequence = ()
        self._kinds: frozenset[str] | None = None
        self._rows: list[int] = []        # indices into _events that pass the filter
        self._scanned = 0                 # how many events the filter has seen
        self._moment: int | None = None   # index of the event shown as "now"; None: live
        self._cache: dict[int, Text] = {}
        self._cursor: int | None = None   # the row the keyboard is on (None: not moved yet)
        self._end_pending = False         # a scroll to the end waits for the next refresh

    # ---------------------------------------------------------------- attributes down

    def show(self, events_: Sequence, moment: int | None) -> None:
        """Point at the event list (new ones may have been appended) and the moment."""
        if events_ is not self._events or len(events_) < self._scanned:
            self._events = events_
            self._reset()
        self._cache.clear()       # names may have become known since a line was formatted
        self._scan()
        if moment != self._moment:
            self._moment = moment
            self.scroll_to_moment()
        self.refresh()

    def set_kinds(self, kinds: frozenset[str] | None) -> None:
        """Show only events of these kinds (None: all)."""
        self._kinds = kinds
        self._reset()
        self._scan()
        self.scroll_to_moment()
        self.refresh()

    @property
    def row_count(self) -> int:
        return len(self._rows)

    def visible_texts(self) -> list[str]:
        """Plain text of every row that passes the filter (for tests and find)."""
        return [self._line_text(row).plain for row in range(len(self._rows))]

    # ---------------------------------------------------------------- internals

    def _reset(self) -> None:
        self._rows = []
        self._cursor = None
        self._scanned = 0
        self._cache.clear()

    def _scan(self) -> None:
        events_, kinds = self._events, self._kinds
        end, rows_before = len(events_), len(self._rows)
        if kinds is None:
            self._rows.extend(range(self._scanned, end))
        else:
            kind_of = self._kind_of
            self._rows.extend(i for i in range(self._scanned, end) if kind_of(events_[i]) in kinds)
        # Following the end: the last row was in view (from our rows, not max_scroll_y, which
        # lags the layout: a scroll_end run before it left the log stuck at its top).
        # A scroll to the end still waiting for its refresh counts as at the end: in a flood
        # the next scan can come first, and the log would stop following at its top.
        height = self.scrollable_content_region.height
        was_at_end = self._end_pending or height == 0 or self.scroll_y + height >= rows_before
        self._scanned = end
        self.virtual_size = Size(self.size.width, len(self._rows))
        if self._moment is None and was_at_end:
            self._end_pending = True
            self.call_after_refresh(self._scroll_to_end, END_TRIES)

    def _scroll_to_end(self, tries: int) -> None:
        """Scroll to the last row; while the layout lags (the end not reached), try again
        after the next refresh, a few times."""
        self.scroll_end(animate=False, immediate=True)
        height = self.scrollable_content_region.height
        reached = height > 0 and self.scroll_y + height >= len(self._rows)
        self._end_pending = not reached and tries > 1
        if self._end_pending:
            self.call_after_refresh(self._scroll_to_end, tries - 1)

    def _moment_row(self) -> int | None:
        """The row of the moment, or of the last event before it when it is filtered out."""
        if self._moment is None or not self._rows:
            return None
        from bisect import bisect_right
        return max(0, bisect_right(self._rows, self._moment) - 1)

    def scroll_to_moment(self) -> None:
        row = self._moment_row()
        if row is None:
            self.call_after_refresh(self.scroll_end, animate=False, immediate=True)
            return
        height = max(1, self.scrollable_content_region.height)
        if not (self.scroll_y <= row < self.scroll_y + height):
            self.scroll_to(y=max(0, row - height // 2), animate=False, immediate=True)

    def _line_text(self, row: int) -> Text:
        text = self._cache.get(row)
        if text is None:
            index = self._rows[row]
            text = self._describe(index, self._events[index])
            if len(self._cache) > 2000:
                self._cache.clear()
            self._cache[row] = text
        return text

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        row = scroll_y + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if row >= len(self._rows):
            return Strip.blank(width, base)
        text = self._line_text(row)
        style = base
        if self._rows[row] == self._moment or (
            self._moment is not None and row == self._moment_row()
        ):
            style = base + self.get_component_rich_style("events-log--moment")
        if row == self._cursor:
            style = style + self.get_component_rich_style("events-log--cursor")
        if text.cell_len > width > 1:
            # Cut at the edge, and say so; the whole line: select it, or hover over it.
            text = text.copy()
            text.truncate(width, overflow="ellipsis")
        segments = [Segment(seg.text, style + seg.style if seg.style else style)
                    for seg in text.render(self.app.console) if seg.text != "\n"]
        strip = Strip(segments).crop_extend(scroll_x, scroll_x + width, style)
        return strip.simplify()

    def moment_text(self) -> Text | None:
        """The whole line of the event at the history moment (None when live)."""
        row = self._moment_row()
        return None if row is None else self._line_text(row)

    def is_cut(self, text: Text) -> bool:
        """Wider than the pane: render_line shows it cut."""
        width = self.scrollable_content_region.width
        return text.cell_len > width > 1

    def on_mouse_move(self, event: events.MouseMove) -> None:
        row = self._row_at(event.y)
        text = self._line_text(row) if row is not None else None
        self.tooltip = text.plain.strip() if text is not None and self.is_cut(text) else None

    def _row_at(self, y: int) -> int | None:
        row = int(self.scroll_y) + y
        return row if 0 <= row < len(self._rows) else None

    def on_click(self, event: events.Click) -> None:
        row = self._row_at(event.y)
        if row is not None:
            self.post_message(self.Picked(self._rows[row]))

    def action_pick(self) -> None:
        row = self._cursor if self._cursor is not None else self._start_row()
        if row is not None:
            self.post_message(self.Picked(self._rows[row]))

    def action_move_cursor(self, rows: int) -> None:
        start = self._cursor if self._cursor is not None else self._start_row()
        if start is None:
            return
        self._cursor = max(0, min(len(self._rows) - 1, start + rows))
        self.scroll_to_row(self._cursor)
        self.refresh()

    def action_move_page(self, pages: int) -> None:
        self.action_move_cursor(pages * max(1, self.scrollable_content_region.height - 1))

    def _start_row(self) -> int | None:
        """Where the cursor starts: at the moment shown, or at the last event when live."""
        if not self._rows:
            return None
        row = self._moment_row()
        return len(self._rows) - 1 if row is None else row

    @property
    def cursor_event(self) -> int | None:
        """The index of the event under the cursor (None: the cursor was not moved)."""
        return None if self._cursor is None else self._rows[self._cursor]

    def scroll_to_row(self, row: int) -> None:
        height = max(1, self.scrollable_content_region.height)
        if row < self.scroll_y:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= self.scroll_y + height:
            self.scroll_to(y=row - height + 1, animate=False, immediate=True)
