"""Iterations: each backward pass numbered, with its root, loss, counts and event range."""
from __future__ import annotations

import time

from engine import trace
from graphtui.model import History, EventLog, state_at
from graphtui.model.iterations import iteration_rows


def wait_for(condition, timeout: float = 60.0) -> None:
    """A guard against hanging, not a timing."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "never happened"
        time.sleep(0.02)

TRAIN = """
    import engine as torch
    import engine.nn as nn
    torch.manual_seed(0)
    X, y = torch.randn(16, 2), torch.randn(16, 1)
    model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for step in range(STEPS):
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(X), y)
        loss.backward()
        optimizer.step()
"""
LOOP = TRAIN + """\
        print(f"{loss.item():.6f}")
"""


def loop_state(finished_state, steps=5):
    return finished_state(LOOP.replace("STEPS", str(steps)))


def test_each_backward_is_an_iteration_with_its_loss_and_line(finished_state):
    state = loop_state(finished_state)
    printed = [float(line.text) for line in state.output if line.stream == "stdout"]
    iterations = state.iterations
    assert [it.number for it in iterations] == [1, 2, 3, 4, 5]
    assert [round(it.root_value, 6) for it in iterations] == printed
    first = iterations[0]
    assert first.root_name == "MseLossBackward0" and first.root_tensor_name == "loss"
    assert first.location.endswith("scenario.py:11")
    assert first.ok is True and first.kind == "backward"
    # MseLoss, Addmm, T, Tanh, Addmm, T and four AccumulateGrad nodes ran.
    assert first.nodes_run == 10
    assert first.buffers_freed > 0 and first.bytes_freed > 0


def test_an_iteration_spans_its_backward_events(run):
    session = run(LOOP.replace("STEPS", "3"), break_on_backward=False)
    assert session.wait_until_finished(60)
    log, state = session.log, session.state()
    for it in state.iterations:
        assert isinstance(log[it.start], trace.BackwardStarted)
        assert isinstance(log[it.end - 1], trace.BackwardFinished)
        assert log[it.start].backward_id == it.backward_id
        executed = [e for e in log[it.start:it.end] if isinstance(e, trace.NodeExecuted)]
        assert len(executed) == it.nodes_run


def test_time_travel_sees_the_iterations_of_its_moment(run):
    session = run(LOOP.replace("STEPS", "4"), break_on_backward=False)
    assert session.wait_until_finished(60)
    log = session.log
    final = session.state().iterations
    history = History(log, checkpoint_every=16)
    history.latest()
    second = final[1]
    first_ran = next(i for i in range(second.start, second.end)
                     if isinstance(log[i], trace.NodeExecuted))
    during = history.state_at(first_ran + 1)      # inside the second backward
    assert len(during.iterations) == 2
    assert during.iterations.current.number == 2 and during.iterations.current.end is None
    assert 0 < during.iterations.current.nodes_run < second.nodes_run
    assert history.state_at(second.start).iterations.current.number == 1
    assert history.state_at(0).iterations.current is None
    assert state_at(log, second.end).iterations[-1] == second
    assert history.latest().iterations == final
    assert final.at(second.start + 1) == second and final.at(second.start) == final[0]


def test_iteration_rows_for_the_dump():
    events = [trace.TensorCreated(1, "w", (), "float32", True, True, None, None),
              trace.NodeCreated(1, "AccumulateGrad", 0, (), (1,), (), None, None),
              trace.NodeCreated(2, "MulBackward0", 1, ((1, 0),), (2,), (), None, None),
              trace.TensorCreated(2, "loss", (), "float32", True, False, 2,
                                  trace.Summary((), "float32", 1, __import__("numpy").array([2.5]))),
              trace.BackwardStarted(7, "backward", ((2, 2),), False, False, "train.py:9"),
              trace.NodeExecuting(2, "MulBackward0", (None,)),
              trace.NodeExecuted(2, "MulBackward0", (None,)),
              trace.BackwardFinished(7, True)]
    rows = iteration_rows(state_at(events).iterations)
    assert rows == [{"iteration": 1, "kind": "backward", "root": "MulBackward0 → loss",
                     "root_value": 2.5, "nodes_run": 1, "buffers_freed": 0, "bytes_freed": 0,
                     "start": 4, "end": 8, "ok": True, "location": "train.py:9"}]


EVAL_LOOP = TRAIN + """\
        evaluation = model(X).sum()          # built, never backpropagated
    last = model(X)
"""


def test_the_tree_shows_the_current_pass_and_folds_the_rest(finished_state):
    from graphtui.model import DEAD, EARLIER, ITERATION, ROOT, root_entries
    state = finished_state(EVAL_LOOP.replace("STEPS", "9"))
    entries = root_entries(state)
    assert [e.kind for e in entries] == [EARLIER] + [ITERATION] * 6 + [ROOT, ROOT, ROOT, DEAD]
    assert entries[0].label == "3 earlier backward passes"
    assert [e.label.split(" ·")[0] for e in entries[1:7]] == [
        "backward 4", "backward 5", "backward 6", "backward 7", "backward 8", "backward 9 of 9"]
    current = state.iterations.current
    assert entries[7].node_id == current.root_node_id             # the current graph
    built_since = [state.nodes[e.node_id] for e in entries[8:10]]
    assert all(node.created_step > current.start for node in built_since)   # truly pending
    # 8 evaluations before the last pass, never backpropagated: folded, counted.
    assert entries[-1].label == "8 graphs built without a backward"


def test_an_older_pass_never_shows_a_node_that_ran_as_pending(run):
    """Paused at the start of the third backward: it reset the AccumulateGrad nodes every
    step shares to pending; under passes 1 and 2 they show as done."""
    from graphtui.model import ITERATION, PENDING, DONE, entry_children, root_entries, tree_rows
    session = run(EVAL_LOOP.replace("STEPS", "3"), break_on_backward=True)
    for number in (1, 2, 3):
        wait_for(lambda: session.is_paused and len(session.state().iterations) == number)
        if number < 3:
            session.continue_()
    state = session.state()
    assert state.iterations.current.number == 3 and state.iterations.current.end is None
    older = [e for e in root_entries(state) if e.kind == ITERATION and e.has_children]
    assert len(older) == 2
    expanded = set()
    stack = list(older)
    while stack:
        entry = stack.pop()
        expanded.add(entry.key)
        stack.extend(entry_children(state, entry))
    rows = [row.entry for row in tree_rows(state, expanded) if row.entry.key[0] in ("i1", "i2")]
    leaves = [e for e in rows if e.label.startswith("AccumulateGrad")]
    assert len(leaves) == 8
    assert all(state.nodes[e.node_id].status == PENDING for e in leaves)   # the model's truth
    assert all(e.status == DONE for e in leaves)                            # what is shown
    assert not any(e.status == PENDING for e in rows if e.node_id is not None)
