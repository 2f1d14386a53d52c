"""The gradients view (key G): every parameter's gradient in one iteration, grouped by
module, with the gradient-flow chart and the loss curve in tabs of their own.

It opens on the iteration of the moment the main screen shows (the latest when live);
left/right move between iterations, f jumps to the next flagged one. The statistics come
from ``model.gradients`` (the log read once, incrementally); while the run goes on, new
iterations are picked up every ``POLL`` seconds.
"""
from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual import on
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Static

from graphtui.dump_gradients import findings_line, iteration_title
from graphtui.model.gradient_rows import layer_flow, table_rows
from graphtui.model.gradients import THRESHOLDS_SHORT, tracker_for
from graphtui.screens.unseen import lay_out_unseen, on_top
from graphtui.widgets.flow_chart import FlowChart
from graphtui.widgets.gradients_table import TREND_WIDTH, GradientsTable
from graphtui.widgets.loss_chart import LossChart
from graphtui.widgets.tab_bar import TabBar

TABS = [("grad-table", "Table"), ("grad-flow", "Gradient flow"), ("grad-loss", "Loss")]
POLL = 0.5          # seconds between looks at a live run's new events
# A line of text, not Textual's Footer: the Footer rebuilds its key widgets and their
# styles each time the screen is shown, which was most of the cost of opening the view.
KEYS_LINE = Text.assemble(
    ("←/→", "bold"), " iteration  ", ("f", "bold"), " next flagged  ", ("1 2 3", "bold"),
    " table/flow/loss  ", ("esc", "bold"), " back")


class GradientsScreen(Screen):
    DEFAULT_CSS = """
    GradientsScreen { layout: vertical; }
    GradientsScreen #grad-title { height: 1; background: $panel; padding: 0 1; }
    GradientsScreen #grad-keys { height: 1; background: $panel; padding: 0 1; color: $text-muted; }
    GradientsScreen #grad-findings { height: auto; padding: 0 1; }
    GradientsScreen #grad-thresholds { height: auto; padding: 0 1; color: $text-muted; }
    GradientsScreen ContentSwitcher { height: 1fr; }
    GradientsScreen ContentSwitcher > * { height: auto; }
    /* Wide terminals: the flow chart beside the table, on the first screen. */
    GradientsScreen #grad-side-flow { display: none; width: 1fr; border-left: vkey $panel; }
    GradientsScreen.-wide #grad-side-flow { display: block; }
    """

    BINDINGS = [
        Binding("escape,G,q", "close", "Back", id="gradients_close"),
        # Priority: the table would take left/right to scroll sideways.
        Binding("left,comma", "iteration(-1)", "Prev iteration", key_display="←", priority=True),
        Binding("right,full_stop", "iteration(1)", "Next iteration", key_display="→",
                priority=True),
        Binding("f", "next_flagged", "Next flagged"),
        Binding("1", "tab('grad-table')", "Table"),
        Binding("2", "tab('grad-flow')", "Flow"),
        Binding("3", "tab('grad-loss')", "Loss"),
    ]

    def __init__(self, session, moment: int | None = None) -> None:
        super().__init__()
        self.session = session
        self.run_log = session.log                # the run this screen shows
        self.tracker = tracker_for(self.run_log)
        self.shown: tuple | None = None     # (iteration number, tab) last drawn
        self._findings_shown: Text | None = None
        self._styled_for: tuple | None = None   # the theme its widgets were last styled in
        self.index, self.follow_latest = 0, True
        self.at_moment(moment)

    def at_moment(self, moment: int | None) -> None:
        """Show the iteration of the main screen's moment (None: live, the latest). The main
        screen keeps this screen and calls this before showing it again."""
        self.tracker.update(self.run_log)
        shown = self.tracker.iteration_at(moment)
        self.index = self.tracker.iterations.index(shown) if shown is not None else \
            len(self.tracker.iterations) - 1
        self.follow_latest = moment is None
        if self.is_mounted:
            self.show_iteration()

    def compose(self) -> ComposeResult:
        yield Static(id="grad-title")
        yield Static(id="grad-findings")
        yield Static(Text(THRESHOLDS_SHORT), id="grad-thresholds")
        yield TabBar(TABS, "grad-table")
        with ContentSwitcher(initial="grad-table"):
            with Horizontal(id="grad-table"):
                yield GradientsTable(id="grad-rows")
                yield FlowChart(id="grad-side-flow")
            with Vertical(id="grad-flow"):
                yield FlowChart(id="grad-flow-chart")
            with Vertical(id="grad-loss"):
                yield LossChart(id="grad-loss-chart")
        yield Static(KEYS_LINE, id="grad-keys")

    def on_mount(self) -> None:
        if not self.query(GradientsTable):
            # Made unseen as the app closed (quit as the run stopped): its widgets never
            # mounted, and there is nothing to show.
            return
        self._styled_for = self._look()       # each widget is styled as it is mounted
        self.show_iteration()
        if not self.session.is_finished:
            self.set_interval(POLL, self._poll)
        lay_out_unseen(self)                  # made ahead of the key (screens/unseen.py)

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        # Called before Screen's own handler. Each time a screen is shown Textual restyles
        # every widget on it, in case the theme changed while it was hidden: a large part
        # of opening the view. Its widgets were styled when mounted and keep their styles
        # unless the theme changed.
        look = self._look()
        if look == self._styled_for:
            event.refresh_styles = False
        self._styled_for = look
        self.query_one(GradientsTable).focus()

    def _look(self) -> tuple:
        return (self.app.theme, self.app.ansi_color)

    def show_iteration(self) -> None:
        with self.tracker.lock:          # the state fetcher's thread may be updating it
            self._show_iteration()

    def _show_iteration(self) -> None:
        tracker = self.tracker
        iteration = tracker.iterations[self.index] if tracker.iterations else None
        title = Text("Gradients", style="bold")
        findings = Text()
        line = findings_line(tracker)
        if line == "none":
            findings.append("no vanishing or exploding gradients seen", style="green")
        else:
            findings.append("⚠ " + line, style="bold red")
        for note in tracker.notes():
            findings.append("\nℹ " + note.text, style="dim")
        if iteration is None:
            title.append("  ·  no backward pass yet")
            self.query_one(GradientsTable).show([])
            for chart in self.query(FlowChart):
                chart.show([])
        else:
            title.append(f"  ·  {iteration_title(tracker, iteration)}")
            if not iteration.finished:
                title.append(_running_text(iteration, self.index), style="yellow")
            self.query_one(GradientsTable).show(table_rows(tracker, iteration, TREND_WIDTH))
            flow = layer_flow(tracker, iteration)
            for chart in self.query(FlowChart):
                chart.show(flow)
        if tracker.thinned:
            title.append("  ·  older iterations thinned", style="dim")
        # The title is one line: a new one needs no layout of the screen. The findings are
        # the whole run's: most keys leave them as they are.
        self.query_one("#grad-title", Static).update(title, layout=False)
        if findings != self._findings_shown:
            self._findings_shown = findings
            self.query_one("#grad-findings", Static).update(findings)
        self.query_one(LossChart).show(tracker.losses())
        self.shown = (iteration.number if iteration else None, self.query_one(TabBar).active)

    def _poll(self) -> None:
        if not on_top(self):
            return
        count = len(self.tracker.iterations)
        self.tracker.update(self.run_log)
        if len(self.tracker.iterations) != count or self.session.is_finished:
            if self.follow_latest:
                self.index = len(self.tracker.iterations) - 1
            self.show_iteration()

    def action_iteration(self, delta: int) -> None:
        last = len(self.tracker.iterations) - 1
        self.index = max(0, min(last, self.index + delta))
        self.follow_latest = self.index == last
        self.show_iteration()

    def action_next_flagged(self) -> None:
        flagged = sorted({n for f in self.tracker.findings() for n in f.iterations})
        if not flagged:
            self.notify("No flagged iteration", timeout=2)
            return
        numbers = [it.number for it in self.tracker.iterations]
        current = numbers[self.index]
        target = next((n for n in flagged if n > current), flagged[0])
        self.index = numbers.index(target)
        self.follow_latest = self.index == len(numbers) - 1
        self.show_iteration()

    def action_tab(self, tab: str) -> None:
        self.query_one(TabBar).active = tab
        self.query_one(ContentSwitcher).current = tab
        self.shown = (self.shown[0] if self.shown else None, tab)

    @on(TabBar.Picked)
    def _tab_picked(self, picked: TabBar.Picked) -> None:
        self.action_tab(picked.tab)

    def action_close(self) -> None:
        self.app.pop_screen()


def _running_text(iteration, index: int) -> str:
    """A running backward that has written no .grad yet shows an empty table: say so, and
    where the last one's gradients are."""
    if iteration.grads:
        return "  (running)"
    if index > 0:
        return f"  (running: no .grad yet, ← {iteration.number - 1})"
    return "  (running: no .grad yet)"
