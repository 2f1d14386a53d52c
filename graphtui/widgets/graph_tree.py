"""The Graph pane: a lazily expanded tree of grad_fn nodes from each root.

Children are filled in only when a row is expanded (``graphtui.model.child_entries``), so a
10,000-node graph costs what the user opened. A new state relabels the loaded rows; the tree
is rebuilt only when the roots change, re-opening what was open; while the run is going
(a training loop makes new roots all the time) at most once every ``REBUILD_WHILE_RUNNING``.
"""
from __future__ import annotations

import time
from dataclasses import replace

from rich.text import Text
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from graphtui.model import (
    DEAD, EARLIER, FOLDED, ITERATION, NO_GRAD_FN, NODE, NONE_EDGE, ROOT, RUN_RUNNING, State,
    TreeEntry, entry_children, path_to, root_entries, shown_status,
)
from graphtui.widgets.fmt import bytes_text, nonfinite_mark, status_glyph
from graphtui.widgets.module_groups import (
    MODULE, module_children, module_entries, module_key_of,
)

SMALL_GRAPH = 80          # graphs up to this many nodes open fully at first sight
FIRST_VIEW_DEPTH = 3      # bigger ones open this many levels
MAX_REVEAL_DEPTH = 32     # deeper than this (its guides alone fill the pane), a node gets a
                          # row of its own at the top
DEEP = "deep"             # the kind of that row (see GraphTree.reveal)
REBUILD_WHILE_RUNNING = 1.0   # seconds between rebuilds while roots keep coming
LINES_KEPT = 2048         # drawn lines kept by what they show (a pane shows ~40)


def entry_label(state: State, entry: TreeEntry, repeated: bool = False,
                show_module: bool = True) -> Text:
    """`● MulBackward0 (y) 12 B saved` — glyph, name, what it concerns, its buffers."""
    if entry.kind == NONE_EDGE:
        return Text("None", style="dim italic")
    if entry.kind == MODULE:
        return Text(entry.label, style="bold #7f9fbf")
    if entry.kind == ITERATION:
        current = entry.key == (f"i{len(state.iterations)}",)
        return Text(entry.label, style="bold reverse" if current else "#9f9fcf")
    if entry.kind in (EARLIER, DEAD):
        return Text(entry.label, style="dim italic")
    if entry.kind == NO_GRAD_FN:
        return Text.assemble(("✗ ", "bold red"), (entry.label, "bold"),
                             (" no grad_fn", "red"))
    node = state.nodes.get(entry.node_id)
    if entry.kind == DEEP and node is not None:
        text = entry_label(state, replace(entry, kind=NODE), repeated, show_module)
        text.append(f"  {entry.label}", style="dim italic")
        return text
    status = shown_status(node, entry.settled) if node else entry.status
    text = Text.assemble(status_glyph(status), " ")
    text.append(state.node_label(entry.node_id) if node else entry.label,
                style="bold" if entry.kind == ROOT else "")
    if node is not None and node.nonfinite:
        text.append_text(nonfinite_mark(node.nonfinite))
    if entry.kind == ROOT and entry.tensor_id is not None and node and not node.is_accumulate_grad:
        name = state.tensor_name(entry.tensor_id)
        if name:
            text.append(f" → {name}", style="cyan")
    if node is not None and node.module and show_module:
        text.append(f" {node.module}", style="italic #7f9fbf")
    if node is not None and node.saved:
        if all(buffer.freed for buffer in node.saved):
            text.append(" freed", style="dim yellow")
        else:       # the memory its saved activations keep (0 B: only parameters, inputs)
            text.append(f" {bytes_text(node.retained_bytes)}", style="dim")
    if repeated:
        text.append(" ↑ above", style="dim")
    return text


def first_view_keys(state: State, roots: list[TreeEntry], depth: int, max_rows: int = 2000
                    ) -> set[tuple]:
    """Rows to open at first sight: down to ``depth``, in display order, never a node met
    before (so a DAG's shared subgraphs open once: linear, not exponential). Module groups
    open, their nodes stay closed."""
    if roots and roots[0].kind == MODULE:
        return {entry.key for entry in roots}
    keys: set[tuple] = set()
    shown: set[int] = set()
    stack = [(entry, 0) for entry in reversed(roots) if entry.kind not in FOLDED]
    rows = 0
    while stack and rows < max_rows:
        entry, level = stack.pop()
        rows += 1
        if entry.node_id is not None:
            if entry.node_id in shown:
                continue
            shown.add(entry.node_id)
        if entry.has_children and level < depth:
            keys.add(entry.key)
            children = entry_children(state, entry)
            stack.extend((child, level + 1) for child in reversed(children))
    return keys


def _root_keys(roots: list[TreeEntry]) -> tuple:
    """What a rebuild depends on: the rows' keys, and the labels of rows that carry a count
    or a value (a module group, an iteration, the dropped graphs)."""
    return tuple((entry.key, entry.label if entry.kind in (MODULE, *FOLDED) else None)
                 for entry in roots)


class GraphTree(Tree[TreeEntry]):
    """Rows carry the model's TreeEntry; selecting one tells the screen what to inspect."""

    DEFAULT_CSS = """
    GraphTree { background: $surface; scrollbar-size-vertical: 1; }
    """

    class Picked(Message):
        """The user highlighted a row."""

        def __init__(self, entry: TreeEntry | None) -> None:
            super().__init__()
            self.entry = entry

    def __init__(self, **kwargs) -> None:
        super().__init__("graph", **kwargs)
        self.show_root = False
        self.guide_depth = 2
        self.auto_expand = True
        self._state: State | None = None
        self.group_by_module = False
        self._root_keys: tuple = ()
        self._expanded: set[tuple] = set()
        self._loaded: dict[tuple, TreeNode[TreeEntry]] = {}
        self._shown: set[int] = set()        # node ids already on some row
        self._repeated: set[tuple] = set()   # keys of rows showing a node shown before
        self._drawn: dict[tuple, tuple] = {} # key -> (model node, tensor name) last drawn
        self._seen_roots: set[tuple] = set()  # roots already given their first view
        self._current_pass: tuple | None = None  # the current backward pass's row key
        self._rebuilt = 0.0                   # when the tree was last rebuilt
        self._deep: TreeEntry | None = None   # a node too deep to open the path to
        self._drawn_lines: dict[tuple, object] = {}   # what a line shows -> its strip

    # ---------------------------------------------------------------- attributes down

    def show(self, state: State) -> None:
        self._state = state
        roots = module_entries(state) if self.group_by_module else root_entries(state)
        if self._deep is not None and self._deep.node_id in state.nodes:
            roots = [self._deep, *roots]
        # A group's label carries its node count: a new node in a group rebuilds too.
        keys = _root_keys(roots)
        if keys != self._root_keys and not self._rebuilt_lately(state):
            self._rebuild(state, roots)
        else:
            self._relabel(state)

    def _rebuilt_lately(self, state: State) -> bool:
        """A rebuild costs the UI thread tens of ms: a running loop's roots wait a little
        (live only: a moment of history asked for is shown at once)."""
        return (state.run_state == RUN_RUNNING and state.step >= state.total
                and bool(self._root_keys)
                and time.monotonic() - self._rebuilt < REBUILD_WHILE_RUNNING)

    def reveal(self, node_id: int) -> bool:
        """Open the path to the first row showing ``node_id`` and put the cursor on it."""
        state = self._state
        if state is None:
            return False
        key = module_key_of(state, node_id) if self.group_by_module else path_to(state, node_id)
        if key is None:
            return False
        if len(key) > MAX_REVEAL_DEPTH:
            key = self._show_deep(state, node_id, len(key) - 1)
        node = self._open_path(key)
        if node is None:
            return False
        self._move_to(node)
        return True

    def _show_deep(self, state: State, node_id: int, depth: int) -> tuple:
        """A row at the top for a node ``depth`` levels down (opening a 10,000-deep path
        would lay out 10,000 nested rows): the node, and its inputs under it."""
        node = state.nodes[node_id]
        self._deep = TreeEntry((f"d{node_id}",), DEEP, f"↳ {depth:,} levels below the root",
                               node_id, None, node.status, None, bool(node.next_edges))
        self._root_keys = ()
        self.show(state)
        return self._deep.key

    def reveal_key(self, key: tuple) -> bool:
        node = self._open_path(key)
        if node is not None:
            self._move_to(node)
        return node is not None

    def forget(self) -> None:
        """A new run: start over (first-view expansion again)."""
        self._root_keys = ()
        self._expanded.clear()
        self._seen_roots.clear()
        self._current_pass = None
        self._deep = None

    @property
    def entry(self) -> TreeEntry | None:
        node = self.cursor_node
        return node.data if node is not None else None

    # ---------------------------------------------------------------- building

    def _rebuild(self, state: State, roots: list[TreeEntry]) -> None:
        cursor_key = self.entry.key if self.entry is not None else None
        current = _current_pass_key(roots)
        if cursor_key is not None and cursor_key == self._current_pass:
            cursor_key = current           # on the current pass's row: follow it to the next
        self._current_pass = current
        new_roots = [entry for entry in roots if entry.key not in self._seen_roots]
        if new_roots:
            self._expanded |= self._first_view_keys(state, new_roots)
            self._seen_roots.update(entry.key for entry in new_roots)
        self._rebuilt = time.monotonic()
        self.clear()
        self._loaded, self._shown, self._repeated, self._drawn = {}, set(), set(), {}
        self._root_keys = _root_keys(roots)
        for entry in roots:
            self._add(self.root, entry)
        if cursor_key is None or not self._cursor_to(cursor_key):
            if roots and not (current and self._cursor_to(current)):
                self.cursor_line = 0          # something is always selected

    def _first_view_keys(self, state: State, roots: list[TreeEntry]) -> set[tuple]:
        depth = 10_000 if len(state.nodes) <= SMALL_GRAPH else FIRST_VIEW_DEPTH
        return first_view_keys(state, roots, depth)

    def _add(self, parent: TreeNode[TreeEntry], entry: TreeEntry) -> TreeNode[TreeEntry]:
        repeated = entry.node_id is not None and entry.node_id in self._shown
        if repeated:
            self._repeated.add(entry.key)
        # Added open, not opened after: expand() posts a NodeExpanded per row, and a
        # rebuild (each < / > key) adds a whole graph.
        is_open = entry.has_children and entry.key in self._expanded
        node = parent.add(entry_label(self._state, entry, repeated, not self.group_by_module),
                          data=entry, expand=is_open, allow_expand=entry.has_children)
        self._loaded[entry.key] = node
        if entry.node_id is not None:
            self._shown.add(entry.node_id)
        if is_open:
            self._fill(node)
        return node

    def _fill(self, node: TreeNode[TreeEntry]) -> None:
        entry = node.data
        if node.children or entry is None:
            return
        if entry.kind == MODULE:
            children = module_children(self._state, entry)
        else:
            children = entry_children(self._state, entry)
        for child in children:
            self._add(node, child)

    def toggle_grouping(self) -> bool:
        """Switch between the tree from the roots and the nodes grouped by module."""
        selected = self.entry.node_id if self.entry is not None else None
        self.group_by_module = not self.group_by_module
        self._root_keys, self._rebuilt = (), 0.0     # rebuild at the next show()
        if self._state is not None:
            self.show(self._state)
            if selected is not None:
                self.reveal(selected)
        return self.group_by_module

    def _relabel(self, state: State) -> None:
        # Model nodes are frozen and replaced when they change: identity says "unchanged".
        drawn = self._drawn
        for key, node in self._loaded.items():
            entry = node.data
            if entry is None or entry.node_id is None:
                continue
            source = (state.nodes.get(entry.node_id), state.tensor_name(entry.tensor_id))
            previous = drawn.get(key)
            if previous is not None and previous[0] is source[0] and previous[1] == source[1]:
                continue
            drawn[key] = source
            node.set_label(entry_label(state, entry, key in self._repeated,
                                       not self.group_by_module))

    def _open_path(self, key: tuple) -> TreeNode[TreeEntry] | None:
        node = self._loaded.get(key[:1])
        for depth in range(2, len(key) + 1):
            if node is None:
                return None
            self._expanded.add(node.data.key)
            self._fill(node)
            if not node.is_expanded:
                node.expand()
            node = self._loaded.get(key[:depth])
        return node

    def _move_to(self, node: TreeNode[TreeEntry]) -> None:
        # Rows opened just now have no line number until the tree lays its lines out again:
        # moving first would put the cursor on line -1 (then the top row).
        self._tree_lines
        self.move_cursor(node, animate=False)

    def _cursor_to(self, key: tuple) -> bool:
        node = self._loaded.get(key)
        if node is not None:
            self._move_to(node)
        return node is not None

    # ---------------------------------------------------------------- drawing

    def _render_line(self, y: int, x1: int, x2: int, base_style):
        """Tree's line, kept by what it shows. Tree keeps its lines only until the tree
        changes; a rebuild (each < / > key) makes every row anew, though most show what the
        same line showed before (the pass's graph has the same shape each iteration)."""
        key = self._line_key(y, x1, x2, base_style)
        if key is None:
            return super()._render_line(y, x1, x2, base_style)
        strip = self._drawn_lines.get(key)
        if strip is None:
            strip = super()._render_line(y, x1, x2, base_style)
            if len(self._drawn_lines) >= LINES_KEPT:
                self._drawn_lines.clear()
            self._drawn_lines[key] = strip
        return strip

    def _line_key(self, y: int, x1: int, x2: int, base_style) -> tuple | None:
        """Everything Tree._render_line draws line ``y`` from (its meta names the line)."""
        lines = self._tree_lines
        if y >= len(lines):
            return None
        line = lines[y]
        node = line.node
        label = node._label
        path = tuple((n.is_last, n._hover, n._selected) for n in line.path)
        return (y, x1, x2, self.size.width, self.virtual_size.width, base_style,
                self._pseudo_class_state, self.hover_line, self.cursor_line == y,
                self.show_guides, self.guide_depth, line.last, path, label.plain,
                label.style, tuple(label.spans), node._allow_expand, node.is_expanded)

    def _invalidate(self) -> None:
        """Tree's, without its layout: Tree asks for one at every change (each row a rebuild
        adds), though the pane's size follows the tree's virtual size, which asks for a
        layout itself when it changes. A < / > rebuild mostly keeps it: only the lines
        that changed are painted again."""
        self._clear_line_cache()
        self._updates += 1
        self.root._reset()
        self.refresh()

    def notify_style_update(self) -> None:
        self._drawn_lines.clear()
        super().notify_style_update()

    # ---------------------------------------------------------------- events

    def _on_tree_node_expanded(self, event: Tree.NodeExpanded[TreeEntry]) -> None:
        entry = event.node.data
        if entry is not None:
            self._expanded.add(entry.key)
            self._fill(event.node)

    def _on_tree_node_collapsed(self, event: Tree.NodeCollapsed[TreeEntry]) -> None:
        if event.node.data is not None:
            self._expanded.discard(event.node.data.key)

    def _on_tree_node_highlighted(self, event: Tree.NodeHighlighted[TreeEntry]) -> None:
        self.post_message(self.Picked(event.node.data))


def _current_pass_key(roots: list[TreeEntry]) -> tuple | None:
    """The header row of the current backward pass (the last iteration row), if any: where
    the cursor starts, rather than on the oldest pass folded above it."""
    passes = [entry.key for entry in roots if entry.kind == ITERATION]
    return passes[-1] if passes else None
