"""graphtui.model from synthetic event logs: no engine run, no terminal."""
from __future__ import annotations

import numpy as np
import pytest

from engine import trace
from graphtui.model import (
    DONE, ERROR, FREED, NAN_GRAD_IN, NAN_GRAD_OUT, NEXT, PENDING, RUN_FAILED, RUN_PAUSED, RUNNING, EventLog,
    History, NONE_EDGE, NO_GRAD_FN, child_entries, describe_event, event_kind,
    expand_to_depth, format_summary, path_to, root_entries, state_at, tree_rows,
)
from graphtui.model import StateBuilder
from graphtui.model import events as ev
from tests.graphtui.conftest import (
    ACC_X, MUL, X, Y, index_of, mul_backward_events, mul_forward_events, summary,
)


def grad_values(state, tensor_id):
    grad = state.tensors[tensor_id].grad
    return None if grad is None else grad.values.tolist()


def test_empty_log_gives_the_empty_state():
    state = state_at([])
    assert (state.step, state.total, state.run_state) == (0, 0, "not started")
    assert not state.nodes and not state.tensors and state.roots == ()


def test_forward_records_nodes_edges_and_saved_buffers():
    state = state_at(mul_forward_events())
    mul = state.nodes[MUL]
    assert mul.name == "MulBackward0" and mul.status == PENDING
    assert [(e.node_id, e.input_nr) for e in mul.next_edges] == [(ACC_X, 0), (None, 0)]
    assert [(b.name, b.nbytes, b.freed) for b in mul.saved] == [("other", 4, False),
                                                                 ("self", 8, False)]
    assert state.retained_bytes == 12
    assert state.tensors[X].name == "x" and state.tensors[X].grad is None
    assert state.node_label(ACC_X) == "AccumulateGrad (x)"


def test_statuses_move_through_a_stepped_backward():
    events = mul_forward_events() + mul_backward_events()
    at = lambda i: state_at(events, i + 1)
    executing_mul = index_of(events, lambda e: isinstance(e, trace.NodeExecuting))
    paused = index_of(events, lambda e: isinstance(e, ev.Paused))
    resumed = index_of(events, lambda e: isinstance(e, ev.Resumed))
    executed_mul = index_of(events, lambda e: isinstance(e, trace.NodeExecuted))
    freed = index_of(events, lambda e: isinstance(e, trace.BufferFreed))

    assert at(executing_mul).nodes[MUL].status == RUNNING
    paused_state = at(paused)
    assert paused_state.nodes[MUL].status == NEXT
    assert paused_state.run_state == RUN_PAUSED and paused_state.paused_at == MUL
    assert paused_state.header.paused_node_name == "MulBackward0"
    assert paused_state.nodes[ACC_X].status == PENDING
    assert at(resumed).nodes[MUL].status == RUNNING
    assert at(executed_mul).nodes[MUL].status == DONE
    assert at(freed).nodes[MUL].status == FREED
    final = state_at(events)
    assert final.nodes[ACC_X].status == DONE
    assert final.backward_passes[0].finished and final.backward_passes[0].nodes_run == 2


def test_grad_inputs_and_outputs_are_kept_on_the_node():
    state = state_at(mul_forward_events() + mul_backward_events())
    mul = state.nodes[MUL]
    assert mul.grad_outputs[0].values.tolist() == pytest.approx([100, 0.1])
    assert mul.grad_inputs[0].values.tolist() == pytest.approx([300, 0.3])
    assert mul.grad_inputs[1] is None and mul.times_run == 1


def test_buffers_are_freed_by_a_backward_without_retain_graph():
    events = mul_forward_events() + mul_backward_events()
    freed_at = index_of(events, lambda e: isinstance(e, trace.BufferFreed))
    before, after = state_at(events, freed_at), state_at(events, freed_at + 1)
    assert before.retained_bytes == 12 and after.retained_bytes == 0
    assert all(b.freed for b in after.nodes[MUL].saved)
    assert not any(b.freed for b in before.saved_buffers())


def test_retained_graph_keeps_buffers_and_the_second_pass_accumulates():
    events = (mul_forward_events() + mul_backward_events(1, retain_graph=True)
              + mul_backward_events(2, accumulated=True, grad=(600, 0.6)))
    first_finished = index_of(events, lambda e: isinstance(e, trace.BackwardFinished))
    after_first = state_at(events, first_finished + 1)
    assert after_first.retained_bytes == 12 and after_first.nodes[MUL].status == DONE
    state = state_at(events)
    assert state.retained_bytes == 0 and state.nodes[MUL].status == FREED
    assert grad_values(state, X) == pytest.approx([600, 0.6])
    history = state.tensors[X].grad_history
    assert [c.accumulated for c in history] == [False, True]
    assert [c.grad.values.tolist() for c in history] == [pytest.approx([300, 0.3]),
                                                         pytest.approx([600, 0.6])]


def test_second_backward_resets_done_nodes_to_pending():
    events = (mul_forward_events() + mul_backward_events(1, retain_graph=True)
              + mul_backward_events(2, accumulated=True, grad=(600, 0.6)))
    second_start = index_of(events, lambda e: isinstance(e, trace.BackwardStarted), 10)
    state = state_at(events, second_start + 1)
    assert state.nodes[MUL].status == PENDING and state.nodes[ACC_X].status == PENDING
    assert state.nodes[MUL].times_run == 1


def test_time_travel_shows_the_earlier_grad():
    events = (mul_forward_events() + mul_backward_events(1, retain_graph=True)
              + mul_backward_events(2, accumulated=True, grad=(600, 0.6)))
    first_grad = index_of(events, lambda e: isinstance(e, trace.GradAccumulated))
    assert grad_values(state_at(events, first_grad), X) is None
    assert grad_values(state_at(events, first_grad + 1), X) == pytest.approx([300, 0.3])
    assert grad_values(state_at(events), X) == pytest.approx([600, 0.6])
    earlier = state_at(events, first_grad + 1)
    assert (earlier.step, earlier.total) == (first_grad + 1, len(events))
    assert not earlier.header.is_live


def test_history_matches_a_rebuild_from_scratch_at_every_step():
    events = (mul_forward_events() + mul_backward_events(1, retain_graph=True)
              + mul_backward_events(2, accumulated=True, grad=(600, 0.6)))
    log = EventLog()
    history = History(log, checkpoint_every=4, max_checkpoints=3)
    for event in events:
        log.append(event)
        assert history.latest() == state_at(list(log))
    for step in [len(events), 0, 7, 3, 8, 20, 19, 1, len(events) - 1]:
        assert history.state_at(step) == state_at(events, step), step
    assert len(history._checkpoints) <= 3


def test_history_state_at_is_clamped_to_what_was_recorded():
    log = EventLog()
    for event in mul_forward_events():
        log.append(event)
    history = History(log)
    assert history.state_at(10_000).step == len(log)
    assert history.state_at(-5).step == 0


def test_hook_registration_firing_muting_and_removal():
    events = mul_forward_events() + [
        trace.HookRegistered(7, "forward", "conv1", "print_shapes"),
        trace.HookFired(7, "forward", "conv1", ((summary([1.0]),), summary([2.0]))),
        ev.HookMuteChanged(7, True),
        trace.HookFired(7, "forward", "conv1", ((summary([1.0]),), summary([2.0])), muted=True),
        trace.HookRegistered(8, "tensor", f"tensor:{X}", "double"),
    ]
    state = state_at(events)
    hook = state.hooks[7]
    assert (hook.times_fired, hook.times_muted, hook.muted) == (1, 1, True)
    assert hook.last_firing.muted and hook.is_module_hook
    assert state.tensors[X].hook_ids == (8,)
    assert (state.header.hooks_on, state.header.hooks_muted) == (1, 1)
    assert "muted (skipped)" in describe_event(events[-2], state)
    removed = state_at(events + [trace.HookRemoved(8)])
    assert removed.hooks[8].removed and removed.header.hooks_on == 0


def test_engine_error_and_failed_run_point_at_the_node():
    message = "Trying to backward through the graph a second time"
    events = mul_forward_events() + mul_backward_events(pause=False) + [
        trace.BackwardStarted(2, "backward", ((MUL, Y),), False, False),
        trace.NodeExecuting(MUL, "MulBackward0", (summary([100, 0.1]),)),
        trace.ErrorRaised("RuntimeError", message, node_id=MUL),
        trace.BackwardFinished(2, False),
        ev.RunFinished("failed", "RuntimeError", message, "Traceback ...\nRuntimeError: ...",
                       location="lesson.py:4"),
    ]
    state = state_at(events)
    assert state.run_state == RUN_FAILED
    assert state.nodes[MUL].status == ERROR
    assert state.error.node_id == MUL and state.error.exc_type == "RuntimeError"
    assert state.error.location == "lesson.py:4" and "Traceback" in state.error.traceback
    assert state.problems[-1].message == message
    assert state.tensors[X].grad is not None and state.nodes[ACC_X].status == PENDING


def test_warning_is_tied_to_its_tensor():
    state = state_at(mul_forward_events() + [
        trace.WarningRaised("UserWarning", "The .grad attribute of a Tensor that is not a "
                            "leaf Tensor is being accessed.", tensor_id=Y)])
    assert state.problems[0].tensor_id == Y and state.tensor_name(Y) == "y"


def test_first_nonfinite_gradient_marks_its_node():
    events = mul_forward_events() + [
        trace.BackwardStarted(1, "backward", ((MUL, Y),), False, False),
        trace.NodeExecuting(MUL, "MulBackward0", (summary([np.nan, 1.0]),)),
        trace.NodeExecuted(MUL, "MulBackward0", (summary([np.nan, 3.0]), None)),
    ]
    state = state_at(events)
    assert state.nodes[MUL].nonfinite == (NAN_GRAD_IN, NAN_GRAD_OUT)
    assert state.first_nan_node == MUL and state.first_nan_place == NAN_GRAD_IN
    assert state.nodes[MUL].status == DONE      # a mark beside the status, not instead of it


def test_output_lines_and_the_budget():
    events = [ev.OutputWritten("stdout", "hello"), ev.OutputWritten("stderr", "careful"),
              ev.EventsDropped("output", 5)]
    state = state_at(events)
    assert [(line.stream, line.text) for line in state.output] == [("stdout", "hello"),
                                                                   ("stderr", "careful")]
    assert state.output_dropped == 5
    assert len(state_at(events, 1).output) == 1


def test_roots_are_backward_roots_or_unconsumed_outputs():
    forward = mul_forward_events()
    assert [(r.node_id, r.source) for r in state_at(forward).roots] == [(MUL, "output")]
    with_backward = state_at(forward + mul_backward_events())
    assert [(r.node_id, r.tensor_id, r.source) for r in with_backward.roots] == [
        (MUL, Y, "backward")]
    no_grad_fn = state_at(forward + [
        trace.TensorCreated(5, "z", (2,), "float32", False, True, None, None),
        trace.BackwardStarted(3, "backward", ((None, 5),), False, False)])
    assert NO_GRAD_FN in [entry.kind for entry in root_entries(no_grad_fn)]


def test_tree_rows_expand_lazily_and_show_none_edges():
    state = state_at(mul_forward_events())
    collapsed = tree_rows(state)
    assert [row.entry.label for row in collapsed] == ["MulBackward0"]
    root_key = collapsed[0].key
    rows = tree_rows(state, {root_key})
    assert [(row.depth, row.entry.label) for row in rows] == [
        (0, "MulBackward0"), (1, "AccumulateGrad (x)"), (1, "None")]
    assert rows[1].entry.tensor_id == X and rows[2].entry.kind == NONE_EDGE
    assert [c.label for c in child_entries(state, root_key, MUL)] == ["AccumulateGrad (x)",
                                                                      "None"]
    assert path_to(state, ACC_X) == rows[1].key


def test_tree_marks_a_node_reached_twice():
    events = mul_forward_events() + [
        trace.NodeCreated(12, "AddBackward0", 2, ((MUL, 0), (MUL, 0)), (3,), (), None, None)]
    state = state_at(events)
    rows = tree_rows(state, expand_to_depth(state, 3))
    muls = [row for row in rows if row.entry.node_id == MUL]
    assert [row.repeated for row in muls] == [False, True]


def test_tree_rows_handle_a_deep_chain_without_recursion():
    events = [trace.NodeCreated(1, "AccumulateGrad", 0, (), (1,), (), None, None)]
    for node_id in range(2, 5002):
        events.append(trace.NodeCreated(node_id, "ExpBackward0", node_id, ((node_id - 1, 0),),
                                        (node_id,), (), None, None))
    state = state_at(events)
    rows = tree_rows(state, expand_to_depth(state, 10_000))
    assert len(rows) == 5001 and rows[-1].depth == 5000
    assert len(tree_rows(state, expand_to_depth(state, 10_000), max_rows=100)) == 100
    assert len(path_to(state, 1)) == 5001       # the root's key, then one edge per level


def test_every_event_has_a_kind_and_a_description():
    events = (mul_forward_events() + mul_backward_events() + [
        trace.ModuleForward("conv1", "Conv2d", "end", (summary([1.0]),), (summary([2.0]),)),
        trace.TensorModified(X, "add_", 1, None, summary([1.0, 2.0])),
        ev.RunFinished("finished")])
    state = state_at(events)
    for event in events:
        assert event_kind(event) != "other"
        assert describe_event(event, state)
    assert format_summary(summary([300, 0.3])) == "[2] float32 [300, 0.3]"
    assert format_summary(None) == "None"


def test_compaction_discards_old_events_but_keeps_their_effect():
    events = (mul_forward_events() + mul_backward_events(1, retain_graph=True)
              + mul_backward_events(2, accumulated=True, grad=(600, 0.6))) * 3
    log = EventLog()
    history = History(log, checkpoint_every=4, max_checkpoints=64, max_events=20)
    for event in events:
        log.append(event)
        history.compact()
    assert len(log) == len(events) and log.first_step > 0
    assert len(log) - log.first_step <= 20
    latest = history.latest()
    scratch = state_at(events)
    assert (latest.nodes, latest.tensors, latest.retained_bytes) == (
        scratch.nodes, scratch.tensors, scratch.retained_bytes)
    assert latest.first_step == log.first_step
    assert history.state_at(0).step == log.first_step
    step = len(events) - 5
    assert history.state_at(step).tensors == state_at(events, step).tensors
    assert log[0] == ev.Discarded(0)
    assert "no longer kept" in describe_event(log[0])
    assert list(log) == events[log.first_step:]


def test_a_tensor_described_late_keeps_its_grad_and_name():
    events = [trace.TensorNamed(X, "fc.weight"),
              trace.GradAccumulated(X, summary([1.0, 2.0]), False),
              trace.TensorCreated(X, None, (2,), "float32", True, True, None, summary([5, 6]))]
    tensor = state_at(events).tensors[X]
    assert (tensor.name, tensor.shape, tensor.grad_changes) == ("fc.weight", (2,), 1)
    assert tensor.value.values.tolist() == [5, 6] and tensor.grad is not None


def test_modules_count_forwards_and_group_nodes():
    events = [
        trace.ModuleForward("conv1", "Conv2d", "start", (summary([1.0]),)),
        trace.NodeCreated(1, "ConvolutionBackward0", 0, (), (1,), (), "conv1", None),
        trace.ModuleForward("conv1", "Conv2d", "end", (), (summary([2.0]),)),
        trace.NodeCreated(2, "ReluBackward0", 1, ((1, 0),), (2,), (), None, None),
    ]
    inside = state_at(events, 2).modules["conv1"]
    assert inside.running and inside.forwards == 0
    after = state_at(events).modules["conv1"]
    assert (after.running, after.forwards, after.class_name) == (False, 1, "Conv2d")
    assert state_at(events).nodes_by_module() == {"conv1": [1], None: [2]}


def test_only_the_latest_roots_are_shown():
    from graphtui.model.builder import ROOTS_SHOWN
    events = []
    for step in range(ROOTS_SHOWN + 5):
        node = 100 + step
        events.append(trace.NodeCreated(node, "SumBackward0", step, (), (node,), (), None, None))
        events.append(trace.BackwardStarted(step, "backward", ((node, node),), False, False))
    state = state_at(events)
    assert len(state.roots) == ROOTS_SHOWN and state.roots_hidden == 5
    assert state.roots[-1].node_id == 100 + ROOTS_SHOWN + 4


def training_steps(count):
    """``count`` steps of loss = (w * x).sum(); loss.backward() with one parameter w."""
    events = [trace.TensorCreated(1, "w", (2,), "float32", True, True, None, None),
              trace.NodeCreated(1, "AccumulateGrad", 0, (), (1,), (), None, None)]
    for step in range(count):
        mul, total = 1000 + 2 * step, 1001 + 2 * step
        events += [
            trace.NodeCreated(mul, "MulBackward0", 2 * step + 1, ((1, 0), (None, 0)), (mul,),
                              (), None, None),
            trace.TensorCreated(mul, None, (2,), "float32", True, False, mul, None),
            trace.NodeCreated(total, "SumBackward0", 2 * step + 2, ((mul, 0),), (total,), (),
                              None, None),
            trace.TensorCreated(total, "loss", (), "float32", True, False, total, None),
            trace.BackwardStarted(step, "backward", ((total, total),), False, False),
            trace.GradAccumulated(1, summary([step, step]), step > 0),
            trace.BackwardFinished(step, True),
        ]
    return events


def test_a_long_training_loop_forgets_old_graphs_but_not_the_parameters():
    from graphtui.model.builder import ROOTS_SHOWN
    steps = 3 * ROOTS_SHOWN
    events = training_steps(steps)
    state = state_at(events)
    assert len(state.nodes) <= 1 + 2 * 2 * ROOTS_SHOWN
    assert state.nodes_forgotten > 0 and state.roots_hidden == steps - ROOTS_SHOWN
    assert state.nodes[1].name == "AccumulateGrad" and state.tensors[1].grad_changes == steps
    latest_sum = 1001 + 2 * (steps - 1)
    rows = tree_rows(state, expand_to_depth(state, 3))
    assert rows[-4].entry.node_id == latest_sum
    assert [r.entry.label for r in rows[-4:]] == ["SumBackward0", "MulBackward0",
                                                  "AccumulateGrad (w)", "None"]
    assert len(state.backward_passes) <= 2 * ROOTS_SHOWN + 1


def test_history_agrees_with_a_rebuild_while_graphs_are_forgotten():
    from graphtui.model.builder import ROOTS_SHOWN
    events = training_steps(3 * ROOTS_SHOWN)
    log = EventLog()
    history = History(log, checkpoint_every=50)
    for event in events:
        log.append(event)
    for step in (len(events), 10, 700, 901, 1200, len(events) - 3):
        assert history.state_at(step) == state_at(events, step), step


def test_an_event_the_model_cannot_apply_is_counted_not_raised():
    broken = trace.NodeCreated(5, "MulBackward0", 0, ((1, 2, 3),), (), (), None, None)
    state = state_at(mul_forward_events() + [broken, trace.TensorNamed(X, "renamed")])
    assert state.unreadable_events == 1 and state.tensors[X].name == "renamed"
    with pytest.raises(ValueError):
        StateBuilder(strict=True).apply(broken)


def test_a_cleared_grad_is_part_of_the_grad_history():
    events = mul_forward_events() + [trace.GradAccumulated(X, summary([3, 4]), False),
                                     trace.GradAccumulated(X, None, False)]
    tensor = state_at(events).tensors[X]
    assert tensor.grad is None and [c.grad is None for c in tensor.grad_history] == [False, True]
    assert describe_event(events[-1], state_at(events)) == "x.grad = None"


def test_a_hook_firing_during_backward_knows_its_node():
    events = mul_forward_events() + [
        trace.HookRegistered(4, "backward", "conv1", "hook_fn"),
        trace.BackwardStarted(1, "backward", ((MUL, Y),), False, False),
        trace.NodeExecuting(MUL, "MulBackward0", (summary([1.0, 1.0]),)),
        trace.HookFired(4, "backward", "conv1", ((None, summary([1.0])), (summary([1.0]),))),
        trace.NodeExecuted(MUL, "MulBackward0", (None, None)),
        trace.HookFired(4, "backward", "conv1", ()),
    ]
    during = state_at(events, len(events) - 2).hooks[4].last_firing
    assert during.node_id == MUL and during.args[0][0] is None
    assert state_at(events).hooks[4].last_firing.node_id is None


def test_compact_applies_everything_and_reports_how_far():
    events = mul_forward_events() + mul_backward_events()
    log = EventLog()
    history = History(log)
    for event in events:
        log.append(event)
    assert history.applied_step == 0
    history.compact()
    assert history.applied_step == len(events)


def test_compact_applies_a_flood_in_slices_pacing_after_each(monkeypatch):
    """The session rests between slices (a UI thread shares the GIL): pace() is called
    after each COMPACT_SLICE events with the time the slice took, the state after it has
    exactly those events applied, and the end equals a rebuild from scratch."""
    from graphtui.model import history as history_module

    monkeypatch.setattr(history_module, "COMPACT_SLICE", 4)
    events = mul_forward_events() + mul_backward_events()
    log = EventLog()
    history = History(log)
    for event in events:
        log.append(event)
    applied: list[int] = []

    def pace(seconds: float) -> None:
        assert seconds >= 0
        applied.append(history.applied_step)

    history.compact(pace=pace)
    expected = list(range(4, len(events), 4)) + [len(events)]
    assert applied == expected
    assert history.latest() == state_at(events)


def test_an_unnamed_tensor_is_described_by_its_id_once():
    event = trace.TensorCreated(7, None, (2,), "float32", False, True, None, None)
    assert describe_event(event, state_at([event])) == "tensor 7 [2] float32"


def test_an_accumulation_read_again_still_says_what_it_added():
    """dump and the panes may decode a batch again: the `.grad +=` line must find the grad
    before it by its contents, not only as the object the state was built from."""
    events = mul_forward_events() + [trace.GradAccumulated(X, summary([1.0, 2.0]), False),
                                     trace.GradAccumulated(X, summary([4.0, 6.0]), True)]
    state = state_at(events)
    decoded_again = trace.GradAccumulated(X, summary([4.0, 6.0]), True)
    assert describe_event(decoded_again, state).startswith("x.grad += [3, 4], now")
    assert describe_event(events[-1], state).startswith("x.grad += [3, 4], now")


@pytest.mark.parametrize("shape", [(3,), (2, 4), (64,), (65,), (300,)])
@pytest.mark.parametrize("bad", [None, np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.complex64, np.int64])
def test_nonfinite_values_are_found_however_small_or_big(shape, bad, dtype):
    from graphtui.model.builder import has_nonfinite

    values = np.full(shape, 1e4 if dtype == np.float16 else 3e38, dtype=dtype) \
        if dtype != np.int64 else np.ones(shape, dtype)
    if bad is not None and dtype != np.int64:
        values.reshape(-1)[-1] = bad
    summary = trace.Summary(shape, np.dtype(dtype).name, values.size, values=values)
    # huge finite values whose sum overflows are still finite
    assert has_nonfinite(summary) is (bad is not None and dtype != np.int64)
