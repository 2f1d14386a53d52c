"""layer_norm / LayerNorm, smooth_l1_loss / SmoothL1Loss, mse_loss's dtype and the layout
of unreduced pointwise losses, live against torch: values, node names, saved values,
gradients, errors and warnings."""
import numpy as np
import pytest

from surface_live import check

RNG = np.random.default_rng(5)
X = RNG.uniform(-2, 2, size=(2, 3, 4))
T = RNG.uniform(-2, 2, size=(2, 3, 4))


def _grads(t, y, *leaves):
    upstream = np.random.default_rng(1).uniform(-1, 1, size=tuple(y.shape))
    y.backward(t.tensor(upstream, dtype=y.dtype))
    return [y] + [leaf.grad for leaf in leaves]


def layer_norm_case(shape, affine=True, bias=True):
    weight, shift = RNG.uniform(0.5, 1.5, size=shape), RNG.uniform(-1, 1, size=shape)

    def snippet(t):
        x = t.tensor(X, requires_grad=True)
        w = t.tensor(weight, requires_grad=True) if affine else None
        b = t.tensor(shift, requires_grad=True) if bias else None
        y = t.nn.functional.layer_norm(x, shape, w, b, eps=1e-3)
        return _grads(t, y, *[p for p in (x, w, b) if p is not None])
    return snippet


LAYER_NORM = {
    "last dim": layer_norm_case((4,)),
    "two dims": layer_norm_case((3, 4)),
    "no bias": layer_norm_case((4,), bias=False),
    "no affine": layer_norm_case((4,), affine=False, bias=False),
    "module": lambda t: (lambda m, x: _grads(t, m(x), x, m.weight, m.bias))(
        t.nn.LayerNorm(4), t.tensor(X, dtype=t.float32, requires_grad=True)),
    "module on float64": lambda t: t.nn.LayerNorm(4)(t.tensor(X)),
    "module repr": lambda t: [repr(t.nn.LayerNorm(4)), repr(t.nn.LayerNorm((3, 4), eps=1e-3,
                                                                           bias=False)),
                              repr(t.nn.LayerNorm(4, elementwise_affine=False))],
    "module parameters": lambda t: [(n, p) for n, p in t.nn.LayerNorm((2, 2)).named_parameters()],
    "saved": lambda t: (lambda n: [n._saved_normalized_shape, n._saved_result1,
                                   n._saved_result2, n._saved_weight, n._saved_bias])(
        t.nn.functional.layer_norm(t.tensor(X, requires_grad=True), [4]).grad_fn),
    "edges": lambda t: [e[0] is None for e in t.nn.functional.layer_norm(
        t.tensor(X, requires_grad=True), [4]).grad_fn.next_functions],
    # Rows of one element: x - mean is 0, but torch's grad_weight is fma rounding noise.
    "rows of one": lambda t: (lambda x, w: _grads(t, t.nn.functional.layer_norm(x, (1,), w),
                                                  w))(
        t.tensor(X[..., :1] * 50, dtype=t.float32, requires_grad=True),
        t.tensor([1.5], requires_grad=True, dtype=t.float32)),
    "empty normalized shape": lambda t: (lambda x: _grads(t, t.nn.LayerNorm((0, 1))(x), x))(
        t.ones(2, 0, 1, requires_grad=True)),
    "wrong shape": lambda t: t.nn.functional.layer_norm(t.ones(3, 4), (3,)),
    "wrong weight": lambda t: t.nn.functional.layer_norm(t.ones(3, 4), (4,), t.ones(3)),
}


@pytest.mark.parametrize("name", sorted(LAYER_NORM))
def test_layer_norm(name):
    check(LAYER_NORM[name], rtol=1e-4, atol=1e-5)


def smooth_l1_case(reduction="mean", beta=1.0, target_dtype=None, target_shape=None):
    def snippet(t):
        x = t.tensor(X, dtype=t.float32, requires_grad=True)
        target = T if target_shape is None else T[..., :1]
        y = t.tensor(target, dtype=target_dtype or t.float32, requires_grad=target_dtype is None)
        loss = t.nn.functional.smooth_l1_loss(x, y, reduction=reduction, beta=beta)
        return _grads(t, loss, x, *([y] if y.requires_grad else []))
    return snippet


SMOOTH_L1 = {
    "mean": smooth_l1_case(),
    "sum": smooth_l1_case("sum"),
    "none": smooth_l1_case("none"),
    "beta 0.5": smooth_l1_case(beta=0.5),
    "beta 0 is l1": smooth_l1_case(beta=0.0),
    "int64 target": smooth_l1_case(target_dtype="int64"),
    "broadcast target": smooth_l1_case(target_shape="broadcast"),
    "negative beta": smooth_l1_case(beta=-1.0),
    "bad reduction": smooth_l1_case("avg"),
    "module": lambda t: (lambda x: _grads(t, t.nn.SmoothL1Loss(beta=0.5)(x, t.tensor(T).float()),
                                          x))(t.tensor(X, dtype=t.float32, requires_grad=True)),
    "module repr": lambda t: repr(t.nn.SmoothL1Loss(beta=0.5)),
    "saved": lambda t: (lambda n: [n._saved_beta, n._saved_reduction, n._saved_target])(
        t.nn.functional.smooth_l1_loss(t.ones(2, requires_grad=True), t.zeros(2),
                                       reduction="sum", beta=2.0).grad_fn),
}


def _int64(t, name):
    return getattr(t, name) if isinstance(name, str) else name


@pytest.mark.parametrize("name", sorted(SMOOTH_L1))
def test_smooth_l1_loss(name):
    def snippet(t):
        original = t.tensor

        def tensor(data, dtype=None, **kw):
            return original(data, dtype=_int64(t, dtype) if dtype else None, **kw)
        return SMOOTH_L1[name](_Namespace(t, tensor))
    check(snippet, rtol=1e-4, atol=1e-5)


class _Namespace:
    """The library with `tensor` accepting a dtype's name (so cases can say "int64")."""

    def __init__(self, module, tensor) -> None:
        self._module, self.tensor = module, tensor

    def __getattr__(self, name):
        return getattr(self._module, name)


MSE = {
    "int64 target": lambda t: (lambda x: _grads(t, t.nn.functional.mse_loss(
        x, t.tensor([0, 2, -1])), x))(t.tensor([0.5, 1.0, 3.0], requires_grad=True)),
    "int32 target": lambda t: t.nn.functional.mse_loss(t.tensor([0.5, 1.0]),
                                                       t.tensor([0, 2], dtype=t.int32)),
    "float64 target": lambda t: t.nn.functional.mse_loss(t.tensor([0.5, 1.0]),
                                                         t.tensor([0.0, 2.0], dtype=t.float64)),
    "none, int64 target": lambda t: t.nn.MSELoss(reduction="none")(t.tensor([0.5, 1.0]),
                                                                  t.tensor([1, 1])),
}


@pytest.mark.parametrize("name", sorted(MSE))
def test_mse_loss_dtype(name):
    check(MSE[name])


def _layouts(t):
    """Unreduced pointwise losses of a transposed input (or target): the result's strides,
    as TensorIterator lays it out (fuzz seed 1105969: reshape then viewed, not copied)."""
    F = t.nn.functional
    x = t.tensor([[0.3, -1.2, 0.5], [1.1, 0.4, -0.7]], requires_grad=True).t()
    target = t.tensor([[0.1, 0.2], [0.9, -0.4], [0.3, 0.3]])
    p = t.tensor([[0.2, 0.7, 0.5], [0.9, 0.4, 0.1]], requires_grad=True).t()
    signs = t.tensor([[1.0, -1.0], [-1.0, 1.0], [1.0, 1.0]])
    unit = target.abs().clamp(0, 1)
    losses = {
        "mse": F.mse_loss(x, target, reduction="none"),
        "mse, target transposed": F.mse_loss(target, x, reduction="none"),
        "smooth_l1": F.smooth_l1_loss(x, target, reduction="none"),
        "smooth_l1, target transposed": F.smooth_l1_loss(target, x, reduction="none"),
        "huber": F.huber_loss(x, target, reduction="none"),
        "huber, target transposed": F.huber_loss(target, x, reduction="none"),
        "soft_margin": F.soft_margin_loss(x, signs, reduction="none"),
        "bce": F.binary_cross_entropy(p, unit, reduction="none"),
        "bce, target transposed": F.binary_cross_entropy(unit.requires_grad_(), p.detach(),
                                                         reduction="none"),
    }
    return {name: (loss.stride(), loss.reshape(6).grad_fn.name(), loss)
            for name, loss in losses.items()}


def test_unreduced_losses_keep_the_iterators_layout():
    check(_layouts)
