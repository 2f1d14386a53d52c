"""engine/optim/_fma.py: a * b + c rounded once, equal to what ATen's CPU add(alpha=) and
addcmul give in torch 2.13 (live), including the double-rounding cases a wider type alone
gets wrong (about 6 in 10^4 float64 results through long double) and cancellations."""
import numpy as np
import pytest
import torch

from engine.optim._fma import fma


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("alpha", [0.3, -1e-3, 0.999])
def test_add_with_alpha_matches_aten(dtype, alpha):
    rng = np.random.default_rng(1)
    other, start = (rng.normal(size=100_000).astype(dtype) for _ in range(2))
    want = torch.tensor(start).add(torch.tensor(other), alpha=alpha).numpy()
    np.testing.assert_array_equal(fma(other, np.asarray(alpha, dtype), start, dtype), want)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_addcmul_and_cancellation_match_aten(dtype):
    rng = np.random.default_rng(2)
    first, second, start = (rng.normal(size=50_000).astype(dtype) for _ in range(3))
    want = torch.tensor(start).addcmul(torch.tensor(first), torch.tensor(second),
                                       value=0.1).numpy()
    np.testing.assert_array_equal(fma(np.asarray(0.1, dtype) * first, second, start, dtype),
                                  want)
    negated = (-first * dtype(1.5)).astype(dtype)       # a*b + c is the product's rounding
    want = torch.tensor(negated).add(torch.tensor(first), alpha=1.5).numpy()
    np.testing.assert_array_equal(fma(first, np.asarray(1.5, dtype), negated, dtype), want)


def test_exact_values_ties_and_shapes():
    x = np.float64(1) + np.float64(2.0 ** -52)
    assert fma(x, x, np.float64(-1), np.float64) == 2.0 ** -51        # the 2^-104 is lost
    assert fma(np.float64(0.1), np.float64(3.0), np.float64(-0.3), np.float64) == \
        2.7755575615628914e-17
    tie = fma(np.float32(0.5), np.float32(2.0 ** -24), np.float32(1), np.float32)
    assert tie == 1.0 and tie.dtype == np.float32                      # ties to even
    assert fma(np.ones((2, 3), np.float32), np.float32(2), np.float32(1), np.float32).shape \
        == (2, 3)
    assert np.isnan(fma(np.float64(np.nan), np.float64(1), np.float64(1), np.float64))
