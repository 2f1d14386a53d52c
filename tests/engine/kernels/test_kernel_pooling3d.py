"""engine.kernels.pooling3d (3-D pools on the 2-D kernels) against torch's values, indices
and gradients, in both dtypes, with ties, NaNs and windows of -inf."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from engine.kernels import pooling3d

SHAPE = (2, 3, 5, 6, 7)
MAX_GEOMETRIES = [((2, 2, 2), (2, 2, 2), (0, 0, 0), (1, 1, 1), False),
                  ((3, 2, 3), (1, 2, 2), (1, 1, 0), (1, 1, 2), True),
                  ((2, 3, 2), (2, 1, 3), (1, 0, 1), (2, 1, 1), False)]
AVG_GEOMETRIES = [((2, 2, 2), (2, 2, 2), (0, 0, 0), False, True, None),
                  ((3, 2, 3), (1, 2, 2), (1, 1, 0), True, False, None),
                  ((2, 3, 2), (2, 1, 3), (1, 0, 1), True, True, None),
                  ((2, 3, 2), (2, 1, 3), (1, 0, 1), False, False, 5)]


def _input(dtype):
    x = np.random.default_rng(0).standard_normal(SHAPE).astype(dtype)
    x[0, 0, 1:3, 1:3, 1:3] = 2.5                  # ties across planes: the first wins
    x[1, 1, 2, 3, 3] = x[1, 1, 3, 3, 4] = np.nan  # the last NaN wins
    x[1, 2] = -np.inf
    return x


def _grad(shape, dtype):
    return np.random.default_rng(1).standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("geometry", MAX_GEOMETRIES)
def test_max_pool3d_matches_torch(geometry, dtype):
    x = _input(dtype)
    kernel, stride, padding, dilation, ceil_mode = geometry
    leaf = torch.tensor(x, requires_grad=True)
    y, indices = F.max_pool3d(leaf, kernel, stride, padding, dilation, ceil_mode,
                              return_indices=True)
    grad_y = _grad(tuple(y.shape), dtype)
    y.backward(torch.tensor(grad_y))
    ours, our_indices = pooling3d.max_pool3d_forward(x, kernel, stride, padding, dilation,
                                                     ceil_mode)
    np.testing.assert_array_equal(ours, y.detach().numpy())
    np.testing.assert_array_equal(our_indices, indices.numpy())
    np.testing.assert_allclose(pooling3d.max_pool3d_backward(grad_y, our_indices, x.shape),
                               leaf.grad.numpy(), rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("geometry", AVG_GEOMETRIES)
def test_avg_pool3d_matches_torch(geometry, dtype):
    x = np.random.default_rng(2).standard_normal(SHAPE).astype(dtype)
    leaf = torch.tensor(x, requires_grad=True)
    y = F.avg_pool3d(leaf, *geometry)
    grad_y = _grad(tuple(y.shape), dtype)
    y.backward(torch.tensor(grad_y))
    tolerance = 1e-5 if dtype == np.float32 else 1e-12
    ours = pooling3d.avg_pool3d_forward(x, *geometry)
    assert ours.dtype == dtype
    np.testing.assert_allclose(ours, y.detach().numpy(), rtol=tolerance, atol=tolerance)
    np.testing.assert_allclose(pooling3d.avg_pool3d_backward(grad_y, x.shape, *geometry),
                               leaf.grad.numpy(), rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("output_size", [(2, 3, 4), (5, 6, 7), (3, 4, 2)])
def test_adaptive_avg_pool3d_matches_torch(output_size, dtype):
    x = np.random.default_rng(3).standard_normal(SHAPE).astype(dtype)
    leaf = torch.tensor(x, requires_grad=True)
    y = F.adaptive_avg_pool3d(leaf, output_size)
    grad_y = _grad(tuple(y.shape), dtype)
    y.backward(torch.tensor(grad_y))
    tolerance = 1e-5 if dtype == np.float32 else 1e-12
    ours = pooling3d.adaptive_avg_pool3d_forward(x, output_size)
    assert ours.dtype == dtype
    np.testing.assert_allclose(ours, y.detach().numpy(), rtol=tolerance, atol=tolerance)
    np.testing.assert_allclose(pooling3d.adaptive_avg_pool3d_backward(grad_y, x.shape),
                               leaf.grad.numpy(), rtol=tolerance, atol=tolerance)
