"""Inspector › Saved: the memory saved tensors keep alive (each block once; parameters and
inputs not counted, see graphtui.model.memory), its peak and timeline, and every node's saved
buffers, retained or freed.

Each node is a heading line with its buffers under it, so the bytes and state columns stay in
view in a narrow inspector (the name and the shape fold onto a second line when they must).
"""
from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from graphtui.model import State, format_shape
from graphtui.model.memory import (
    BufferCost, MemoryReport, kept_by, memory_report, sparkline, what_text,
)
from graphtui.widgets.fmt import bytes_text, status_glyph
from graphtui.widgets.pane_view import PaneView, stack
from graphtui.widgets.problem_text import problems_for
from graphtui.widgets.selection import Selection

MAX_ROWS = 100         # a Rich table of 500 rows took the UI thread ~1 s to lay out
STATE_WIDTH = len("retained")
TIMELINE_WIDTH = 32
KEPT_NAMED = 3         # buffers named on a retain_graph line


class SavedView(PaneView):
    def render_view(self, state: State, selection: Selection) -> RenderableType:
        nodes = [n for n in state.nodes.values() if n.saved]
        if not nodes:
            return Text("No node has saved anything for backward (yet).", style="dim")
        # The selected node first, then creation order.
        nodes.sort(key=lambda n: (n.id != selection.node_id, n.seq, n.id))
        report = memory_report(state)
        last = self.numbers.count(state.step) if self.numbers is not None else state.step
        return stack(_totals(state, report, last), _modules(report),
                     _buffers(state, nodes, selection, report),
                     problems_for(state, node_id=selection.node_id))


def _totals(state: State, report: MemoryReport, last_event: int) -> Group:
    """What the graph keeps alive, its peak and timeline, and what is not counted."""
    lines = [
        Text.assemble(("retained ", "bold"), (bytes_text(report.retained), "bold green"),
                      f" of activations · peak {bytes_text(report.peak)}"
                      f" · freed {bytes_text(report.freed)}"),
        Text(f"not counted: parameters {bytes_text(report.parameter_bytes)}, inputs "
             f"{bytes_text(report.input_bytes)} (memory their owners hold anyway)", style="dim"),
    ]
    if report.timeline:
        lines.append(Text.assemble(("timeline ", "dim"),
                                   (sparkline(report.timeline, state.step, TIMELINE_WIDTH),
                                    "green"), (f" events 1-{last_event}", "dim")))
    for backward in state.backward_passes:
        if backward.retain_graph and backward.finished:
            names = ", ".join(f"{state.nodes[b.node_id].name}.{b.name}"
                              for b in kept_by(state, backward)[:KEPT_NAMED])
            more = " …" if backward.kept_buffers > KEPT_NAMED else ""
            lines.append(Text(f"backward {backward.id} (retain_graph) kept "
                              f"{backward.kept_buffers} saved activations alive: "
                              f"{bytes_text(backward.kept_bytes)}"
                              + (f" ({names}{more})" if names else ""), style="yellow"))
    return Group(*lines)


def _modules(report: MemoryReport) -> Table | None:
    if len(report.by_module) < 2:
        return None
    table = Table.grid(padding=(0, 1))
    table.add_column(style="italic #7f9fbf")
    table.add_column(justify="right")
    table.add_column(justify="right", style="dim")
    table.add_row(Text("module", style="bold"), Text("retained", style="bold"),
                  Text("freed", style="bold"))
    for module, usage in report.by_module.items():
        table.add_row(module, bytes_text(usage.retained), bytes_text(usage.freed))
    return table


def _buffers(state: State, nodes, selection: Selection, report: MemoryReport) -> Group:
    """A header, then per node its label and one row per buffer, columns aligned throughout:
    the buffer (name, shape, dtype, what its memory is; it wraps when narrow), the memory it
    is charged with (each block once) and its state."""
    bytes_width = max(len("memory"), *(len(bytes_text(c.charged)) for c in report.costs.values()))
    parts: list[RenderableType] = [
        _rows(bytes_width, [(Text("_saved_ shape dtype"), "memory", "state")], style="bold")]
    rows = 0
    for node in nodes:
        if rows >= MAX_ROWS:
            parts.append(Text(f"… {sum(len(n.saved) for n in nodes) - rows} more", style="dim"))
            break
        label = Text.assemble(status_glyph(node.status), " ", state.node_label(node.id),
                              (f"  node {node.id}", "dim"))
        if node.id == selection.node_id:
            label.stylize("bold reverse")
        buffers = node.saved[:MAX_ROWS - rows]
        parts.append(label)
        parts.append(_rows(bytes_width, [
            (_buffer_text(state, report.costs[(node.id, buffer.name)]),
             bytes_text(report.costs[(node.id, buffer.name)].charged),
             Text("freed", "yellow") if buffer.freed else Text("retained", "green"))
            for buffer in buffers]))
        rows += len(buffers)
    return Group(*parts)


def _buffer_text(state: State, cost: BufferCost) -> Text:
    buffer = cost.buffer
    return Text.assemble("  ", buffer.name, " ", (f"{format_shape(buffer.shape)} {buffer.dtype}",
                                                   "dim"),
                         (f" · {what_text(state, cost)}", "italic dim"))


def _rows(bytes_width: int, rows, style: str = "") -> Table:
    table = Table.grid(padding=(0, 1), expand=True)
    table.add_column(ratio=1, overflow="fold", style=style)
    table.add_column(width=bytes_width, justify="right", no_wrap=True, style=style)
    table.add_column(width=STATE_WIDTH, no_wrap=True, style=style)
    for row in rows:
        table.add_row(*row)
    return table
