"""Forgetting old graphs, so a long training loop keeps the state (not just the log) bounded.

Every training step records a new graph; after many steps the builder would hold them all.
When more than ``2 * keep`` graphs have had a backward pass (or are outputs nobody used),
the oldest are dropped down to ``keep``: their nodes (unless still reachable from a graph
kept, or the newest AccumulateGrad of a leaf, which the engine shares while its graph
lives) and the non-leaf tensors those nodes produced. Past
``TENSORS_KEPT`` tensors, the oldest plain data tensors no kept node refers to (a fresh batch
per step, say: no grad, no hooks, no requires_grad) are dropped too. It is a pure function
of the events, so time travel sees the same states as the live view.
"""
from __future__ import annotations

from collections.abc import Iterable

TENSORS_KEPT = 10_000


def prune_old_graphs(builder, keep: int) -> None:
    roots, sinks = builder.backward_roots, builder.sinks
    if len(roots) <= 2 * keep and len(sinks) <= 2 * keep:
        return
    for node_id in list(roots)[:max(0, len(roots) - keep)]:
        del roots[node_id]
        sinks.pop(node_id, None)
        builder.roots_forgotten += 1
    for node_id in list(sinks)[:max(0, len(sinks) - keep)]:
        del sinks[node_id]     # outputs never backpropagated (an evaluation loop)
        if node_id not in roots:
            builder.outputs_forgotten += 1
    alive = _reachable(builder, _kept_starts(builder))
    latest = _latest_accumulators(builder)
    dropped = [node_id for node_id, node in builder.nodes.items()
               if node_id not in alive and node_id not in latest]
    for node_id in dropped:
        # A graph never backpropagated is gone from the engine too: its memory with it.
        builder.let_go_saved(builder.nodes.pop(node_id).saved, freed=False)
    _drop_tensors_of(builder, set(dropped))
    if len(builder.tensors) > TENSORS_KEPT:
        _drop_stale_data_tensors(builder, len(builder.tensors) - TENSORS_KEPT // 2)
    _drop_old_passes(builder, keep)
    builder.nodes_forgotten += len(dropped)


def _latest_accumulators(builder) -> set[int]:
    """The newest AccumulateGrad node of each leaf: the one the engine shares while it lives
    (it makes a new one once a step's graph is gone, as PyTorch does), so older ones of a
    leaf outside the graphs kept are let go like any other node."""
    latest: dict = {}
    for node_id, node in builder.nodes.items():     # in the order they were made
        if node.is_accumulate_grad:
            latest[node.output_ids[:1]] = node_id
    return set(latest.values())


def _kept_starts(builder) -> Iterable[int]:
    yield from (node_id for node_id in builder.backward_roots if node_id is not None)
    yield from builder.sinks


def _reachable(builder, starts: Iterable[int]) -> set[int]:
    seen: set[int] = set()
    stack = list(starts)
    while stack:
        node_id = stack.pop()
        if node_id in seen or node_id not in builder.nodes:
            continue
        seen.add(node_id)
        stack.extend(edge.node_id for edge in builder.nodes[node_id].next_edges
                     if edge.node_id is not None)
    return seen


def _drop_tensors_of(builder, dropped_nodes: set[int]) -> None:
    for tensor_id in [t.id for t in builder.tensors.values()
                      if not t.is_leaf and t.grad_fn_id in dropped_nodes]:
        del builder.tensors[tensor_id]


def _drop_old_passes(builder, kept: int) -> None:
    for pass_id in list(builder.passes)[:-kept]:
        if pass_id != builder.current_pass:
            del builder.passes[pass_id]
            builder.pass_progress.pop(pass_id, None)


def _drop_stale_data_tensors(builder, count: int) -> None:
    """Drop up to ``count`` of the oldest tensors that only ever held data."""
    referenced = {tensor_id for node in builder.nodes.values()
                  for tensor_id in (*node.output_ids, *(b.tensor_id for b in node.saved))}
    stale = [t.id for t in builder.tensors.values()
             if t.is_leaf and not t.requires_grad and t.grad is None and not t.hook_ids
             and t.id not in referenced]
    for tensor_id in stale[:count]:
        del builder.tensors[tensor_id]
