"""engine.kernels.adaptive_max_pool against a NumPy loop reference: values, first-maximum
indices on ties, NaN rule, both dtypes, bins that overlap and bins that do not."""
import numpy as np
import pytest

from engine.kernels.adaptive_max_pool import adaptive_max_pool2d_forward


def _reference(x, output_size):
    oh, ow = output_size
    batch, channels, height, width = x.shape
    y = np.empty((batch, channels, oh, ow), x.dtype)
    indices = np.empty((batch, channels, oh, ow), np.int64)
    for n, c, i, j in np.ndindex(batch, channels, oh, ow):
        rows = range(i * height // oh, -(-(i + 1) * height // oh))
        cols = range(j * width // ow, -(-(j + 1) * width // ow))
        best, best_index = -np.inf, rows[0] * width + cols[0]
        for r in rows:
            for s in cols:
                if x[n, c, r, s] > best or np.isnan(x[n, c, r, s]):
                    best, best_index = x[n, c, r, s], r * width + s
        y[n, c, i, j], indices[n, c, i, j] = best, best_index
    return y, indices


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("output_size", [(3, 4), (5, 7), (1, 2), (7, 3)])
def test_adaptive_max_pool_matches_reference(dtype, output_size):
    x = np.random.default_rng(0).standard_normal((2, 3, 5, 7)).astype(dtype)
    x[0, 0, :2, :2] = 2.5                    # a tie: the first position wins
    x[1, 2, 3, 3], x[1, 2, 4, 5] = np.nan, np.nan
    x[1, 1] = -np.inf
    y, indices = adaptive_max_pool2d_forward(x, output_size)
    expected_y, expected_indices = _reference(x, output_size)
    assert y.dtype == dtype and indices.dtype == np.int64
    np.testing.assert_array_equal(y, expected_y)
    np.testing.assert_array_equal(indices, expected_indices)
