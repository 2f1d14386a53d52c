"""The events the engine emits (engine/trace.py): order, content, stepping and muting."""
import inspect
import threading

import numpy as np
import pytest

import engine
import oracle
from engine import trace


def kinds(log):
    return [type(e).__name__ for e in log]


def test_no_subscriber_means_inactive():
    assert trace.active is False
    log = []
    trace.subscribe(log.append)
    assert trace.active is True
    trace.unsubscribe(log.append)
    assert trace.active is False


def test_tutorial_x_times_3_event_stream(events):
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    y_line = inspect.currentframe().f_lineno - 1
    gradient = engine.tensor([100, 0.1], dtype=engine.float)
    y.backward(gradient)

    assert kinds(events) == [
        "TensorCreated",                     # x
        "NodeCreated",                       # AccumulateGrad of x
        "NodeCreated",                       # MulBackward0
        "TensorCreated",                     # y
        "TensorCreated",                     # gradient
        "BackwardStarted",
        "NodeExecuting", "NodeExecuted", "BufferFreed",          # MulBackward0
        "NodeExecuting", "GradAccumulated", "NodeExecuted",      # AccumulateGrad
        "BackwardFinished",
    ]
    x_created, acc, mul, y_created = events[:4]
    assert (x_created.shape, x_created.requires_grad, x_created.is_leaf) == ((2,), True, True)
    assert acc.name == "AccumulateGrad" and acc.output_ids == (x_created.tensor_id,)
    assert mul.name == "MulBackward0"
    assert mul.next_functions == ((acc.node_id, 0), (None, 0))
    assert [(s.name, s.shape, s.nbytes) for s in mul.saved] == [("other", (), 8)]
    assert mul.location.endswith(f"test_trace.py:{y_line}")
    assert y_created.grad_fn_id == mul.node_id and y_created.is_leaf is False

    executing = events[6]
    np.testing.assert_allclose(executing.grad_outputs[0].values, [100, 0.1], rtol=1e-6)
    freed = events[8]
    assert (freed.node_id, freed.names, freed.nbytes) == (mul.node_id, ("other",), 8)
    accumulated = events[10]
    assert accumulated.tensor_id == x_created.tensor_id and accumulated.accumulated is False
    np.testing.assert_allclose(accumulated.grad.values, [300, 0.3], rtol=1e-6)
    assert events[-1].ok is True


def test_backward_twice_reports_the_error_at_the_node(events):
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    y.backward(engine.ones(2))
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.backward(engine.ones(2))
    mul_id = next(e.node_id for e in events if type(e).__name__ == "NodeCreated"
                  and e.name == "MulBackward0")
    error = next(e for e in events if type(e).__name__ == "ErrorRaised")
    assert error.node_id == mul_id and error.exc_type == "RuntimeError"
    assert events[-1] == trace.BackwardFinished(events[-1].backward_id, False)


def test_no_grad_fn_error_names_the_tensor(events):
    y = engine.tensor([1.0, 2.0]) * 3
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad"):
        y.backward(engine.ones(2))
    error = [e for e in events if type(e).__name__ == "ErrorRaised"][-1]
    assert error.tensor_id == trace.tensor_id(y)


def test_hooks_are_announced_fired_and_removed(events):
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    handle = x.register_hook(lambda g: g * 2)
    (x * 1).sum().backward()
    handle.remove()
    handle.remove()          # idempotent: announced once
    registered = [e for e in events if isinstance(e, trace.HookRegistered)]
    fired = [e for e in events if isinstance(e, trace.HookFired)]
    removed = [e for e in events if isinstance(e, trace.HookRemoved)]
    assert [(e.hook_id, e.kind, e.callable_name) for e in registered] == [
        (handle.id, "tensor", "test_hooks_are_announced_fired_and_removed.<locals>.<lambda>")]
    assert len(fired) == 1 and fired[0].replaced is True and fired[0].muted is False
    np.testing.assert_allclose(fired[0].result[0].values, [2, 2])
    assert [e.hook_id for e in removed] == [handle.id]
    np.testing.assert_allclose(x.grad.numpy(), [2, 2])


def test_a_muted_hook_is_not_called_and_is_logged_as_muted(events):
    calls = []
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    handle = x.register_hook(lambda g: calls.append(g) or g * 10)
    trace.muted_hooks.add(handle.id)
    (x * 1).sum().backward()
    assert calls == []
    np.testing.assert_allclose(x.grad.numpy(), [1, 1])
    fired = [e for e in events if isinstance(e, trace.HookFired)]
    assert len(fired) == 1 and fired[0].muted is True and fired[0].replaced is False


def test_in_place_ops_and_warnings_are_events(events):
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.add_(1)
    with pytest.warns(UserWarning, match="The .grad attribute of a Tensor that is not a leaf"):
        assert y.grad is None
    modified = [e for e in events if isinstance(e, trace.TensorModified)]
    assert [(m.op, m.version) for m in modified] == [("add_", 1)]
    assert modified[0].tensor_id == trace.tensor_id(y)
    warning = [e for e in events if isinstance(e, trace.WarningRaised)][-1]
    assert warning.tensor_id == trace.tensor_id(y) and warning.category == "UserWarning"


class StepGate:
    """A subscriber that holds the executor before each node until released."""

    def __init__(self):
        self.arrived = threading.Semaphore(0)
        self.release = threading.Semaphore(0)
        self.current = None

    def __call__(self, event):
        if isinstance(event, trace.NodeExecuting):
            self.current = event.name
            self.arrived.release()
            assert self.release.acquire(timeout=10)


def execution_order(torch):
    """The nodes of d = sum((x * 2) * (x + 1)) in the order their pre-hooks fire."""
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    d = ((x * 2) * (x + 1)).sum()
    order, stack, seen = [], [d.grad_fn], set()
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        node.register_prehook(lambda grads, node=node: order.append(node.name()))
        stack.extend(child for child, _ in node.next_functions)
    d.backward()
    return [name.removeprefix("torch::autograd::") for name in order]


def test_stepping_holds_each_node_in_pytorch_order():
    gate = StepGate()
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    a = x * 2
    b = x + 1
    d = (a * b).sum()
    trace.subscribe(gate)
    try:
        worker = threading.Thread(target=d.backward)
        worker.start()
        seen = []
        for _ in range(5):
            assert gate.arrived.acquire(timeout=10)
            seen.append(gate.current)
            assert x.grad is None          # held: the leaf has not been reached yet
            gate.release.release()
        worker.join(timeout=10)
    finally:
        trace.unsubscribe(gate)
    assert seen == oracle.run(execution_order, "torch")
    np.testing.assert_allclose(x.grad.numpy(), [6, 10])


def test_summaries_cap_values_but_keep_statistics():
    big = np.arange(10_000, dtype=np.float32)
    summary = trace.summarize(big)
    assert summary.values is None and summary.numel == 10_000
    assert (summary.min, summary.max) == (0.0, 9999.0)
    assert summary.head == (0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0)
    nan = trace.summarize(np.array([1.0, np.nan, np.inf], dtype=np.float32))
    assert (nan.nan, nan.inf, nan.min, nan.max) == (1, 1, 1.0, 1.0)


def test_reset_ids_numbers_a_rerun_like_the_first_run(events):
    def run():
        start = len(events)
        trace.reset_ids()
        x = engine.tensor([1.0], requires_grad=True)
        x.register_hook(lambda g: g)
        (x * 2).sum().backward()
        return [repr(e) for e in events[start:]]

    first = run()
    assert any("HookRegistered(hook_id=0" in e for e in first)
    assert run() == first


def test_backward_started_names_the_root_tensor(events):
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    y.backward(engine.ones(2))
    started = next(e for e in events if isinstance(e, trace.BackwardStarted))
    assert started.roots == ((y.grad_fn._id, trace.tensor_id(y)),)


def test_clearing_and_retaining_grads_are_events(events):
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    y.sum().backward()
    x.grad = None
    retained = [e for e in events if isinstance(e, trace.TensorModified) and e.op == "retain_grad"]
    assert [e.tensor_id for e in retained] == [trace.tensor_id(y)]
    cleared = [e for e in events if isinstance(e, trace.GradAccumulated)][-1]
    assert (cleared.tensor_id, cleared.grad) == (trace.tensor_id(x), None)


# ---------------------------------------------------------------- statistics when first read

def big_output(events):
    """A non-leaf op output above values_cap, and the summary its TensorCreated carries."""
    x = engine.arange(trace.values_cap + 8, dtype=engine.float32).requires_grad_()
    y = x * 2
    created = [e for e in events if type(e).__name__ == "TensorCreated"
               and e.tensor_id == trace.tensor_id(y)]
    return x, y, created[0].summary


def test_a_big_op_outputs_statistics_are_computed_when_first_read(events):
    _, y, summary = big_output(events)
    assert summary.values is None
    assert summary.kept_array() is y._data          # a reference, not a copy or a scan
    expected = trace.summarize(y._data.copy())      # eager statistics of the same values
    assert (summary.min, summary.max, summary.mean) == (expected.min, expected.max,
                                                        expected.mean)
    assert summary.head == expected.head
    assert summary.kept_array() is None             # the array is let go once read


@pytest.mark.parametrize("write", [
    lambda y: y.add_(1000.0),
    lambda y: y.detach().zero_(),
    lambda y: y.__setitem__(0, -5.0),
    lambda y: y.data.mul_(0.0),
    lambda y: y.detach().numpy().fill(7.0),
])
def test_writing_a_big_output_in_place_keeps_its_earlier_statistics(events, write):
    _, y, summary = big_output(events)
    before = (float(y._data.min()), float(y._data.max()))
    write(y)
    assert (summary.min, summary.max) == before


def test_a_write_around_the_engine_reads_as_unknown_not_as_the_new_values(events):
    _, y, summary = big_output(events)
    y._data[...] = 0.0          # no engine call: nothing settled, only the version moves
    y._vc[0] += 1
    assert summary.min is None and summary.max is None


def test_every_node_is_announced_while_watched_hooks_or_not(events):
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    w = engine.tensor([3.0, 4.0], requires_grad=True)
    (x * w).sum().backward()
    executing = [e.name for e in events if type(e).__name__ == "NodeExecuting"]
    executed = [e.name for e in events if type(e).__name__ == "NodeExecuted"]
    assert executing == executed == ["SumBackward0", "MulBackward0", "AccumulateGrad",
                                     "AccumulateGrad"]


def test_storage_of_names_the_memory_views_and_aliases_share():
    base = np.zeros((4, 8), dtype=np.float32)
    storage, nbytes, offset = trace.storage_of(base)
    assert (nbytes, offset) == (128, 0)
    assert trace.storage_of(base.T) == (storage, 128, 0)
    assert trace.storage_of(base[1:, 2:]) == (storage, 128, 40)     # row 1, column 2
    other = np.zeros(2, dtype=np.float32)
    assert trace.storage_of(other)[0] != storage


def test_a_storage_id_is_not_reused_when_its_memory_dies():
    first = trace.storage_of(np.zeros(3))[0]       # dies at once; id() may come back
    assert trace.storage_of(np.zeros(3))[0] != first


def test_saved_infos_say_whose_memory_each_saved_tensor_is(events):
    import engine.nn as nn
    first, second = nn.Linear(3, 2), nn.Linear(2, 2)
    x = engine.randn(5, 3)
    h = first(x).relu()
    out = second(h)
    mask = out > 0
    (engine.where(mask, out, 0.0) * 1.5).sum()
    saved = [(e.name, s) for e in events if isinstance(e, trace.NodeCreated) for s in e.saved]
    (_, x_saved), (_, result), (_, mat1), (_, mat2), (_, condition), (_, other) = saved
    assert (x_saved.name, x_saved.kind) == ("mat1", trace.INPUT)                 # the data
    assert (result.name, result.kind, result.storage_nbytes) == (
        "result", trace.ACTIVATION, 40)
    assert (mat1.kind, mat1.storage) == (trace.ACTIVATION, result.storage)      # one memory
    assert (mat2.name, mat2.kind, mat2.nbytes) == ("mat2", trace.PARAMETER, 16)  # weight.t()
    assert mat2.storage == trace.storage_of(second.weight._data)[0]
    assert (condition.name, condition.kind) == ("condition", trace.ACTIVATION)   # an op's mask
    assert (other.kind, other.dtype, other.nbytes, other.storage) == (
        trace.SCALAR, "float64", 8, None)


def _op_locations(log):
    return [e.location for e in log
            if isinstance(e, trace.NodeCreated) and e.name != "AccumulateGrad"]


def test_each_op_is_located_at_its_own_line_in_a_loop(events):
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    first = inspect.currentframe().f_lineno + 3
    h = x
    for _ in range(3):
        h = h * 2.0
        h = h + 1.0
    assert _op_locations(events) == [f"{__file__}:{first}", f"{__file__}:{first + 1}"] * 3


def test_a_host_file_registered_later_is_no_longer_the_users_line(events, monkeypatch):
    x = engine.tensor([1.0], requires_grad=True)

    def op():
        return x * 2.0
    op()
    from engine.ops import _core
    monkeypatch.setattr(trace, "_host_files", trace._host_files)
    monkeypatch.setattr(_core, "_not_user_code", set(_core._not_user_code))
    trace.register_host_files(__file__)
    try:
        op()
    finally:
        trace.user_locations.clear()
    first, second = _op_locations(events)
    assert first.startswith(__file__ + ":")
    assert second is None or not second.startswith(__file__)
