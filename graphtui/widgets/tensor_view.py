"""Inspector › Tensor: the selected tensor — flags, values, .grad and how .grad changed."""
from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from graphtui.model import EventNumbers, State, Tensor, format_shape
from graphtui.model.describe import grad_added
from graphtui.widgets.fmt import stats_text, summary_values
from graphtui.widgets.pane_view import PaneView, facts, section, stack
from graphtui.widgets.problem_text import problems_for
from graphtui.widgets.selection import Selection


class TensorView(PaneView):
    def render_view(self, state: State, selection: Selection) -> RenderableType:
        tensor = (state.tensors.get(selection.tensor_id)
                  if selection.tensor_id is not None else None)
        if tensor is None:
            return Text("No tensor for this row (select a root or an AccumulateGrad leaf).",
                        style="dim")
        return stack(
            _identity(state, tensor),
            _grad_history(tensor, self.numbers),
            problems_for(state, tensor_id=tensor.id),
        )


def _flag(value: bool) -> Text:
    return Text(str(value), style="green" if value else "dim")


def _identity(state: State, tensor: Tensor) -> RenderableType:
    grad_fn = "None"
    if tensor.grad_fn_id is not None:
        grad_fn = f"<{state.node_label(tensor.grad_fn_id)}>" \
            if tensor.grad_fn_id in state.nodes else f"node {tensor.grad_fn_id}"
    title = Text.assemble((tensor.label, "bold"), (f"  tensor {tensor.id}", "dim"))
    return Group(title, facts(
        ("shape", format_shape(tensor.shape)),
        ("dtype", tensor.dtype),
        ("requires_grad", _flag(tensor.requires_grad)),
        ("is_leaf", _flag(tensor.is_leaf)),
        ("retains_grad", _flag(tensor.retains_grad)),
        ("grad_fn", grad_fn),
        ("_version", str(tensor.version)),
        ("value", _values(tensor.value)),
        (".grad", _grad(tensor)),
    ))


def _values(summary) -> Text:
    if summary is None:
        return Text("None", style="dim")
    text = Text(summary_values(summary))
    stats = stats_text(summary)
    if stats:
        text.append("\n" + stats, style="dim")
    return text


def _grad(tensor: Tensor) -> Text:
    if tensor.grad is None:
        note = "None" if tensor.is_leaf or tensor.retains_grad else \
            "None  (not a leaf: PyTorch warns and keeps no .grad without retain_grad())"
        return Text(note, style="dim")
    return _values(tensor.grad)


def _number(numbers: EventNumbers | None, index: int) -> str:
    number = numbers.number(index) if numbers is not None else index + 1
    return "·" if number is None else str(number)


def _change_text(previous, change) -> tuple[str, str]:
    """(`.grad +=`, `[300, 0.3]  now [600, 0.6]`): what was added, and the new total."""
    if not change.accumulated:
        return ".grad =", summary_values(change.grad, 6)
    added = grad_added(previous, change.grad, lambda added: summary_values(added, 6))
    return ".grad +=", f"{added or '?'}  now {summary_values(change.grad, 6)}"


def _grad_history(tensor: Tensor, numbers: EventNumbers | None) -> RenderableType | None:
    if not tensor.grad_history:
        return None
    table = Table.grid(padding=(0, 1))
    table.add_column(style="dim", justify="right")
    table.add_column()
    table.add_column()
    previous = None
    for change in tensor.grad_history:
        table.add_row(f"event {_number(numbers, change.step)}", *_change_text(previous, change))
        previous = change.grad
    title = f".grad history ({tensor.grad_changes} change{'s' if tensor.grad_changes != 1 else ''})"
    return section(title, table)
