"""log1p, expm1, log2, log10, tan, asin, acos, atan, sinh, cosh, rsqrt, erf, square, the
rounding family and atan2 against torch 2.13, live: values, node names and saved values,
gradients and second gradients (with the double-backward graph's node names), the in-place
forms and methods, integer inputs."""
import numpy as np
import pytest
import torch

import engine
from surface_live import check

UNARY = ["log1p", "expm1", "log2", "log10", "tan", "asin", "acos", "atan", "sinh", "cosh",
         "rsqrt", "erf", "square", "floor", "ceil", "round", "trunc", "frac", "arcsin",
         "arccos", "arctan"]
VALUES = [0.31, -0.42, 0.77, 1.5, -2.5, 0.5, 2.5, 0.0]
POSITIVE = [0.31, 0.42, 0.77, 1.5, 2.5, 0.5, 3.25, 1e-3]
DOMAIN = {"log1p": VALUES, "log2": POSITIVE, "log10": POSITIVE, "rsqrt": POSITIVE,
          "asin": [v / 3 for v in VALUES], "acos": [v / 3 for v in VALUES],
          "arcsin": [v / 3 for v in VALUES], "arccos": [v / 3 for v in VALUES]}


def _graph_names(node, depth=3):
    if node is None or depth == 0:
        return None
    return node.name(), [_graph_names(next_node, depth - 1)
                         for next_node, _ in node.next_functions]


def _grads(lib, name, dtype):
    x = lib.tensor(DOMAIN.get(name, VALUES), dtype=dtype, requires_grad=True)
    y = getattr(lib, name)(x)
    saved = sorted(k for k in dir(y.grad_fn) if k.startswith("_saved_"))
    g, = lib.autograd.grad(y.sum(), x, create_graph=True)
    second = None
    if g.requires_grad:
        second, = lib.autograd.grad(g.sum(), x)
        second = second.detach().numpy()
    return (y.detach().numpy(), g.detach().numpy(), second,
            (y.grad_fn.name(), saved, g.requires_grad, _graph_names(g.grad_fn)))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", UNARY)
def test_values_gradients_and_graphs(name, dtype):
    expected = _grads(torch, name, getattr(torch, dtype))
    actual = _grads(engine, name, getattr(engine, dtype))
    rtol = 2e-6 if dtype == "float32" else 1e-13
    for got, want in zip(actual[:3], expected[:3]):
        if want is None:
            assert got is None
        else:
            np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol)
    assert actual[3] == expected[3]


SNIPPETS = {
    "round_half_even": lambda t: t.round(t.tensor([0.5, 1.5, 2.5, -0.5, -1.5])),
    "round_decimals": lambda t: t.round(t.tensor([1.2345, -0.0151, 2.5e-3],
                                                 requires_grad=True), decimals=2),
    "round_negative_decimals": lambda t: t.round(t.tensor([1234.5, -151.0]), decimals=-2),
    "round_int_decimals": lambda t: t.round(t.tensor([12, 15]), decimals=1),
    "floor_int": lambda t: t.floor(t.tensor([1, -2])),
    "frac_int": lambda t: t.tensor([1, -2]).frac(),
    "log1p_int": lambda t: t.log1p(t.tensor([1, 2])),
    "square_int": lambda t: t.square(t.tensor([3, -2])),
    "erf_method": lambda t: t.tensor([0.1, -2.0]).erf(),
    "atan2": lambda t: t.atan2(t.tensor([[1.0], [-2.0]], requires_grad=True),
                               t.tensor([0.5, -0.25, 0.0], requires_grad=True)),
    "atan2_grads": lambda t: _atan2_grads(t),
    "atan2_ints": lambda t: t.atan2(t.tensor([1, -2]), t.tensor([3, 4])),
    "floor_in_place": lambda t: _in_place(t, "floor_"),
    "log1p_in_place": lambda t: _in_place(t, "log1p_"),
    "rsqrt_in_place": lambda t: _in_place(t, "rsqrt_"),
    "round_in_place": lambda t: _in_place(t, "round_"),
    "square_in_place": lambda t: _in_place(t, "square_"),
    "atan2_in_place": lambda t: _in_place(t, "atan2_", t.tensor([2.0, -1.0, 0.5])),
    "tan_in_place_int": lambda t: t.tensor([1, 2]).tan_(),
    "ceil_in_place_int": lambda t: t.tensor([1, 2]).ceil_(),
    "top_level_in_place": lambda t: t.expm1_(t.tensor([0.5, -1.0])),
    "fix": lambda t: t.fix(t.tensor([1.7, -1.7])),
}


def _atan2_grads(t):
    a = t.tensor([[1.0], [-2.0]], requires_grad=True)
    b = t.tensor([0.5, -0.25, 3.0], requires_grad=True)
    (t.atan2(a, b) * t.tensor([1.0, 2.0, 3.0])).sum().backward()
    return a.grad, b.grad


def _in_place(t, name, *args):
    leaf = t.tensor([0.3, 1.7, 2.5], requires_grad=True)
    y = leaf * 1
    getattr(y, name)(*args)
    y.sum().backward()
    return y, leaf.grad, y.grad_fn.name()


@pytest.mark.parametrize("name", SNIPPETS)
def test_as_torch(name):
    check(SNIPPETS[name])
