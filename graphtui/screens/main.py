"""The debugger screen: header, graph | inspector, events, footer; keys drive the session.

The session's listener runs on the scenario's thread: it only posts ``SessionChanged``
(thread-safe, and at most one pending at a time). The handler asks the ``StateFetcher`` for
the state, which builds it on a thread of its own and posts it back (``Fetched``); the
screen pushes it into the widgets inside one ``batch_update``, no more often than the
repaint gap. A stop the user waits for (a pause, the end, a key) is pulled at once.
"""
from __future__ import annotations

import threading
import time
from functools import partial

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.worker import get_current_worker
from typing import TYPE_CHECKING

from graphtui import gc_tuning
from graphtui.model import RUN_NOT_STARTED, RUN_PAUSED, RUN_RUNNING, EventNumbers, State
from graphtui.screens.catch_up import CatchUp
from graphtui.model.failure import locate_failure
from graphtui.model.gradients import tracker_for
from graphtui.replay import ReplaySession
from graphtui.screens.fetcher import StateFetcher
from graphtui.screens.find import FindScreen, Target
from graphtui.screens.unseen import lay_out_unseen, mount_unseen, on_top
from graphtui.screens.navigation import (
    current, find_targets, iteration_end, landmark, node_of_tensor,
)
from graphtui.screens.keys import DEBUGGER_BINDINGS, LIVE_ONLY
from graphtui.widgets.events_log import EventsLog
from graphtui.widgets.events_pane import EventsPane
from graphtui.widgets.graph_tree import GraphTree
from graphtui.widgets.inspector import Inspector
from graphtui.widgets.keys_footer import KeysFooter
from graphtui.widgets.selection import Selection
from graphtui.widgets.status_bar import StatusBar, StatusInfo
from graphtui.widgets.why_panel import WhyPanel

MIN_REFRESH = 0.1          # seconds between repaints while events flood in (a person reads
                           # a tenth of a second fine; each repaint costs the UI thread)
REFRESH_SHARE = 3          # a flood's repaints take at most 1/REFRESH_SHARE of the UI thread

if TYPE_CHECKING:
    from graphtui.screens.help import HelpScreen

# The findings, the forms (breakpoints, go to event) and the help screen are imported when
# first used: the first frame needs none of them (tests/graphtui/test_startup_imports.py).

PHASES = {RUN_NOT_STARTED: "starting"}
WORKING = (RUN_NOT_STARTED, RUN_RUNNING)   # the run has not stopped yet


class SessionChanged(Message):
    """Something was recorded; many of these collapse into one."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, SessionChanged)


class Fetched(Message):
    """A state the fetcher built: for ``log`` (a run) at ``moment`` (None: live)."""

    def __init__(self, log, moment: int | None, state: State) -> None:
        super().__init__()
        self.log, self.moment, self.state = log, moment, state


class WhyFound(Message):
    """The findings a worker looked for (``key``: the log and tensor they are for)."""

    def __init__(self, key: tuple, findings: list, note: str | None, failed: bool) -> None:
        super().__init__()
        self.key, self.findings, self.note, self.failed = key, findings, note, failed


class MainScreen(Screen):
    BINDINGS = [
        *DEBUGGER_BINDINGS,
        Binding("1", "tab('node')", "Node tab", show=False),
        Binding("2", "tab('tensor')", "Tensor tab", show=False),
        Binding("3", "tab('saved')", "Saved tab", show=False),
        Binding("4", "tab('hooks')", "Hooks tab", show=False),
        Binding("e", "cycle_filter", "Events filter", show=False),
        Binding("g", "group", "Group by module", show=False),
    ]

    def __init__(self, session) -> None:
        super().__init__()
        self.session = session
        self.read_only = isinstance(session, ReplaySession)   # nothing runs: no live keys
        self.moment: int | None = None       # history position (state after `moment` events)
        self.state: State | None = None      # what the panes show now
        self._pending = threading.Event()
        self._last_refresh = 0.0
        self._refresh_gap = MIN_REFRESH      # grows when repaints are slow: keys come first
        self._refresh_timer = None
        self._log = None
        self._catch_up = CatchUp()
        self._followed: tuple | None = None  # (run, paused node) the cursor last jumped to
        self._tensor_only: int | None = None # a tensor picked by find that has no row
        self._pause_pending = False          # p pressed, the run not paused yet
        self.numbers = EventNumbers()        # the events' numbers, as dump prints them
        self._names: State | None = None     # the latest live state: names for event lines
        self._why_tensor: int | None = None  # the tensor looked at when the Why pane opened
        self._reveal_next: int | None = None # a node to put the cursor on at the next show
        self._gradients = None               # the gradients view of the current run, once made
        self._gradients_ready: tuple | None = None  # (run, finished) it was made ready for
        self._help: HelpScreen | None = None  # the `?` screen, once made (installed: kept)

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        with Horizontal(id="panes"):
            with Vertical(id="graph-pane"):
                yield GraphTree(id="graph")
            yield Inspector(id="inspector")
        yield EventsPane(id="events")
        yield WhyPanel(id="why")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#graph-pane").border_title = "Graph"
        self.query_one("#inspector").border_title = "Inspector"
        self.query_one("#events").border_title = "Events"
        self.query_one("#why").border_title = "Why (w: back to events; enter: show it)"
        self._fetcher = StateFetcher(self._fetch, self.post_message)
        self.session.add_listener(self._on_session_change)
        self.refresh_now()
        # Paint the first frame before the scenario's thread competes for the GIL.
        self.call_after_refresh(self.session.start)

    def on_unmount(self) -> None:
        gc_tuning.unsettle()
        self.session.remove_listener(self._on_session_change)
        self._fetcher.stop()

    # ---------------------------------------------------------------- session -> UI

    def _on_session_change(self) -> None:
        """Any thread. Post at most one message until the UI has taken it."""
        if not self._pending.is_set():
            self._pending.set()
            self.post_message(SessionChanged())

    def on_session_changed(self, _: SessionChanged) -> None:
        self._pending.clear()
        if self.session.is_paused or self.session.is_finished:
            self.refresh_now()               # a stop the user waits for: no pacing
            return
        wait = self._refresh_gap - (time.monotonic() - self._last_refresh)
        if wait > 0:
            if self._refresh_timer is None:
                self._refresh_timer = self.set_timer(wait, self._timed_refresh)
            return
        self._fetcher.request()

    def _timed_refresh(self) -> None:
        self._refresh_timer = None
        self._fetcher.request()

    def _fetch(self) -> Fetched:
        """On the fetcher's thread: the state to show next (the model's work is here)."""
        log, moment = self.session.log, self.moment
        if log is not self._log:
            moment = None                    # a new run: the screen goes live with it
        state = self._live_state(log) if moment is None else self.session.state_at(moment)
        # Keep the gradients view's statistics read on this thread too, so G opens at once;
        # only as far as the history applied: the background applier reads the rest from the
        # batches it decodes, and decoding them here first would decode them twice.
        tracker_for(log, self.session.history.applied_step)
        if moment is None and len(log):
            log[len(log) - 1]       # the events pane's newest rows: decoded here, not on the UI
        return Fetched(log, moment, state)

    def on_fetched(self, fetched: Fetched) -> None:
        if fetched.log is not self.session.log:
            return                           # an older run's
        if fetched.log is not self._log:
            self._new_run(fetched.log)
        elif fetched.moment != self.moment:
            return                           # the user moved in history meanwhile
        elif self.state is not None and fetched.state.step < self.state.step:
            return                           # a newer state was shown meanwhile
        elif self._too_soon():
            return                           # a flood: the timer fetches a fresher one
        self._show(fetched.log, fetched.state)

    def _too_soon(self) -> bool:
        """During a flood, repaints are at least ``_refresh_gap`` apart: a state fetched
        sooner (two requests met) waits for the timer, which fetches afresh."""
        if self.moment is not None or self.session.is_paused or self.session.is_finished:
            return False
        wait = self._refresh_gap - (time.monotonic() - self._last_refresh)
        if wait <= 0:
            return False
        if self._refresh_timer is None:
            self._refresh_timer = self.set_timer(wait, self._timed_refresh)
        return True

    def refresh_now(self) -> None:
        """Pull the state at the moment shown and push it into every pane, now."""
        log = self.session.log
        if log is not self._log:
            self._new_run(log)
        state = self._live_state(log) if self.moment is None else self.session.state_at(self.moment)
        self._show(log, state)

    def _show(self, log, state: State) -> None:
        started = time.monotonic()
        self.state = state = locate_failure(state)
        self.numbers.update(log)
        self._pause_pending &= state.run_state == RUN_RUNNING
        graph = self.query_one(GraphTree)
        with self.app.batch_update():
            self.query_one(StatusBar).info = self._status(state)
            graph.loading = state.run_state in (RUN_NOT_STARTED, RUN_RUNNING) and not state.nodes
            graph.show(state)
            self._follow(state)
            if self._reveal_next is not None and graph.reveal(self._reveal_next):
                self._tensor_only = None      # < / >: the pass's root, before the inspector
            self._reveal_next = None
            self.query_one(Inspector).show(state, self._selection(state), self.numbers)
            moment = None if self.moment is None else self.moment - 1
            if self.moment is None or self._names is None:
                self._names = state          # the latest state knows the most names
            self.query_one(EventsPane).show(log, moment, self._names, self.numbers)
            self._refresh_why(log, state)
        self._last_refresh = time.monotonic()
        # Repaints share the UI thread with keys: the slower they are, the rarer.
        self._refresh_gap = max(MIN_REFRESH, (REFRESH_SHARE - 1) * (self._last_refresh - started))
        if self.moment is None and state.step < len(log) and self._refresh_timer is None:
            # Behind a flood: catch up by another chunk soon.
            self._refresh_timer = self.set_timer(self._refresh_gap, self._timed_refresh)
        elif self.moment is None and state.step >= len(log) and self.session.is_finished:
            gc_tuning.settle()               # the whole run is in: keep it out of the GC's way
        if state.run_state not in WORKING and self._gradients_ready != self._run_stage(log):
            self.call_after_refresh(self._prepare_gradients)

    def _refresh_why(self, log, state: State) -> None:
        """The Why pane, when open: the whole run's findings, looked for again (on a worker
        thread: a pass over a long log takes a second) only when the log grew and the run is
        not racing on. The pane says "looking…" until they come back (``WhyFound``)."""
        why = self.query_one(WhyPanel)
        if not why.display:
            return
        key = (id(log), len(log), self._why_tensor)
        if key in (why.key, why.pending):
            return
        latest = why.pending or why.key
        if latest is not None and latest[0] == id(log) and state.run_state == RUN_RUNNING:
            return                               # catch up when it pauses or ends
        note = (f"findings up to event {self.numbers.count(len(log)):,}; the run goes on"
                if state.run_state == RUN_RUNNING else None)
        selected = () if self._why_tensor is None else (self._why_tensor,)
        why.looking(key)
        self.run_worker(partial(self._look_for_findings, log, selected, key, note),
                        name="why", group="why", thread=True, exclusive=True)

    def _look_for_findings(self, log, selected: tuple, key: tuple, note: str | None) -> None:
        """On a worker thread: the findings, posted back as ``WhyFound``."""
        from graphtui.model.findings import find

        try:
            findings, failed = find(log, selected), False
        except Exception as error:          # a finder bug must not take the debugger down
            findings, failed = [], True
            note = f"the findings could not be computed: {type(error).__name__}: {error}"
        if not get_current_worker().is_cancelled:
            self.post_message(WhyFound(key, findings, note, failed))

    def on_why_found(self, found: WhyFound) -> None:
        why = self.query_one(WhyPanel)
        if found.key == why.pending:             # else a newer look is under way
            why.show(found.findings, self.numbers, found.key, found.note, found.failed)

    def _live_state(self, log) -> State:
        """The live state, or one chunk closer to it while a flood is being caught up."""
        started = time.monotonic()
        total = len(log)
        # Never less than the model already applied: going back would cost a replay.
        target = self._catch_up.target(total)
        state = self.session.state() if target >= total else \
            self.session.history.live_state(target)
        self._catch_up.done(state.step, time.monotonic() - started)
        return state

    def _new_run(self, log) -> None:
        gc_tuning.unsettle()                 # the last run's objects may be garbage now
        self._log = log
        self.numbers = EventNumbers()
        self._names = None
        self._pause_pending = False
        self._catch_up.reset()
        self.moment = None
        self._followed = None
        self._tensor_only = None
        self.query_one(GraphTree).forget()

    def _follow(self, state: State) -> None:
        """Put the cursor on the node the run is paused at, or failed at, once per stop."""
        if self.moment is not None:
            return
        node_id, tensor_id = current(state)
        if node_id is None and tensor_id is None:
            return
        key = (state.run_number, node_id, tensor_id, state.run_state)
        if key != self._followed and self._reveal(node_id, tensor_id):
            self._followed = key

    def _reveal(self, node_id: int | None, tensor_id: int | None) -> bool:
        graph = self.query_one(GraphTree)
        # A tensor without grad_fn that backward failed on is a root row of its own.
        found = graph.reveal(node_id) if node_id is not None else \
            graph.reveal_key((f"t{tensor_id}",))
        if found:
            self._tensor_only = None
        return found

    def _selection(self, state: State) -> Selection:
        if self._tensor_only is not None:
            return Selection.of_tensor(state, self._tensor_only)
        return Selection.of_entry(state, self.query_one(GraphTree).entry)

    def _status(self, state: State) -> StatusInfo:
        header = state.header
        error = f"{state.error.exc_type}: {state.error.message}" if state.error else None
        return StatusInfo(
            scenario=self.session.path.name,
            phase=PHASES.get(state.run_state, state.run_state),
            node=header.paused_node_name, node_id=state.paused_at,
            event=self.numbers.count(state.step), total=self.numbers.count(state.total),
            live=self.moment is None,
            hooks_on=header.hooks_on, hooks_muted=header.hooks_muted,
            break_on_backward=self.session.break_on_backward, read_only=self.read_only,
            backend=state.backend or getattr(self.session, "backend", ""),
            error=error, pause_pending=self._pause_pending,
            breakpoints=len(getattr(self.session, "breakpoints", ())),
            paused_why=state.paused_why if state.run_state == RUN_PAUSED else None,
            first_nan=None if state.first_nan_node is None
            else f"{state.node_label(state.first_nan_node)} ({state.first_nan_place})",
            **self._iteration_info(state),
        )

    def _iteration_info(self, state: State) -> dict:
        shown = state.iterations.current
        if shown is None:
            return {}
        latest = self._names.iterations if self._names is not None else state.iterations
        value = None
        if shown.root_value is not None:
            value = f"{shown.root_tensor_name or 'root'} {shown.root_value:.4g}"
        return {"iteration": shown.number, "iterations": max(len(latest), shown.number),
                "root_value": value}

    # ---------------------------------------------------------------- widgets -> screen

    @on(GraphTree.Picked)
    def _graph_picked(self, _: GraphTree.Picked) -> None:
        self._tensor_only = None
        if self.state is None:
            return
        inspector, selection = self.query_one(Inspector), self._selection(self.state)
        # A key that moved the cursor (< >, find) showed this already: the inspector's
        # render and the layout it causes are the biggest part of such a key.
        if not inspector.is_showing(self.state, selection):
            inspector.show(self.state, selection, self.numbers)

    @on(WhyPanel.Picked)
    def _why_picked(self, message: WhyPanel.Picked) -> None:
        """Show the finding's moment, with its node (or tensor) in the inspector."""
        finding = message.finding
        if finding.step is not None:
            self.moment = finding.step + 1
        self.refresh_now()
        if self.state is None:
            return
        inspector = self.query_one(Inspector)
        node_id = finding.node_id
        if node_id is not None and self.query_one(GraphTree).reveal(node_id):
            self._tensor_only = None
            inspector.active_tab = "node"
        elif finding.tensor_id is not None and finding.tensor_id in self.state.tensors:
            self._tensor_only = finding.tensor_id
            inspector.active_tab = "tensor"
        else:
            self.notify("Not in the graph shown at that moment", severity="warning", timeout=3)
        inspector.show(self.state, self._selection(self.state), self.numbers)

    @on(EventsLog.Picked)
    def _event_picked(self, message: EventsLog.Picked) -> None:
        self._go_to(message.index + 1)

    # ---------------------------------------------------------------- actions

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """A recording hides the keys that drive a live run (footer, and the key does
        nothing); help and the palette leave them out too."""
        return not (self.read_only and action in LIVE_ONLY)

    def action_step(self) -> None:
        self._back_to_live()
        self.session.step()

    def action_continue(self) -> None:
        self._back_to_live()
        self._pause_pending = False
        self.session.continue_()

    def action_pause(self) -> None:
        if self.session.is_paused or self.session.is_finished:
            return
        self.session.pause()
        self._pause_pending = True
        self.notify("Pausing at the next backward node, or after the next op", timeout=2)
        self.refresh_now()

    def action_toggle_break(self) -> None:
        on_backward = self.session.toggle_break()
        self.notify(f"Break on backward: {'on' if on_backward else 'off'}", timeout=2)
        self.refresh_now()

    def action_breakpoints(self) -> None:
        from graphtui.screens.breakpoints import BreakpointsScreen

        self.app.push_screen(BreakpointsScreen(self.session.breakpoints,
                                               self._add_breakpoint, self._remove_breakpoint),
                             lambda _: self.refresh_now())

    def _add_breakpoint(self, spec: str) -> str:
        added = self.session.add_breakpoint(spec)
        self.notify(f"Breakpoint {added} set", timeout=2)
        return added

    def _remove_breakpoint(self, spec: str) -> None:
        self.session.remove_breakpoint(spec)
        self.notify(f"Breakpoint {spec} removed", timeout=2)

    def action_toggle_hook(self) -> None:
        hook_id = self._hook_to_toggle()
        if hook_id is None:
            self.notify("No hook selected (Hooks tab: 4)", severity="warning", timeout=3)
            return
        muted = self.session.toggle_mute(hook_id)
        note = "muted: skipped when it next fires" if muted else "unmuted"
        self.notify(f"Hook {hook_id} {note}", timeout=3)
        self.refresh_now()

    def _hook_to_toggle(self) -> int | None:
        inspector = self.query_one(Inspector)
        if inspector.active_tab == "hooks" or self.state is None:
            return inspector.selected_hook_id
        selection = self._selection(self.state)
        for table, item_id in ((self.state.nodes, selection.node_id),
                               (self.state.tensors, selection.tensor_id)):
            item = table.get(item_id) if item_id is not None else None
            if item is not None and item.hook_ids:
                return item.hook_ids[0]
        return inspector.selected_hook_id

    def action_go_to_current(self) -> None:
        if self.state is None:
            return
        node_id, tensor_id = current(self.state)
        if node_id is None and tensor_id is None:
            self.notify("Not paused at a node (n or c first; p pauses)", timeout=3)
            return
        if not self._reveal(node_id, tensor_id):
            self.notify(f"node {node_id} is not in the graph shown", severity="warning",
                        timeout=3)
            return
        self.query_one(GraphTree).focus()
        self.query_one(Inspector).show(self.state, self._selection(self.state), self.numbers)

    def action_history_back(self) -> None:
        total = len(self.session.log)
        if total == 0:
            return
        self._go_to(total - 1 if self.moment is None else max(0, self.moment - 1))

    def action_history_forward(self) -> None:
        if self.moment is None:
            return
        if self.moment + 1 >= len(self.session.log):
            self._back_to_live()
            self.refresh_now()
            return
        self._go_to(self.moment + 1)

    def action_go_to_event(self) -> None:
        last = self.numbers.count(len(self.session.log))
        if last == 0:
            return
        from graphtui.screens.go_to_event import GoToEventScreen

        self.app.push_screen(GoToEventScreen(last), self._go_to_number)

    def _go_to_number(self, number: int | None) -> None:
        last = self.numbers.count(len(self.session.log))
        if number is None or not 1 <= number <= last:
            if number is not None:
                self.notify(f"No event {number}: they are numbered 1 to {last:,}",
                            severity="warning", timeout=3)
            return
        # After the box has gone: the events pane scrolls to the moment once it is shown.
        self.call_after_refresh(self._go_to, self.numbers.step_of(number))

    def action_jump_back(self) -> None:
        self._jump(-1)

    def action_jump_forward(self) -> None:
        self._jump(1)

    def _jump(self, direction: int) -> None:
        """To the previous/next landmark (or event of the chosen filter) from the moment."""
        log = self.session.log
        here = len(log) if self.moment is None else self.moment   # the event shown is here-1
        found = landmark(log, here - 1, direction, self.query_one(EventsPane).kinds)
        if found is None:
            self.notify("No earlier one" if direction < 0 else "No later one", timeout=2)
            return
        self._go_to(found + 1)

    def action_iteration_back(self) -> None:
        self._to_iteration(-1)

    def action_iteration_forward(self) -> None:
        self._to_iteration(1)

    def _to_iteration(self, direction: int) -> None:
        """To the end of the previous/next backward pass; the graph's cursor on its root."""
        log = self.session.log
        here = len(log) if self.moment is None else self.moment
        iterations = self.session.state().iterations
        target = iteration_end(iterations, here, direction)
        if target is None and direction > 0 and self.moment is not None:
            self._back_to_live()             # past the last pass: live, as ] does
            self.refresh_now()
            return
        if target is None:
            self.notify("No earlier backward pass" if direction < 0
                        else "No later backward pass", timeout=2)
            return
        it, moment = target
        self._reveal_next = it.root_node_id
        if moment is None or moment >= len(log):
            self._back_to_live()
            self.refresh_now()
        else:
            self._go_to(moment)

    def _go_to(self, moment: int) -> None:
        self.moment = moment
        self.refresh_now()

    def _back_to_live(self) -> None:
        self.moment = None

    def action_rerun(self) -> None:
        self.session.rerun()
        self.notify("Re-running from the start (mutes and breakpoints kept)", timeout=2)
        self.refresh_now()

    def action_find(self) -> None:
        state = self.session.state()
        self.app.push_screen(FindScreen(find_targets(state)), self._found)

    def _found(self, target: Target | None) -> None:
        if target is None or self.state is None:
            return
        graph = self.query_one(GraphTree)
        node_id = target.id if target.kind == "node" else node_of_tensor(self.state, target.id)
        if node_id is not None and graph.reveal(node_id):
            self._tensor_only = None        # the row shows the tensor too
        else:
            self._tensor_only = target.id if target.kind == "tensor" else None
        if target.kind == "tensor":
            self.query_one(Inspector).active_tab = "tensor"
        self.refresh_now()

    def action_gradients(self) -> None:
        """Show the gradients view at the moment shown."""
        screen = self._gradients
        if screen is not None and screen.run_log is self.session.log:
            screen.at_moment(self.moment)
        else:
            screen = self._make_gradients()
        self.app.push_screen(screen)

    def _make_gradients(self):
        """The gradients view of the current run, made once per run and kept (installed),
        so opening it again costs no new widgets."""
        from graphtui.screens.gradients import GradientsScreen

        if self._gradients is not None:
            self.app.uninstall_screen(self._gradients)
        screen = self._gradients = GradientsScreen(self.session, self.moment)
        self.app.install_screen(screen, "gradients")
        return screen

    def _prepare_gradients(self) -> None:
        """Make the gradients view ahead of its key, unseen (screens/unseen.py): when the
        run first stops, after the frame that shows it, and again when it has finished (not
        at each step: a step key must stay quick), so that G only paints a ready view."""
        log = self.session.log
        stage = self._run_stage(log)
        if not on_top(self) or self.state is None \
                or self.state.run_state in WORKING or self._gradients_ready == stage:
            return
        self._gradients_ready = stage
        screen = self._gradients
        if screen is None or screen.run_log is not log:
            mount_unseen(self.app, self._make_gradients())
        elif screen.is_mounted:
            screen.at_moment(self.moment)
            lay_out_unseen(screen)

    def _run_stage(self, log) -> tuple:
        return (id(log), self.session.is_finished)

    def action_help(self) -> None:
        # Kept installed: shown again, it is not composed, styled and measured anew.
        if self._help is None:
            from graphtui.screens.help import HelpScreen

            self._help = HelpScreen(self.read_only)
            self.app.install_screen(self._help, f"help-{id(self)}")
        self.app.push_screen(self._help)

    def action_why(self) -> None:
        """Open the Why pane in the events pane's place (or close it)."""
        why, events = self.query_one(WhyPanel), self.query_one(EventsPane)
        opening = not why.display
        why.display, events.display = opening, not opening
        if not opening:
            return
        why.key = why.pending = None             # look afresh, for the tensor looked at now
        self._why_tensor = (self._selection(self.state).tensor_id
                            if self.state is not None else None)
        if self.state is not None:
            self._refresh_why(self.session.log, self.state)
        why.focus()

    def action_tab(self, tab: str) -> None:
        self.query_one(Inspector).active_tab = tab

    def action_group(self) -> None:
        grouped = self.query_one(GraphTree).toggle_grouping()
        self.notify("Graph grouped by module" if grouped else "Graph from the roots", timeout=2)
        self.refresh_now()

    def action_cycle_filter(self) -> None:
        self.query_one(EventsPane).cycle_filter()
