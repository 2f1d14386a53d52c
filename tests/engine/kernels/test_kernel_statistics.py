"""engine.kernels.statistics.moments against NumPy, and the Stats a big summary gets from it."""

import numpy as np
import pytest

from engine import trace
from engine.kernels import statistics

DTYPES = [np.float32, np.float64]


def _reference(flat):
    wide = flat.astype(np.float64)
    return (wide.min(), wide.max(), wide.sum(), float(np.dot(wide, wide)), np.abs(wide).sum())


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("size", [1, 7, 5000, statistics.SPLIT_FROM, 200_003])
def test_moments_match_numpy_in_float64(dtype, size):
    flat = np.random.default_rng(size).standard_normal(size).astype(dtype) * 3 - 1
    got = statistics.moments(flat)
    assert got[:2] == (flat.min(), flat.max())
    np.testing.assert_allclose(got, _reference(flat), rtol=1e-12)


@pytest.mark.parametrize("size", [20, 3 * statistics.SPLIT_FROM])
def test_moments_of_a_strided_view_read_its_elements(size):
    base = np.arange(size, dtype=np.float32)
    np.testing.assert_allclose(statistics.moments(base[::3]), _reference(base[::3]))


@pytest.mark.parametrize("size", [3, statistics.SPLIT_FROM + 1])
def test_nonfinite_values_show_in_the_sum(size):
    flat = np.ones(size, dtype=np.float32)
    flat[1] = np.nan
    assert not np.isfinite(statistics.moments(flat)[2])
    flat[1], flat[-1] = np.inf, -np.inf
    assert not np.isfinite(statistics.moments(flat)[2])


def test_bad_input_is_refused():
    with pytest.raises(TypeError, match="float32 or float64"):
        statistics.moments(np.arange(3))
    with pytest.raises(ValueError, match="non-empty flat"):
        statistics.moments(np.zeros((2, 2), np.float32))


@pytest.mark.parametrize("special", [None, np.nan, np.inf])
def test_big_summary_statistics_agree_with_numpy(special):
    values = np.random.default_rng(3).standard_normal(trace.values_cap + 100).astype(np.float32)
    if special is not None:
        values[[5, 70]] = special
    stats = trace.summarize(values).statistics()
    finite = values[np.isfinite(values)].astype(np.float64)
    assert (stats.nan, stats.inf) == (int(np.isnan(values).sum()), int(np.isinf(values).sum()))
    assert (stats.min, stats.max) == (finite.min(), finite.max())
    assert stats.mean == pytest.approx(finite.mean(), rel=1e-6)
    assert stats.norm == pytest.approx(np.sqrt(np.dot(finite, finite)), rel=1e-6)
    assert stats.abs_mean == pytest.approx(np.abs(finite).mean(), rel=1e-6)
    np.testing.assert_array_equal(stats.head, values[:trace.head_len])


def test_statistics_that_replace_kept_values_come_from_the_kernel():
    values = np.random.default_rng(4).standard_normal(1024).astype(np.float32)
    summary = trace.summarize(values)
    assert summary.values is not None            # small: the values are kept...
    spent = lambda event: None                   # ...until the value budget is spent
    trace.subscribe(spent, trace.ValueBudget(0))
    try:
        stripped = trace.summarize(values)
    finally:
        trace.unsubscribe(spent)
    wide = values.astype(np.float64)
    assert stripped.values is None
    assert stripped.mean == pytest.approx(wide.mean(), rel=1e-9)
    assert stripped.norm == pytest.approx(np.sqrt(np.dot(wide, wide)), rel=1e-9)


def test_statistics_of_kept_values_are_numpys_exactly():
    values = np.random.default_rng(5).standard_normal(1024).astype(np.float32)
    summary = trace.summarize(values)
    assert summary.mean == float(values.sum()) / values.size
    assert summary.norm == float(np.sqrt(np.dot(values, values)))


@pytest.mark.parametrize("size", [300, 3 * statistics.SPLIT_FROM])
def test_the_unchecked_entry_agrees_with_the_checked_one_on_strided_arrays(size):
    base = np.random.default_rng(6).standard_normal(size).astype(np.float32)
    np.testing.assert_allclose(statistics.moments_of_checked(base[::2]),
                               statistics.moments(base[::2]), rtol=1e-12)
