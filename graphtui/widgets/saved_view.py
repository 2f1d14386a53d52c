"""Inspector › Saved: every node's saved buffers, retained or freed, and the total retained.

Each node is a heading line with its buffers under it, so the bytes and state columns stay in
view in a narrow inspector (the name and the shape fold onto a second line when they must).
"""
from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from graphtui.model import State, format_shape
from graphtui.widgets.fmt import bytes_text, status_glyph
from graphtui.widgets.pane_view import PaneView, stack
from graphtui.widgets.problem_text import problems_for
from graphtui.widgets.selection import Selection

MAX_ROWS = 100         # a Rich table of 500 rows took the UI thread ~1 s to lay out
STATE_WIDTH = len("retained")


class SavedView(PaneView):
    def render_view(self, state: State, selection: Selection) -> RenderableType:
        nodes = [n for n in state.nodes.values() if n.saved]
        if not nodes:
            return Text("No node has saved anything for backward (yet).", style="dim")
        # The selected node first, then creation order.
        nodes.sort(key=lambda n: (n.id != selection.node_id, n.seq, n.id))
        total = sum(b.nbytes for n in nodes for b in n.saved)
        summary = Text.assemble(("retained ", "bold"), (bytes_text(state.retained_bytes), "bold green"),
                                f" of {bytes_text(total)} saved by {len(nodes)} node{'s' if len(nodes) != 1 else ''}")
        return stack(summary, _buffers(state, nodes, selection),
                     problems_for(state, node_id=selection.node_id))


def _buffers(state: State, nodes, selection: Selection) -> Group:
    """A header, then per node its label and one row per buffer, columns aligned throughout:
    the buffer (name, shape, dtype; it wraps when narrow), its bytes and its state."""
    bytes_width = max(len("bytes"), *(len(bytes_text(b.nbytes)) for n in nodes for b in n.saved))
    parts: list[RenderableType] = [
        _rows(bytes_width, [(Text("_saved_ shape dtype"), "bytes", "state")], style="bold")]
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
        parts.append(_rows(bytes_width, [(_buffer_text(buffer), bytes_text(buffer.nbytes),
                                          Text("freed", "yellow") if buffer.freed
                                          else Text("retained", "green"))
                                         for buffer in buffers]))
        rows += len(buffers)
    return Group(*parts)


def _buffer_text(buffer) -> Text:
    return Text.assemble("  ", buffer.name, " ", (f"{format_shape(buffer.shape)} {buffer.dtype}",
                                                   "dim"))


def _rows(bytes_width: int, rows, style: str = "") -> Table:
    table = Table.grid(padding=(0, 1), expand=True)
    table.add_column(ratio=1, overflow="fold", style=style)
    table.add_column(width=bytes_width, justify="right", no_wrap=True, style=style)
    table.add_column(width=STATE_WIDTH, no_wrap=True, style=style)
    for row in rows:
        table.add_row(*row)
    return table
