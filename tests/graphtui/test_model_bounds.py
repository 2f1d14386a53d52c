"""The state stays bounded in loops that make a new graph or a new data tensor per step,
with or without a backward pass (the log's own bound is History's max_events)."""
from __future__ import annotations

from engine import trace
from graphtui.model import prune, state_at
from graphtui.model.builder import ROOTS_SHOWN


def test_a_forward_only_loop_forgets_its_old_graphs():
    events = [trace.TensorCreated(1, "x", (3,), "float32", True, True, None, None),
              trace.NodeCreated(1, "AccumulateGrad", 0, (), (1,), (), None, None)]
    steps = 10 * ROOTS_SHOWN
    for step in range(steps):            # y = x * 2, never backpropagated
        node = 100 + step
        events += [trace.NodeCreated(node, "MulBackward0", step + 1, ((1, 0), (None, 0)),
                                     (node,), (), None, None),
                   trace.TensorCreated(node, "y", (3,), "float32", True, False, node, None)]
    state = state_at(events)
    assert len(state.nodes) <= 1 + 2 * ROOTS_SHOWN + 1
    assert len(state.tensors) <= 1 + 2 * ROOTS_SHOWN + 1
    assert 100 + steps - 1 in state.nodes and state.nodes[1].name == "AccumulateGrad"
    assert state.nodes_forgotten >= steps - 2 * ROOTS_SHOWN - 1


def batch_steps(count):
    """``xb = randn(8, 3); (xb * w).sum().backward()``: a fresh data tensor per step."""
    events = [trace.TensorCreated(1, "w", (3,), "float32", True, True, None, None),
              trace.NodeCreated(1, "AccumulateGrad", 0, (), (1,), (), None, None)]
    for step in range(count):
        batch, mul, total = 10 + 3 * step, 11 + 3 * step, 12 + 3 * step
        events += [
            trace.TensorCreated(batch, "xb", (8, 3), "float32", False, True, None, None),
            trace.NodeCreated(mul, "MulBackward0", 2 * step + 1, ((None, 0), (1, 0)), (mul,),
                              (trace.SavedInfo("self", (8, 3), "float32", 96, batch),),
                              None, None),
            trace.NodeCreated(total, "SumBackward0", 2 * step + 2, ((mul, 0),), (total,), (),
                              None, None),
            trace.BackwardStarted(step, "backward", ((total, total),), False, False),
            trace.BackwardFinished(step, True),
        ]
    return events


def test_old_data_tensors_are_dropped_past_the_bound(monkeypatch):
    monkeypatch.setattr(prune, "TENSORS_KEPT", 100)
    steps = 400
    state = state_at(batch_steps(steps))
    assert len(state.tensors) <= 100
    assert state.tensors[1].name == "w"                       # the parameter stays
    latest_batch = 10 + 3 * (steps - 1)
    assert state.tensors[latest_batch].name == "xb"           # a kept graph refers to it


def test_iteration_records_are_capped_and_counted(monkeypatch):
    from graphtui.model import iterations
    monkeypatch.setattr(iterations, "ITERATIONS_KEPT", 50)
    events = batch_steps(80)
    state = state_at(events)
    assert len(state.iterations) == 50 and state.iterations.dropped == 30
    assert [it.number for it in state.iterations][-1] == 50
    assert all(it.finished and it.ok for it in state.iterations)


def test_a_training_loop_lets_go_of_the_accumulators_of_old_steps():
    """The engine makes a leaf a new AccumulateGrad once a step's graph is gone (as torch
    does): those of old steps go with their graphs; the newest of each leaf stays."""
    import engine
    events = []
    trace.subscribe(events.append)
    try:
        w, b = engine.randn(3, requires_grad=True), engine.randn(1, requires_grad=True)
        for _ in range(3 * ROOTS_SHOWN):
            (w * 2 + b).sum().backward()
    finally:
        trace.unsubscribe(events.append)
    made = [e.node_id for e in events
            if type(e) is trace.NodeCreated and e.name == "AccumulateGrad"]
    assert len(made) == 2 * 3 * ROOTS_SHOWN          # a new one per leaf per step
    state = state_at(events)
    kept = sorted(n.id for n in state.nodes.values() if n.is_accumulate_grad)
    assert len(kept) <= 2 * (2 * ROOTS_SHOWN + 1)
    assert kept[-2:] == made[-2:]
