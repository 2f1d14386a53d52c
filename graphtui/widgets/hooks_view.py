"""Inspector › Hooks: every hook — kind, target, callable, registered/removed, fired, muted."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from graphtui.model import Hook, State
from graphtui.widgets.selection import Selection

MUTE_NOTE = ("h mutes/unmutes the highlighted hook. A muted hook stays registered and is "
             "skipped when it would fire (logged as muted). PyTorch captures module backward "
             "hooks when forward runs, so remove() after forward does not stop them; muting "
             "acts at firing time.")

COLUMNS = ("#", "kind", "target", "callable", "state", "fired", "last args")


def target_text(state: State, target: str) -> str:
    kind, _, raw = target.partition(":")
    if raw.isdigit() and kind == "tensor":
        return state.tensor_name(int(raw)) or target
    if raw.isdigit() and kind == "node" and int(raw) in state.nodes:
        return state.node_label(int(raw))
    return target


def last_args(hook: Hook) -> str:
    from graphtui.model import format_args

    firing = hook.last_firing
    if firing is None:
        return "—"
    text = format_args(firing.args)
    if firing.replaced:
        text += f" → {format_args(firing.result)}"
    return text


def hook_state(hook: Hook) -> Text:
    """registered / removed, and muted on top of either."""
    text = Text("removed", "dim") if hook.removed else Text("registered", "green")
    if hook.muted:
        text.append(" muted", "bold yellow")
    return text


def hook_row(state: State, hook: Hook) -> tuple:
    fired = str(hook.times_fired) + (f" +{hook.times_muted} muted" if hook.times_muted else "")
    return (str(hook.id), hook.kind, target_text(state, hook.target), hook.callable_name,
            hook_state(hook), fired, last_args(hook))


class HooksView(Vertical):
    DEFAULT_CSS = """
    HooksView { background: $surface; }
    HooksView > DataTable {
        height: auto; max-height: 1fr; background: $surface; overflow-x: hidden;
    }
    HooksView > Static { color: $text-muted; padding: 0 1; margin-top: 1; }
    """

    def compose(self) -> ComposeResult:
        table = DataTable(cursor_type="row", zebra_stripes=False)
        table.add_columns(*COLUMNS)
        yield table
        yield Static(MUTE_NOTE, classes="note")

    def show(self, state: State, selection: Selection) -> None:
        table = self.query_one(DataTable)
        keep = self.selected_hook_id
        hooks = list(state.hooks.values())
        if not hooks:
            table.clear()
            return
        table.clear()
        for hook in hooks:
            table.add_row(*hook_row(state, hook), key=str(hook.id))
        row = self._row_to_select(hooks, keep, state, selection)
        table.move_cursor(row=row, animate=False, scroll=True)

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
        return "\n".join(lines + [MUTE_NOTE])
