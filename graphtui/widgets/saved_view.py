"""Inspector › Saved: every node's saved buffers, retained or freed, and the total retained."""
from __future__ import annotations

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from graphtui.model import State, format_shape
from graphtui.widgets.fmt import bytes_text, status_glyph
from graphtui.widgets.pane_view import PaneView, stack
from graphtui.widgets.problem_text import problems_for
from graphtui.widgets.selection import Selection

MAX_ROWS = 100         # a Rich table of 500 rows took the UI thread ~1 s to lay out


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
        return stack(summary, _table(state, nodes, selection),
                     problems_for(state, node_id=selection.node_id))


def _table(state: State, nodes, selection: Selection) -> Table:
    table = Table(box=None, padding=(0, 1), header_style="bold", expand=False)
    for name, justify in (("node", "left"), ("_saved_", "left"), ("shape dtype", "left"),
                          ("bytes", "right"), ("state", "left")):
        table.add_column(name, justify=justify, no_wrap=True)
    rows = 0
    for node in nodes:
        for buffer in node.saved:
            if rows >= MAX_ROWS:
                table.add_row("…", f"{sum(len(n.saved) for n in nodes) - rows} more")
                return table
            label = Text.assemble(status_glyph(node.status), " ", state.node_label(node.id))
            if node.id == selection.node_id:
                label.stylize("bold reverse")
            word = Text("freed", "yellow") if buffer.freed else Text("retained", "green")
            table.add_row(label, buffer.name, f"{format_shape(buffer.shape)} {buffer.dtype}",
                          bytes_text(buffer.nbytes), word)
            rows += 1
    return table
