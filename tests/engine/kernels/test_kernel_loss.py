"""engine.kernels.loss against references, finite differences and PyTorch's values."""

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import kernel_reference as ref
from engine.kernels import (cross_entropy_backward, cross_entropy_forward,
                            cross_entropy_grad_log_probs, log_softmax_backward,
                            log_softmax_forward, nll_loss_backward, nll_loss_forward)

DTYPES = [np.float32, np.float64]
TOLERANCE = {np.float32: 1e-5, np.float64: 1e-12}
WEIGHT = np.array([1.0, 2.0, 0.5, 3.0, 0.25])
TARGET = np.array([0, 4, -100, 2, 1, -100, 3])
GRID = list(itertools.product([False, True], ["mean", "sum", "none"], [0.0, 0.3], [-100, 2], DTYPES))


def _logits(dtype, shape=(7, 5), seed=0):
    return (np.random.default_rng(seed).standard_normal(shape) * 2).astype(dtype)


def _target(ignore_index):
    return np.where(TARGET == -100, ignore_index, TARGET)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(7, 5), (1, 10), (2, 3, 4)])
def test_log_softmax_matches_reference(shape, dtype):
    x = _logits(dtype, shape)
    y = log_softmax_forward(x)
    assert y.dtype == dtype and y.shape == shape
    np.testing.assert_allclose(y, ref.log_softmax(x), rtol=TOLERANCE[dtype], atol=TOLERANCE[dtype])


def test_log_softmax_is_stable_and_propagates_inf_as_pytorch():
    y = log_softmax_forward(np.array([[1000.0, 0.0], [-np.inf, 0.0], [np.inf, 0.0]]))
    np.testing.assert_allclose(y[0], [0.0, -1000.0])
    np.testing.assert_array_equal(y[1], [-np.inf, 0.0])
    assert np.isnan(y[2]).all()  # PyTorch: [nan, nan]


def test_log_softmax_backward_matches_finite_differences():
    x = _logits(np.float64, (3, 4))
    grad_y = np.random.default_rng(1).standard_normal(x.shape)
    numeric = ref.numerical_vjp(log_softmax_forward, x, grad_y)
    np.testing.assert_allclose(log_softmax_backward(grad_y, log_softmax_forward(x)), numeric, atol=1e-6)


@pytest.mark.parametrize("weighted, reduction, smoothing, ignore_index, dtype", GRID)
def test_losses_match_reference(weighted, reduction, smoothing, ignore_index, dtype):
    logits, target = _logits(dtype), _target(ignore_index)
    weight = WEIGHT.astype(dtype) if weighted else None
    loss, log_probs = cross_entropy_forward(logits, target, weight, ignore_index, reduction, smoothing)
    expected = ref.cross_entropy(ref.log_softmax(logits), target, weight, ignore_index, reduction, smoothing)
    assert loss.dtype == dtype and loss.shape == np.shape(expected)
    np.testing.assert_allclose(loss, expected, rtol=TOLERANCE[dtype] * 10, atol=TOLERANCE[dtype])
    nll, total_weight = nll_loss_forward(log_probs, target, weight, ignore_index, reduction)
    expected_nll = ref.cross_entropy(log_probs.astype(np.float64), target, weight, ignore_index, reduction, 0.0)
    np.testing.assert_allclose(nll, expected_nll, rtol=TOLERANCE[dtype] * 10, atol=TOLERANCE[dtype])
    kept = target != ignore_index
    np.testing.assert_allclose(total_weight, (WEIGHT[target[kept]] if weighted else kept[kept]).sum(), rtol=1e-6)


@pytest.mark.parametrize("weighted, reduction, smoothing, ignore_index", [
    (weighted, reduction, smoothing, ignore_index)
    for weighted, reduction, smoothing, ignore_index, dtype in GRID if dtype == np.float64])
def test_loss_backwards_match_finite_differences(weighted, reduction, smoothing, ignore_index):
    logits, target = _logits(np.float64), _target(ignore_index)
    weight = WEIGHT if weighted else None
    options = (weight, ignore_index, reduction)
    loss, log_probs = cross_entropy_forward(logits, target, *options, smoothing)
    grad_loss = np.random.default_rng(4).standard_normal(np.shape(loss))
    ce_of_logits = lambda z: cross_entropy_forward(z, target, *options, smoothing)[0]
    ce_of_log_probs = lambda lp: ref.cross_entropy(lp, target, weight, ignore_index, reduction, smoothing)
    nll_of_log_probs = lambda lp: nll_loss_forward(lp, target, *options)[0]
    np.testing.assert_allclose(cross_entropy_backward(grad_loss, log_probs, target, *options, smoothing),
                               ref.numerical_vjp(ce_of_logits, logits, grad_loss), atol=1e-6)
    np.testing.assert_allclose(cross_entropy_grad_log_probs(grad_loss, log_probs, target, *options, smoothing),
                               ref.numerical_vjp(ce_of_log_probs, log_probs, grad_loss), atol=1e-6)
    _, total_weight = nll_loss_forward(log_probs, target, *options)
    np.testing.assert_allclose(nll_loss_backward(grad_loss, log_probs, target, *options, total_weight),
                               ref.numerical_vjp(nll_of_log_probs, log_probs, grad_loss), atol=1e-6)


def test_out_of_range_target_raises_pytorchs_error():
    log_probs, bad_target = log_softmax_forward(_logits(np.float64)), np.array([0, 5, 1, 1, 1, 1, 1])
    with pytest.raises(IndexError, match="^Target 5 is out of bounds.$"):
        nll_loss_forward(log_probs, bad_target)
    for backward in (nll_loss_backward, cross_entropy_backward, cross_entropy_grad_log_probs):
        with pytest.raises(IndexError, match="^Target 5 is out of bounds.$"):
            backward(np.array(1.0), log_probs, bad_target)
    with pytest.raises(IndexError, match="^Target -1 is out of bounds.$"):
        cross_entropy_backward(np.array(1.0), log_probs, -bad_target.clip(0, 1), reduction="sum")


def test_mean_over_only_ignored_targets_is_nan_as_pytorch():
    loss, total_weight = nll_loss_forward(_logits(np.float32), np.full(7, -100))
    assert np.isnan(loss) and total_weight == 0


def test_bad_reduction_raises():
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        nll_loss_forward(_logits(np.float64), TARGET, reduction="avg")


# Compared with torch 2.13 (float64), live.
LOGITS = np.array([[1.0, 2, 0.5, -1], [0.0, 0, 0, 0], [3, -2, 1, 0.25], [-1, 2, 2, 1]])


def pytorch_cross_entropy(target, reduction="mean", weight=None, label_smoothing=0.0):
    """torch 2.13's loss and gradient of the logits (for an all-ones output gradient)."""
    logits = torch.tensor(LOGITS, requires_grad=True)
    loss = F.cross_entropy(logits, torch.from_numpy(target),
                           None if weight is None else torch.from_numpy(weight),
                           reduction=reduction, label_smoothing=label_smoothing)
    loss.backward(torch.ones_like(loss))
    return loss.detach().numpy(), logits.grad.numpy()


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_matches_pytorch_values(reduction):
    target, weight = np.array([1, 3, -100, 0]), np.array([1.0, 2, 0.5, 3])
    loss, log_probs = cross_entropy_forward(LOGITS, target, weight, -100, reduction, 0.1)
    grad = cross_entropy_backward(np.ones_like(loss), log_probs, target, weight, -100, reduction, 0.1)
    expected_loss, expected_grad = pytorch_cross_entropy(target, reduction, weight, 0.1)
    np.testing.assert_allclose(loss, expected_loss, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grad, expected_grad, rtol=1e-12, atol=1e-12)


def test_plain_cross_entropy_matches_pytorch_values():
    target = np.array([1, 3, 2, 0])
    loss, log_probs = cross_entropy_forward(LOGITS, target)
    expected_loss, expected_grad = pytorch_cross_entropy(target)
    np.testing.assert_allclose(loss, expected_loss, rtol=1e-12)
    np.testing.assert_allclose(cross_entropy_backward(np.array(1.0), log_probs, target),
                               expected_grad, rtol=1e-12, atol=1e-12)
