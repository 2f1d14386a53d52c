"""engine.kernels.embedding_bag against NumPy references: sequential bag sums (np.add.at
adds in order), fused per-sample sums and the gradient's fused additions (engine.optim._fma
row by row), running maxima (one comparison per step)."""
import numpy as np
import pytest

from engine.kernels import embedding_bag as K
from engine.optim._fma import fma

DTYPES = [np.float32, np.float64]


def _problem(dtype, seed=0):
    rng = np.random.default_rng(seed)
    weight = rng.normal(size=(30, 7)).astype(dtype)
    indices = rng.integers(0, 30, 400)
    bags = np.sort(rng.integers(0, 12, 400))
    positions = np.flatnonzero(indices != 4)
    return rng, weight, indices, bags, positions


@pytest.mark.parametrize("dtype", DTYPES)
def test_bag_sums(dtype):
    _, weight, indices, bags, positions = _problem(dtype)
    out = np.zeros((12, 7), dtype)
    K.bag_sums(weight, indices, bags, positions, out)
    expected = np.zeros((12, 7), dtype)
    np.add.at(expected, bags[positions], weight[indices[positions]])
    assert np.array_equal(out, expected)


@pytest.mark.parametrize("fused", [True, False])
@pytest.mark.parametrize("dtype", DTYPES)
def test_weighted_bag_sums(dtype, fused):
    rng, weight, indices, bags, positions = _problem(dtype, 1)
    sample_weights = rng.normal(size=400).astype(dtype)
    out = np.zeros((12, 7), dtype)
    K.weighted_bag_sums(weight, indices, bags, positions, sample_weights, fused, out)
    expected = np.zeros((12, 7), dtype)
    for p in positions:
        row, bag = weight[indices[p]], bags[p]
        expected[bag] = fma(row, sample_weights[p], expected[bag], dtype) if fused \
            else expected[bag] + row * sample_weights[p]
    assert np.array_equal(out, expected)


@pytest.mark.parametrize("dtype", DTYPES)
def test_bag_maxes(dtype):
    _, weight, indices, bags, positions = _problem(dtype, 2)
    weight[3, 2] = np.nan
    out, max_indices = np.zeros((12, 7), dtype), np.zeros((12, 7), np.int64)
    K.bag_maxes(weight, indices, bags, positions, out, max_indices)
    expected, expected_indices = np.zeros((12, 7), dtype), np.zeros((12, 7), np.int64)
    seen = set()
    for p in positions:
        row, bag = weight[indices[p]], bags[p]
        take = np.ones(7, bool) if bag not in seen else row > expected[bag]
        seen.add(bag)
        expected[bag] = np.where(take, row, expected[bag])
        expected_indices[bag] = np.where(take, indices[p], expected_indices[bag])
    assert np.array_equal(out, expected, equal_nan=True)
    assert np.array_equal(max_indices, expected_indices)


@pytest.mark.parametrize("dtype", DTYPES)
def test_scaled_row_sums(dtype):
    rng = np.random.default_rng(3)
    grad_out = rng.normal(size=(12, 7)).astype(dtype)
    rows, bags = np.sort(rng.integers(0, 30, 300)), rng.integers(0, 12, 300)
    scales = rng.normal(size=300).astype(dtype)
    out = np.zeros((30, 7), dtype)
    K.scaled_row_sums(grad_out, rows, bags, scales, out)
    expected = np.zeros((30, 7), dtype)
    for row, bag, scale in zip(rows, bags, scales):
        expected[row] = fma(scale, grad_out[bag], expected[row], dtype)
    assert np.array_equal(out, expected)
