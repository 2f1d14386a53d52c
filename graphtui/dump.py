"""``graphtui dump``: a whole run as text, for pipes, CI logs and tests without a terminal."""
from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from graphtui.model import (
    RUN_FINISHED, State, describe_event, expand_to_depth, format_bytes, format_summary,
    tree_rows,
)

TREE_DEPTH = 64


def dump_session(session, out: TextIO) -> bool:
    """Run the session's scenario straight through (or take a recording as it is) and write
    events, graph, tensors and the error. True when the scenario finished without failing."""
    session.start()
    session.wait_until_finished()
    state = session.state()
    write_state(session.log, state, out)
    return state.run_state == RUN_FINISHED


def write_state(events: Sequence, state: State, out: TextIO) -> None:
    out.write("== events\n")
    for step, event in enumerate(events):
        out.write(f"{step:6d}  {describe_event(event, state)}\n")
    out.write("== graph\n")
    for row in tree_rows(state, expand_to_depth(state, TREE_DEPTH)):
        status = f"  [{row.entry.status}]" if row.entry.status else ""
        again = "  (shown above)" if row.repeated and row.entry.has_children else ""
        out.write(f"{'  ' * row.depth}{row.entry.label}{status}{again}\n")
    out.write("== tensors\n")
    for tensor in state.tensors.values():
        out.write(f"{tensor.label}: {format_summary(tensor.value)}  "
                  f"grad {format_summary(tensor.grad)}\n")
    out.write(f"== saved buffers retained: {format_bytes(state.retained_bytes)}\n")
    out.write(f"== run {state.run_state}\n")
    if state.error is not None:
        out.write(state.error.traceback)
