"""The statistics an event keeps of a big tensor (engine.trace.Stats), in one pass.

NumPy needs five passes and a temporary (sum, min, max, dot, abs) for what a watched run asks
of every big op output and gradient once the value budget is spent. Small arrays go through
one kernel reading the array twice. On big ones the three float64 sums are one kernel (that
loop vectorises: ~0.05 ns an element) and the extremes NumPy's min and max: no loop of ours
vectorises a min/max select (LLVM keeps it scalar, ~0.5 ns an element, five times NumPy's),
and it was 80% of a 184k-element activation's statistics. Non-finite values are not handled
here: when the sum is not finite the caller takes NumPy's careful path.
"""

import numpy as np

from engine.kernels._jit import check_float, kernel

SPLIT_FROM = 8192       # elements: from here NumPy's extremes + the sums kernel cost less


@kernel
def _moments(flat):
    # Two loops: each vectorises on its own, a fused one does not (about 2x NumPy, not 0.8x).
    low = flat[0]
    high = flat[0]
    for i in range(flat.size):
        value = flat[i]
        low = value if value < low else low
        high = value if value > high else high
    total, squares, absolute = _sums(flat)
    return float(low), float(high), total, squares, absolute


@kernel
def _sums(flat):
    total = 0.0
    squares = 0.0
    absolute = 0.0
    for i in range(flat.size):
        wide = np.float64(flat[i])
        total += wide
        squares += wide * wide
        absolute += abs(wide)
    return total, squares, absolute


def moments(flat):
    """(min, max, sum, sum of squares, sum of |x|) of a non-empty flat float array, summed
    in float64. A sum that is not finite means the array holds a NaN or an infinity."""
    check_float("flat", flat)
    if flat.ndim != 1 or flat.size == 0:
        raise ValueError(f"moments needs a non-empty flat array, got shape {flat.shape}")
    return moments_of_checked(np.ascontiguousarray(flat))


def moments_of_checked(flat):
    """moments without the checks, for engine.trace, which calls it per event on arrays it
    has checked (flat, non-empty, float32 or float64): the checks cost as much as the kernel
    on a few thousand elements."""
    if flat.size < SPLIT_FROM:
        return _moments(flat)
    total, squares, absolute = _sums(flat)
    return float(flat.min()), float(flat.max()), total, squares, absolute
