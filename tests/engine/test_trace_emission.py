"""How events are emitted: to every subscriber, sharing what they can, keeping nothing alive."""
import gc
import weakref

import numpy as np

import engine
from engine import trace


def test_every_subscriber_gets_every_event_as_they_come_and_go():
    first, second = [], []
    trace.subscribe(first.append)
    engine.tensor([1.0])
    trace.subscribe(second.append)
    engine.tensor([2.0])
    trace.unsubscribe(first.append)
    engine.tensor([3.0])
    trace.unsubscribe(second.append)
    engine.tensor([4.0])
    assert [e.summary.values.tolist() for e in first] == [[1.0], [2.0]]
    assert [e.summary.values.tolist() for e in second] == [[2.0], [3.0]]


def test_a_watched_op_outputs_array_dies_with_its_tensor():
    # Its summary refers to the tensor's version counter: the counter must not refer back
    # strongly, or the array would wait for the cyclic collector.
    trace.subscribe(_drop)
    gc.disable()
    try:
        x = engine.arange(trace.values_cap + 8, dtype=engine.float32).requires_grad_()
        y = x * 2
        array = weakref.ref(y._data)
        del y
        assert array() is None
    finally:
        gc.enable()
        trace.unsubscribe(_drop)


def _drop(event):
    pass


def test_a_kept_summary_of_a_big_output_is_shared_while_its_tensor_is_unchanged(events):
    x = engine.arange(trace.values_cap + 8, dtype=engine.float32).requires_grad_()
    y = x * 2
    created = next(e.summary for e in events if isinstance(e, trace.TensorCreated)
                   and e.tensor_id == trace.tensor_id(y))
    assert trace.summarize_tensor(y) is created            # not read yet: found on y
    assert created.max == float(y._data.max())
    assert trace.summarize_tensor(y) is created            # read: found among the recent
    y.detach().add_(1.0)
    assert trace.summarize_tensor(y) is not created         # written since
    assert created.max == float(y._data.max()) - 1.0


def test_a_gradient_passed_on_unchanged_keeps_the_summary_it_came_with(events):
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    (x + 1.0).backward(engine.tensor([3.0, 4.0]))
    executing = next(e for e in events if isinstance(e, trace.NodeExecuting)
                     and e.name == "AddBackward0")
    executed = next(e for e in events if isinstance(e, trace.NodeExecuted)
                    and e.name == "AddBackward0")
    assert executed.grad_inputs[0] is executing.grad_outputs[0]
    assert executed.grad_inputs[0].values.tolist() == [3.0, 4.0]


def test_a_view_saved_again_and_again_names_the_same_storage(events):
    base = engine.randn(4, 8)
    weight = base[1:, 2:].requires_grad_()       # a view of the storage, at row 1 column 2
    for _ in range(3):
        weight.sin()                              # SinBackward0 saves its input
    saved = [s for e in events if isinstance(e, trace.NodeCreated) for s in e.saved]
    assert [s.name for s in saved] == ["self"] * 3
    assert len({(s.storage, s.storage_nbytes, s.offset) for s in saved}) == 1
    assert (saved[0].storage_nbytes, saved[0].offset) == (128, 40)
    assert saved[0].storage == trace.storage_of(base._data)[0]


def test_storages_of_dead_arrays_are_swept_and_never_reused():
    before = len(trace._storages)
    count = 4 * trace._sweep_at
    ids = {trace.storage_of(np.zeros(3))[0] for _ in range(count)}
    assert len(ids) == count
    assert len(trace._storages) < before + count // 2
