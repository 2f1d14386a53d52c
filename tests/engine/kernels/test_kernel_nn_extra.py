"""engine.kernels.nn_extra's GELU and NLL kernels against slow NumPy/math references.

(sgd_update is tested in test_kernel_sgd.py.)
"""

import math

import numpy as np
import pytest

from engine.kernels import nn_extra as K

DTYPES = [np.float32, np.float64]
TOLERANCE = {np.float32: 1e-6, np.float64: 1e-12}
APPROXIMATIONS = ["none", "tanh"]
GELU_SHAPES = [(), (1,), (7,), (3, 5), (2, 3, 4, 2)]
NCP_SHAPES = [(1, 1, 1), (7, 5, 1), (2, 3, 4), (3, 4, 5)]


# ---------------------------------------------------------------- references (float64)

def gelu_reference(x, approximate):
    """PyTorch's documented GELU, one Python float at a time."""
    if approximate == "tanh":
        def gelu(v):
            return 0.5 * v * (1 + math.tanh(math.sqrt(2 / math.pi) * (v + 0.044715 * v ** 3)))
    else:
        def gelu(v):
            return 0.5 * v * (1 + math.erf(v / math.sqrt(2)))
    return np.vectorize(gelu, otypes=[np.float64])(np.asarray(x, dtype=np.float64))


def gelu_grad_reference(grad, x, approximate, h=1e-5):
    """grad * d/dx GELU(x) by a central difference of the float64 reference."""
    x = np.asarray(x, dtype=np.float64)
    slope = (gelu_reference(x + h, approximate) - gelu_reference(x - h, approximate)) / (2 * h)
    return np.asarray(grad, dtype=np.float64) * slope


def nll_picked_reference(log_probs, target, weight, ignore_index):
    batch, classes, positions = log_probs.shape
    losses = np.zeros((batch, positions))
    weights = np.zeros((batch, positions))
    for n in range(batch):
        for p in range(positions):
            t = target[n, p]
            if t == ignore_index:
                continue
            weights[n, p] = 1.0 if weight is None else weight[t]
            losses[n, p] = -weights[n, p] * log_probs[n, t, p]
    return losses, weights, losses.sum(), weights.sum()


def nll_grad_reference(target, weights, factor, ncp):
    factor = np.broadcast_to(np.asarray(factor, dtype=np.float64).reshape(-1), weights.size)
    grad = np.zeros(ncp)
    batch, classes, positions = ncp
    for n in range(batch):
        for p in range(positions):
            t = min(max(target[n, p], 0), classes - 1)  # ignored targets have weight 0
            grad[n, t, p] = -weights[n, p] * factor[n * positions + p]
    return grad


# ---------------------------------------------------------------- inputs

def _gelu_input(shape, dtype, seed=0):
    return (np.random.default_rng(seed).standard_normal(shape) * 3).astype(dtype)


def _log_probs(ncp, dtype, seed=0):
    logits = np.random.default_rng(seed).standard_normal(ncp)
    shifted = logits - logits.max(axis=1, keepdims=True)
    return (shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))).astype(dtype)


def _target(ncp, ignore_index, seed=1):
    """Targets in [0, C), every third one replaced by ignore_index."""
    batch, classes, positions = ncp
    target = np.random.default_rng(seed).integers(0, classes, (batch, positions))
    target.reshape(-1)[::3] = ignore_index
    return target


def _weight(classes, dtype):
    return np.linspace(0.25, 3.0, classes).astype(dtype)


# ---------------------------------------------------------------- GELU

@pytest.mark.parametrize("approximate", APPROXIMATIONS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", GELU_SHAPES)
def test_gelu_forward_matches_reference(shape, dtype, approximate):
    x = _gelu_input(shape, dtype)
    y = K.gelu_forward(x, approximate)
    assert y.dtype == dtype and y.shape == shape
    np.testing.assert_allclose(y, gelu_reference(x, approximate),
                               rtol=TOLERANCE[dtype], atol=TOLERANCE[dtype])


@pytest.mark.parametrize("approximate", APPROXIMATIONS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_gelu_forward_at_zero_and_far_tails(dtype, approximate):
    x = np.array([0.0, -0.0, 1e-30, -1e-30, 8.0, -8.0, 20.0, -20.0, 1e4, -1e4], dtype=dtype)
    np.testing.assert_allclose(K.gelu_forward(x, approximate), gelu_reference(x, approximate),
                               rtol=TOLERANCE[dtype], atol=TOLERANCE[dtype])


@pytest.mark.parametrize("dtype", DTYPES)
def test_gelu_forward_reads_non_contiguous_input(dtype):
    x = _gelu_input((4, 6), dtype).T[:, ::2]
    np.testing.assert_allclose(K.gelu_forward(x), gelu_reference(x, "none"),
                               rtol=TOLERANCE[dtype], atol=TOLERANCE[dtype])


@pytest.mark.parametrize("approximate", APPROXIMATIONS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", GELU_SHAPES)
def test_gelu_backward_matches_reference_derivative(shape, dtype, approximate):
    x = _gelu_input(shape, dtype)
    grad = _gelu_input(shape, dtype, seed=1)
    dx = K.gelu_backward(grad, x, approximate)
    assert dx.dtype == dtype and dx.shape == shape
    tolerance = 1e-6 if dtype == np.float32 else 1e-8  # the reference is a finite difference
    np.testing.assert_allclose(dx, gelu_grad_reference(grad, x, approximate),
                               rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize("approximate", APPROXIMATIONS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_gelu_backward_broadcasts_and_casts_grad_to_x(dtype, approximate):
    x = _gelu_input((3, 4), dtype)
    other = np.float64 if dtype == np.float32 else np.float32
    for grad in (np.array(2.0, dtype=other), np.full(4, 2.0, dtype=other)):
        dx = K.gelu_backward(grad, x, approximate)
        assert dx.dtype == dtype and dx.shape == x.shape
        np.testing.assert_allclose(dx, gelu_grad_reference(2.0, x, approximate),
                                   rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("approximate", APPROXIMATIONS)
def test_gelu_backward_at_zero_and_far_tails(approximate):
    x = np.array([0.0, 8.0, -8.0, 20.0, -20.0, 1e4, -1e4])
    # GELU'(0) = 1/2; far right GELU ~ x (slope 1), far left ~ 0 (slope 0).
    expected = [0.5, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0]
    np.testing.assert_allclose(K.gelu_backward(np.ones_like(x), x, approximate), expected,
                               atol=1e-12)


def test_gelu_kernels_refuse_integer_input():
    with pytest.raises(TypeError, match="float32 or float64"):
        K.gelu_forward(np.arange(3))
    with pytest.raises(TypeError, match="float32 or float64"):
        K.gelu_backward(np.ones(3), np.arange(3))


# ---------------------------------------------------------------- nll_picked

@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("ignore_index", [-100, 1])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ncp", NCP_SHAPES)
def test_nll_picked_matches_reference(ncp, dtype, ignore_index, weighted):
    log_probs, target = _log_probs(ncp, dtype), _target(ncp, ignore_index)
    weight = _weight(ncp[1], dtype) if weighted else None
    losses, weights, loss_sum, weight_sum = K.nll_picked(log_probs, target, weight, ignore_index)
    expected = nll_picked_reference(log_probs.astype(np.float64), target, weight, ignore_index)
    assert losses.dtype == weights.dtype == dtype
    assert losses.shape == weights.shape == (ncp[0], ncp[2])
    tolerance = TOLERANCE[dtype]
    np.testing.assert_allclose(losses, expected[0], rtol=tolerance, atol=tolerance)
    np.testing.assert_allclose(weights, expected[1], rtol=tolerance, atol=tolerance)
    np.testing.assert_allclose(loss_sum, expected[2], rtol=tolerance * 10, atol=tolerance)
    np.testing.assert_allclose(weight_sum, expected[3], rtol=tolerance, atol=tolerance)


def test_nll_picked_ignores_every_target_to_zero_sums():
    ncp = (2, 3, 2)
    target = np.full((2, 2), -100)
    losses, weights, loss_sum, weight_sum = K.nll_picked(_log_probs(ncp, np.float64), target,
                                                         _weight(3, np.float64), -100)
    np.testing.assert_array_equal(losses, 0.0)
    np.testing.assert_array_equal(weights, 0.0)
    assert loss_sum == 0.0 and weight_sum == 0.0


def test_nll_picked_casts_weight_to_log_probs_dtype():
    ncp = (4, 3, 1)
    log_probs, target = _log_probs(ncp, np.float32), _target(ncp, -100)
    losses, weights, _, _ = K.nll_picked(log_probs, target, [1.0, 2.0, 3.0], -100)
    assert losses.dtype == weights.dtype == np.float32
    expected = nll_picked_reference(log_probs.astype(np.float64), target, [1.0, 2.0, 3.0], -100)
    np.testing.assert_allclose(losses, expected[0], rtol=1e-6)


@pytest.mark.parametrize("bad", [3, 7, -1, -2, -100])
def test_nll_picked_raises_index_error_naming_out_of_range_target(bad):
    target = np.array([[0, 2], [bad, 1]])
    with pytest.raises(IndexError, match=f"Target {bad} is out of bounds"):
        K.nll_picked(_log_probs((2, 3, 2), np.float64), target, None, ignore_index=5)


# ---------------------------------------------------------------- nll_grad

@pytest.mark.parametrize("per_element", [False, True])
@pytest.mark.parametrize("ignore_index", [-100, 1, 9])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ncp", NCP_SHAPES)
def test_nll_grad_matches_reference(ncp, dtype, ignore_index, per_element):
    target = _target(ncp, ignore_index)
    _, weights, _, _ = K.nll_picked(_log_probs(ncp, dtype), target, _weight(ncp[1], dtype),
                                    ignore_index)
    rng = np.random.default_rng(2)
    factor = (rng.standard_normal((ncp[0], ncp[2])) if per_element
              else np.array(rng.standard_normal())).astype(dtype)
    grad = K.nll_grad(target, weights, factor, ncp)
    assert grad.dtype == dtype and grad.shape == ncp
    np.testing.assert_allclose(grad, nll_grad_reference(target, weights, factor, ncp),
                               rtol=TOLERANCE[dtype], atol=TOLERANCE[dtype])


def test_nll_grad_is_zero_outside_targets_and_at_ignored_positions():
    ncp = (2, 4, 3)
    target = np.array([[0, -100, 3], [9, 2, -5]])  # out-of-range ones are ignored: weight 0
    weights = np.where((target >= 0) & (target < 4), 2.0, 0.0)
    grad = K.nll_grad(target, weights, np.array(0.5), ncp)
    expected = np.zeros(ncp)
    expected[0, 0, 0] = expected[0, 3, 2] = expected[1, 2, 1] = -1.0
    np.testing.assert_array_equal(grad, expected)


def test_nll_grad_scalar_factor_in_any_form_scales_every_position():
    ncp = (3, 2, 2)
    target = np.array([[0, 1], [1, 1], [0, 0]])
    weights = np.arange(1.0, 7.0).reshape(3, 2)
    expected = nll_grad_reference(target, weights, 4.0, ncp)
    for factor in (4.0, np.array(4.0), np.array([4.0]), np.float32(4.0)):
        np.testing.assert_array_equal(K.nll_grad(target, weights, factor, ncp), expected)


def test_nll_grad_per_element_factor_follows_sample_and_position():
    ncp = (2, 3, 2)
    target = np.array([[2, 0], [1, 2]])
    weights = np.ones((2, 2))
    factor = np.array([[1.0, 2.0], [3.0, 4.0]])
    grad = K.nll_grad(target, weights, factor, ncp)
    expected = np.zeros(ncp)
    expected[0, 2, 0], expected[0, 0, 1], expected[1, 1, 0], expected[1, 2, 1] = -1, -2, -3, -4
    np.testing.assert_array_equal(grad, expected)


def test_nll_grad_leaves_ignored_targets_zero_even_for_an_infinite_factor():
    # A mean over no kept target divides by a total weight of 0: the factor is inf, and
    # PyTorch's gradient is still 0 at ignored targets (not -0 * inf = nan).
    ncp = (2, 3, 1)
    target = np.array([[-100], [1]])
    weights = np.array([[0.0], [0.0]])             # target 1 kept, with class weight 0
    grad = K.nll_grad(target, weights, np.array(np.inf), ncp, ignore_index=-100)
    assert grad[0].tolist() == [[0.0], [0.0], [0.0]]
    assert np.isnan(grad[1, 1, 0])                 # a kept target: -0 * inf, as in PyTorch
