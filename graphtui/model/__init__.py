"""The debugger's data layer: pure, Textual-free state built from the event log.

    log = EventLog(); ...append engine.trace events and graphtui.model.events...
    state = state_at(log, step)            # from scratch, pure
    history = History(log)                 # incremental: history.latest(), history.state_at(k)
    rows = tree_rows(state, expanded)      # the graph pane's rows
    state.iterations                       # the backward passes (graphtui.model.iterations)

Step k is "after the first k events"; see ``state.State`` for everything a state holds.
"""
from graphtui.model.builder import StateBuilder
from graphtui.model.describe import (
    EVENT_KINDS, EventNumbers, describe_event, event_kind, format_args, format_bytes, format_shape,
    format_summary, format_values,
)
from graphtui.model.events import (
    Discarded, EventsDropped, HookMuteChanged, OutputWritten, Paused, Resumed, RunFinished, RunStarted,
)
from graphtui.model.history import EventLog, History, state_at
from graphtui.model.iterations import Iteration, IterationList, iteration_rows
from graphtui.model.state import (
    DONE, ERROR, FREED, NAN_FORWARD, NAN_GRAD_IN, NAN_GRAD_OUT, NEXT, NODE_STATUSES,
    NONFINITE_PLACES, PENDING, RUN_FAILED, RUN_FINISHED,
    RUN_NOT_STARTED, RUN_PAUSED, RUN_RUNNING, RUN_STOPPED, RUNNING, BackwardPass, Buffer,
    Edge, GradChange, Header, Hook, HookFiring, Module, Node, OutputLine, Problem, Root, RunError,
    State, Tensor,
)
from graphtui.model.tree import (
    DEAD, EARLIER, FOLDED, ITERATION, NO_GRAD_FN, NODE, NONE_EDGE, ROOT, TreeEntry, TreeRow,
    child_entries, entry_children, expand_to_depth, path_to, root_entries, shown_status,
    tree_rows,
)
