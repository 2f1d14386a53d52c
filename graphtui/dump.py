"""``graphtui dump``: a whole run as text, for pipes, CI logs and tests without a terminal."""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TextIO

from graphtui.model import (
    RUN_FINISHED, EventNumbers, State, describe_event, expand_to_depth, format_bytes,
    format_summary, tree_rows,
)
from graphtui.model.describe import short_paths, short_traceback
from graphtui.model.gradients import GradientTracker
from graphtui.dump_gradients import write_gradients

TREE_DEPTH = 64


def dump_session(session, out: TextIO) -> bool:
    """Run the session's scenario straight through (or take a recording as it is) and write
    events, graph, tensors and the error. True when the scenario finished without failing."""
    state = _finished_state(session)
    write_state(session.log, state, out)
    return state.run_state == RUN_FINISHED


def dump_json(session, out: TextIO) -> bool:
    """The same run, as the event log in JSON lines (what ``graphtui open`` reads); the
    header line carries each iteration's gradient statistics under ``gradients``."""
    from graphtui.dump_gradients import gradients_json
    from graphtui.recording import write

    state = _finished_state(session)
    gradients = gradients_json(GradientTracker().update(session.log))
    write(session.log, out, str(session.path), extra={"gradients": gradients})
    return state.run_state == RUN_FINISHED


def dump_plot(session, path: str) -> None:
    """The gradient-flow chart and the loss curve of the (finished) run, as an SVG file."""
    from graphtui.plot_svg import gradient_charts_svg

    _finished_state(session)
    svg = gradient_charts_svg(GradientTracker().update(session.log),
                              str(getattr(session.path, "name", session.path)))
    with open(path, "w", encoding="utf-8") as out:
        out.write(svg)


def dump_dot(session, out: TextIO) -> bool:
    """The same run's final graph as Graphviz DOT."""
    from graphtui.dot import to_dot

    state = _finished_state(session)
    out.write(to_dot(state, str(getattr(session.path, "name", session.path))))
    return state.run_state == RUN_FINISHED


def _finished_state(session) -> State:
    session.start()
    session.wait_until_finished()
    return session.state()


class Colours:
    """Colours the text dump line by line for a terminal (section headers, errors, freed
    buffers, warnings); a pipe gets plain text."""

    _STYLES = ((re.compile(r"^== "), "\x1b[1;36m"),
               (re.compile(r"\[error\]|Error\b|Traceback"), "\x1b[31m"),
               (re.compile(r"Warning\b|\[nan\]"), "\x1b[33m"),
               (re.compile(r"\bfreed\b"), "\x1b[2m"))

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.pending = ""

    def write(self, text: str) -> int:
        lines = (self.pending + text).split("\n")
        self.pending = lines.pop()
        for line in lines:
            self.out.write(self._paint(line) + "\n")
        return len(text)

    def _paint(self, line: str) -> str:
        for pattern, style in self._STYLES:
            if pattern.search(line):
                return f"{style}{line}\x1b[0m"
        return line

    def flush(self) -> None:
        if self.pending:
            self.out.write(self._paint(self.pending))
            self.pending = ""
        self.out.flush()


def write_state(events: Sequence, state: State, out: TextIO) -> None:
    """Events numbered as the TUI numbers them (from 1; the debugger's own pauses and mutes
    get a dot), paths and tracebacks shortened as the TUI shortens them."""
    out.write("== events\n")
    first = getattr(events, "first_step", 0)
    if first:
        out.write(f"        ({first} earlier events were folded into the state to bound "
                  f"memory; they are not listed)\n")
    numbers = EventNumbers().update(events)
    for index, event in enumerate(events, start=first):
        number = numbers.number(index)
        out.write(f"{'·' if number is None else number:>6}  "
                  f"{short_paths(describe_event(event, state))}\n")
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
    first_nan = state.nodes.get(state.first_nan_node) if state.first_nan_node else None
    if first_nan is not None:
        out.write(f"== first NaN/Inf: {first_nan.name} (node {first_nan.id})\n")
    out.write(f"== run {state.run_state}\n")
    if state.error is not None:
        node = state.nodes.get(state.error.node_id) if state.error.node_id is not None else None
        if node is not None:
            out.write(f"raised in backward at {node.name} (node {node.id})\n")
        out.write(short_traceback(state.error.traceback) + "\n")
    write_gradients(GradientTracker().update(events), out)
