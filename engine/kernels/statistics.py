"""The statistics an event keeps of a big tensor (engine.trace.Stats), in one pass.

NumPy needs five passes and a temporary (sum, min, max, dot, abs) for what a watched run asks
of every big op output and gradient once the value budget is spent; this kernel reads the
array twice and accumulates in float64. Non-finite values are not handled here: when the sum
is not finite the caller takes NumPy's careful path.
"""

import numpy as np

from engine.kernels._jit import check_float, kernel


@kernel
def _moments(flat):
    # Two loops: each vectorises on its own, a fused one does not (about 2x NumPy, not 0.8x).
    low = flat[0]
    high = flat[0]
    for i in range(flat.size):
        value = flat[i]
        low = value if value < low else low
        high = value if value > high else high
    total = 0.0
    squares = 0.0
    absolute = 0.0
    for i in range(flat.size):
        wide = np.float64(flat[i])
        total += wide
        squares += wide * wide
        absolute += abs(wide)
    return float(low), float(high), total, squares, absolute


def moments(flat):
    """(min, max, sum, sum of squares, sum of |x|) of a non-empty flat float array, summed
    in float64. A sum that is not finite means the array holds a NaN or an infinity."""
    check_float("flat", flat)
    if flat.ndim != 1 or flat.size == 0:
        raise ValueError(f"moments needs a non-empty flat array, got shape {flat.shape}")
    return _moments(np.ascontiguousarray(flat))


# For engine.trace, which calls it per event on arrays it has checked (flat, non-empty, float32
# or float64): the kernel itself, without the wrapper's checks (as costly as the kernel on a
# few thousand elements).
moments_of_checked = _moments
