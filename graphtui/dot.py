"""The graph as Graphviz DOT, the way torchviz users expect it: one box per grad_fn node,
edges in the direction of the forward pass (input to consumer), leaves in light blue with
their names and shapes, root tensors in green; labels carry saved buffers and gradients."""
from __future__ import annotations

from graphtui.model import state as S
from graphtui.model.describe import format_bytes, format_shape, format_summary, nonfinite_words

_FILL = {
    "leaf": "lightblue",
    "root": "darkolivegreen1",
    S.ERROR: "tomato",
    "nan": "orange",
    S.FREED: "gray90",
}


def to_dot(state: S.State, title: str = "graphtui") -> str:
    lines = [f"digraph {_quote(title)} {{",
             '  graph [rankdir=TB, fontname="monospace"];',
             '  node [shape=box, style=filled, fillcolor=lightgrey, fontname="monospace", '
             'fontsize=10];']
    for node in state.nodes.values():
        lines.append(f"  n{node.id} [label={_quote(_label(state, node))}, "
                     f"fillcolor={_fill(node)}];")
    for root in state.roots:
        lines.extend(_root_lines(state, root))
    for node in state.nodes.values():
        for edge in node.next_edges:
            if edge.node_id is not None and edge.node_id in state.nodes:
                lines.append(f"  n{edge.node_id} -> n{node.id};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _label(state: S.State, node: S.Node) -> str:
    parts = [state.node_label(node.id)]
    if node.is_accumulate_grad and node.output_ids:
        tensor = state.tensors.get(node.output_ids[0])
        if tensor is not None:
            parts.append(format_shape(tensor.shape))
            if tensor.grad is not None:
                parts.append(f"grad {format_summary(tensor.grad, values=False)}")
    for buffer in node.saved:
        kept = "freed" if buffer.freed else "retained"
        parts.append(f"_saved_{buffer.name} {format_shape(buffer.shape)} "
                     f"{format_bytes(buffer.nbytes)} {kept}")
    if node.nonfinite:
        parts.append(nonfinite_words(node.nonfinite))
    if node.grad_outputs and not node.is_accumulate_grad:
        received = node.grad_outputs[0]
        if received is not None:
            parts.append(f"grad in {format_summary(received, values=False)}")
    return "\n".join(parts)


def _fill(node: S.Node) -> str:
    if node.status == S.ERROR:
        return _FILL[node.status]
    if node.nonfinite:
        return _FILL["nan"]
    if node.is_accumulate_grad:
        return _FILL["leaf"]
    return _FILL.get(node.status, "lightgrey")


def _root_lines(state: S.State, root: S.Root) -> list[str]:
    if root.tensor_id is None:
        return []
    tensor = state.tensors.get(root.tensor_id)
    name = tensor.label if tensor else f"tensor {root.tensor_id}"
    shape = format_shape(tensor.shape) if tensor else ""
    lines = [f"  t{root.tensor_id} [label={_quote(f'{name} {shape}'.strip())}, "
             f"shape=ellipse, fillcolor={_FILL['root']}];"]
    if root.node_id is not None and root.node_id in state.nodes:
        lines.append(f"  n{root.node_id} -> t{root.tensor_id};")
    return lines


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'
