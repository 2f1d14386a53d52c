"""Any sequence in an index key is an index, as torch's applySlicing takes it: a range, a
tuple inside the key, a list; read and written, against torch 2.13 live."""
import pytest

from surface_live import check


def matrix(t):
    return t.arange(12.0).reshape(3, 4).requires_grad_()


def written(t, key, value):
    x = matrix(t).detach().clone()
    x[key] = value
    return x


CALLS = {
    "range then tensor": lambda t: matrix(t)[range(3), t.tensor([0, 3, 1])],
    "lone range": lambda t: matrix(t)[range(1, 3)],
    "empty range": lambda t: matrix(t)[range(0)],
    "tuple inside the key": lambda t: matrix(t)[(0, 2), 1],
    "tuple then slice": lambda t: matrix(t)[(2, 0), 1:3],
    "range with a step, backward": lambda t: _grad_through(t, lambda x: x[range(0, 3, 2), 1]),
    "empty list": lambda t: matrix(t)[[]],
    "write through a range": lambda t: written(t, (range(3), t.tensor([1, 2, 0])), -1.0),
    "write through a tuple": lambda t: written(t, ((0, 1), 2), 5.0),
    "range out of bounds": lambda t: matrix(t)[range(2, 5)],
    "tensor out of bounds in dim 1": lambda t: matrix(t)[t.tensor([0]), t.tensor([7])],
    "negative out of bounds": lambda t: matrix(t)[[-4]],
    "write out of bounds": lambda t: written(t, (t.tensor([0]), t.tensor([9])), 1.0),
}


def _grad_through(t, index):
    x = matrix(t)
    index(x).sum().backward()
    return x.grad


@pytest.mark.parametrize("name", CALLS)
def test_sequence_keys_as_torch(name):
    check(CALLS[name])
