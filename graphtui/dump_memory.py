"""The saved-memory section of ``graphtui dump``: text, and the summary ``--json`` puts in
its header line. What is counted and why: ``graphtui.model.memory``."""
from __future__ import annotations

from typing import TextIO

from graphtui.model import EventNumbers, State, format_bytes, format_shape
from graphtui.model.memory import MemoryReport, kept_by, memory_report, sparkline, what_text

NODES_LISTED = 200            # a 10,000-node chain lists its first nodes and a count
TIMELINE_WIDTH = 60


def write_memory(state: State, numbers: EventNumbers, out: TextIO) -> None:
    report = memory_report(state)
    out.write(f"== saved memory retained: {format_bytes(report.retained)}"
              f" (activations; peak {format_bytes(report.peak)}"
              f"{_after(numbers, report.peak_step)}; freed {format_bytes(report.freed)})\n")
    if not report.costs:
        return
    out.write(f"not counted (their owners hold them), retained now: parameters "
              f"{format_bytes(report.parameter_bytes)}, inputs {format_bytes(report.input_bytes)}\n")
    if report.timeline:
        out.write(f"timeline |{sparkline(report.timeline, state.step, TIMELINE_WIDTH)}| "
                  f"retained over events 1-{numbers.count(state.step)}\n")
    for backward in state.backward_passes:
        out.write(_backward_line(state, backward) + "\n")
    if len(report.by_module) > 1 or next(iter(report.by_module)) != "(top level)":
        out.write("by module (retained / freed):\n")
        for module, usage in report.by_module.items():
            out.write(f"  {module}  {format_bytes(usage.retained)} / "
                      f"{format_bytes(usage.freed)}\n")
    _write_nodes(state, report, out)


def _after(numbers: EventNumbers, step: int) -> str:
    return f" after event {numbers.count(step)}" if step else ""


def _backward_line(state: State, backward) -> str:
    if backward.retain_graph:
        kept = kept_by(state, backward)
        names = ", ".join(f"{state.nodes[b.node_id].name}.{b.name}" for b in kept[:6])
        more = f", … {len(backward.kept) - 6} more" if len(backward.kept) > 6 else ""
        return (f"backward {backward.id} (retain_graph) kept {backward.kept_buffers} saved "
                f"activations alive, {format_bytes(backward.kept_bytes)}"
                + (f": {names}{more}" if names else ""))
    return (f"backward {backward.id} freed {backward.freed_buffers} saved buffers, "
            f"{format_bytes(backward.freed_bytes)} of memory")


def _write_nodes(state: State, report: MemoryReport, out: TextIO) -> None:
    out.write("by node (bytes of the tensor; what its memory is; state):\n")
    listed = 0
    for node_id, usage in report.by_node.items():
        if listed == NODES_LISTED:
            out.write(f"  … {len(report.by_node) - listed} more nodes\n")
            break
        listed += 1
        out.write(f"  {state.node_label(node_id)} (node {node_id})  retained "
                  f"{format_bytes(usage.retained)}, freed {format_bytes(usage.freed)}\n")
        for buffer in state.nodes[node_id].saved:
            cost = report.costs[(node_id, buffer.name)]
            out.write(f"    {buffer.name} {format_shape(buffer.shape)} {buffer.dtype} "
                      f"{format_bytes(buffer.nbytes)}  {what_text(state, cost)}  "
                      f"{'freed' if buffer.freed else 'retained'}\n")


def memory_summary(state: State, numbers: EventNumbers) -> dict:
    """The section as JSON-ready data (for ``dump --json``'s header line)."""
    report = memory_report(state)
    return {
        "retained_bytes": report.retained, "freed_bytes": report.freed,
        "peak_bytes": report.peak, "peak_after_event": numbers.count(report.peak_step),
        "parameter_bytes": report.parameter_bytes, "input_bytes": report.input_bytes,
        "by_module": {m: {"retained": u.retained, "freed": u.freed}
                      for m, u in report.by_module.items()},
        "backward": [{"id": b.id, "retain_graph": b.retain_graph,
                      "freed_buffers": b.freed_buffers, "freed_bytes": b.freed_bytes,
                      "kept_buffers": b.kept_buffers, "kept_bytes": b.kept_bytes}
                     for b in state.backward_passes],
        "timeline": [[numbers.count(step), nbytes] for step, nbytes in report.timeline],
    }
