"""A reduction over the trailing dims of a contiguous float array seen as one over the rows
of a matrix, as ATen's TensorIterator merges those dims into one innermost dim."""
from __future__ import annotations

import numpy as np


def trailing_rows(data: np.ndarray, dims):
    """(rows, kept shape, number of reduced dims), or None when `dims` (None: all) are not
    the trailing dims of a contiguous, non-empty float32 / float64 array."""
    if data.dtype not in (np.float32, np.float64) or data.size == 0:
        return None
    reduced = tuple(range(data.ndim)) if dims is None else tuple(sorted(dims))
    # kept dims of size 1 after the reduced ones leave the memory order as it is: ATen's
    # iterator drops them ((R, 1) reduced over R is a row of R)
    end = data.ndim
    while end > 0 and end - 1 not in reduced and data.shape[end - 1] == 1:
        end -= 1
    kept = end - len(reduced)
    if not reduced or reduced != tuple(range(kept, end)) or not data.flags.c_contiguous:
        return None
    outer = 1
    for size in data.shape[:kept]:
        outer *= size
    kept_shape = data.shape[:kept] + data.shape[end:]
    return data.reshape(outer, data.size // outer), kept_shape, len(reduced)


def aten_order_kernels():
    """engine.kernels.aten_order, imported on first use (Numba is not loaded by `import
    engine`)."""
    from engine.kernels import aten_order
    return aten_order
