"""engine.kernels.adaptive_max_pool3d against a NumPy loop reference: values, first-maximum
indices on ties, the NaN rule, both dtypes, overlapping and disjoint bins."""
import numpy as np
import pytest

from engine.kernels.adaptive_max_pool3d import adaptive_max_pool3d_forward


def _bins(size, out):
    return [range(i * size // out, -(-(i + 1) * size // out)) for i in range(out)]


def _reference(x, output_size):
    batch, channels, depth, height, width = x.shape
    y = np.empty((batch, channels) + tuple(output_size), x.dtype)
    indices = np.empty(y.shape, np.int64)
    bins = [_bins(s, o) for s, o in zip(x.shape[2:], output_size)]
    for n, c, i, j, k in np.ndindex(y.shape):
        cells = [(a, b, d) for a in bins[0][i] for b in bins[1][j] for d in bins[2][k]]
        a, b, d = cells[0]
        best, best_index = -np.inf, (a * height + b) * width + d
        for a, b, d in cells:
            value = x[n, c, a, b, d]
            if value > best or np.isnan(value):
                best, best_index = value, (a * height + b) * width + d
        y[n, c, i, j, k], indices[n, c, i, j, k] = best, best_index
    return y, indices


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("output_size", [(2, 3, 4), (4, 5, 7), (1, 1, 2), (3, 2, 5)])
def test_adaptive_max_pool3d_matches_reference(dtype, output_size):
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 5, 7)).astype(dtype)
    x[0, 0, :2, :2, :2] = 2.5                    # a tie: the first position wins
    x[1, 2, 1, 3, 3], x[1, 2, 2, 4, 5] = np.nan, np.nan
    x[1, 1] = -np.inf
    y, indices = adaptive_max_pool3d_forward(x, output_size)
    expected_y, expected_indices = _reference(x, output_size)
    assert y.dtype == dtype and indices.dtype == np.int64
    np.testing.assert_array_equal(y, expected_y)
    np.testing.assert_array_equal(indices, expected_indices)
