"""The graph laid out as a tree from each root, for the graph pane.

Children of a node are its ``next_functions`` edges, ``None`` edges included. A node reached
along two paths (a DAG) appears under each, marked ``repeated`` after its first appearance.
Nothing is expanded unless asked: ``child_entries`` serves a lazily-filled tree widget, and
``tree_rows`` flattens the rows visible for a set of expanded keys (iteratively, so a
10,000-deep chain is fine).

A key names one row: the root's key ("n<node id>" or "t<tensor id>" for a tensor without a
grad_fn) followed by the edge index taken at each level.

Training loops: the top level shows the current iteration (the latest backward pass, see
``graphtui.model.iterations``): a header row, then its roots and the outputs built since
(the next step's forward). Older iterations are one folded row each (the last
``ITERATIONS_SHOWN``; earlier ones under one "earlier" row), their graph under them with keys
prefixed by the iteration's ("i3", "n40", 0, ...); there a node shared with a later graph
(an AccumulateGrad) shows as run, not as the pending state the later pass put it in.
Outputs built before the current iteration and never backpropagated (graphs dropped
without a backward) are folded into one row with their count.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Collection
from dataclasses import dataclass

from graphtui.model.iterations import Iteration
from graphtui.model.state import DONE, NEXT, PENDING, RUNNING, Root, State

Key = tuple

ROOT = "root"            # a root node (a tensor's grad_fn)
NODE = "node"            # a node reached through an edge
NONE_EDGE = "none"       # a next_functions entry of None: no gradient flows there
NO_GRAD_FN = "no_grad_fn"  # a root tensor without grad_fn (backward on it fails)
ITERATION = "iteration"  # a backward pass: the current one's header, or an older one, folded
EARLIER = "earlier"      # the iterations before the last ITERATIONS_SHOWN, folded
DEAD = "dead"            # outputs built before the current iteration, never backpropagated
FOLDED = (ITERATION, EARLIER, DEAD)   # rows that never open by themselves

ITERATIONS_SHOWN = 5     # older iterations with a row of their own at the top level
EARLIER_LISTED = 1000    # the most the "earlier" row lists
OUTPUTS_SHOWN = 16       # outputs after the current iteration shown; older ones are folded


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
    settled: bool = False            # in an older iteration's graph: a node that ran shows so


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


def shown_status(node, settled: bool) -> str:
    """The status a row shows: in an older iteration's graph, a node a later backward pass
    reset to pending (a shared AccumulateGrad) ran there, so it shows as done."""
    if settled and node.status in (PENDING, NEXT, RUNNING) and node.times_run > 0:
        return DONE
    return node.status


def iteration_label(it: Iteration, total: int | None = None) -> str:
    """``backward 3 of 8 · MseLossBackward0 → loss = 0.5213 · train.py:31``"""
    text = f"backward {it.number}" + (f" of {total}" if total else "")
    text += f" · {it.root_text}"
    if it.root_value is not None:
        text += f" = {it.root_value:.4g}"
    if it.kind == "grad":
        text += " (autograd.grad)"
    if it.ok is False:
        text += " · failed"
    elif it.end is None:
        text += " · running"
    if it.location:
        text += f" · {it.location.rsplit('/', 1)[-1]}"
    return text


def root_entries(state: State) -> list[TreeEntry]:
    """The top-level rows (see the module's docstring)."""
    shown, folded = _split_roots(state)
    entries = _iteration_entries(state)
    entries += [_root_entry(state, root) for root in shown]
    dead = len(folded) + state.outputs_forgotten
    if dead:
        entries.append(TreeEntry(("dead",), DEAD, f"{dead:,} graph{'s' if dead != 1 else ''} "
                                 f"built without a backward", has_children=bool(folded)))
    return entries


def _split_roots(state: State) -> tuple[list[Root], list[Root]]:
    """The roots shown at the top level, and the outputs folded as dropped graphs."""
    current = state.iterations.current
    current_roots = {root.node_id for root in current.roots} if current else set()
    shown, outputs, folded = [], [], []
    for root in state.roots:
        if root.source == "backward" and root.node_id is not None:
            if root.node_id in current_roots:       # older ones: under their iteration
                shown.append(root)
        elif root.node_id is None or root.node_id not in state.nodes:
            shown.append(root)
        elif current is None or state.nodes[root.node_id].created_step > current.start:
            outputs.append(root)
        else:
            folded.append(root)
    folded += outputs[:-OUTPUTS_SHOWN]
    return shown + outputs[-OUTPUTS_SHOWN:], folded


def _iteration_entries(state: State) -> list[TreeEntry]:
    iterations = state.iterations
    count = len(iterations)
    if not count:
        return []
    first_shown = max(0, count - 1 - ITERATIONS_SHOWN)
    entries = []
    if first_shown:
        entries.append(TreeEntry(("earlier",), EARLIER,
                                 f"{first_shown:,} earlier backward pass"
                                 f"{'es' if first_shown != 1 else ''}", has_children=True))
    entries += [iteration_entry(state, iterations[index]) for index in range(first_shown, count - 1)]
    current = iterations[-1]
    # "of N" only live: a moment of history does not know how many passes come after it.
    total = count if state.step >= state.total else None
    entries.append(TreeEntry((f"i{count}",), ITERATION, iteration_label(current, total),
                             tensor_id=current.root_tensor_id))
    return entries


def iteration_entry(state: State, it: Iteration) -> TreeEntry:
    """An older iteration's folded row; its roots are its children."""
    kept = any(root.node_id in state.nodes for root in it.roots)
    label = iteration_label(it) + ("" if kept else " · graph no longer kept")
    return TreeEntry((f"i{it.number}",), ITERATION, label, tensor_id=it.root_tensor_id,
                     has_children=kept)


def entry_children(state: State, entry: TreeEntry) -> list[TreeEntry]:
    """The rows under ``entry``, whatever its kind."""
    if entry.kind == ITERATION:
        it = state.iterations.number(int(entry.key[0][1:]))
        return [_root_entry(state, root, entry.key, settled=True)
                for root in (it.roots if it else ()) if root.node_id in state.nodes]
    if entry.kind == EARLIER:
        iterations = state.iterations
        last = max(0, len(iterations) - 1 - ITERATIONS_SHOWN)
        return [iteration_entry(state, iterations[index])
                for index in range(max(0, last - EARLIER_LISTED), last)]
    if entry.kind == DEAD:
        return [_root_entry(state, root, entry.key) for root in _split_roots(state)[1]]
    if entry.node_id is None:
        return []
    return child_entries(state, entry.key, entry.node_id, entry.settled)


def child_entries(state: State, key: Key, node_id: int, settled: bool = False
                  ) -> list[TreeEntry]:
    """The entries under the row ``key`` showing ``node_id``: one per next_functions edge."""
    node = state.nodes.get(node_id)
    if node is None:
        return []
    return [_edge_entry(state, key + (index,), edge.node_id, edge.input_nr, settled)
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
            children = entry_children(state, entry)
            stack.extend((child, depth + 1) for child in reversed(children))
    return rows


def expand_to_depth(state: State, depth: int) -> set[Key]:
    """Keys that open every row down to ``depth`` levels below the roots (for a first view);
    older iterations and dropped graphs stay folded."""
    keys: set[Key] = set()
    frontier = [(entry, 0) for entry in root_entries(state)]
    while frontier:
        entry, level = frontier.pop()
        if not entry.has_children or level >= depth or entry.kind in FOLDED:
            continue
        keys.add(entry.key)
        frontier.extend((child, level + 1) for child in entry_children(state, entry))
    return keys


def path_to(state: State, node_id: int) -> Key | None:
    """The key of the first row showing ``node_id`` (for "/ find"), or None if unreachable:
    the current graph first, then the older iterations shown and the dropped graphs."""
    for entry in _searched_roots(state):
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


def _searched_roots(state: State):
    top = root_entries(state)
    yield from top
    for entry in reversed(top):                # the most recent older iteration first
        if entry.kind in (ITERATION, DEAD) and entry.has_children:
            yield from entry_children(state, entry)


def _root_entry(state: State, root: Root, parent: Key = (), settled: bool = False
                ) -> TreeEntry:
    key = parent + (root_key(root),)
    if root.node_id is None or root.node_id not in state.nodes:
        label = state.tensor_name(root.tensor_id) or f"tensor {root.tensor_id}"
        return TreeEntry(key, NO_GRAD_FN, label, None, root.tensor_id)
    return _node_entry(state, key, ROOT, root.node_id, None, root.tensor_id, settled)


def _edge_entry(state: State, key: Key, node_id: int | None, input_nr: int,
                settled: bool = False) -> TreeEntry:
    if node_id is None or node_id not in state.nodes:
        return TreeEntry(key, NONE_EDGE, "None", None, None, None, input_nr)
    return _node_entry(state, key, NODE, node_id, input_nr, None, settled)


def _node_entry(state: State, key: Key, kind: str, node_id: int, input_nr, tensor_id,
                settled: bool = False) -> TreeEntry:
    node = state.nodes[node_id]
    if node.is_accumulate_grad and node.output_ids:
        tensor_id = node.output_ids[0]
    return TreeEntry(key, kind, state.node_label(node_id), node_id, tensor_id,
                     shown_status(node, settled), input_nr, bool(node.next_edges), settled)
