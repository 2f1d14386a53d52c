"""engine.kernels._jit.fma (LLVM's fused multiply-add, for kernels that follow ATen to the
last bit) against exact rational arithmetic: a * b + c rounded once, to nearest, ties to
even, in float32 and float64; where a separate multiply and add round twice it differs."""
from fractions import Fraction

import numba
import numpy as np
import pytest

from engine.kernels._jit import fma


@numba.njit
def _fused(a, b, c, out):
    for i in range(a.size):
        out[i] = fma(a[i], b[i], c[i])


def _rounded(exact: Fraction, dtype) -> float:
    """``exact`` rounded to the nearest value of ``dtype``, ties to the even one."""
    guess = dtype(float(exact))
    candidates = [np.nextafter(guess, dtype(-np.inf)), guess, np.nextafter(guess, dtype(np.inf))]
    def distance(value):
        return abs(Fraction(float(value)) - exact)
    best = min(distance(value) for value in candidates)
    ties = [value for value in candidates if distance(value) == best]
    if len(ties) == 1:
        return ties[0]
    return next(v for v in ties if int(np.array(v).view(np.int64 if dtype is np.float64
                                                          else np.int32)) % 2 == 0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fma_rounds_once(dtype):
    rng = np.random.default_rng(0)
    a, b = (rng.normal(size=2000) * 300).astype(dtype), rng.normal(size=2000).astype(dtype)
    c = (-(a * b)).astype(dtype)            # cancels the rounded product: the error remains
    c[::2] = rng.normal(size=1000).astype(dtype)
    out = np.empty_like(a)
    _fused(a, b, c, out)
    expected = [_rounded(Fraction(float(x)) * Fraction(float(y)) + Fraction(float(z)), dtype)
                for x, y, z in zip(a, b, c)]
    np.testing.assert_array_equal(out, np.array(expected, dtype))
    assert out.dtype == dtype
    assert np.any(out != (a * b + c).astype(dtype))     # a separate product rounds first
