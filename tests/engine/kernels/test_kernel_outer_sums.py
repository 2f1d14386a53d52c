"""engine.kernels.aten_order.outer_sums (sums over leading dims) against NumPy (to rounding)
and against torch's sum over the middle dim of (A, R, C) blocks (bit for bit, live): whole
groups of four vectors of columns in one cascade each, the other columns by row_sum's four
accumulators."""
import numpy as np
import pytest
import torch

from engine.kernels.aten_order import outer_sums


@pytest.mark.parametrize("seed", range(16))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_outer_sums(seed, dtype):
    rng = np.random.default_rng(seed)
    blocks = rng.normal(size=(int(rng.integers(1, 4)), int(rng.integers(1, 300)),
                              int(rng.integers(2, 70)))).astype(dtype)
    sums = outer_sums(blocks)
    tolerance = 1e-4 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(sums, blocks.sum(axis=1), rtol=tolerance, atol=tolerance)
    assert np.array_equal(sums, torch.tensor(blocks).sum(1).numpy())
