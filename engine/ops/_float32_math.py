"""float32 math with PyTorch CPU's last bits, as near as NumPy gets.

torch computes exp, log, sin, cos, tanh, log1p, ... of float32 with vectorised kernels
(MKL's VML, SLEEF) that are right to within one unit in the last place, and so mostly
give the correctly rounded result. NumPy's float32 kernels trade more accuracy for speed:
computing in float64 and rounding once agrees with torch far more often (exp 61% -> 99%,
sin 86% -> 95%, tanh 65% -> 99.9%; `benchmarks/float32_agreement.py` measures them all).

torch's reductions over a contiguous last axis (softmax's sum of exponentials, its
backward's dot products) add in SIMD lanes: element i goes to lane i % LANES, then the
lanes are folded in halves. `lane_sum` adds in that order, so the sums round as torch's do.
"""
from __future__ import annotations

import numpy as np

# The width of torch's float32 vectors on an AVX-512 CPU (the oracle's capability).
LANES = 16


def via_double(ufunc):
    """ufunc, computed in float64 and rounded once for float32 arrays."""
    def fn(x):
        if getattr(x, "dtype", None) != np.float32:
            return ufunc(x)
        return in_double(ufunc, x)
    fn.__name__ = ufunc.__name__
    return fn


def in_double(ufunc, x: np.ndarray, *numbers):
    """ufunc(x, *numbers) for a float32 array x, computed in float64, rounded once. The
    ufunc casts in and out in small buffers: no float64 copy of the whole array, whose
    fresh pages would cost more than the float64 math itself."""
    out = ufunc(x, *numbers, out=np.empty_like(x), dtype=np.float64, casting="same_kind")
    return out[()] if out.ndim == 0 else out


exp, log, sin, cos, tanh = (via_double(f) for f in (np.exp, np.log, np.sin, np.cos, np.tanh))
expm1, log1p = via_double(np.expm1), via_double(np.log1p)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """ATen's 1 / (1 + exp(-x)), in x's dtype."""
    one = x.dtype.type(1)
    return (one / (one + exp(-x))).astype(x.dtype, copy=False)


def power(base: np.ndarray, exponent: float) -> np.ndarray:
    """A float32 array to a Python number's power, by ATen's special cases (scalar_power);
    other exponents rounded to float32 first, then computed in double."""
    special = scalar_power(base, exponent)
    if special is not None:
        return special
    if exponent in (0, 1):                  # exact in NumPy
        return np.power(base, np.float32(exponent))
    with np.errstate(over="ignore"):
        rounded = float(np.float32(exponent))
    return in_double(np.power, base, rounded)


def scalar_power(base: np.ndarray, exponent: float) -> np.ndarray | None:
    """ATen's pow(Tensor, Scalar) for a float or double array where it specialises
    (pow_tensor_scalar_kernel): sqrt, 1 / sqrt, reciprocal, squares, cubes and inverse
    squares, each exactly as it computes them; None for any other exponent."""
    one = base.dtype.type(1)
    if exponent == 0.5:
        return np.sqrt(base)
    if exponent == -0.5:
        return one / np.sqrt(base)
    if exponent == -1:
        return one / base
    if exponent == 2:
        return base * base
    if exponent == 3:
        return base * base * base
    if exponent == -2:
        return one / (base * base)
    return None


def lane_sum(x: np.ndarray) -> np.ndarray:
    """x summed along its last axis in torch's SIMD order (keepdims): float32 only."""
    size = x.shape[-1]
    if size < LANES:
        total = x[..., :1].copy()
        for i in range(1, size):
            total += x[..., i:i + 1]
        return total
    whole = size - size % LANES
    # Summed over the middle axis, NumPy adds the blocks one after another, lane by lane.
    blocks = x[..., :whole].reshape(x.shape[:-1] + (whole // LANES, LANES))
    lanes = blocks.sum(axis=-2)
    if whole < size:
        lanes[..., :size - whole] += x[..., whole:]
    width = LANES
    while width > 1:
        width //= 2
        lanes = lanes[..., :width] + lanes[..., width:2 * width]
    return lanes


def row_sum(x: np.ndarray, axis: int) -> np.ndarray:
    """x.sum(axis, keepdims=True), in torch's lane order when that is the contiguous last
    axis of a float32 array."""
    if x.dtype != np.float32 or axis not in (-1, x.ndim - 1) or x.shape[-1] == 0:
        return x.sum(axis=axis, keepdims=True)
    return lane_sum(x)


# ATen's float32 kernels are compiled with fused multiply-adds: a * b + c rounds once.
# In float64 the product of two float32 values is exact, so one rounding remains.

def one_minus_square(y: np.ndarray) -> np.ndarray:
    """1 - y * y, as one fused multiply-add for float32 (tanh's backward)."""
    if y.dtype != np.float32:
        return 1 - y * y
    wide = y.astype(np.float64)
    return (1 - wide * wide).astype(np.float32)


def minus_product(c: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """c - a * b, as one fused multiply-add for float32 (log_softmax's backward)."""
    if c.dtype != np.float32 or a.dtype != np.float32:
        return c - a * b
    return (c - a.astype(np.float64) * b).astype(np.float32)


def multiply_add(a: np.ndarray, b, c) -> np.ndarray:
    """a * b + c, as one fused multiply-add for float32 arrays."""
    if a.dtype != np.float32:
        return a * b + c
    return (a.astype(np.float64) * b + c).astype(np.float32)
