"""The Events pane: a row of kind filters over the timeline."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static, Tab, Tabs

from graphtui.model import EventNumbers, State, describe_event, event_kind
from graphtui.model.describe import short_paths
from graphtui.model import events as ev
from graphtui.widgets.events_log import EventsLog

# Filter tab id -> the model's event kinds it shows (None: everything). Backward: the passes,
# the nodes running in them, .grad changes, freed buffers, the pauses between nodes; Forward:
# what the forward records (tensors, grad_fn nodes, module forwards); Hooks: registering,
# firing, muting, removing hooks.
FILTERS: dict[str, frozenset[str] | None] = {
    "all": None,
    "backward": frozenset({"backward", "grad", "buffer", "gate"}),
    "hooks": frozenset({"hook"}),
    "graph": frozenset({"tensor", "node", "module"}),
    "output": frozenset({"output", "run"}),
    "problems": frozenset({"warning", "error", "run"}),
}
FILTER_LABELS = {"all": "All", "backward": "Backward", "hooks": "Hooks", "graph": "Forward",
                 "output": "Output", "problems": "Warnings/errors"}

NUMBER_WIDTH = 5

KIND_STYLES = {
    "run": "bold", "output": "", "gate": "yellow", "tensor": "cyan", "node": "cyan",
    "module": "blue", "hook": "magenta", "backward": "bold green", "grad": "green",
    "buffer": "yellow", "warning": "yellow", "error": "bold red",
}


def event_line(index: int, event, state: State | None, number: int | None,
               width: int = NUMBER_WIDTH) -> Text:
    """`    12 grad     x.grad = [2] float32 [300, 0.3]`, coloured by kind. ``number``: as
    dump numbers it (None: the debugger's own event, a pause say, shown with a dot)."""
    kind = event_kind(event)
    line = Text(f" {'·' if number is None else number:>{width}} ", style="dim")
    line.append(f"{kind:<9}", style=KIND_STYLES.get(kind, ""))
    body = describe_event(event, state)
    style = KIND_STYLES.get(kind, "") if kind in ("warning", "error") else ""
    if isinstance(event, ev.OutputWritten) and event.stream == "stderr":
        style = "red"
    line.append(short_paths(body).replace("\n", " ⏎ "), style=style)
    return line


def number_width(total: int) -> int:
    """Room for the largest number, one space from the border at least."""
    return max(NUMBER_WIDTH, len(str(total)))


def memory_note(state: State) -> str:
    """What the memory bound left out, said where the events are (empty: nothing)."""
    notes = []
    if state.first_step > 0:
        notes.append(f"events 1–{state.first_step:,} summarised into a checkpoint "
                     f"(time travel starts at {state.first_step + 1:,})")
    if state.output_dropped:
        notes.append(f"{state.output_dropped:,} output lines folded away "
                     "(first and last kept)")
    if state.events_dropped:
        notes.append(f"{state.events_dropped:,} events not kept")
    return " · ".join(notes) + " (memory bound)" if notes else ""


class EventsPane(Vertical):
    DEFAULT_CSS = """
    EventsPane > Tabs { height: 2; }
    EventsPane > EventsLog { height: 1fr; }
    EventsPane > Static.detail {
        height: auto; max-height: 4; padding: 0 1; background: $boost; display: none;
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._names: State | None = None
        self._numbers = EventNumbers()
        self._width = NUMBER_WIDTH

    def compose(self) -> ComposeResult:
        yield Tabs(*(Tab(FILTER_LABELS[key], id=f"filter-{key}") for key in FILTERS))
        yield EventsLog(self._describe, event_kind)
        yield Static(classes="detail")

    def _describe(self, index: int, event) -> Text:
        return event_line(index, event, self._names, self._numbers.number(index), self._width)

    def show(self, events, moment: int | None, names: State, numbers: EventNumbers) -> None:
        """``names``: the live state, which knows every name recorded so far; ``numbers``:
        the events' numbers (up to date with ``events``)."""
        self._names, self._numbers = names, numbers
        self._width = number_width(numbers.count(len(events)))
        log = self.query_one(EventsLog)
        log.show(events, moment)
        self.border_subtitle = memory_note(names)
        self._show_detail(log.moment_text())

    def _show_detail(self, text: Text | None) -> None:
        """The event at the moment, whole, under the timeline when its line is cut."""
        detail, log = self.query_one(".detail", Static), self.query_one(EventsLog)
        cut = text is not None and log.is_cut(text)
        if cut:
            detail.update(text)
        if detail.display != cut:
            detail.display = cut
            # The timeline's height changes: keep the moment's row in view.
            self.call_after_refresh(log.scroll_to_moment)

    @property
    def filter(self) -> str:
        return (self.query_one(Tabs).active or "filter-all").removeprefix("filter-")

    @filter.setter
    def filter(self, key: str) -> None:
        self.query_one(Tabs).active = f"filter-{key}"

    def cycle_filter(self) -> None:
        keys = list(FILTERS)
        self.filter = keys[(keys.index(self.filter) + 1) % len(keys)]

    def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        event.stop()
        self.query_one(EventsLog).set_kinds(FILTERS[self.filter])

    @property
    def kinds(self) -> frozenset[str] | None:
        """The event kinds the chosen filter shows (None: all)."""
        return FILTERS[self.filter]

    @property
    def timeline(self) -> EventsLog:
        return self.query_one(EventsLog)
