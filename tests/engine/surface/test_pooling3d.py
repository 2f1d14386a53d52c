"""F.max_pool3d, F.avg_pool3d, F.adaptive_avg_pool3d and their modules live against torch:
the node and its saved values, values and indices, first and second derivatives in float32
and float64, unbatched inputs, the checks' texts, and the modules' reprs."""
import numpy as np
import pytest

from surface_live import check
from test_pooling1d import _chain

RNG = np.random.default_rng(9)
X = RNG.normal(size=(2, 3, 5, 6, 7))
X[0, 1, 1:3, 2:4, 2:4] = 1.75                # ties across planes: the first one wins


def _pool(call, dtype):
    def snippet(t):
        x = t.tensor(X, dtype=getattr(t, dtype), requires_grad=True)
        out = call(t.nn.functional, x)
        first = out[0] if isinstance(out, tuple) else out
        grad, = t.autograd.grad((first * first).sum(), x, create_graph=True)
        return [out, _chain(first), grad, _chain(grad)[:1],
                t.autograd.grad((grad * grad).sum(), x)]
    return snippet


CASES = {
    "max": lambda F, x: F.max_pool3d(x, 2),
    "max strided, padded, dilated, ceil, indices": lambda F, x: F.max_pool3d(
        x, (3, 2, 3), (1, 2, 2), (1, 1, 0), (1, 1, 2), True, True),
    "max with_indices, unbatched": lambda F, x: F.max_pool3d_with_indices(x[1], 3, 1, 1),
    "avg": lambda F, x: F.avg_pool3d(x, 2),
    "avg padded, ceil, no pad count": lambda F, x: F.avg_pool3d(
        x, (2, 3, 2), (1, 2, 3), 1, True, False),
    "avg divisor, unbatched": lambda F, x: F.avg_pool3d(x[0], 3, 2, 1, divisor_override=5),
    "adaptive avg": lambda F, x: F.adaptive_avg_pool3d(x, (2, 3, 4)),
    "adaptive avg, None, unbatched": lambda F, x: F.adaptive_avg_pool3d(x[1], (None, 4, 3)),
    "adaptive avg to one": lambda F, x: F.adaptive_avg_pool3d(x, 1),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_pool3d(name, dtype):
    check(_pool(CASES[name], dtype), rtol=1e-5, atol=1e-5)


def _f(t):
    return t.nn.functional


ERRORS = {
    "max 3-D": lambda t: _f(t).max_pool3d(t.ones(3, 4, 5), 2),
    "max 6-D": lambda t: _f(t).max_pool3d(t.ones(1, 1, 3, 4, 5, 6), 2),
    "max padding": lambda t: _f(t).max_pool3d(t.ones(2, 3, 5, 6, 7), 2, padding=2),
    "max output": lambda t: _f(t).max_pool3d(t.ones(2, 3, 5, 6, 7), 6),
    "max empty": lambda t: _f(t).max_pool3d(t.ones(2, 3, 0, 4, 4), 2),
    "max kernel 0": lambda t: _f(t).max_pool3d(t.ones(2, 3, 5, 6, 7), 0),
    "avg 3-D": lambda t: _f(t).avg_pool3d(t.ones(3, 4, 5), 2),
    "avg padding": lambda t: _f(t).avg_pool3d(t.ones(2, 3, 5, 6, 7), 2, padding=2),
    "avg kernel above input": lambda t: _f(t).avg_pool3d(t.ones(2, 3, 5, 6, 7), 6),
    "avg divisor 0": lambda t: _f(t).avg_pool3d(t.ones(2, 3, 5, 6, 7), 2, divisor_override=0),
    "avg empty": lambda t: _f(t).avg_pool3d(t.ones(2, 3, 0, 4, 4), 2),
    "adaptive 3-D": lambda t: _f(t).adaptive_avg_pool3d(t.ones(3, 4, 5), 2),
    "adaptive empty": lambda t: _f(t).adaptive_avg_pool3d(t.ones(2, 3, 0, 4, 4), 2),
    "adaptive sizes past the input": lambda t: _f(t).adaptive_avg_pool3d(t.ones(3, 4, 5),
                                                                         (1, 2, 3)),
    "adaptive two sizes": lambda t: _f(t).adaptive_avg_pool3d(t.ones(2, 3, 5, 6, 7), (2, 2)),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_pool3d_errors(name):
    check(ERRORS[name])


def test_modules_and_reprs():
    def snippet(t):
        x = t.tensor(X, dtype=t.float32)
        layers = [t.nn.MaxPool3d(2), t.nn.MaxPool3d((2, 3, 1), 1, 0, 2, True, True),
                  t.nn.AvgPool3d(2), t.nn.AvgPool3d(3, 2, 1, True, False, 4),
                  t.nn.AdaptiveAvgPool3d((2, None, 3))]
        return [repr(m) for m in layers] + [m(x) for m in layers]
    check(snippet)
