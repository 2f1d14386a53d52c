"""Inspector › Hooks: every hook — kind, target, callable, registered/removed, fired, muted."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from graphtui.model import Hook, State, format_args
from graphtui.widgets.pane_view import plain_text
from graphtui.widgets.selection import Selection

MUTE_NOTE = ("h mutes/unmutes the highlighted hook. A muted hook stays registered and is "
             "skipped when it would fire (logged as muted). PyTorch captures module backward "
             "hooks when forward runs, so remove() after forward does not stop them; muting "
             "acts at firing time.")

COLUMNS = ("#", "kind", "target", "callable", "state", "fired")


def target_text(state: State, target: str) -> str:
    kind, _, raw = target.partition(":")
    if raw.isdigit() and kind == "tensor":
        return state.tensor_name(int(raw)) or target
    if raw.isdigit() and kind == "node" and int(raw) in state.nodes:
        return state.node_label(int(raw))
    return target


def hook_state(hook: Hook) -> Text:
    """registered / removed, and muted on top of either."""
    text = Text("removed", "dim") if hook.removed else Text("registered", "green")
    if hook.muted:
        text.append(" muted", "bold yellow")
    return text


def hook_row(state: State, hook: Hook) -> tuple:
    fired = str(hook.times_fired) + (f" +{hook.times_muted} muted" if hook.times_muted else "")
    return (str(hook.id), hook.kind, target_text(state, hook.target), hook.callable_name,
            hook_state(hook), fired)


# What a hook of each kind is called with (PyTorch's signatures), matched from the end.
ARG_NAMES = {
    "forward": ("module", "input", "output"),
    "forward_pre": ("module", "input"),
    "backward": ("module", "grad_input", "grad_output"),
    "full_backward": ("module", "grad_input", "grad_output"),
    "full_backward_pre": ("module", "grad_output"),
    "tensor": ("grad",),
    "post_accumulate_grad": ("tensor",),
    "grad_fn_pre": ("grad_outputs",),
    "grad_fn_post": ("grad_inputs", "grad_outputs"),
}


def named_args(kind: str, args: tuple) -> list[tuple[str, object]]:
    names = ARG_NAMES.get(kind, ())
    names = (("arg",) * max(0, len(args) - len(names)) + names)[-len(args):] if args else ()
    return [(name, arg) for name, arg in zip(names, args) if not (name == "module" and arg is None)]


def hook_detail(state: State, hook: Hook) -> Text:
    """Everything about one hook, unabbreviated: what it is and its last firing."""
    text = Text.assemble((f"#{hook.id} {hook.callable_name}", "bold"),
                         f"  {hook.kind} hook on {target_text(state, hook.target)}  ",
                         hook_state(hook))
    text.append(f"\nregistered at step {hook.registered_step + 1}; fired {hook.times_fired}×")
    if hook.times_muted:
        text.append(f", skipped {hook.times_muted}× (muted)", style="yellow")
    firing = hook.last_firing
    if firing is not None:
        verb = "skipped (muted)" if firing.muted else "fired"
        text.append(f"\nlast {verb} at step {firing.step + 1} with:")
        for name, arg in named_args(hook.kind, firing.args):
            size = f"  (len {len(arg)})" if isinstance(arg, tuple) else ""
            text.append(f"\n  {name} = {format_args((arg,))}{size}")
        if firing.replaced:
            text.append(f"\nreturned a replacement: {format_args(firing.result)}",
                        style="yellow")
    return text


class HooksView(Vertical):
    DEFAULT_CSS = """
    HooksView { background: $surface; }
    HooksView > DataTable {
        height: auto; max-height: 1fr; background: $surface; overflow-x: hidden;
    }
    HooksView > Static.detail { padding: 0 1; margin-top: 1; }
    HooksView > Static.note { color: $text-muted; padding: 0 1; margin-top: 1; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._state: State | None = None

    def compose(self) -> ComposeResult:
        table = DataTable(cursor_type="row", zebra_stripes=False)
        table.add_columns(*COLUMNS)
        yield table
        yield Static(classes="detail")
        yield Static(MUTE_NOTE, classes="note")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._show_detail()

    def _show_detail(self) -> None:
        hook_id = self.selected_hook_id
        hook = self._state.hooks.get(hook_id) if self._state and hook_id is not None else None
        detail = self.query_one(".detail", Static)
        detail.update(hook_detail(self._state, hook) if hook else "")
        detail.display = hook is not None

    def show(self, state: State, selection: Selection, numbers=None) -> None:
        table = self.query_one(DataTable)
        keep = self.selected_hook_id
        self._state = state
        hooks = list(state.hooks.values())
        table.clear()
        if not hooks:
            self._show_detail()
            return
        for hook in hooks:
            table.add_row(*hook_row(state, hook), key=str(hook.id))
        row = self._row_to_select(hooks, keep, state, selection)
        table.move_cursor(row=row, animate=False, scroll=True)
        self._show_detail()

    @staticmethod
    def _row_to_select(hooks: list[Hook], keep: int | None, state: State,
                       selection: Selection) -> int:
        ids = [h.id for h in hooks]
        if keep in ids:
            return ids.index(keep)
        node = state.nodes.get(selection.node_id) if selection.node_id is not None else None
        for hook_id in node.hook_ids if node else ():
            if hook_id in ids:
                return ids.index(hook_id)
        return 0

    @property
    def selected_hook_id(self) -> int | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return int(key.value) if key.value is not None else None

    @property
    def text(self) -> str:
        table = self.query_one(DataTable)
        lines = []
        for row_key in table.rows:
            cells = table.get_row(row_key)
            lines.append("  ".join(c.plain if isinstance(c, Text) else str(c) for c in cells))
        detail = self.query_one(".detail", Static)
        return "\n".join(lines + [plain_text(detail.content), MUTE_NOTE])
