"""engine.kernels.aten_order against slow NumPy references written from ATen's loops
(SumKernel.cpp's cascade_sum, ReduceOpsKernel.cpp's norm over the last dim), and both against
torch 2.13 bit for bit."""
import numpy as np
import pytest
import torch

from engine.kernels import aten_order as K

LANE_BYTES = 32
SIZES = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 37, 64, 100, 129, 513, 1000, 4097]


# ---------------------------------------------------------------- references

def _ceil_log2(x):
    return 1 if x <= 2 else (x - 1).bit_length()


def _multi_row_sum(items):
    """items (count, 4, width) added in multi_row_sum's cascade; returns (4, width)."""
    count = len(items)
    level_power = max(4, _ceil_log2(count) // 4)
    step, mask = 1 << level_power, (1 << level_power) - 1
    acc = [np.zeros(items.shape[1:], items.dtype) for _ in range(4)]
    i = 0
    while i + step <= count:
        for _ in range(step):
            acc[0] = acc[0] + items[i]
            i += 1
        for j in range(1, 4):
            acc[j], acc[j - 1] = acc[j] + acc[j - 1], np.zeros_like(acc[j - 1])
            if i & (mask << (j * level_power)):
                break
    for k in range(i, count):
        acc[0] = acc[0] + items[k]
    for j in range(1, 4):
        acc[0] = acc[0] + acc[j]
    return acc[0]


def _row_sum(items):
    """row_sum of items (count, width): four accumulators, leftovers, then added in order."""
    whole = len(items) - len(items) % 4
    partial = _multi_row_sum(items[:whole].reshape(whole // 4, 4, items.shape[1]))
    first = partial[0]
    for k in range(whole, len(items)):
        first = first + items[k]
    for k in range(1, 4):
        first = first + partial[k]
    return first


def sum_reference(row):
    lanes = LANE_BYTES // row.itemsize
    if len(row) < lanes:
        return _row_sum(row[:, None])[0]
    whole = len(row) - len(row) % lanes
    lane_sums = _row_sum(row[:whole].reshape(-1, lanes))
    total = row.dtype.type(0)
    for value in row[whole:]:
        total = total + value
    for value in lane_sums:
        total = total + value
    return total


def _fused(total, x):
    """total + x * x rounded once, with Python's exact rationals."""
    from fractions import Fraction
    exact = Fraction(float(total)) + Fraction(float(x)) ** 2
    return total.dtype.type(float(exact)) if total.dtype == np.float64 else \
        np.float32(float(exact))


def norm_reference(row):
    lanes = LANE_BYTES // row.itemsize
    whole = len(row) - len(row) % lanes
    acc = np.zeros(lanes, row.dtype)
    for d in range(0, whole, lanes):
        acc = acc + row[d:d + lanes] * row[d:d + lanes]
    total = acc[0]
    for value in acc[1:]:
        total = total + value
    d = whole
    while row.dtype == np.float32 and len(row) - d >= 4:
        for square in row[d:d + 4] * row[d:d + 4]:
            total = total + square
        d += 4
    for value in row[d:]:
        total = _fused(total, value)
    return np.sqrt(total)


# ---------------------------------------------------------------- tests

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("size", SIZES)
def test_sums_match_the_reference_and_torch(dtype, size):
    rows = np.random.default_rng(size).standard_normal((6, size)).astype(dtype)
    got = K.inner_sums(rows)
    assert got.dtype == dtype
    assert np.array_equal(got, [sum_reference(row) for row in rows])
    assert np.array_equal(got, torch.from_numpy(rows).sum(1).numpy())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("size", SIZES)
def test_norms_match_the_reference_and_torch(dtype, size):
    rows = np.random.default_rng(size).standard_normal((6, size)).astype(dtype)
    got = K.two_norms(rows)
    assert got.dtype == dtype
    assert np.array_equal(got, [norm_reference(row) for row in rows])
    assert np.array_equal(got, torch.linalg.vector_norm(torch.from_numpy(rows), 2, 1).numpy())


def test_a_long_sum_cascades_as_torch():
    rows = np.random.default_rng(0).standard_normal((2, 70000)).astype(np.float32)
    assert np.array_equal(K.inner_sums(rows), torch.from_numpy(rows).sum(1).numpy())


def test_other_dtypes_are_refused():
    with pytest.raises(TypeError, match="float32 or float64"):
        K.inner_sums(np.ones((2, 3), np.int64))


def p_norm_reference(row, p):
    """|x| ** p added left to right, then ** (1 / p); math.pow per element (C's pow), float32
    powers as correctly rounded float32."""
    import math
    dtype = row.dtype.type
    p, inverse = dtype(p), dtype(1) / dtype(p)
    total = dtype(0)
    for value in np.abs(row):
        total = total + dtype(math.pow(float(value), float(p)))
    return dtype(math.pow(float(total), float(inverse)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("p", [1, 3, 1.5, 0.5])
@pytest.mark.parametrize("size", [2, 5, 37, 100])
def test_p_norms_match_the_reference_and_torch(dtype, p, size):
    rows = np.random.default_rng(size).standard_normal((6, size)).astype(dtype)
    got = K.sequential_sums(np.abs(rows)) if p == 1 else K.p_norms(rows, p)
    assert got.dtype == dtype
    assert np.array_equal(got, [p_norm_reference(row, p) for row in rows])
    assert np.array_equal(got, torch.linalg.vector_norm(torch.from_numpy(rows), p, 1).numpy())


def nll_reference(log_probs, target, weight, ignore_index):
    """nll_loss_out_frame's cascade: eight levels, a level carried up while the sample
    index's bits below it are zero, then the levels added in order."""
    dtype = log_probs.dtype.type
    rows = len(target)
    level_power = max(4, _ceil_log2(rows) // 8)
    mask = (1 << level_power) - 1
    losses, weights, ignored = [dtype(0)] * 8, [dtype(0)] * 8, 0
    for b, t in enumerate(target):
        if t == ignore_index:
            ignored += 1
            continue
        w = dtype(1) if weight is None else weight[t]
        losses[0] = losses[0] - (log_probs[b, t] if weight is None else log_probs[b, t] * w)
        weights[0] = weights[0] + w
        for j in range(7):
            if b & (mask << (j * level_power)):
                break
            losses[j + 1], losses[j] = losses[j + 1] + losses[j], dtype(0)
            weights[j + 1], weights[j] = weights[j + 1] + weights[j], dtype(0)
    loss = total = dtype(0)
    for j in range(8):
        loss, total = loss + losses[j], total + weights[j]
    return loss, (dtype(rows - ignored) if weight is None else total)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("rows", [1, 2, 17, 20, 33, 300, 5000])
@pytest.mark.parametrize("weighted", [False, True])
def test_nll_totals_match_the_reference_and_torch(dtype, rows, weighted):
    rng = np.random.default_rng(rows)
    log_probs = rng.standard_normal((rows, 5)).astype(dtype)
    target = rng.integers(0, 5, rows)
    target[::7] = -100
    weight = rng.random(5).astype(dtype) if weighted else None
    got = K.nll_totals(log_probs, target, weight, -100)
    assert got == nll_reference(log_probs, target, weight, -100)
    expected = torch.nn.functional.nll_loss(
        torch.from_numpy(log_probs), torch.from_numpy(target),
        None if weight is None else torch.from_numpy(weight), reduction="sum")
    assert got[0] == expected.numpy()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("length", [1, 2, 3, 4, 5])
def test_short_rows_are_torchs_sums_without_the_kernel(dtype, length):
    """A row of at most four puts one element in each scalar accumulator: NumPy's
    sequential sum has the same bits (and a handful of numbers loads no Numba)."""
    from engine.ops._sum_cascade import sum_in_aten_order
    rng = np.random.default_rng(length)
    rows = (rng.standard_normal((500, length)) * 10.0 ** rng.integers(-6, 6, (500, 1)))
    rows = rows.astype(dtype)
    ours = sum_in_aten_order(rows, (1,), False)
    assert ours.tobytes() == torch.from_numpy(rows).sum(1).numpy().tobytes()
