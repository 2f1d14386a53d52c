"""Where ATen lays out a tensor it allocates, so that view(), is_contiguous() and reshape()
answer as in PyTorch. NumPy picks its own order for fancy indexing, concatenation and copies;
these helpers give an array ATen's order instead.

ATen's TensorIterator (and empty_like's memory_format=preserve) orders the output's dims by
its inputs' strides: an insertion sort over the dims, fastest first, in which the first input
whose strides tell two dims apart decides (a stride of 0, a broadcast dim, tells nothing;
equal strides put the smaller dim first)."""
from __future__ import annotations

import numpy as np


def _strides_in_elements(array: np.ndarray) -> tuple:
    return tuple(s // array.itemsize for s in array.strides)


def operand(array: np.ndarray, shape: tuple) -> tuple:
    """An input's strides as TensorIterator sees them against the output's `shape`: aligned to
    the right, 0 for the dims it lacks and for its size-1 dims that broadcast."""
    strides = _strides_in_elements(array)
    offset = len(shape) - array.ndim
    seen = [0] * offset
    for size, stride, out_size in zip(array.shape, strides, shape[offset:]):
        seen.append(0 if size == 1 and out_size != 1 else stride)
    return tuple(seen)


def _should_swap(shape: tuple, operands: list, dim0: int, dim1: int) -> int:
    for strides in operands:
        stride0, stride1 = strides[dim0], strides[dim1]
        if stride0 == 0 or stride1 == 0:
            continue
        if stride0 != stride1:
            return -1 if stride0 < stride1 else 1
        if shape[dim0] > shape[dim1]:
            return 1
    return 0


def order(shape: tuple, operands: list) -> list:
    """TensorIterator's reorder_dimensions: the output's dims, fastest first. `operands`: the
    inputs' strides from operand(), in the op's input order."""
    ndim = len(shape)
    perm = list(range(ndim - 1, -1, -1))
    for i in range(1, ndim):
        dim1 = i
        for dim0 in range(i - 1, -1, -1):
            comparison = _should_swap(shape, operands, perm[dim0], perm[dim1])
            if comparison > 0:
                perm[dim0], perm[dim1] = perm[dim1], perm[dim0]
                dim1 = dim0
            elif comparison < 0:
                break
    return perm


def empty(shape: tuple, dtype, perm: list) -> np.ndarray:
    """An uninitialised array of `shape` whose memory runs through the dims in `perm` order
    (fastest first), with no gaps."""
    slowest_first = perm[::-1]
    block = np.empty([shape[d] for d in slowest_first], dtype=dtype)
    return block.transpose(np.argsort(slowest_first))


def with_order(values: np.ndarray, perm: list) -> np.ndarray:
    """`values` laid out in `perm` order: itself when it already is (its size-1 dims given
    ATen's strides, which matmul's folding reads), else a copy."""
    if not _runs_in(values, perm):
        out = empty(values.shape, values.dtype, perm)
        out[...] = values
        return out
    strides, step = [0] * values.ndim, values.itemsize
    for d in perm:
        strides[d] = step
        step *= values.shape[d]
    if tuple(strides) == values.strides or values.size == 0:
        return values
    return np.lib.stride_tricks.as_strided(values, values.shape, strides, writeable=True)


def _runs_in(array: np.ndarray, perm: list) -> bool:
    """Whether `array` is dense with its memory running through the dims in `perm` order."""
    expected = 1
    strides = _strides_in_elements(array)
    for d in perm:
        if array.shape[d] != 1 and strides[d] != expected:
            return False
        expected *= array.shape[d]
    return True


def is_dense(array: np.ndarray) -> bool:
    """Non-overlapping and dense: its elements fill a block of memory, in some dims' order."""
    return _runs_in(array, order(array.shape, [_strides_in_elements(array)]))


def preserved_order(array: np.ndarray) -> list:
    """The dims' order (fastest first) of a new tensor like `array` (preserve_format)."""
    return order(array.shape, [_strides_in_elements(array)])


def preserved(values: np.ndarray, like: np.ndarray | None = None) -> np.ndarray:
    """A new array holding `values` with the layout of `like` (`values` by default), as
    clone() / empty_like keep it (preserve_format): its own order when dense, else its dims'
    order compacted."""
    like = values if like is None else like
    out = empty(values.shape, values.dtype, preserved_order(like))
    out[...] = values
    return out


def strides_like_channels_last(array: np.ndarray) -> bool:
    """ATen's is_channels_last_strides_2d (what suggest_memory_format reads) for a 4-D array:
    the dims' strides grow in the order C, W, H, N, a size-1 dim not scaling the next bound;
    a zero C stride, or an N stride equal to C's, falls back to contiguous."""
    if array.ndim != 4:
        return False
    sizes, strides = array.shape, _strides_in_elements(array)
    if strides[1] == 0:
        return False
    bound = 0
    for d in (1, 3, 2, 0):
        if strides[d] < bound or (d == 0 and bound == strides[1]):
            return False
        bound = strides[d] * sizes[d] if sizes[d] > 1 else strides[d]
    return True


def contiguous(values: np.ndarray) -> np.ndarray:
    """Row-major, as ATen allocates most results (cat, stack, reductions)."""
    return np.ascontiguousarray(values) if values.ndim else values


def iterated(values: np.ndarray, inputs: list) -> np.ndarray:
    """`values`, an elementwise result, in the layout TensorIterator gives it from `inputs`
    (arrays, in the op's input order)."""
    if values.ndim < 2:
        return values
    arrays = [a for a in inputs if isinstance(a, np.ndarray) and a.ndim]
    # Row-major inputs (broadcast or not) give a row-major result, as NumPy's is already;
    # NumPy's flag ignores size-1 dims, whose strides ATen's order reads.
    if all(_row_major(a) for a in arrays) and _row_major(values):
        return values
    shape = values.shape
    return with_order(values, order(shape, [operand(a, shape) for a in arrays]))


def _row_major(array: np.ndarray) -> bool:
    if not array.flags.c_contiguous:
        return False
    if 1 not in array.shape:
        return True
    step = array.itemsize
    for size, stride in zip(reversed(array.shape), reversed(array.strides)):
        if stride != step:
            return False
        step *= size
    return True


def advanced_index(data: np.ndarray, key: tuple, values: np.ndarray) -> np.ndarray:
    """`values` = data[key] (NumPy's order) laid out as ATen's index lays it out: a
    TensorIterator over data restrided (0 strides where the indexed dims were, the index
    shape in their place) and the index tensors broadcast together and reshaped to the
    output's rank."""
    if values.ndim < 2 or values.size == 0:
        return values
    indexed, arrays = [], []
    for dim, part in enumerate(key):
        if isinstance(part, slice):
            continue
        part = np.asarray(part)
        if part.dtype == bool:
            columns = np.nonzero(part)
            indexed += range(dim, dim + part.ndim)
            arrays += [np.ascontiguousarray(c) for c in columns]
        else:
            indexed.append(dim)
            arrays.append(part)
    arrays = np.broadcast_arrays(*arrays)
    index_shape = arrays[0].shape
    strides = _strides_in_elements(data)
    dims = list(range(data.ndim))
    if indexed != list(range(indexed[0], indexed[0] + len(indexed))):
        dims = indexed + [d for d in dims if d not in indexed]       # transposed to the front
        indexed = list(range(len(indexed)))
    before, after = dims[:indexed[0]], dims[indexed[-1] + 1:]
    shape = values.shape
    if shape != tuple(data.shape[d] for d in before) + index_shape + \
            tuple(data.shape[d] for d in after):
        return values
    src = tuple(strides[d] for d in before) + (0,) * len(index_shape) + \
        tuple(strides[d] for d in after)
    operands = [src]
    for index in arrays:
        inner = tuple(0 if size == 1 and shape[len(before) + i] != 1 else stride
                      for i, (size, stride) in enumerate(zip(index.shape,
                                                             _strides_in_elements(index))))
        operands.append((0,) * len(before) + inner + (0,) * len(after))
    return with_order(values, order(shape, operands))
