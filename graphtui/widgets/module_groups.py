"""Grouping the graph by module: one row per module path, its nodes under it. Pure."""
from __future__ import annotations

from graphtui.model import NODE, State, TreeEntry

MODULE = "module"            # a TreeEntry kind of our own: a module's group row
TOP_LEVEL = "(top level)"    # nodes made outside any module's forward


def group_name(node) -> str | None:
    """The group a node belongs to; None for AccumulateGrad (reached through its users)."""
    if node.is_accumulate_grad:
        return None
    return node.module or TOP_LEVEL


def module_entries(state: State) -> list[TreeEntry]:
    """One group row per module, in the order the forward first ran in it."""
    first_seq: dict[str, int] = {}
    count: dict[str, int] = {}
    for node in state.nodes.values():
        name = group_name(node)
        if name is None:
            continue
        first_seq[name] = min(first_seq.get(name, node.seq), node.seq)
        count[name] = count.get(name, 0) + 1
    names = sorted(first_seq, key=lambda n: (n == TOP_LEVEL, first_seq[n]))
    return [TreeEntry((group_key(name),), MODULE,
                      f"{name}  ({count[name]} node{'s' if count[name] != 1 else ''})",
                      has_children=True)
            for name in names]


def group_key(name: str) -> str:
    # One element, like a root's key, so a node's row key is (group, node id).
    return f"m:{name}"


def module_children(state: State, group: TreeEntry) -> list[TreeEntry]:
    """The group's nodes, in the order backward reaches them (descending sequence_nr)."""
    name = group.key[0][2:]
    nodes = [n for n in state.nodes.values() if group_name(n) == name]
    nodes.sort(key=lambda n: -n.seq)
    return [TreeEntry(group.key + (n.id,), NODE, state.node_label(n.id), n.id,
                      n.output_ids[0] if n.output_ids else None, n.status, None,
                      bool(n.next_edges)) for n in nodes]


def module_key_of(state: State, node_id: int) -> tuple | None:
    node = state.nodes.get(node_id)
    name = group_name(node) if node is not None else None
    return None if name is None else (group_key(name), node_id)
