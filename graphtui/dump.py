"""``graphtui dump``: a whole run as text, for pipes, CI logs and tests without a terminal."""
from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TextIO

from graphtui import gc_tuning
from graphtui.model import (
    RUN_FINISHED, EventNumbers, State, describe_event, expand_to_depth, format_bytes,
    format_summary, tree_rows,
)
from graphtui.dump_memory import memory_summary, write_memory
from graphtui.model.describe import nonfinite_words, short_paths, short_traceback
from graphtui.model.events import BreakpointHit
from graphtui.model.findings import Finding, find
from graphtui.scenario import ScenarioError
from graphtui.model.iterations import iteration_rows
from graphtui.model.node_attrs import attr_text
from graphtui.model.gradients import tracker_for
from graphtui.dump_gradients import write_gradients

TREE_DEPTH = 64
# What to explain: nothing (None/False), the findings (True), and the tensors named (names).
Explain = bool | Sequence[str] | None


def dump_session(session, out: TextIO, explain: Explain = None) -> bool:
    """Run the session's scenario straight through (or take a recording as it is) and write
    events, graph, tensors and the error, and with ``explain`` the findings. True when the
    scenario finished without failing."""
    with _finished(session) as state:
        selected = tensors_named(state, explain)
        write_state(session.log, state, out)
        if explain:
            write_findings(session.log, out, selected)
        return state.run_state == RUN_FINISHED


def dump_json(session, out: TextIO, explain: Explain = None) -> bool:
    """The same run, as the event log in JSON lines (what ``graphtui open`` reads). The
    header line carries the summaries: ``memory``, ``iterations``, ``gradients`` (each
    iteration's gradient statistics) and, with ``explain``, ``findings``."""
    from graphtui.dump_gradients import gradients_json
    from graphtui.recording import write

    with _finished(session) as state:
        numbers = EventNumbers().update(session.log)
        extra = {"memory": memory_summary(state, numbers), **json_tables(state, numbers)}
        if explain:
            selected = tensors_named(state, explain)
            extra["findings"] = findings_json(session.log, numbers, selected)
        extra["gradients"] = gradients_json(tracker_for(session.log))
        write(session.log, out, str(session.path), getattr(session, "backend", "engine"), extra)
        return state.run_state == RUN_FINISHED


def tensors_named(state: State, explain: Explain) -> list[int]:
    """The ids of the tensors ``--why`` names (each name's latest tensor); ScenarioError for
    a name no tensor of the run has."""
    names = [] if explain is True or not explain else list(explain)
    latest = {t.name: t.id for t in state.tensors.values() if t.name}
    unknown = [name for name in names if name not in latest]
    if unknown:
        raise ScenarioError(f"--why {unknown[0]}: no tensor of the run is named {unknown[0]!r}")
    return [latest[name] for name in names]


def write_findings(events: Sequence, out: TextIO, selected: Sequence[int] = ()) -> None:
    """``== why``: one line per finding, its event's number and the node it is about."""
    findings = find(events, selected)
    numbers = EventNumbers().update(events)
    out.write(f"== why: {len(findings)} finding{'' if len(findings) == 1 else 's'}\n")
    for finding in findings:
        out.write(f"[{finding.severity}] {short_paths(finding.text)}{_link(finding, numbers)}\n")


def _link(finding: Finding, numbers: EventNumbers) -> str:
    parts = []
    if finding.step is not None:
        parts.append(f"event {numbers.number(finding.step)}")
    if finding.node_id is not None:
        parts.append(f"node {finding.node_id}")
    return f"  ({', '.join(parts)})" if parts else ""


def findings_json(events: Sequence, numbers: EventNumbers,
                  selected: Sequence[int] = ()) -> list[dict]:
    return [{"kind": f.kind, "severity": f.severity, "text": short_paths(f.text),
             "locations": [short_paths(loc) for loc in f.locations],
             "node_id": f.node_id, "tensor_id": f.tensor_id,
             "event": None if f.step is None else numbers.number(f.step)}
            for f in find(events, selected)]


def json_tables(state: State, numbers: EventNumbers) -> dict:
    """The tables ``dump --json`` adds to the recording's header line."""
    rows = iteration_rows(state.iterations, numbers)
    for row in rows:       # JSON has no NaN or Infinity: a diverged loss is written as text
        value = row["root_value"]
        if value is not None and not math.isfinite(value):
            row["root_value"] = str(value)
    return {"iterations": rows}


def dump_plot(session, path: str) -> None:
    """The gradient-flow chart and the loss curve of the (finished) run, as an SVG file."""
    from graphtui.plot_svg import gradient_charts_svg

    with _finished(session):
        svg = gradient_charts_svg(tracker_for(session.log),
                                  str(getattr(session.path, "name", session.path)))
    with open(path, "w", encoding="utf-8") as out:
        out.write(svg)


def dump_dot(session, out: TextIO) -> bool:
    """The same run's final graph as Graphviz DOT."""
    from graphtui.dot import to_dot

    with _finished(session) as state:
        out.write(to_dot(state, str(getattr(session.path, "name", session.path))))
        return state.run_state == RUN_FINISHED


@contextmanager
def _finished(session) -> Iterator[State]:
    """The session's run to its end, then its final state; what the run made is kept out of
    the cyclic GC's walks meanwhile (``gc_tuning.settled``): it all lives on anyway."""
    session.start()
    session.wait_until_finished()
    with gc_tuning.settled():
        yield session.state()


class Colours:
    """Colours the text dump line by line for a terminal (section headers, errors, freed
    buffers, warnings); a pipe gets plain text."""

    _STYLES = ((re.compile(r"^== "), "\x1b[1;36m"),
               (re.compile(r"\[error\]|Error\b|Traceback"), "\x1b[31m"),
               (re.compile(r"Warning\b|NaN/Inf"), "\x1b[33m"),
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


def _status(state: State, entry) -> str:
    """`  [next]`, `  [pending; NaN/Inf in forward output]`: the status, then where the node
    met NaN/Inf (a mark beside the status, never instead of it)."""
    node = state.nodes.get(entry.node_id) if entry.node_id is not None else None
    words = [entry.status] if entry.status else []
    if node is not None and node.nonfinite:
        words.append(nonfinite_words(node.nonfinite))
    return f"  [{'; '.join(words)}]" if words else ""


def write_iterations(state: State, numbers: EventNumbers, out: TextIO) -> None:
    """The per-iteration table: one row per backward pass."""
    rows = iteration_rows(state.iterations, numbers)
    if not rows:
        out.write("== iterations: none (no backward pass)\n")
        return
    out.write(f"== iterations: {len(rows)} backward pass{'es' if len(rows) != 1 else ''}\n")
    out.write(f"{'#':>5}  {'root':<32} {'value':>11} {'nodes run':>9} {'freed':>16}  "
              f"{'events':<13} line\n")
    for row in rows:
        value = "" if row["root_value"] is None else f"{row['root_value']:.6g}"
        freed = f"{row['buffers_freed']} ({format_bytes(row['bytes_freed'])})"
        events = f"{row['first_event'] or '·'}-{row['last_event'] or '…'}"
        state_note = "  failed" if row["ok"] is False else "  running" if row["ok"] is None else ""
        out.write(f"{row['iteration']:>5}  {row['root']:<32} {value:>11} {row['nodes_run']:>9} "
                  f"{freed:>16}  {events:<13} {short_paths(row['location'] or '?')}"
                  f"{state_note}\n")


def write_node_attrs(state: State, out: TextIO) -> None:
    """``== node attributes``: each node's plain saved values, as `grad_fn._saved_<name>`
    gives them (its saved tensors are in the memory section)."""
    nodes = [node for node in state.nodes.values() if node.attrs]
    if not nodes:
        return
    out.write("== node attributes (grad_fn._saved_<name> that are not tensors)\n")
    for node in nodes:
        values = "  ".join(f"{name}={attr_text(value)}" for name, value in node.attrs)
        out.write(f"{node.name} (node {node.id})  {values}\n")


def write_state(events: Sequence, state: State, out: TextIO) -> None:
    """Events numbered as the TUI numbers them (from 1; the debugger's own pauses and mutes
    get a dot), paths and tracebacks shortened as the TUI shortens them."""
    out.write("== events\n")
    first = getattr(events, "first_step", 0)
    if first:
        out.write(f"        ({first} earlier events were folded into the state to bound "
                  f"memory; they are not listed)\n")
    numbers = EventNumbers().update(events)
    hits, last_number = [], 0
    for index, event in enumerate(events, start=first):
        number = numbers.number(index)
        out.write(f"{'·' if number is None else number:>6}  "
                  f"{short_paths(describe_event(event, state))}\n")
        last_number = last_number if number is None else number
        if isinstance(event, BreakpointHit):
            hits.append((last_number, event))
    out.write("== graph\n")
    for row in tree_rows(state, expand_to_depth(state, TREE_DEPTH)):
        status = _status(state, row.entry)
        again = "  (shown above)" if row.repeated and row.entry.has_children else ""
        out.write(f"{'  ' * row.depth}{row.entry.label}{status}{again}\n")
    write_node_attrs(state, out)
    write_iterations(state, numbers, out)
    out.write("== tensors\n")
    for tensor in state.tensors.values():
        out.write(f"{tensor.label}: {format_summary(tensor.value)}  "
                  f"grad {format_summary(tensor.grad)}\n")
    write_memory(state, numbers, out)
    first_nan = state.nodes.get(state.first_nan_node) if state.first_nan_node else None
    if first_nan is not None:
        out.write(f"== first NaN/Inf: {first_nan.name} (node {first_nan.id}) in its "
                  f"{state.first_nan_place}\n")
    _write_hits(hits, state.breakpoint_hits_total, out)
    out.write(f"== run {state.run_state}\n")
    if state.error is not None:
        node = state.nodes.get(state.error.node_id) if state.error.node_id is not None else None
        if node is not None:
            out.write(f"raised in backward at {node.name} (node {node.id})\n")
        out.write(short_traceback(state.error.traceback) + "\n")
    write_gradients(tracker_for(events), out)


def _write_hits(hits: list, total: int, out: TextIO) -> None:
    """Where the breakpoints hit (dump runs on through them), with the event each followed."""
    total = max(total, len(hits))
    if not total:
        return
    out.write(f"== breakpoints hit: {total}\n")
    for number, hit in hits:
        out.write(f"at event {number}: {hit.spec}: {short_paths(hit.detail)}\n")
