"""A fused multiply-add rounded once, as ATen's CPU kernels compute add(alpha=), addcmul and
lerp. NumPy has none: a * b + c is evaluated in a wider type and rounded to the target,
which is right except where the wide result lies within its own error of a rounding
midpoint of the target dtype (double rounding could then pick the wrong neighbour). Those
elements, found from the wide result's low significand bits, are recomputed exactly.

float32: the product is exact in float64 and the sum is off by at most half a float64 ulp,
so only results whose 29 low bits are 2^28 +- 1 (about 1 in 10^8) need a second look.
float64: the sum is formed in long double (64 significand bits); its error, in long double
ulps of the result, is at most 1 + |a*b| / |a*b + c|; about 1 result in 300 falls that
close to a midpoint and is recomputed with an exact product (Dekker's split) and math.fsum,
which rounds a sum of floats correctly."""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

_LOW29 = np.uint32((1 << 29) - 1)
_MID_MINUS_ONE = np.uint32((1 << 28) - 1)
_NO_SIGN = np.uint32(0x7FFFFFFF)
_BELOW_2_TO_MINUS_125 = np.uint32(0x01000000 - 1)      # bit patterns of |x| < 2^-125, x != 0
_SPLIT = 134217729.0          # 2^27 + 1: splits a float64 into two 26-bit halves


def fma(a, b, c, dtype) -> np.ndarray:
    """a * b + c rounded once to dtype (round to nearest, ties to even)."""
    if np.dtype(dtype) == np.float32:
        return _fma32(a, b, c)
    return _fma64(a, b, c)


def _fma32(a, b, c) -> np.ndarray:
    total = np.asarray(a, np.float64) * np.asarray(b, np.float64) + np.asarray(c, np.float64)
    out = total.astype(np.float32)
    # the low 32 bits of each float64 (little-endian), minus the midpoint: 0, 1 or 2 when
    # within one float64 ulp of a float32 midpoint (smaller values wrap around)
    low = np.ascontiguousarray(total).reshape(-1).view(np.uint32)[::2] & _LOW29
    low -= _MID_MINUS_ONE
    # float32 subnormals and the smallest normals round at another bit: look at them too
    magnitude = out.reshape(-1).view(np.uint32) & _NO_SIGN
    magnitude -= np.uint32(1)
    risky = np.union1d(np.flatnonzero(low <= 2),
                       np.flatnonzero(magnitude < _BELOW_2_TO_MINUS_125))
    finite = np.isfinite(total.reshape(-1)[risky])
    return _redo(out, risky[finite], a, b, c, _exact32)


def _fma64(a, b, c) -> np.ndarray:
    wide = np.longdouble
    product = np.multiply(a, b, dtype=wide)
    total = np.add(product, c, dtype=wide)
    out = total.astype(np.float64)
    low = np.ascontiguousarray(total).reshape(-1).view(np.uint64)[::2] & np.uint64(2047)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        near = np.abs(out)
        window = 2 + np.abs(product.astype(np.float64)) / near
        risky = np.abs(low.astype(np.int64) - 1024).reshape(out.shape) <= window
        risky |= (near < 2.0 ** -1021) & (out != 0)
    return _redo(out, np.flatnonzero(risky & np.isfinite(out)), a, b, c, _exact64)


def _redo(out: np.ndarray, risky: np.ndarray, a, b, c, exact) -> np.ndarray:
    """out with its elements at the flat indices `risky` recomputed by `exact`."""
    if not risky.size:
        return out
    a, b, c = np.broadcast_arrays(np.asarray(a), np.asarray(b), np.asarray(c))
    out = np.array(out, copy=True)
    flat = out.reshape(-1)
    for index in risky:
        flat[index] = exact(float(a.flat[index]), float(b.flat[index]), float(c.flat[index]))
    return out


def _exact64(a: float, b: float, c: float) -> float:
    product = a * b
    if not math.isfinite(product) or abs(product) > 2.0 ** 995:
        return _exact_fraction(a, b, c, 53)
    a_high, a_low = _halves(a)
    b_high, b_low = _halves(b)
    error = ((a_high * b_high - product) + a_high * b_low + a_low * b_high) + a_low * b_low
    return math.fsum((product, error, c))           # product + error is a * b exactly


def _halves(x: float) -> tuple:
    scaled = _SPLIT * x
    high = scaled - (scaled - x)
    return high, x - high


def _exact32(a: float, b: float, c: float) -> float:
    return _exact_fraction(a, b, c, 24)


def _exact_fraction(a: float, b: float, c: float, bits: int) -> float:
    value = Fraction(a) * Fraction(b) + Fraction(c)
    if value == 0:
        return 0.0
    exponent = value.numerator.bit_length() - value.denominator.bit_length()
    while abs(value) >= Fraction(2) ** exponent:
        exponent += 1
    while abs(value) < Fraction(2) ** (exponent - 1):
        exponent -= 1
    significand = round(value * Fraction(2) ** (bits - exponent))     # ties to even
    return float(significand * Fraction(2) ** (exponent - bits))
