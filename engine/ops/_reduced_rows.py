"""A reduction over the trailing dims of a contiguous float array seen as one over the rows
of a matrix, as ATen's TensorIterator merges those dims into one innermost dim."""
from __future__ import annotations

import numpy as np


def trailing_rows(data: np.ndarray, dims):
    """(rows, kept shape, keepdim shape), or None when `dims` (None: all) are not the
    trailing dims of a contiguous, non-empty float32 / float64 array. Size-1 dims do not
    count: they leave the memory order as it is, and ATen's iterator drops them ((R, 1)
    reduced over R is a row of R)."""
    if data.dtype not in (np.float32, np.float64) or data.size == 0:
        return None
    reduced = set(range(data.ndim)) if dims is None else set(dims)
    if not reduced or not data.flags.c_contiguous:
        return None
    flags = [d in reduced for d, n in enumerate(data.shape) if n != 1]
    if True in flags and False in flags[flags.index(True):]:
        return None
    kept_shape = tuple(n for d, n in enumerate(data.shape) if d not in reduced)
    keep_shape = tuple(1 if d in reduced else n for d, n in enumerate(data.shape))
    outer = 1
    for size in kept_shape:
        outer *= size
    return data.reshape(outer, data.size // outer), kept_shape, keep_shape


def aten_order_kernels():
    """engine.kernels.aten_order, imported on first use (Numba is not loaded by `import
    engine`)."""
    from engine.kernels import aten_order
    return aten_order
