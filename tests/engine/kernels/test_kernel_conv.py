"""engine.kernels.conv against a loop reference, finite differences and PyTorch's values."""

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import kernel_reference as ref
from engine.kernels import (conv2d_backward, conv2d_forward, conv2d_grad_bias, conv2d_grad_input,
                            conv2d_grad_weight)

STRIDES = [(1, 1), (2, 1)]
PADDINGS = [(0, 0), (1, 2)]
DILATIONS = [(1, 1), (2, 1)]
GROUPS = [1, 2]
DTYPES = [np.float32, np.float64]
TOLERANCE = {np.float32: 1e-4, np.float64: 1e-10}

GRID = list(itertools.product(STRIDES, PADDINGS, DILATIONS, GROUPS, DTYPES))


def _case(groups, dtype, batch=2, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, 4, 7, 6)).astype(dtype)
    w = rng.standard_normal((6, 4 // groups, 3, 2)).astype(dtype)
    bias = rng.standard_normal(6).astype(dtype)
    return x, w, bias


@pytest.mark.parametrize("stride, padding, dilation, groups, dtype", GRID)
def test_forward_matches_reference(stride, padding, dilation, groups, dtype):
    x, w, bias = _case(groups, dtype)
    y = conv2d_forward(x, w, bias, stride, padding, dilation, groups)
    expected = ref.conv2d(x, w, bias, stride, padding, dilation, groups)
    assert y.dtype == dtype
    np.testing.assert_allclose(y, expected, rtol=TOLERANCE[dtype], atol=TOLERANCE[dtype])


@pytest.mark.parametrize("stride, padding, dilation, groups, dtype", GRID)
def test_gradients_match_reference(stride, padding, dilation, groups, dtype):
    x, w, _ = _case(groups, dtype)
    y = conv2d_forward(x, w, None, stride, padding, dilation, groups)
    grad_y = np.random.default_rng(1).standard_normal(y.shape).astype(dtype)
    grad_x = conv2d_grad_input(grad_y, w, x.shape, stride, padding, dilation, groups)
    grad_w = conv2d_grad_weight(grad_y, x, w.shape, stride, padding, dilation, groups)
    expected_x, expected_w = ref.conv2d_grads(x, w, grad_y, stride, padding, dilation, groups)
    assert grad_x.dtype == dtype and grad_w.dtype == dtype
    np.testing.assert_allclose(grad_x, expected_x, rtol=TOLERANCE[dtype], atol=TOLERANCE[dtype])
    np.testing.assert_allclose(grad_w, expected_w, rtol=TOLERANCE[dtype], atol=TOLERANCE[dtype])
    np.testing.assert_allclose(conv2d_grad_bias(grad_y), grad_y.sum(axis=(0, 2, 3)), rtol=1e-5)


@pytest.mark.parametrize("stride, padding, dilation, groups, dtype", GRID)
def test_backward_in_one_pass_matches_reference(stride, padding, dilation, groups, dtype):
    x, w, _ = _case(groups, dtype)
    y = conv2d_forward(x, w, None, stride, padding, dilation, groups)
    grad_y = np.random.default_rng(1).standard_normal(y.shape).astype(dtype)
    grad_x, grad_w = conv2d_backward(grad_y, x, w, stride, padding, dilation, groups)
    expected_x, expected_w = ref.conv2d_grads(x, w, grad_y, stride, padding, dilation, groups)
    assert grad_x.dtype == dtype and grad_w.dtype == dtype
    np.testing.assert_allclose(grad_x, expected_x, rtol=TOLERANCE[dtype], atol=TOLERANCE[dtype])
    np.testing.assert_allclose(grad_w, expected_w, rtol=TOLERANCE[dtype], atol=TOLERANCE[dtype])


@pytest.mark.parametrize("stride, padding, dilation, groups, dtype", GRID)
def test_kept_columns_give_the_same_gradients(stride, padding, dilation, groups, dtype):
    x, w, bias = _case(groups, dtype)
    args = (stride, padding, dilation, groups)
    y, columns = conv2d_forward(x, w, bias, *args, keep_columns=True)
    np.testing.assert_array_equal(y, conv2d_forward(x, w, bias, *args))
    grad_y = np.random.default_rng(1).standard_normal(y.shape).astype(dtype)
    np.testing.assert_array_equal(conv2d_grad_weight(grad_y, x, w.shape, *args, columns),
                                  conv2d_grad_weight(grad_y, x, w.shape, *args))
    for kept, unrolled in zip(conv2d_backward(grad_y, x, w, *args, columns),
                              conv2d_backward(grad_y, x, w, *args)):
        np.testing.assert_array_equal(kept, unrolled)


def test_columns_past_the_size_limit_are_not_kept(monkeypatch):
    from engine.kernels import conv
    x, w, bias = _case(1, np.float32)
    monkeypatch.setattr(conv, "KEEP_COLUMNS_MAX_BYTES", 64)
    y, columns = conv2d_forward(x, w, bias, (1, 1), (0, 0), (1, 1), 1, keep_columns=True)
    assert columns is None
    np.testing.assert_array_equal(y, conv2d_forward(x, w, bias, (1, 1), (0, 0), (1, 1), 1))


@pytest.mark.parametrize("stride, padding, dilation, groups", [((2, 1), (1, 2), (2, 1), 2), ((1, 1), (0, 0), (1, 1), 1)])
def test_backward_kernels_match_finite_differences(stride, padding, dilation, groups):
    x, w, bias = _case(groups, np.float64, batch=1)
    y = conv2d_forward(x, w, bias, stride, padding, dilation, groups)
    grad_y = np.random.default_rng(2).standard_normal(y.shape)
    forward_of_x = lambda xx: conv2d_forward(xx, w, bias, stride, padding, dilation, groups)
    forward_of_w = lambda ww: conv2d_forward(x, ww, bias, stride, padding, dilation, groups)
    forward_of_b = lambda bb: conv2d_forward(x, w, bb, stride, padding, dilation, groups)
    np.testing.assert_allclose(conv2d_grad_input(grad_y, w, x.shape, stride, padding, dilation, groups),
                               ref.numerical_vjp(forward_of_x, x, grad_y), atol=1e-6)
    np.testing.assert_allclose(conv2d_grad_weight(grad_y, x, w.shape, stride, padding, dilation, groups),
                               ref.numerical_vjp(forward_of_w, w, grad_y), atol=1e-6)
    np.testing.assert_allclose(conv2d_grad_bias(grad_y), ref.numerical_vjp(forward_of_b, bias, grad_y), atol=1e-6)


@pytest.mark.parametrize("groups", [1, 2])
def test_grad_weight_with_many_output_positions_matches_reference(groups):
    # A larger image (288 output positions per sample), with and without groups.
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 4, 20, 18))
    w = rng.standard_normal((6, 4 // groups, 3, 2))
    args = ((1, 1), (0, 0), (1, 1), groups)
    grad_y = rng.standard_normal(conv2d_forward(x, w, None, *args).shape)
    _, expected_w = ref.conv2d_grads(x, w, grad_y, *args)
    np.testing.assert_allclose(conv2d_grad_weight(grad_y, x, w.shape, *args), expected_w, rtol=1e-10, atol=1e-10)


def test_large_batch_split_over_threads_equals_per_sample_results():
    # Big enough that the wrappers split the batch over two threads.
    rng = np.random.default_rng(3)
    x = rng.standard_normal((17, 4, 20, 20)).astype(np.float32)
    w = rng.standard_normal((6, 4, 3, 3)).astype(np.float32)
    args = ((1, 1), (1, 1), (1, 1), 1)
    y = conv2d_forward(x, w, None, *args)
    grad_y = rng.standard_normal(y.shape).astype(np.float32)
    grad_x = conv2d_grad_input(grad_y, w, x.shape, *args)
    grad_w = conv2d_grad_weight(grad_y, x, w.shape, *args)
    for n in range(x.shape[0]):
        sample, sample_grad = x[n:n + 1], grad_y[n:n + 1]
        np.testing.assert_allclose(y[n:n + 1], conv2d_forward(sample, w, None, *args), rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(grad_x[n:n + 1], conv2d_grad_input(sample_grad, w, sample.shape, *args),
                                   rtol=1e-6, atol=1e-6)
    per_sample_w = sum(conv2d_grad_weight(grad_y[n:n + 1], x[n:n + 1], w.shape, *args) for n in range(17))
    np.testing.assert_allclose(grad_w, per_sample_w, rtol=1e-4, atol=1e-3)
    one_pass_x, one_pass_w = conv2d_backward(grad_y, x, w, *args)
    np.testing.assert_array_equal(one_pass_x, grad_x)
    np.testing.assert_allclose(one_pass_w, grad_w, rtol=1e-6, atol=1e-5)


def test_split_worker_follows_the_callers_numpy_error_state():
    x = np.ones((17, 4, 20, 20), dtype=np.float32)
    x[8:] = 3e38  # only the worker thread's half (samples 8..16) overflows
    w = np.ones((6, 4, 3, 3), dtype=np.float32)
    bias = np.full(6, 3e38, dtype=np.float32)
    with np.errstate(all="raise"):
        with pytest.raises(FloatingPointError):
            conv2d_forward(x, w, bias, (1, 1), (1, 1), (1, 1), 1)
    with np.errstate(all="ignore"):
        assert np.isinf(conv2d_forward(x, w, bias, (1, 1), (1, 1), (1, 1), 1)).any()


def test_non_contiguous_input_is_accepted():
    x, w, bias = _case(1, np.float64)
    x_strided = np.asfortranarray(x)
    np.testing.assert_allclose(conv2d_forward(x_strided, w, bias, (1, 1), (0, 0), (1, 1), 1),
                               conv2d_forward(x, w, bias, (1, 1), (0, 0), (1, 1), 1))


def test_mismatched_groups_and_dtypes_raise():
    x, w, bias = _case(1, np.float64)
    with pytest.raises(ValueError, match="groups=3"):
        conv2d_forward(x, w, bias, (1, 1), (0, 0), (1, 1), 3)
    with pytest.raises(TypeError, match="float32"):
        conv2d_forward(x, w.astype(np.float32), bias, (1, 1), (0, 0), (1, 1), 1)
    with pytest.raises(ValueError, match="too small"):
        conv2d_forward(x[:, :, :2], w, bias, (1, 1), (0, 0), (1, 1), 1)


# Compared with torch 2.13 (float64), live.
def test_matches_pytorch_values():
    x = np.sin(np.arange(50.0)).reshape(1, 2, 5, 5)
    w = np.cos(np.arange(18.0)).reshape(2, 1, 3, 3)
    bias = np.array([0.5, -0.25])
    args = ((2, 2), (1, 1), (1, 1), 2)
    y = conv2d_forward(x, w, bias, *args)
    grad_y = np.linspace(-1, 1, 18).reshape(y.shape)
    tx, tw, tbias = (torch.tensor(a, requires_grad=True) for a in (x, w, bias))
    ty = F.conv2d(tx, tw, tbias, *args)
    ty.backward(torch.from_numpy(grad_y))
    for actual, expected in [(y, ty), (conv2d_grad_input(grad_y, w, x.shape, *args), tx.grad),
                             (conv2d_grad_weight(grad_y, x, w.shape, *args), tw.grad),
                             (conv2d_grad_bias(grad_y), tbias.grad)]:
        np.testing.assert_allclose(actual, expected.detach().numpy(), rtol=1e-12, atol=1e-12)
