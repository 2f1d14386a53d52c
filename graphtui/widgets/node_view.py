"""Inspector › Node: the selected grad_fn — what it is, its edges, the gradients through it."""
from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text

from graphtui.model import Node, State
from graphtui.model.describe import nonfinite_words, short_paths
from graphtui.model.memory import costs_of, what_text
from graphtui.model.node_attrs import attr_text
from graphtui.widgets.fmt import NAN_GLYPH, bytes_text, status_text, summary_line
from graphtui.widgets.pane_view import PaneView, facts, section, stack
from graphtui.widgets.problem_text import problems_for
from graphtui.widgets.selection import Selection


class NodeView(PaneView):
    def render_view(self, state: State, selection: Selection) -> RenderableType:
        node = state.nodes.get(selection.node_id) if selection.node_id is not None else None
        if node is None:
            return _no_node(state, selection)
        return stack(
            _identity(state, node),
            problems_for(state, node_id=node.id),      # an error belongs near the top
            _saved(state, node),
            _hooks(state, node.hook_ids + module_hook_ids(state, node)),
        )


def short_location(location: str | None) -> str:
    """`scenarios/lesson.py:4` — short, as dump prints it."""
    return short_paths(location) if location else "—"


def sequence_text(seq: int) -> str:
    # PyTorch gives AccumulateGrad the largest uint64 so leaves run as soon as they are ready.
    return "UINT64_MAX" if seq >= 2**63 else str(seq)


def _no_node(state: State, selection: Selection) -> RenderableType:
    tensor = state.tensors.get(selection.tensor_id) if selection.tensor_id is not None else None
    if tensor is None:
        return Text("Select a node in the graph (arrows or mouse).", style="dim")
    return stack(
        Text.assemble((tensor.label, "bold"), " has no grad_fn",
                      " (a leaf)" if tensor.is_leaf else ""),
        problems_for(state, tensor_id=tensor.id),
    )


def _identity(state: State, node: Node) -> RenderableType:
    title = Text.assemble((state.node_label(node.id), "bold"), "  ", status_text(node.status))
    if node.nonfinite:
        title.append(f"  {NAN_GLYPH[0]} {nonfinite_words(node.nonfinite)}", style=NAN_GLYPH[1])
    outputs = ", ".join(state.tensor_name(t) or f"tensor {t}" for t in node.output_ids)
    rows = [
        ("sequence_nr", sequence_text(node.seq)),
        ("module", node.module or "—"),
        ("made at", short_location(node.location)),
        ("variable" if node.is_accumulate_grad else "output", outputs or "—"),
        ("times run", str(node.times_run)),
        ("next_functions", _edges(state, node)),
        ("grad_outputs in", _received(node)),
        ("grad_inputs out", _produced(node)),
    ]
    return Group(title, facts(*rows))


def _edges(state: State, node: Node) -> Text:
    if not node.next_edges:
        return Text("()  a leaf's accumulator", style="dim")
    text = Text()
    for index, edge in enumerate(node.next_edges):
        text.append(f"[{index}] ", style="dim")
        if edge.node_id is None:
            text.append("None", style="dim italic")
        else:
            text.append(f"({state.node_label(edge.node_id)}, {edge.input_nr})")
        text.append("\n")
    text.rstrip()
    return text


def _received(node: Node) -> Text:
    if node.grad_outputs is None:
        return Text("—  not reached yet", style="dim")
    return Text("\n".join(summary_line(s) for s in node.grad_outputs) or "()")


def _produced(node: Node) -> Text:
    if node.grad_inputs is None:
        return Text("—  not run yet", style="dim")
    lines = [f"[{i}] {summary_line(s)}" for i, s in enumerate(node.grad_inputs)]
    return Text("\n".join(lines) or "()")


def _saved(state: State, node: Node) -> RenderableType | None:
    """Its saved tensors (with the memory they keep), then its plain saved values (dims,
    sizes, scalars: `_saved_dim = (1,)`); PyTorch reads both as `grad_fn._saved_<name>`."""
    if not node.saved and not node.attrs:
        return None
    lines = Text()
    if node.saved:
        costs = costs_of(state, node.saved)
        for buffer in node.saved:
            lines.append(f"_saved_{buffer.name}  [{', '.join(map(str, buffer.shape))}] "
                         f"{buffer.dtype} {bytes_text(buffer.nbytes)}  ")
            lines.append(*(("freed", "yellow") if buffer.freed else ("retained", "green")))
            lines.append(f"  {what_text(state, costs[(node.id, buffer.name)])}", style="dim")
            lines.append("\n")
    for name, value in node.attrs:
        lines.append(f"_saved_{name} = {attr_text(value)}\n")
    if node.saved:
        lines.append(f"memory kept: {bytes_text(node.retained_bytes)}", style="dim")
    else:
        lines.rstrip()
    return section("saved for backward", lines)


def module_hook_ids(state: State, node: Node) -> tuple[int, ...]:
    """Hooks registered on the module this node's op ran in (conv1's hooks at its conv)."""
    if not node.module:
        return ()
    return tuple(h.id for h in state.hooks.values() if h.target == node.module)


def _hooks(state: State, hook_ids: tuple[int, ...]) -> RenderableType | None:
    lines = Text()
    for hook_id in hook_ids:
        hook = state.hooks.get(hook_id)
        if hook is None:
            continue
        lines.append(f"#{hook.id} {hook.kind} {hook.callable_name}  fired {hook.times_fired}×")
        lines.append(" muted" if hook.muted else " removed" if hook.removed else "",
                     style="yellow")
        lines.append("\n")
    lines.rstrip()
    return section("hooks", lines) if lines.plain else None
