"""F.max_unpool1d/2d and nn.MaxUnpool1d/2d live against torch: values after a pool with
return_indices, output_size, the node chain (MaxUnpool2DBackward0; the 1-D form unsqueezed
at -1), first and second derivatives, the checks' texts, and the modules' reprs."""
import numpy as np
import pytest

from surface_live import check
from test_pooling1d import _chain

RNG = np.random.default_rng(17)
X2, X1 = RNG.normal(size=(2, 3, 6, 4)), RNG.normal(size=(2, 3, 8))


def _unpool(call, data, dtype):
    def snippet(t):
        x = t.tensor(data, dtype=getattr(t, dtype), requires_grad=True)
        out = call(t.nn.functional, x)
        grad, = t.autograd.grad((out * out * out).sum(), x, create_graph=True)
        return [out, _chain(out), grad, t.autograd.grad((grad * grad).sum(), x)]
    return snippet


CASES = {
    "2d": (X2, lambda F, x: F.max_unpool2d(*F.max_pool2d(x, 2, return_indices=True), 2)),
    "2d output_size, strided": (X2, lambda F, x: F.max_unpool2d(
        *F.max_pool2d(x, 3, 2, 1, return_indices=True), 3, 2, 1, output_size=(6, 4))),
    "2d unbatched": (X2, lambda F, x: F.max_unpool2d(
        *F.max_pool2d(x[0], 2, return_indices=True), (2, 2))),
    "1d": (X1, lambda F, x: F.max_unpool1d(*F.max_pool1d(x, 2, return_indices=True), 2)),
    "1d output_size with batch and channels": (X1, lambda F, x: F.max_unpool1d(
        *F.max_pool1d(x, 3, 2, return_indices=True), 3, 2, output_size=[2, 3, 8])),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_max_unpool(name, dtype):
    data, call = CASES[name]
    check(_unpool(call, data, dtype), rtol=1e-5, atol=1e-5)


def _pooled(t):
    return t.nn.functional.max_pool2d(t.tensor(X2, dtype=t.float32), 2, return_indices=True)


def _f(t):
    return t.nn.functional


ERRORS = {
    "indices dtype": lambda t: _f(t).max_unpool2d(_pooled(t)[0], _pooled(t)[1].int(), 2),
    "indices shape": lambda t: _f(t).max_unpool2d(_pooled(t)[0], _pooled(t)[1][:, :2], 2),
    "5-D": lambda t: _f(t).max_unpool2d(_pooled(t)[0][None], _pooled(t)[1][None], 2),
    "an index outside": lambda t: _f(t).max_unpool2d(
        _pooled(t)[0], _pooled(t)[1].index_fill(-1, t.tensor([1]), 60), 2),
    "output_size out of range": lambda t: _f(t).max_unpool2d(*_pooled(t), 2,
                                                             output_size=(9, 4)),
    "output_size length": lambda t: _f(t).max_unpool2d(*_pooled(t), 2, output_size=(1, 9, 4)),
    "empty channels": lambda t: _f(t).max_unpool2d(t.ones(2, 0, 3, 2),
                                                   t.zeros(2, 0, 3, 2, dtype=t.int64), 2),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_max_unpool_errors(name):
    check(ERRORS[name])


def test_modules_and_reprs():
    def snippet(t):
        pooled, indices = t.nn.MaxPool2d(2, return_indices=True)(t.tensor(X2,
                                                                          dtype=t.float32))
        unpool = t.nn.MaxUnpool2d(2)
        line, line_indices = t.nn.MaxPool1d(3, 2, 1, return_indices=True)(
            t.tensor(X1, dtype=t.float32))
        unpool1 = t.nn.MaxUnpool1d(3, 2, 1)
        return [repr(unpool), repr(unpool1), unpool(pooled, indices),
                unpool(pooled, indices, output_size=[2, 3, 7, 5]),
                unpool1(line, line_indices)]
    check(snippet)
