"""The graph laid out as a tree from each root, for the graph pane.

Children of a node are its ``next_functions`` edges, ``None`` edges included. A node reached
along two paths (a DAG) appears under each, marked ``repeated`` after its first appearance.
Nothing is expanded unless asked: ``child_entries`` serves a lazily-filled tree widget, and
``tree_rows`` flattens the rows visible for a set of expanded keys (iteratively, so a
10,000-deep chain is fine).

A key names one row: the root's key ("n<node id>" or "t<tensor id>" for a tensor without a
grad_fn) followed by the edge index taken at each level.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Collection
from dataclasses import dataclass

from graphtui.model.state import Root, State

Key = tuple

ROOT = "root"            # a root node (a tensor's grad_fn)
NODE = "node"            # a node reached through an edge
NONE_EDGE = "none"       # a next_functions entry of None: no gradient flows there
NO_GRAD_FN = "no_grad_fn"  # a root tensor without grad_fn (backward on it fails)


@dataclass(frozen=True, slots=True)
class TreeEntry:
    key: Key
    kind: str
    label: str                       # "MulBackward0", "AccumulateGrad (x)", "None", "y"
    node_id: int | None = None
    tensor_id: int | None = None     # the root tensor, or the leaf of an AccumulateGrad
    status: str | None = None
    input_nr: int | None = None      # for edges: which input of the child it feeds
    has_children: bool = False


@dataclass(frozen=True, slots=True)
class TreeRow:
    entry: TreeEntry
    depth: int
    expanded: bool
    repeated: bool                   # this node was already shown on an earlier row

    @property
    def key(self) -> Key:
        return self.entry.key


def root_key(root: Root) -> str:
    return f"n{root.node_id}" if root.node_id is not None else f"t{root.tensor_id}"


def root_entries(state: State) -> list[TreeEntry]:
    return [_root_entry(state, root) for root in state.roots]


def child_entries(state: State, key: Key, node_id: int) -> list[TreeEntry]:
    """The entries under the row ``key`` showing ``node_id``: one per next_functions edge."""
    node = state.nodes.get(node_id)
    if node is None:
        return []
    return [_edge_entry(state, key + (index,), edge.node_id, edge.input_nr)
            for index, edge in enumerate(node.next_edges)]


def tree_rows(state: State, expanded: Collection[Key] = (), max_rows: int | None = None
              ) -> list[TreeRow]:
    """Rows in display order; a row's children are listed only when its key is expanded."""
    rows: list[TreeRow] = []
    shown: set[int] = set()
    stack = [(entry, 0) for entry in reversed(root_entries(state))]
    while stack and (max_rows is None or len(rows) < max_rows):
        entry, depth = stack.pop()
        repeated = entry.node_id is not None and entry.node_id in shown
        is_open = entry.has_children and entry.key in expanded
        rows.append(TreeRow(entry, depth, is_open, repeated))
        if entry.node_id is not None:
            shown.add(entry.node_id)
        if is_open:
            children = child_entries(state, entry.key, entry.node_id)
            stack.extend((child, depth + 1) for child in reversed(children))
    return rows


def expand_to_depth(state: State, depth: int) -> set[Key]:
    """Keys that open every row down to ``depth`` levels below the roots (for a first view)."""
    keys: set[Key] = set()
    frontier = [(entry, 0) for entry in root_entries(state)]
    while frontier:
        entry, level = frontier.pop()
        if not entry.has_children or level >= depth:
            continue
        keys.add(entry.key)
        frontier.extend((child, level + 1)
                        for child in child_entries(state, entry.key, entry.node_id))
    return keys


def path_to(state: State, node_id: int) -> Key | None:
    """The key of the first row showing ``node_id`` (for "/ find"), or None if unreachable."""
    for entry in root_entries(state):
        if entry.node_id is None:
            continue
        parents: dict[int, tuple] = {entry.node_id: entry.key}
        queue = deque([entry.node_id])
        while queue:
            current = queue.popleft()
            if current == node_id:
                return parents[current]
            node = state.nodes.get(current)
            for index, edge in enumerate(node.next_edges if node else ()):
                if edge.node_id is not None and edge.node_id not in parents:
                    parents[edge.node_id] = parents[current] + (index,)
                    queue.append(edge.node_id)
    return None


def _root_entry(state: State, root: Root) -> TreeEntry:
    key = (root_key(root),)
    if root.node_id is None or root.node_id not in state.nodes:
        label = state.tensor_name(root.tensor_id) or f"tensor {root.tensor_id}"
        return TreeEntry(key, NO_GRAD_FN, label, None, root.tensor_id)
    return _node_entry(state, key, ROOT, root.node_id, None, root.tensor_id)


def _edge_entry(state: State, key: Key, node_id: int | None, input_nr: int) -> TreeEntry:
    if node_id is None or node_id not in state.nodes:
        return TreeEntry(key, NONE_EDGE, "None", None, None, None, input_nr)
    return _node_entry(state, key, NODE, node_id, input_nr, None)


def _node_entry(state: State, key: Key, kind: str, node_id: int, input_nr, tensor_id
                ) -> TreeEntry:
    node = state.nodes[node_id]
    if node.is_accumulate_grad and node.output_ids:
        tensor_id = node.output_ids[0]
    return TreeEntry(key, kind, state.node_label(node_id), node_id, tensor_id, node.status,
                     input_nr, bool(node.next_edges))
