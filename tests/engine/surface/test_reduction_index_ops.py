"""prod, var, std, index_select, gather, scatter, scatter_add and the in-place unary ops,
live against torch: values, dtypes, grad_fn names, saved values, gradients, errors, warnings."""
import numpy as np
import pytest

import engine
from surface_live import check

X = np.array([[0.5, -1.25, 2.0, 0.75], [1.5, 0.25, -0.5, 3.0], [-2.0, 1.0, 0.125, -0.75]])


def leaf(t, values=X, dtype=None):
    return t.tensor(values, dtype=dtype or t.float32, requires_grad=True)


def with_grad(fn, values=X, grad_seed=0):
    """fn(t, x) -> y; then y's value and node, and x's gradient for a fixed upstream grad."""
    def snippet(t):
        x = leaf(t, values)
        y = fn(t, x)
        upstream = np.random.default_rng(grad_seed).uniform(-1, 1, size=tuple(y.shape))
        y.backward(t.tensor(upstream, dtype=y.dtype))
        return y, x.grad
    return snippet


def saved(fn, *names):
    def snippet(t):
        node = fn(t, leaf(t)).grad_fn
        return [getattr(node, f"_saved_{name}") for name in names]
    return snippet


IDX = [[0, 3], [2, 2], [1, 0]]
OPS = {
    "prod": lambda t, x: x.prod(),
    "prod dim": lambda t, x: x.prod(1),
    "prod dim keepdim": lambda t, x: t.prod(x, -2, keepdim=True),
    "var": lambda t, x: x.var(),
    "var dim": lambda t, x: x.var(1),
    "var keepdim": lambda t, x: t.var(x, 0, keepdim=True),
    "var unbiased": lambda t, x: x.var(1, unbiased=False),
    "var correction": lambda t, x: x.var(dim=(0, 1), correction=2),
    "var positional unbiased": lambda t, x: x.var(False),
    "std": lambda t, x: x.std(),
    "std dim": lambda t, x: t.std(x, -1),
    "std correction 0": lambda t, x: x.std(0, correction=0, keepdim=True),
    "index_select": lambda t, x: x.index_select(1, t.tensor([3, 0, 3])),
    "index_select dim 0": lambda t, x: t.index_select(x, -2, t.tensor([2, 2])),
    "gather": lambda t, x: x.gather(1, t.tensor(IDX)),
    "gather dim 0": lambda t, x: t.gather(x, 0, t.tensor([[2, 0, 1, 1]])),
    "scatter value": lambda t, x: (x * 1).scatter(1, t.tensor(IDX), 9.0),
    "scatter src": lambda t, x: (x * 1).scatter(1, t.tensor([[0, 3], [2, 1], [1, 0]]),
                                                x[:, :3] * 2),
    "scatter_add": lambda t, x: t.scatter_add(x * 1, 1, t.tensor(IDX), x[:, 1:] * 3),
    "scatter_": lambda t, x: (x * 1).scatter_(0, t.tensor([[1, 0, 2, 0]]), x[:1] + 1),
    "scatter_add_": lambda t, x: (x * 1).scatter_add_(1, t.tensor(IDX), x[:, :2] * x[:, 2:]),
    "relu_": lambda t, x: (x * 1).relu_(),
    "sigmoid_": lambda t, x: (x * 1).sigmoid_(),
    "tanh_": lambda t, x: (x - 1).tanh_(),
    "exp_": lambda t, x: (x * 1).exp_(),
    "torch.relu_": lambda t, x: t.relu_(x * 2),
    "F.relu_": lambda t, x: t.nn.functional.relu_(x * 2),
    "F.relu inplace": lambda t, x: t.nn.functional.relu(x * 2, inplace=True),
    "nn.ReLU inplace": lambda t, x: t.nn.ReLU(inplace=True)(x * 2),
    "relu_ on a view": lambda t, x: (lambda y: (y[1].relu_(), y)[1])(x * 1),
}


@pytest.mark.parametrize("name", sorted(OPS))
def test_value_node_and_gradient(name):
    check(with_grad(OPS[name]))


def test_prod_gradient_with_zeros():
    values = np.array([[0.0, 2.0, 3.0], [0.0, 0.0, 4.0], [1.0, 2.0, 3.0]])
    check(with_grad(lambda t, x: x.prod(1), values))
    check(with_grad(lambda t, x: x.prod(), values))
    check(with_grad(lambda t, x: x[0].prod(), values))


SAVED = {
    "prod": saved(lambda t, x: x.prod(), "self", "result"),
    "prod dim": saved(lambda t, x: x.prod(-1), "self", "result", "dim", "keepdim"),
    "var": saved(lambda t, x: x.var(), "self", "correction", "dim", "keepdim"),
    "var dim": saved(lambda t, x: x.var(-1), "correction", "dim", "keepdim"),
    "var unbiased": saved(lambda t, x: x.var(1, unbiased=False), "correction", "dim"),
    "var dims": saved(lambda t, x: x.var((0, 1)), "correction", "dim"),
    "std": saved(lambda t, x: x.std(1), "self", "result", "correction", "dim", "keepdim"),
    "index_select": saved(lambda t, x: x.index_select(-1, t.tensor([0])), "dim", "index",
                          "self_sym_sizes"),
    "gather": saved(lambda t, x: x.gather(-1, t.tensor([[0]])), "dim", "index", "self",
                    "sparse_grad"),
    "scatter": saved(lambda t, x: x.scatter(-1, t.tensor([[0]]), 2.0), "dim", "index"),
    "scatter_add": saved(lambda t, x: x.scatter_add(0, t.tensor([[0]]), x), "dim", "index"),
}


@pytest.mark.parametrize("name", sorted(SAVED))
def test_saved_values(name):
    check(SAVED[name])


ERRORS = {
    "var of one element": lambda t: t.ones(1).var(),
    "var correction too big": lambda t: t.ones(3).var(correction=3),
    "var of ints": lambda t: t.arange(3).var(),
    "prod of ints": lambda t: (t.arange(1, 4).prod(), t.tensor([1, 2], dtype=t.int32).prod(0),
                               t.tensor([True, True]).prod()),
    "prod dtype": lambda t: t.arange(1, 4).prod(dtype=t.float64),
    "gather out of bounds": lambda t: t.ones(3, 4).gather(1, t.tensor([[5]])),
    "gather negative": lambda t: t.ones(3, 4).gather(1, t.tensor([[-1]])),
    "gather float index": lambda t: t.ones(3, 4).gather(1, t.tensor([[0.0]])),
    "gather int32 index": lambda t: t.ones(3, 4).gather(1, t.tensor([[1]], dtype=t.int32)),
    "gather rank": lambda t: t.ones(3, 4).gather(1, t.tensor([1])),
    "gather size": lambda t: t.ones(3, 4).gather(0, t.tensor([[1, 1, 1, 1, 1]])),
    "index_select out of range": lambda t: t.ones(3, 4).index_select(1, t.tensor([7])),
    "index_select matrix": lambda t: t.ones(3, 4).index_select(1, t.tensor([[1]])),
    "index_select float": lambda t: t.ones(3, 4).index_select(1, t.tensor([1.0])),
    "index_select scalar index": lambda t: t.ones(3, 4).index_select(0, t.tensor(2)),
    "scatter out of bounds": lambda t: t.ones(3, 4).scatter(1, t.tensor([[5]]), 1.0),
    "scatter dtype": lambda t: t.ones(3, 4).scatter(1, t.tensor([[1]]),
                                                    t.ones(1, 1, dtype=t.float64)),
    "scatter src too small": lambda t: t.ones(3, 4).scatter(1, t.tensor([[0, 1, 2]]),
                                                            t.ones(1, 2)),
    "scatter_add float index": lambda t: t.ones(3, 4).scatter_add(1, t.tensor([[0.0]]),
                                                                  t.ones(3, 4)),
    "exp_ of ints": lambda t: t.arange(3).exp_(),
    "relu_ of ints": lambda t: t.tensor([-1, 2]).relu_(),
    "relu_ of a leaf": lambda t: t.ones(2, requires_grad=True).relu_(),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_and_warnings(name):
    check(ERRORS[name])


def test_backward_twice_through_var_fails_as_in_torch():
    def snippet(t):
        x = leaf(t)
        y = x.var()
        y.backward()
        y.backward()
    check(snippet)


SECOND_ORDER = {
    "prod": lambda a: a.prod(1),
    "prod with a zero": lambda a: (a * engine.tensor([1.0, 0.0, 1.0], dtype=engine.float64)).prod(),
    "var": lambda a: a.var(0),
    "std": lambda a: a.std(),
    "gather": lambda a: a.gather(1, engine.tensor([[0, 0], [2, 1]])) ** 2,
    "scatter": lambda a: a.scatter(1, engine.tensor([[0], [1]]), a[:, 2:] ** 2),
    "scatter_add": lambda a: a.scatter_add(1, engine.tensor([[0], [1]]), a[:, 2:] ** 2),
}


@pytest.mark.parametrize("name", sorted(SECOND_ORDER))
def test_second_derivatives(name):
    """Under create_graph=True the gradients keep a graph (the rules run on Tensors)."""
    x = engine.tensor(np.random.default_rng(3).uniform(0.5, 1.5, size=(2, 3)),
                      dtype=engine.float64, requires_grad=True)
    assert engine.autograd.gradgradcheck(SECOND_ORDER[name], (x,))
