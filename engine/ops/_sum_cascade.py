"""Sums over trailing dims in the order of ATen's CPU sum kernel (SumKernel.cpp's
cascade_sum), so float32 and float64 sums have its last bits.

A row of at least one vector (8 float32 or 4 float64: 256 bits) is read as vectors; groups of
four consecutive vectors go to four accumulators, in levels of a cascade (a run of 16 groups
is added in order, then carried up a level); the left-over vectors join accumulator 0, the
four are added in order, the left-over elements are added one by one to a zero, then the
vector's lanes in order. A shorter row is added by four scalar accumulators the same way
(engine/kernels/aten_order.py). NumPy's pairwise sum rounds differently.
"""
from __future__ import annotations

import numpy as np

from engine.ops._reduced_rows import aten_order_kernels, trailing_rows

# A row this short puts one element in each of ATen's scalar accumulators.
_SCALAR_ACCUMULATORS = 4
# A single sum this long is split among threads by ATen: another order.
_LONGEST_SINGLE_ROW = 32768


def sum_in_aten_order(data: np.ndarray, dims, keepdim: bool) -> np.ndarray | None:
    """data summed over `dims` (None: all) in ATen's order, or None where this model does
    not hold: another dtype, reduced dims that are not the trailing ones of a contiguous
    array, a single sum long enough for ATen to split among threads."""
    rows = trailing_rows(data, dims)
    if rows is None:
        return None
    matrix, kept_shape, reduced_count = rows
    if matrix.shape[0] == 1 and matrix.shape[1] > _LONGEST_SINGLE_ROW:
        return None
    if matrix.shape[1] <= _SCALAR_ACCUMULATORS:
        # one element per accumulator, added in order: NumPy's sequential sum, and no
        # kernel (whose first call loads Numba) for a handful of numbers
        sums = np.add.reduce(matrix, axis=1).reshape(kept_shape)
    else:
        sums = aten_order_kernels().inner_sums(matrix).reshape(kept_shape)
    return sums.reshape(kept_shape + (1,) * reduced_count) if keepdim else sums
