"""The debugger's keys: one table, read by the main screen, the help screen and the palette."""
from __future__ import annotations

from textual.binding import Binding

DEBUGGER_BINDINGS: list[Binding] = [
    Binding("n", "step", "Step", tooltip="Run the next backward node and pause", id="step"),
    Binding("c", "continue", "Continue", tooltip="Continue to the next break", id="continue"),
    Binding("p", "pause", "Pause", tooltip="Pause at the next backward node or op", id="pause"),
    Binding("b", "toggle_break", "Break", tooltip="Toggle breaking at the start of each backward",
            id="toggle_break"),
    Binding("B", "breakpoints", "Breakpoints", key_display="B",
            tooltip="Add, list or remove breakpoints", id="breakpoints", show=False),
    Binding("h", "toggle_hook", "Mute hook", tooltip="Mute or unmute the selected hook",
            id="toggle_hook"),
    Binding("j", "go_to_current", "Current", tooltip="Put the cursor on the node paused at",
            id="go_to_current"),
    Binding("left_square_bracket", "history_back", "Back", key_display="[",
            tooltip="One event back in history", id="history_back"),
    Binding("right_square_bracket", "history_forward", "Fwd", key_display="]",
            tooltip="One event forward in history (past the end: live)", id="history_forward"),
    Binding("t", "go_to_event", "To event", tooltip="Go to an event by its number",
            id="go_to_event", show=False),
    Binding("left_curly_bracket", "jump_back", "Prev landmark", key_display="{",
            tooltip="Back to the previous backward, hook or error (or event of the filter)",
            id="jump_back", show=False),
    Binding("right_curly_bracket", "jump_forward", "Next landmark", key_display="}",
            tooltip="On to the next backward, hook or error (or event of the filter)",
            id="jump_forward", show=False),
    Binding("less_than_sign", "iteration_back", "Prev pass", key_display="<",
            tooltip="To the end of the previous backward pass (iteration)",
            id="iteration_back", show=False),
    Binding("greater_than_sign", "iteration_forward", "Next pass", key_display=">",
            tooltip="To the end of the next backward pass (iteration); past the last: live",
            id="iteration_forward", show=False),
    Binding("r", "rerun", "Re-run", tooltip="Re-run the scenario from the start (mutes, breakpoints kept)",
            id="rerun"),
    Binding("slash", "find", "Find", key_display="/", tooltip="Find a node or tensor by name",
            id="find"),
    Binding("w", "why", "Why", tooltip="Findings: in-place, NaN/Inf, .grad None, hooks",
            id="why", show=False),
    Binding("G", "gradients", "Gradients", tooltip="Every parameter's gradient per iteration, "
            "gradient flow and loss charts", id="gradients", show=False),
    Binding("question_mark", "help", "Help", key_display="?", tooltip="All keys", id="help"),
]

# Keys that drive a running scenario: a recording (`graphtui open`) has none to drive, so
# its footer, help and palette leave them out and the keys do nothing.
LIVE_ONLY = frozenset({"step", "continue", "pause", "toggle_break", "breakpoints",
                       "toggle_hook", "rerun"})


def bindings_for(read_only: bool) -> list[Binding]:
    """The debugger's keys for a live run, or for a recording (``read_only``)."""
    return [b for b in DEBUGGER_BINDINGS if not (read_only and b.id in LIVE_ONLY)]


# Longer texts for the help screen and the command palette.
KEY_HELP: dict[str, str] = {
    "step": "Run the next backward node, then pause again.",
    "continue": "Run until the next break (the next backward, when breaking is on), the next "
                "breakpoint hit (B) or the end.",
    "pause": "Pause before the next backward node runs (in a forward: after the next op).",
    "toggle_break": "Turn pausing at the start of every backward pass on or off.",
    "breakpoints": "Breakpoints: a form to add (nan, node:NAME, module:NAME, hook[:NAME], "
                   "backward[:N]), list and remove them. The run pauses at each hit; c goes "
                   "on to the next. Kept across re-runs.",
    "toggle_hook": "Mute or unmute the hook selected in the Hooks tab. A muted hook stays "
                   "registered but is skipped when it would fire; its firing is logged as muted. "
                   "Module backward hooks are captured at forward time in PyTorch; muting acts "
                   "at firing time.",
    "go_to_current": "Put the graph's cursor on the node the run is paused at (or failed "
                     "at), at the moment shown; the inspector shows it.",
    "history_back": "Show the moment one event earlier: every pane follows.",
    "history_forward": "Show the moment one event later; past the last event returns to live.",
    "go_to_event": "Go to the event with this number (the events pane and dump number them "
                   "alike); every pane shows that moment.",
    "jump_back": "Back to the previous backward start or end, hook firing, warning or error; "
                 "with an events filter chosen (e), to the previous event it shows.",
    "jump_forward": "On to the next backward start or end, hook firing, warning or error; "
                    "with an events filter chosen (e), to the next event it shows.",
    "iteration_back": "Show the moment the previous backward pass (iteration) ended: the "
                      "graph shows its graph, the inspector its root, the events its end.",
    "iteration_forward": "Show the moment the next backward pass ended; from the last one "
                         "(or while one runs), back to live.",
    "rerun": "Run the scenario again from the start; muted hooks stay muted and breakpoints "
             "stay set.",
    "find": "Jump to a grad_fn node or a tensor by name.",
    "why": "Open the Why pane in place of the events (w again closes it): one sentence per "
           "finding — the in-place change that breaks (or will break) backward, the first "
           "NaN/Inf in the forward and in the backward, why a .grad is None (each leaf that "
           "requires grad, and the tensor selected when it opened), which backward freed the "
           "buffers a second backward needs, what each hook did or why it never fired. "
           "Enter on one shows its event, its node in the graph and the inspector.",
    "gradients": "The gradients view: every parameter's gradient (norm, min, max, mean |g|, "
                 "NaN/Inf, update/weight) in the iteration shown, grouped by module, with "
                 "vanishing/exploding flags, a sparkline over iterations, the gradient-flow "
                 "chart (2) and the loss curve (3); left/right change the iteration.",
    "help": "This screen.",
}
