"""The 2-norm over a tensor's trailing dims, added in the order of ATen's CPU kernel, so the
float32 and float64 results have its last bits.

For a reduction over the last, contiguous dim (ATen's iterator merges trailing dims of a
contiguous tensor into one), ATen's norm kernel (linalg_vector_norm, at::norm) squares and
adds 256-bit vectors into one vector of lanes (8 float32 or 4 float64 lanes: element i goes
to lane i % LANES), folds the lanes in order (lane 0 + lane 1 + ...), then adds the leftover
elements one by one: in fours squared apart and then added, the last few with a fused
multiply-add (engine/kernels/aten_order.py). Other reductions add in order, as NumPy does
along an axis that is not the innermost, so they need nothing from here.
"""
from __future__ import annotations

import numpy as np

from engine.ops._reduced_rows import aten_order_kernels, trailing_rows



def two_norm_in_lanes(data: np.ndarray, dims, keepdim: bool) -> np.ndarray | None:
    """The 2-norm over `dims` (None: all) as ATen's kernel adds it, or None where that
    kernel does not run: another dtype, no dims, dims that are not the trailing ones of a
    contiguous array."""
    rows = trailing_rows(data, dims)
    if rows is None:
        return None
    matrix, kept_shape, keep_shape = rows
    if matrix.shape[1] == 1:        # one element: ATen gives its magnitude, never squared
        norms = np.abs(matrix).reshape(kept_shape)
    else:
        norms = aten_order_kernels().two_norms(matrix).reshape(kept_shape)
    return norms.reshape(keep_shape) if keepdim else norms


def p_norm_in_order(data: np.ndarray, ord: float, dims, keepdim: bool) -> np.ndarray | None:
    """A p-norm other than 0, 2 and +-inf as ATen's scalar reduction computes it: |x| ** p
    added left to right over each output's elements, then ** (1 / p); or None for another
    dtype or no elements."""
    if data.dtype not in (np.float32, np.float64) or data.size == 0 or data.ndim == 0:
        return None
    reduced = tuple(range(data.ndim)) if dims is None else tuple(sorted(dims))
    kept = [d for d in range(data.ndim) if d not in reduced]
    # each output's elements in their order in memory (a contiguous input's C order)
    moved = np.ascontiguousarray(np.transpose(data, kept + list(reduced)))
    kept_shape = tuple(data.shape[d] for d in kept)
    matrix = moved.reshape(-1, moved.size // max(1, int(np.prod(kept_shape))))
    if ord == 1 or matrix.shape[1] == 1:     # one element: ATen gives its magnitude
        norms = aten_order_kernels().sequential_sums(np.abs(matrix))
    else:
        norms = aten_order_kernels().p_norms(matrix, ord)
    norms = norms.reshape(kept_shape)
    if not keepdim:
        return norms
    return norms.reshape(tuple(1 if d in reduced else data.shape[d] for d in range(data.ndim)))
