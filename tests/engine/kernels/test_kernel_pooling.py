"""engine.kernels.pooling against loop references, finite differences and PyTorch's values."""

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import kernel_reference as ref
from engine.kernels import (adaptive_avg_pool2d_backward, adaptive_avg_pool2d_forward,
                            avg_pool2d_backward, avg_pool2d_forward, max_pool2d_backward,
                            max_pool2d_forward)

DTYPES = [np.float32, np.float64]
MAX_GRID = [
    (kernel, stride, padding, dilation, ceil_mode, dtype)
    for kernel, stride, padding, dilation, ceil_mode, dtype in itertools.product(
        [(2, 2), (3, 2)], [(1, 1), (2, 2), (3, 1)], [(0, 0), (1, 1)], [(1, 1), (2, 1)], [False, True], DTYPES)
    if 2 * padding[0] <= dilation[0] * (kernel[0] - 1) + 1
]
AVG_GRID = list(itertools.product(
    [(2, 2), (3, 2)], [(1, 1), (2, 2), (3, 1)], [(0, 0), (1, 1)], [False, True], [True, False], [None, 5], DTYPES))


def _input(dtype, shape=(2, 3, 9, 8), seed=0, ties=True):
    x = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    if ties:
        x[0, 0, 1, 1] = x[0, 0, 1, 2] = x[0, 0, 2, 1] = 2.5  # the first one must win
    return x


def _scatter_reference(grad_y, indices, x_shape):
    grad_x = np.zeros(x_shape)
    for n, c, oy, ox in np.ndindex(*grad_y.shape):
        grad_x[n, c].reshape(-1)[indices[n, c, oy, ox]] += grad_y[n, c, oy, ox]
    return grad_x


@pytest.mark.parametrize("kernel, stride, padding, dilation, ceil_mode, dtype", MAX_GRID)
def test_max_pool_matches_reference(kernel, stride, padding, dilation, ceil_mode, dtype):
    x = _input(dtype)
    y, indices = max_pool2d_forward(x, kernel, stride, padding, dilation, ceil_mode)
    expected_y, expected_indices = ref.max_pool2d(x, kernel, stride, padding, dilation, ceil_mode)
    assert y.dtype == dtype and indices.dtype == np.int64
    np.testing.assert_array_equal(y, expected_y)
    np.testing.assert_array_equal(indices, expected_indices)
    grad_y = np.random.default_rng(1).standard_normal(y.shape).astype(dtype)
    np.testing.assert_allclose(max_pool2d_backward(grad_y, indices, x.shape),
                               _scatter_reference(grad_y, indices, x.shape), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("dtype", DTYPES)
def test_max_pool_2x2_fast_path_keeps_pytorch_tie_and_nan_rules(dtype):
    x = _input(dtype, shape=(3, 4, 8, 6))
    x[0, 1, 0, :2] = [-0.0, 0.0]
    x[0, 1, 1, :2] = -1.0
    x[1, 0, 0, 0], x[1, 0, 1, 1] = np.inf, -np.inf
    x[1, 2, 0, 0], x[1, 2, 1, 0] = np.nan, np.nan  # the last NaN wins
    x[2, 3, :2, :2] = -np.inf
    y, indices = max_pool2d_forward(x, (2, 2), (2, 2), (0, 0), (1, 1))
    expected_y, expected_indices = ref.max_pool2d(x, (2, 2), (2, 2), (0, 0), (1, 1), False)
    np.testing.assert_array_equal(y, expected_y)
    np.testing.assert_array_equal(np.signbit(y), np.signbit(expected_y))
    np.testing.assert_array_equal(indices, expected_indices)


def test_max_pool_backward_matches_finite_differences():
    x = _input(np.float64, shape=(1, 2, 6, 5), ties=False)  # no kinks at ties
    args = ((3, 2), (2, 1), (1, 0), (1, 1), True)
    y, indices = max_pool2d_forward(x, *args)
    grad_y = np.random.default_rng(2).standard_normal(y.shape)
    numeric = ref.numerical_vjp(lambda xx: max_pool2d_forward(xx, *args)[0], x, grad_y)
    np.testing.assert_allclose(max_pool2d_backward(grad_y, indices, x.shape), numeric, atol=1e-6)


@pytest.mark.parametrize("kernel, stride, padding, ceil_mode, count_include_pad, divisor, dtype", AVG_GRID)
def test_avg_pool_matches_reference(kernel, stride, padding, ceil_mode, count_include_pad, divisor, dtype):
    x = _input(dtype)
    args = (kernel, stride, padding, ceil_mode, count_include_pad, divisor)
    y = avg_pool2d_forward(x, *args)
    assert y.dtype == dtype
    np.testing.assert_allclose(y, ref.avg_pool2d(x, *args), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("ceil_mode, count_include_pad, divisor", [(True, True, None), (True, False, None), (False, True, 4)])
def test_avg_pool_backward_matches_finite_differences(ceil_mode, count_include_pad, divisor):
    x = _input(np.float64, shape=(1, 2, 6, 5))
    args = ((3, 2), (2, 2), (1, 1), ceil_mode, count_include_pad, divisor)
    grad_y = np.random.default_rng(2).standard_normal(avg_pool2d_forward(x, *args).shape)
    numeric = ref.numerical_vjp(lambda xx: avg_pool2d_forward(xx, *args), x, grad_y)
    np.testing.assert_allclose(avg_pool2d_backward(grad_y, x.shape, *args), numeric, atol=1e-6)


@pytest.mark.parametrize("output_size", [(1, 1), (3, 3), (4, 5), (9, 8), (5, 7)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_adaptive_avg_pool_matches_reference(output_size, dtype):
    x = _input(dtype)
    y = adaptive_avg_pool2d_forward(x, output_size)
    assert y.dtype == dtype
    np.testing.assert_allclose(y, ref.adaptive_avg_pool2d(x, output_size), rtol=1e-5, atol=1e-6)


def test_adaptive_avg_pool_backward_matches_finite_differences():
    x = _input(np.float64, shape=(1, 2, 7, 5))
    grad_y = np.random.default_rng(2).standard_normal((1, 2, 3, 4))
    numeric = ref.numerical_vjp(lambda xx: adaptive_avg_pool2d_forward(xx, (3, 4)), x, grad_y)
    np.testing.assert_allclose(adaptive_avg_pool2d_backward(grad_y, x.shape), numeric, atol=1e-6)


def test_adaptive_avg_pool_none_keeps_the_input_size():
    x = _input(np.float64)
    np.testing.assert_allclose(adaptive_avg_pool2d_forward(x, (None, 4)), ref.adaptive_avg_pool2d(x, (9, 4)))


def test_zero_divisor_raises_as_pytorch():
    with pytest.raises(ValueError, match="divisor must be not zero"):
        avg_pool2d_forward(_input(np.float32), (2, 2), (2, 2), (0, 0), divisor_override=0)


def test_max_pool_backward_rejects_indices_outside_the_plane():
    grad_y = np.ones((1, 1, 2, 2))
    with pytest.raises(IndexError, match="index 16 is outside the input plane of 4x4"):
        max_pool2d_backward(grad_y, np.array([[[[0, 1], [16, 2]]]]), (1, 1, 4, 4))
    with pytest.raises(IndexError, match="index -3 is outside"):
        max_pool2d_backward(grad_y, np.array([[[[0, 1], [-3, 2]]]]), (1, 1, 4, 4))


@pytest.mark.parametrize("kernel, stride", [((2, 2), (2, 2)), ((3, 3), (2, 2))])
def test_large_batch_split_over_threads_equals_per_sample_results(kernel, stride):
    x = _input(np.float32, shape=(40, 10, 24, 24))
    y, indices = max_pool2d_forward(x, kernel, stride, (0, 0), (1, 1))
    grad_y = np.random.default_rng(3).standard_normal(y.shape).astype(np.float32)
    grad_x = max_pool2d_backward(grad_y, indices, x.shape)
    for n in (0, 19, 20, 39):
        sample_y, sample_indices = max_pool2d_forward(x[n:n + 1], kernel, stride, (0, 0), (1, 1))
        np.testing.assert_array_equal(y[n:n + 1], sample_y)
        np.testing.assert_array_equal(indices[n:n + 1], sample_indices)
        np.testing.assert_array_equal(grad_x[n:n + 1], max_pool2d_backward(grad_y[n:n + 1], sample_indices, x[n:n + 1].shape))


def test_padding_larger_than_half_the_kernel_raises_as_pytorch():
    with pytest.raises(ValueError, match="pad should be at most half of effective kernel size, "
                                         "but got pad=2, kernel_size=2 and dilation=1"):
        max_pool2d_forward(_input(np.float32), (2, 2), (2, 2), (2, 2), (1, 1))
    with pytest.raises(ValueError, match="pad should be smaller than or equal to half of kernel size, "
                                         "but got padW = 2, padH = 2, kW = 3, kH = 3"):
        max_pool2d_forward(_input(np.float32), (3, 3), (1, 1), (2, 2), (2, 2))


# The same pools in torch 2.13 (float64), live.
SMALL_X = np.array([[[[1., 3, 3, 0, 2], [5, 1, 5, 2, 2], [0, 4, 4, 4, -1], [2, 2, 6, 1, 6]]]])


def test_max_pool_matches_pytorch():
    x = torch.from_numpy(SMALL_X)
    for kernel, stride, padding, dilation, ceil_mode in [((3, 3), (2, 2), (1, 1), (1, 1), True),
                                                         ((2, 2), (1, 1), (0, 0), (1, 2), False)]:
        y, indices = max_pool2d_forward(SMALL_X, kernel, stride, padding, dilation, ceil_mode)
        expected_y, expected_indices = F.max_pool2d(x, kernel, stride, padding, dilation,
                                                    ceil_mode=ceil_mode, return_indices=True)
        np.testing.assert_array_equal(y, expected_y.numpy())
        np.testing.assert_array_equal(indices, expected_indices.numpy())


@pytest.mark.parametrize("count_include_pad", [False, True])
def test_avg_pool_matches_pytorch(count_include_pad):
    expected = F.avg_pool2d(torch.from_numpy(SMALL_X), (3, 3), (2, 2), (1, 1), ceil_mode=True,
                            count_include_pad=count_include_pad)
    np.testing.assert_allclose(avg_pool2d_forward(SMALL_X, (3, 3), (2, 2), (1, 1), True,
                                                  count_include_pad), expected.numpy())


def test_adaptive_avg_pool_matches_pytorch():
    expected = F.adaptive_avg_pool2d(torch.from_numpy(SMALL_X), (3, 2))
    np.testing.assert_allclose(adaptive_avg_pool2d_forward(SMALL_X, (3, 2)), expected.numpy())
