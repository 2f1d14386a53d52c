"""group_norm and layer_norm under create_graph=True, live against torch 2.13: the whole
graph of each gradient (node names, edges with their output_nr, leaves), its values, and
the second and third derivatives taken through it."""
import numpy as np
import pytest

import oracle
from tests.differential.execution import graph_of


def _float(lib, rng, *shape, dtype="float32"):
    return lib.torch.tensor(rng.randn(*shape).astype(dtype), requires_grad=True)


def _outcome(lib, tensors, names):
    """Each gradient's graph and values."""
    return [(graph_of(t.grad_fn, names), t.detach().numpy().copy()) for t in tensors]


def _derivatives(lib, loss, inputs, names, orders: int = 3):
    """Gradients of `loss` for `inputs`, then of their squares' sum, `orders` times (each
    with create_graph but the last)."""
    found = []
    for order in range(orders):
        grads = lib.torch.autograd.grad(loss, inputs, create_graph=order < orders - 1,
                                        allow_unused=True)
        grads = [g for g in grads if g is not None]
        found += _outcome(lib, grads, names)
        loss = sum((g * g).sum() for g in grads)
    return found


def group_norm_affine(lib, dtype):
    rng = np.random.RandomState(0)
    x, w, b = _float(lib, rng, 2, 4, 3, dtype=dtype), _float(lib, rng, 4, dtype=dtype), \
        _float(lib, rng, 4, dtype=dtype)
    y = lib.F.group_norm(x, 2, w, b)
    return _derivatives(lib, y.pow(3).sum(), (x, w, b), {id(x): "x", id(w): "w", id(b): "b"})


def group_norm_weight_only(lib):
    """Seed 400117 of the nn tester: the gradient for the weight alone, groups of one
    channel and one value (variance 0)."""
    rng = np.random.RandomState(1)
    x, w, b = _float(lib, rng, 4, 3, 1), _float(lib, rng, 3), _float(lib, rng, 3)
    y = lib.F.group_norm(x, 3, w, b, eps=0.001)
    loss = lib.F.l1_loss(y, lib.torch.tensor(rng.randn(4, 3, 1).astype("float32")))
    return _derivatives(lib, loss * loss, (w,), {id(w): "w"}, orders=2)


def group_norm_plain(lib):
    rng = np.random.RandomState(2)
    x = _float(lib, rng, 3, 6, 2, 2, dtype="float64")
    y = lib.F.group_norm(x * 1, 3)
    saved = y.grad_fn._saved_result1, y.grad_fn._saved_result2
    return _derivatives(lib, y.sin().sum(), (x,), {id(x): "x"}) + [
        (t.grad_fn.name(), t.output_nr, t.requires_grad, tuple(t.shape)) for t in saved]


def group_norm_lone_bias_error(lib):
    rng = np.random.RandomState(3)
    x, b = _float(lib, rng, 2, 4, 3), _float(lib, rng, 4)
    y = lib.F.group_norm(x, 2, None, b)
    return oracle.error_of(lambda: lib.torch.autograd.grad((y * y).sum(), b, create_graph=True))


def agree(case, *args):
    """Graphs and everything else equal, values to float32's rounding of sums."""
    expected = oracle.run(case, "torch", *args, namespace_arg=True)
    actual = oracle.run(case, "engine", *args, namespace_arg=True)
    assert len(actual) == len(expected)
    for got, want in zip(actual, expected):
        if isinstance(want, tuple) and len(want) == 2 and isinstance(want[1], np.ndarray):
            assert got[0] == want[0]
            np.testing.assert_allclose(got[1], want[1], rtol=1e-4,
                                       atol=1e-5 * max(1.0, np.abs(want[1]).max()))
        else:
            assert got == want


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_group_norm_derivatives_have_torchs_graphs_and_values(dtype):
    agree(group_norm_affine, dtype)


@pytest.mark.parametrize("case", [group_norm_weight_only, group_norm_plain])
def test_group_norm_double_backward_cases(case):
    agree(case)


def test_group_norm_lone_bias_raises_torchs_error_under_create_graph():
    assert oracle.agree(group_norm_lone_bias_error, namespace_arg=True) == (
        "RuntimeError", "shape '[0]' is invalid for input of size 4")


def layer_norm_affine(lib, dtype):
    rng = np.random.RandomState(4)
    x, w, b = (_float(lib, rng, *shape, dtype=dtype) for shape in ((2, 3, 4), (3, 4), (3, 4)))
    y = lib.F.layer_norm(x, (3, 4), w, b)
    grad_fn = lib.torch.autograd.grad(y.pow(3).sum(), x, create_graph=True)[0].grad_fn
    found = _derivatives(lib, y.pow(3).sum(), (x, w, b), {id(x): "x", id(w): "w", id(b): "b"})
    return found + [sorted(k for k in dir(grad_fn) if k.startswith("_saved_"))]


def layer_norm_plain_of_a_transpose(lib):
    """No affine, a non-contiguous input (the double backward reshapes it)."""
    rng = np.random.RandomState(5)
    x = _float(lib, rng, 4, 5)
    y = lib.F.layer_norm(x.t(), (4,))
    (g,) = lib.torch.autograd.grad(y.sin().sum(), x, create_graph=True)
    double = g.grad_fn.next_functions[0][0]
    return _derivatives(lib, y.sin().sum(), (x,), {id(x): "x"}) + [
        double.name(), double._saved_weight]


def layer_norm_weight_only(lib):
    """The gradient for the weight alone, then the second for input, weight and bias: the
    double node gets a gradient for one output (the others undefined, not zeros)."""
    rng = np.random.RandomState(6)
    x, w, b = _float(lib, rng, 3, 2, 4), _float(lib, rng, 4), _float(lib, rng, 4)
    y = lib.F.layer_norm(x, (4,), w, b)
    (g,) = lib.torch.autograd.grad((y * y.detach()).sum(), w, create_graph=True)
    grads = lib.torch.autograd.grad(g.pow(2).sum(), (x, w, b), create_graph=True,
                                    allow_unused=True)
    return _outcome(lib, [g], {id(w): "w"}) + [[h is None for h in grads]] + _outcome(
        lib, [h for h in grads if h is not None], {id(x): "x", id(w): "w", id(b): "b"})


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_layer_norm_derivatives_have_torchs_graphs_and_values(dtype):
    agree(layer_norm_affine, dtype)


@pytest.mark.parametrize("case", [layer_norm_plain_of_a_transpose, layer_norm_weight_only])
def test_layer_norm_double_backward_cases(case):
    agree(case)


@pytest.mark.parametrize("affine", [True, False])
def test_group_norm_second_derivatives_match_finite_differences(affine):
    import engine
    from engine.autograd import gradgradcheck
    rng = np.random.RandomState(7)
    inputs = [engine.tensor(rng.randn(*shape), requires_grad=True)
              for shape in ((2, 4, 3), (4,), (4,))[:3 if affine else 1]]
    assert gradgradcheck(lambda x, *wb: engine.nn.functional.group_norm(x, 2, *wb, eps=1e-3),
                         inputs)
