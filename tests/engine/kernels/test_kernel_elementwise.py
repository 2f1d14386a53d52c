"""engine.kernels.elementwise against NumPy formulas, finite differences and torch."""

import numpy as np
import pytest
import torch

import kernel_reference as ref
from engine.kernels import relu_backward, relu_forward, sigmoid_backward, tanh_backward

DTYPES = [np.float32, np.float64]


def _values(dtype, shape=(3, 4, 5)):
    return np.random.default_rng(0).standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_relu_matches_numpy_and_keeps_nan_and_negative_zero(dtype):
    x = _values(dtype)
    x[0, 0, :3] = [np.nan, -0.0, 0.0]
    y = relu_forward(x)
    assert y.dtype == dtype and y.shape == x.shape
    np.testing.assert_array_equal(y, np.where(x < 0, 0, x))
    assert np.isnan(y[0, 0, 0]) and np.signbit(y[0, 0, 1])
    expected = torch.relu(torch.from_numpy(x)).numpy()
    np.testing.assert_array_equal(y, expected)          # nan stays nan: equal_nan
    np.testing.assert_array_equal(np.signbit(y), np.signbit(expected))


@pytest.mark.parametrize("dtype", DTYPES)
def test_relu_backward_passes_gradient_where_output_is_positive_or_nan(dtype):
    x = _values(dtype)
    x[0, 0, :3] = [np.nan, -0.0, 0.0]
    grad_y = _values(dtype)
    grad_x = relu_backward(grad_y, relu_forward(x))
    expected = np.where(np.isnan(x) | (x > 0), grad_y, 0)
    np.testing.assert_array_equal(grad_x, expected)


@pytest.mark.parametrize("dtype", DTYPES)
def test_sigmoid_and_tanh_backward_match_numpy(dtype):
    grad_y, x = _values(dtype), _values(dtype)[::-1].copy()
    sigmoid, tanh = 1 / (1 + np.exp(-x)), np.tanh(x)
    np.testing.assert_allclose(sigmoid_backward(grad_y, sigmoid), grad_y * sigmoid * (1 - sigmoid), rtol=1e-6)
    np.testing.assert_allclose(tanh_backward(grad_y, tanh), grad_y * (1 - tanh ** 2), rtol=1e-6, atol=1e-7)


def test_backwards_match_finite_differences():
    x = _values(np.float64, (2, 3))
    x[np.abs(x) < 1e-3] = 0.5  # keep away from relu's kink
    grad_y = _values(np.float64, (2, 3))[::-1].copy()
    sigmoid = lambda z: 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(relu_backward(grad_y, relu_forward(x)),
                               ref.numerical_vjp(relu_forward, x, grad_y), atol=1e-6)
    np.testing.assert_allclose(sigmoid_backward(grad_y, sigmoid(x)), ref.numerical_vjp(sigmoid, x, grad_y), atol=1e-6)
    np.testing.assert_allclose(tanh_backward(grad_y, np.tanh(x)), ref.numerical_vjp(np.tanh, x, grad_y), atol=1e-6)


def test_non_contiguous_inputs_are_accepted():
    x = _values(np.float64, (4, 6)).T
    np.testing.assert_array_equal(relu_forward(x), np.maximum(x, 0))
    np.testing.assert_array_equal(relu_backward(x, x), np.where(x > 0, x, 0))
