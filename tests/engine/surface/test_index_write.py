"""index_add, index_copy, index_fill (and in place) against torch 2.13, live: values, node
names and saved values, gradients of every input, second derivatives, errors."""
import numpy as np
import pytest
import torch

import engine
from surface_live import check

X = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.75], [3.0, -2.0, 0.1], [0.0, 1.0, -1.5]]
SOURCE = [[1.0, 2.0, 3.0], [-1.0, 0.5, 0.25]]

OPS = {
    "index_add": lambda t, x, s: x.index_add(0, t.tensor([2, 0]), s, alpha=2),
    "index_add_repeated": lambda t, x, s: t.index_add(x, 0, t.tensor([1, 1]), s),
    "index_add_dim1": lambda t, x, s: x.index_add(1, t.tensor([2, 0]),
                                                  t.cat([s.T, s.T[:1]], 0)[:, :2]),
    "index_add_negative_dim": lambda t, x, s: x.index_add(-2, t.tensor([3, 0]), s),
    "index_fill_negative_index": lambda t, x, s: x.index_fill(0, t.tensor([-1]), 2.0) * s[0, 0],
    "index_copy": lambda t, x, s: x.index_copy(0, t.tensor([3, 1]), s),
    "index_fill": lambda t, x, s: x.index_fill(1, t.tensor([0, 2]), -1.0) * s.sum(),
    "index_fill_tensor_value": lambda t, x, s: x.index_fill(0, t.tensor([1, 1, 3]), s[0, 1]),
}


def _run(t, name, dtype):
    x = t.tensor(X, dtype=dtype, requires_grad=True)
    s = t.tensor(SOURCE, dtype=dtype, requires_grad=True)
    y = OPS[name](t, x, s)
    saved = {k: (tuple(v.shape) if isinstance(v, (torch.Tensor, engine.Tensor)) else v)
             for k in dir(y.grad_fn) if k.startswith("_saved_")
             for v in [getattr(y.grad_fn, k)]}
    weights = t.linspace(-1, 1.5, y.numel(), dtype=dtype).reshape(y.shape)
    grads = t.autograd.grad((y * weights).sum(), [x, s], create_graph=True, allow_unused=True)
    wanted = [g for g in grads if g is not None and g.requires_grad]
    second = t.autograd.grad(sum((g * g).sum() for g in wanted), [x, s],
                             allow_unused=True) if wanted else ()
    as_list = lambda v: None if v is None else v.detach().tolist()  # noqa: E731
    return (y.grad_fn.name(), saved, y.detach().tolist(), [as_list(g) for g in grads],
            [as_list(g) for g in second])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", OPS)
def test_values_nodes_and_gradients(name, dtype):
    expected = _run(torch, name, getattr(torch, dtype))
    actual = _run(engine, name, getattr(engine, dtype))
    assert actual[:2] == expected[:2]
    for got, want in zip(actual[2:], expected[2:]):
        np.testing.assert_allclose(_flat(got), _flat(want), rtol=1e-6)


def _flat(value):
    if value is None:
        return np.array([np.nan])
    if isinstance(value, list) and value and (value[0] is None or isinstance(value[0], list)):
        return np.concatenate([_flat(v).reshape(-1) for v in value]) if value else np.array([])
    return np.array(value, dtype=float).reshape(-1)


SNIPPETS = {
    "in_place_add": lambda t: t.zeros(3, 2).index_add_(0, t.tensor([0, 2, 0]), t.ones(3, 2)),
    "in_place_fill": lambda t: t.arange(6.0).reshape(2, 3).index_fill_(1, t.tensor([1]), 9),
    "in_place_copy_grad": lambda t: _in_place_copy(t),
    "float_index": lambda t: t.zeros(3).index_add(0, t.tensor([0.0]), t.ones(1)),
    "matrix_index": lambda t: t.zeros(3, 2).index_add(0, t.tensor([[0, 1]]), t.ones(2, 2)),
    "bad_source_shape": lambda t: t.zeros(4, 3).index_add(0, t.tensor([0, 1]), t.ones(2, 4)),
    "fill_out_of_range": lambda t: t.zeros(4, 3).index_fill(0, t.tensor([9]), 1.0),
    "add_out_of_range": lambda t: t.zeros(4, 3).index_add(0, t.tensor([5, 0]), t.ones(2, 3)),
    "add_negative_index": lambda t: t.zeros(4, 3).index_add(0, t.tensor([-1]), t.ones(1, 3)),
    "copy_negative_index": lambda t: t.zeros(4, 3).index_copy(0, t.tensor([-1]), t.ones(1, 3)),
    "copy_out_of_range": lambda t: t.zeros(4, 3).index_copy(0, t.tensor([7]), t.ones(1, 3)),
    "copy_count": lambda t: t.zeros(4, 3).index_copy(0, t.tensor([0, 1, 2]), t.ones(2, 3)),
    "int_tensor": lambda t: t.zeros(3, dtype=t.long).index_add(0, t.tensor([1]), t.tensor([5])),
}


def _in_place_copy(t):
    x = t.ones(4, 2, requires_grad=True)
    y = x * 2
    y.index_copy_(0, t.tensor([1]), t.full((1, 2), 3.0, requires_grad=True))
    y.sum().backward()
    return y, x.grad, y.grad_fn.name()


@pytest.mark.parametrize("name", SNIPPETS)
def test_as_torch(name):
    check(SNIPPETS[name])
