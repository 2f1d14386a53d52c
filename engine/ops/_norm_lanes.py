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
    matrix, kept_shape, reduced_count = rows
    norms = aten_order_kernels().two_norms(matrix).reshape(kept_shape)
    return norms.reshape(kept_shape + (1,) * reduced_count) if keepdim else norms
