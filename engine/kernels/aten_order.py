"""Row sums and row 2-norms added in the order of ATen's CPU kernels, so their float32 and
float64 results have torch's last bits (engine/ops/_sum_cascade.py and _norm_lanes.py say
which order and where it holds).

Compiled without fast-math: the order of the additions is the point, so neither
reassociation nor contraction into fused multiply-adds is allowed here.
"""
import numba
import numpy as np

from engine.kernels._jit import check_float

_VECTOR_BYTES = 32
_ILP = 4
_LEVELS = 4
_SPLIT = 134217729.0        # 2**27 + 1: Veltkamp's splitter for float64


def exact_kernel(function):
    """A cached, GIL-free nopython kernel that keeps every rounding of the source."""
    return numba.njit(cache=True, nogil=True)(function)


@exact_kernel
def _ceil_log2(x):
    if x <= 2:
        return 1
    bits = 0
    value = x - 1
    while value > 0:
        value >>= 1
        bits += 1
    return bits


@exact_kernel
def _row_sum(row, items, width, zero, acc, first):
    """ATen's row_sum of `items` items of `width` elements each (width 1: scalars): four
    accumulators filled by multi_row_sum's cascade, the left-over items into the first,
    then the four added in order, into `first` (width elements; `acc` is scratch)."""
    groups = items // _ILP
    acc[:] = zero
    level_power = max(4, _ceil_log2(groups) // _LEVELS)
    level_step = 1 << level_power
    level_mask = level_step - 1
    i = 0
    while i + level_step <= groups:
        for _ in range(level_step):
            base = i * _ILP * width
            for k in range(_ILP):
                for lane in range(width):
                    acc[0, k, lane] = acc[0, k, lane] + row[base + k * width + lane]
            i += 1
        for j in range(1, _LEVELS):
            for k in range(_ILP):
                for lane in range(width):
                    acc[j, k, lane] = acc[j, k, lane] + acc[j - 1, k, lane]
                    acc[j - 1, k, lane] = zero
            if i & (level_mask << (j * level_power)):
                break
    while i < groups:
        base = i * _ILP * width
        for k in range(_ILP):
            for lane in range(width):
                acc[0, k, lane] = acc[0, k, lane] + row[base + k * width + lane]
        i += 1
    for j in range(1, _LEVELS):
        for k in range(_ILP):
            for lane in range(width):
                acc[0, k, lane] = acc[0, k, lane] + acc[j, k, lane]
    for lane in range(width):
        first[lane] = acc[0, 0, lane]
    for item in range(groups * _ILP, items):
        for lane in range(width):
            first[lane] = first[lane] + row[item * width + lane]
    for k in range(1, _ILP):
        for lane in range(width):
            first[lane] = first[lane] + acc[0, k, lane]


@exact_kernel
def _inner_sums(rows, lanes, out):
    zero = np.zeros(1, rows.dtype)[0]
    count = rows.shape[1]
    width = 1 if count < lanes else lanes
    acc = np.empty((_LEVELS, _ILP, width), dtype=rows.dtype)
    lane_sums = np.empty(width, dtype=rows.dtype)
    for r in range(rows.shape[0]):
        row = rows[r]
        if count < lanes:
            _row_sum(row, count, 1, zero, acc, lane_sums)
            out[r] = lane_sums[0]
            continue
        whole = count - count % lanes
        _row_sum(row, whole // lanes, lanes, zero, acc, lane_sums)
        total = zero
        for k in range(whole, count):
            total = total + row[k]
        for lane in range(lanes):
            total = total + lane_sums[lane]
        out[r] = total


def inner_sums(rows):
    """Each row of a C-contiguous 2-D float array summed as ATen's sum kernel does."""
    check_float("rows", rows)
    out = np.empty(rows.shape[0], rows.dtype)
    _inner_sums(np.ascontiguousarray(rows), _VECTOR_BYTES // rows.itemsize, out)
    return out


@exact_kernel
def _fused_square_add_64(total, x):
    """total + x * x rounded once, for float64 (Dekker's exact product, then the sum of the
    three parts, larger first)."""
    product = x * x
    split = _SPLIT * x
    high = split - (split - x)
    low = x - high
    error = ((high * high - product) + 2.0 * high * low) + low * low
    total_sum = total + product
    virtual = total_sum - total
    sum_error = (total - (total_sum - virtual)) + (product - virtual)
    return total_sum + (sum_error + error)


@exact_kernel
def _two_norms(rows, lanes, single, out):
    """ATen's norm kernel for p=2 over a contiguous last dim: lanes of squares, folded in
    order, the leftovers in fours squared then added, the last ones fused."""
    count = rows.shape[1]
    whole = count - count % lanes
    acc = np.empty(lanes, dtype=rows.dtype)
    for r in range(rows.shape[0]):
        row = rows[r]
        acc[:] = 0
        for d in range(0, whole, lanes):
            for lane in range(lanes):
                acc[lane] = acc[lane] + row[d + lane] * row[d + lane]
        total = acc[0]
        for lane in range(1, lanes):
            total = total + acc[lane]
        d = whole
        while single and count - d >= _ILP:
            squares = row[d:d + _ILP] * row[d:d + _ILP]
            for k in range(_ILP):
                total = total + squares[k]
            d += _ILP
        for k in range(d, count):
            if single:
                wide = np.float64(row[k])
                total = np.float32(np.float64(total) + wide * wide)
            else:
                total = _fused_square_add_64(total, row[k])
        out[r] = np.sqrt(total)


def two_norms(rows):
    """The 2-norm of each row of a C-contiguous 2-D float array, as ATen's kernel adds it."""
    check_float("rows", rows)
    out = np.empty(rows.shape[0], rows.dtype)
    _two_norms(np.ascontiguousarray(rows), _VECTOR_BYTES // rows.itemsize,
               rows.dtype == np.float32, out)
    return out


@exact_kernel
def _sequential_sums(rows, out):
    for r in range(rows.shape[0]):
        total = rows[r, 0]
        for k in range(1, rows.shape[1]):
            total = total + rows[r, k]
        out[r] = total


def sequential_sums(rows):
    """Each row of a C-contiguous 2-D float array added left to right (ATen's scalar
    reductions: the p-norms other than 2, 0 and inf)."""
    check_float("rows", rows)
    out = np.empty(rows.shape[0], rows.dtype)
    if rows.shape[1]:
        _sequential_sums(np.ascontiguousarray(rows), out)
    else:
        out[:] = 0
    return out


@exact_kernel
def _p_norms(rows, p, inverse, out):
    for r in range(rows.shape[0]):
        total = abs(rows[r, 0]) ** p
        for k in range(1, rows.shape[1]):
            total = total + abs(rows[r, k]) ** p
        out[r] = total ** inverse


def p_norms(rows, p):
    """Each row's p-norm as ATen's scalar reduction computes it: |x| ** p added left to
    right, then ** (1 / p), every power the C library's pow (powf for float32) with p and
    1 / p in the rows' dtype."""
    check_float("rows", rows)
    dtype = rows.dtype.type
    out = np.empty(rows.shape[0], rows.dtype)
    if rows.shape[1]:
        _p_norms(np.ascontiguousarray(rows), dtype(p), dtype(1) / dtype(p), out)
    else:
        out[:] = 0
    return out


_NLL_LEVELS = 8


@exact_kernel
def _nll_totals(log_probs, target, weight, has_weight, ignore_index, out):
    """ATen's nll_loss_out_frame: -w[t] * x[t] and w[t] summed per sample into cascades of
    eight levels (a level carried up when the sample index's bits below it are zero), each
    cascade then added in order. out: (loss total, weight total, ignored count)."""
    rows = log_probs.shape[0]
    level_power = max(4, _ceil_log2(rows) // _NLL_LEVELS)
    level_mask = (1 << level_power) - 1
    losses = np.zeros(_NLL_LEVELS, dtype=log_probs.dtype)
    weights = np.zeros(_NLL_LEVELS, dtype=log_probs.dtype)
    ignored = 0
    for b in range(rows):
        t = target[b]
        if t == ignore_index:
            ignored += 1
            continue
        if has_weight:
            losses[0] = losses[0] - log_probs[b, t] * weight[t]
            weights[0] = weights[0] + weight[t]
        else:
            losses[0] = losses[0] - log_probs[b, t]
        for j in range(_NLL_LEVELS - 1):
            if b & (level_mask << (j * level_power)):
                break
            weights[j + 1] = weights[j + 1] + weights[j]
            losses[j + 1] = losses[j + 1] + losses[j]
            weights[j] = 0
            losses[j] = 0
    loss_total = np.zeros(1, log_probs.dtype)[0]    # a float32 zero keeps float32 sums
    weight_total = loss_total
    for j in range(_NLL_LEVELS):
        loss_total = loss_total + losses[j]
        weight_total = weight_total + weights[j]
    out[0] = loss_total
    out[1] = weight_total
    out[2] = ignored


def nll_totals(log_probs, target, weight, ignore_index):
    """(loss total, total weight) of nll_loss over log_probs[N, C] and targets[N] in
    ATen's order and dtype; the total weight without `weight` is the count of samples not
    ignored. Targets must be in range (checked before)."""
    check_float("log_probs", log_probs)
    dtype = log_probs.dtype
    has_weight = weight is not None
    weight = np.ones(1, dtype) if weight is None else np.ascontiguousarray(weight, dtype)
    out = np.empty(3, dtype)
    _nll_totals(np.ascontiguousarray(log_probs), np.ascontiguousarray(target, np.int64),
                weight, has_weight, ignore_index, out)
    total_weight = out[1] if has_weight else dtype.type(log_probs.shape[0] - int(out[2]))
    return out[0], total_weight


# breadth: sums over leading dims (SumKernel.cpp's vectorized_outer_sum, scalar_outer_sum)

@exact_kernel
def _cascade_columns(block, first, last, zero, out):
    """multi_row_sum over the rows for columns [first, last): each column's rows into one
    accumulator, carried up the cascade's levels (columns side by side, each on its own)."""
    rows = block.shape[0]
    width = last - first
    acc = np.empty((_LEVELS, width), dtype=block.dtype)
    acc[:] = zero
    level_power = max(4, _ceil_log2(rows) // _LEVELS)
    level_step = 1 << level_power
    level_mask = level_step - 1
    i = 0
    while i + level_step <= rows:
        for _ in range(level_step):
            for c in range(width):
                acc[0, c] = acc[0, c] + block[i, first + c]
            i += 1
        for j in range(1, _LEVELS):
            for c in range(width):
                acc[j, c] = acc[j, c] + acc[j - 1, c]
                acc[j - 1, c] = zero
            if i & (level_mask << (j * level_power)):
                break
    while i < rows:
        for c in range(width):
            acc[0, c] = acc[0, c] + block[i, first + c]
        i += 1
    for c in range(width):
        total = acc[0, c]
        for j in range(1, _LEVELS):
            total = total + acc[j, c]
        out[first + c] = total


@exact_kernel
def _outer_sums(blocks, lanes, out):
    zero = np.zeros(1, blocks.dtype)[0]
    rows, columns = blocks.shape[1], blocks.shape[2]
    acc = np.empty((_LEVELS, _ILP, 1), dtype=blocks.dtype)
    first = np.empty(1, dtype=blocks.dtype)
    column = np.empty(rows, dtype=blocks.dtype)
    # columns summed with multi_row_sum (one cascade each) before those summed with
    # row_sum (four accumulators)
    if columns >= lanes:
        sequential = columns - columns % (_ILP * lanes)
    else:
        sequential = columns - columns % _ILP
    for a in range(blocks.shape[0]):
        if sequential:
            _cascade_columns(blocks[a], 0, sequential, zero, out[a])
        for c in range(sequential, columns):
            for r in range(rows):
                column[r] = blocks[a, r, c]
            _row_sum(column, rows, 1, zero, acc, first)
            out[a, c] = first[0]


def outer_sums(blocks):
    """blocks (A, R, C), C-contiguous: the sums over R as ATen's outer-reduction kernels add
    them (A, C): columns in whole groups of four vectors (four scalars when a row is shorter
    than a vector) each in one cascade, the rest by row_sum's four accumulators."""
    out = np.empty((blocks.shape[0], blocks.shape[2]), blocks.dtype)
    _outer_sums(blocks, _VECTOR_BYTES // blocks.itemsize, out)
    return out
