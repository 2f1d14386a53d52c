"""engine.kernels.batch_norm against a NumPy reference, finite differences and PyTorch's values."""

import numpy as np
import pytest
import torch

import kernel_reference as ref
from engine.kernels import batch_norm_backward, batch_norm_eval_forward, batch_norm_train_forward

DTYPES = [np.float32, np.float64]
TOLERANCE = {np.float32: 1e-5, np.float64: 1e-12}
SHAPES = [(6, 3), (4, 3, 5, 2)]
EPS = 1e-5


def _case(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(shape) * 3 + 1).astype(dtype)
    weight = rng.standard_normal(shape[1]).astype(dtype)
    bias = rng.standard_normal(shape[1]).astype(dtype)
    return x, weight, bias


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("affine", [True, False])
def test_train_forward_matches_reference(shape, dtype, affine):
    x, weight, bias = _case(shape, dtype)
    if not affine:
        weight = bias = None
    y, mean, invstd, var_sum = batch_norm_train_forward(x, weight, bias, EPS)
    expected_y, expected_mean, expected_invstd = ref.batch_norm_train(x, weight, bias, EPS)
    tolerance = TOLERANCE[dtype] * 10
    assert y.dtype == mean.dtype == invstd.dtype == dtype and y.shape == shape
    np.testing.assert_allclose(y, expected_y, rtol=tolerance, atol=tolerance)
    np.testing.assert_allclose(mean, expected_mean, rtol=tolerance, atol=tolerance)
    np.testing.assert_allclose(invstd, expected_invstd, rtol=tolerance, atol=tolerance)
    count = x.size // shape[1]
    np.testing.assert_allclose(var_sum, count / expected_invstd.astype(np.float64) ** 2
                               - count * EPS, rtol=tolerance * 10, atol=tolerance * 10)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_eval_forward_uses_running_statistics(shape, dtype):
    x, weight, bias = _case(shape, dtype)
    running_mean = np.linspace(-1, 1, shape[1]).astype(dtype)
    running_var = np.linspace(0.5, 2, shape[1]).astype(dtype)
    y = batch_norm_eval_forward(x, running_mean, running_var, weight, bias, EPS)
    view = (1, -1) + (1,) * (len(shape) - 2)
    expected = ((x.astype(np.float64) - running_mean.reshape(view)) / np.sqrt(running_var.reshape(view) + EPS)
                * weight.reshape(view) + bias.reshape(view))
    np.testing.assert_allclose(y, expected, rtol=TOLERANCE[dtype] * 10, atol=TOLERANCE[dtype] * 10)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("training", [True, False])
def test_backward_matches_finite_differences(shape, training):
    x, weight, bias = _case(shape, np.float64)
    running_mean, running_var = np.linspace(-1, 1, shape[1]), np.linspace(0.5, 2, shape[1])
    grad_y = np.random.default_rng(5).standard_normal(shape)

    def forward(xx, ww, bb):
        if training:
            return batch_norm_train_forward(xx, ww, bb, EPS)[0]
        return batch_norm_eval_forward(xx, running_mean, running_var, ww, bb, EPS)

    _, mean, invstd, _ = batch_norm_train_forward(x, weight, bias, EPS)
    grad_x, grad_w, grad_b = batch_norm_backward(grad_y, x, weight, mean, invstd, training,
                                                 running_mean, running_var, EPS)
    np.testing.assert_allclose(grad_x, ref.numerical_vjp(lambda xx: forward(xx, weight, bias), x, grad_y), atol=1e-6)
    np.testing.assert_allclose(grad_w, ref.numerical_vjp(lambda ww: forward(x, ww, bias), weight, grad_y), atol=1e-6)
    np.testing.assert_allclose(grad_b, ref.numerical_vjp(lambda bb: forward(x, weight, bb), bias, grad_y), atol=1e-6)


def test_documented_running_variance_update_is_unbiased():
    x, _, _ = _case((6, 3), np.float64)
    _, _, invstd, _ = batch_norm_train_forward(x, None, None, EPS)
    count = x.shape[0]
    unbiased = (1.0 / invstd ** 2 - EPS) * count / (count - 1)
    np.testing.assert_allclose(unbiased, x.var(axis=0, ddof=1), rtol=1e-10)


def test_one_value_per_channel_in_training_raises_as_pytorch():
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        batch_norm_train_forward(np.ones((1, 3)), None, None)


# Compared with torch 2.13 (float64), live.
BN_X = np.array([[[[1.0, 2], [3, 4]], [[0, -1], [2, 5]]], [[[2, 2], [0, 1]], [[1, 1], [-3, 0]]]])


def test_matches_pytorch_values():
    weight, bias = np.array([1.5, -0.5]), np.array([0.1, 0.2])
    y, mean, invstd, _ = batch_norm_train_forward(BN_X, weight, bias, 1e-5)
    grad_y = np.linspace(-1, 1, 16).reshape(BN_X.shape)
    grad_x, grad_w, grad_b = batch_norm_backward(grad_y, BN_X, weight, mean, invstd, True)
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (BN_X, weight, bias))
    ty, tmean, tinvstd = torch.ops.aten.native_batch_norm(tx, tw, tb, None, None, True,
                                                          0.1, 1e-5)
    ty.backward(torch.from_numpy(grad_y))
    for actual, expected in [(y, ty), (mean, tmean), (invstd, tinvstd), (grad_x, tx.grad),
                             (grad_w, tw.grad), (grad_b, tb.grad)]:
        np.testing.assert_allclose(actual, expected.detach().numpy(), rtol=1e-12, atol=1e-12)


def _torch_batch_norm(x, weight, bias, training, running_mean=None, running_var=None):
    tensors = [None if a is None else torch.from_numpy(a.copy())
               for a in (x, weight, bias, running_mean, running_var)]
    return [t.numpy() for t in torch.ops.aten.native_batch_norm(*tensors, training, 0.1,
                                                                 EPS)[:3]]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(3, 5, 50), (2, 3, 4, 5), (7, 3, 2, 2)])
def test_forward_is_atens_to_the_bit(shape, dtype):
    """Statistics as ATen collects them and x * alpha + beta as fused multiply-adds: equal
    to torch's bit for bit, in training and in eval (N-C-spatial input)."""
    x, weight, bias = _case(shape, dtype, seed=3)
    y, mean, invstd, _ = batch_norm_train_forward(x, weight, bias, EPS)
    for actual, expected in zip((y, mean, invstd),
                                _torch_batch_norm(x, weight, bias, True)):
        np.testing.assert_array_equal(actual, expected)
    running_mean, running_var = mean * 0.5, invstd + 0.25
    y = batch_norm_eval_forward(x, running_mean, running_var, weight, bias, EPS)
    expected = _torch_batch_norm(x, weight, bias, False, running_mean, running_var)[0]
    np.testing.assert_array_equal(y, expected)


def test_a_constant_channel_gives_the_rounding_error_of_the_fused_product():
    """(x - mean) * invstd is 0 where a channel is constant, but ATen computes
    fma(x, alpha, beta) with beta = fma(-mean, alpha, bias): what is left is the rounding of
    x * alpha (nn seed 1106657, an InstanceNorm of an upsampled 1x1 input)."""
    x = np.repeat(np.array([-0.681, 1.28, 0.003], np.float32), 4).reshape(1, 3, 2, 2)
    y, _, _, var_sum = batch_norm_train_forward(x, None, None, EPS)
    expected = _torch_batch_norm(x, None, None, True)[0]
    np.testing.assert_array_equal(y, expected)
    assert np.all(var_sum == 0) and np.any(y != 0)
