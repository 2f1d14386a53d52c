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
        return _outer_sum(data, dims, keepdim)
    matrix, kept_shape, keep_shape = rows
    if matrix.shape[0] == 1 and matrix.shape[1] > _LONGEST_SINGLE_ROW:
        return None
    if matrix.shape[1] <= _SCALAR_ACCUMULATORS:
        # one element per accumulator, added in order: NumPy's sequential sum, and no
        # kernel (whose first call loads Numba) for a handful of numbers
        sums = np.add.reduce(matrix, axis=1).reshape(kept_shape)
    else:
        sums = aten_order_kernels().inner_sums(matrix).reshape(kept_shape)
    return sums.reshape(keep_shape) if keepdim else sums


def _outer_sum(data: np.ndarray, dims, keepdim: bool) -> np.ndarray | None:
    """A sum over a block of dims followed by kept dims, in the order of ATen's outer
    reduction (one thread: below 32768 elements), or None."""
    block = _outer_block(data, dims)
    if block is None:
        return None
    sums = aten_order_kernels().outer_sums(block)
    if keepdim:
        shape = tuple([1 if d in dims else n for d, n in enumerate(data.shape)])
    else:
        shape = tuple([n for d, n in enumerate(data.shape) if d not in dims])
    return sums.reshape(shape)


def _outer_block(data: np.ndarray, dims) -> np.ndarray | None:
    """data as (kept before, reduced, kept after) when the reduced dims, size-1 dims left
    out, are one block with kept dims after it (ATen's iterator coalesces each part)."""
    if dims is None or data.size >= _LONGEST_SINGLE_ROW or data.size == 0 \
            or data.dtype not in _FLOATS or not data.flags.c_contiguous:
        return None
    before = reduced = 1
    state = 0       # 0: kept dims before the block, 1: in the block, 2: kept dims after it
    for d, n in enumerate(data.shape):
        if n == 1:
            continue
        if d in dims:
            if state == 2:
                return None
            state, reduced = 1, reduced * n
        elif state == 0:
            before *= n
        else:
            state = 2
    if state != 2:
        return None
    return data.reshape(before, reduced, -1)


_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
