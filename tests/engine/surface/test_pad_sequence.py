"""torch.nn.utils.rnn.pad_sequence live against torch: values, dtype, the chain of
CopySlices torch builds, each sequence's gradient and the errors."""
import pytest

import engine
from tests.oracle import agree, error_of, params, scenarios


def _graph(node, depth=0):
    """Node names with their next functions, nested, (None, nr) for an absent edge."""
    if node is None or depth > 10:
        return None
    return node.name(), [(_graph(n, depth + 1), nr) if n is not None else (None, nr)
                         for n, nr in node.next_functions]


def _summary(y):
    return y.tolist(), str(y.dtype), tuple(y.shape), y.requires_grad, _graph(y.grad_fn)


def _sequences(t):
    a = t.tensor([[1.0, -2.0], [3.0, 0.5], [2.0, 2.0]], requires_grad=True)
    b = t.tensor([[4.0, 1.5]], requires_grad=True)
    c = t.tensor([[5.0, 6.0], [7.0, -8.0]])
    return a, b, c


def _padded_with_grads(t, **options):
    a, b, c = _sequences(t)
    y = t.nn.utils.rnn.pad_sequence([a, b, c], **options)
    weights = t.arange(float(y.numel())).reshape(y.shape)
    (y * weights).sum().backward()
    return _summary(y), a.grad.tolist(), b.grad.tolist()


def sc_time_first_right(t):
    return _padded_with_grads(t)


def sc_time_first_left_with_padding_value(t):
    return _padded_with_grads(t, padding_value=-1.5, padding_side="left")


def sc_batch_first_right(t):
    return _padded_with_grads(t, batch_first=True, padding_value=2)


def sc_batch_first_left(t):
    return _padded_with_grads(t, batch_first=True, padding_side="left")


def sc_no_sequence_needs_grad(t):
    return _summary(t.nn.utils.rnn.pad_sequence([t.ones(2), t.ones(3)], True, 1))


def sc_dtype_is_the_first_sequences(t):
    pad = t.nn.utils.rnn.pad_sequence
    as_ints = pad([t.tensor([1, 2, 3]), t.tensor([5.5, 6.0])], padding_value=2.5)
    as_floats = pad([t.tensor([5.5]), t.tensor([1, 2, 3], dtype=t.float64)])
    return _summary(as_ints), _summary(as_floats)


def sc_a_tensor_is_unbound(t):
    x = t.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = t.nn.utils.rnn.pad_sequence(x)
    y.sum().backward()
    return _summary(y), x.grad.tolist()


def sc_a_generator_and_empty_sequences(t):
    pad = t.nn.utils.rnn.pad_sequence
    return _summary(pad(s for s in [t.ones(2), t.zeros(1)])), \
        _summary(pad([t.ones(0, 2), t.ones(0, 2)]))


def sc_gradients_through_a_graph(t):
    x = t.tensor([0.5, -1.0, 2.0], requires_grad=True)
    y = t.nn.utils.rnn.pad_sequence([x * x + 1, x[:2] * 3], batch_first=True)
    grad = t.autograd.grad(y.pow(2).sum(), x)[0]
    return _summary(y), grad.tolist()


def sc_errors(t):
    pad = t.nn.utils.rnn.pad_sequence
    return [error_of(f) for f in (
        lambda: pad([]), lambda: pad(3), lambda: pad([t.ones(2)], padding_side="middle"),
        lambda: pad([t.ones(2, 3), t.ones(1, 2)]), lambda: pad([t.tensor(1.0)]),
        lambda: pad([t.ones(2), t.ones(2, 1)]), lambda: pad([t.ones(2)], padding_value="a"),
        lambda: pad([t.ones(2)], batch_first=1), lambda: pad([t.ones(2), [1.0]]),
        lambda: pad([t.ones(2)], padding_side=None))]


SCENARIOS = scenarios(globals())


@pytest.mark.parametrize("name", params(SCENARIOS))
def test_pad_sequence_agrees_with_torch(name):
    agree(SCENARIOS[name])


def test_a_name_torch_lacks_is_an_attribute_error():
    with pytest.raises(AttributeError, match="module 'engine.nn.utils.rnn' has no attribute"):
        engine.nn.utils.rnn.no_such_name
