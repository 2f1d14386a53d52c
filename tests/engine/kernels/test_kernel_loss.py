"""engine.kernels.loss against references, finite differences and recorded PyTorch values."""

import itertools

import numpy as np
import pytest

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


# Recorded from PyTorch 2.13 (float64): cross_entropy(LOGITS, [1, 3, -100, 0],
# weight=[1, 2, 0.5, 3], label_smoothing=0.1) per reduction, backward with ones;
# CE_PLAIN_* is cross_entropy(LOGITS, [1, 3, 2, 0]) with defaults.
LOGITS = np.array([[1.0, 2, 0.5, -1], [0.0, 0, 0, 0], [3, -2, 1, 0.25], [-1, 2, 2, 1]])
CE_MEAN_LOSS = 1.4994650138068553
CE_MEAN_GRAD = [[ 0.06916797381993246, -0.10898911270203396,  0.04239637454079243, -0.00257523565869094],
 [ 0.11510416666666666,  0.1109375          ,  0.11718749999999999, -0.34322916666666664],
 [ 0.                 ,  0.                 ,  0.                 ,  0.                 ],
 [-0.15051998504672898,  0.06491222499103504,  0.07116222499103504,  0.01444553506465892]]
CE_SUM_LOSS = 8.996790082841134
CE_SUM_GRAD = [[ 0.4150078429195947 , -0.6539346762122038 ,  0.2543782472447546 , -0.01545141395214567],
 [ 0.690625           ,  0.665625           ,  0.7031250000000001 , -2.059375           ],
 [ 0.                 ,  0.                 ,  0.                 ,  0.                 ],
 [-0.9031199102803739 ,  0.38947334994621025,  0.4269733499462102 ,  0.08667321038795353]]
CE_NONE_LOSS = [1.2405444749934924, 3.9682676087056863, 0.                , 3.787977999141953 ]
CE_NONE_GRAD = [[ 0.4150078429195947 , -0.6539346762122038 ,  0.2543782472447546 , -0.01545141395214567],
 [ 0.690625           ,  0.665625           ,  0.7031250000000001 , -2.059375           ],
 [ 0.                 ,  0.                 ,  0.                 ,  0.                 ],
 [-0.9031199102803739 ,  0.38947334994621025,  0.4269733499462102 ,  0.08667321038795353]]
CE_PLAIN_LOSS = 1.9878972713106138
CE_PLAIN_GRAD = [[ 0.05605195451205029, -0.09763499060028072,  0.03399722894837638,  0.00758580713985406],
 [ 0.0625             ,  0.0625             ,  0.0625             , -0.1875             ],
 [ 0.20729666148228287,  0.00139675391815498, -0.22194544760429102,  0.01325203220385322],
 [-0.2448517435953821 ,  0.10340549410499064,  0.10340549410499064,  0.03804075538540083]]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_matches_recorded_pytorch_values(reduction):
    target, weight = np.array([1, 3, -100, 0]), np.array([1.0, 2, 0.5, 3])
    loss, log_probs = cross_entropy_forward(LOGITS, target, weight, -100, reduction, 0.1)
    grad = cross_entropy_backward(np.ones_like(loss), log_probs, target, weight, -100, reduction, 0.1)
    expected_loss = globals()[f"CE_{reduction.upper()}_LOSS"]
    expected_grad = globals()[f"CE_{reduction.upper()}_GRAD"]
    np.testing.assert_allclose(loss, expected_loss, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grad, expected_grad, rtol=1e-12, atol=1e-12)


def test_plain_cross_entropy_matches_recorded_pytorch_values():
    loss, log_probs = cross_entropy_forward(LOGITS, np.array([1, 3, 2, 0]))
    np.testing.assert_allclose(loss, CE_PLAIN_LOSS, rtol=1e-12)
    np.testing.assert_allclose(cross_entropy_backward(np.array(1.0), log_probs, np.array([1, 3, 2, 0])),
                               CE_PLAIN_GRAD, rtol=1e-12, atol=1e-12)
