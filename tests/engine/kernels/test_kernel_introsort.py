"""engine.kernels.introsort against the slow pure-Python std::sort (introsort_reference.py),
including its heapsort fallback, and against torch.sort's indices (stable=False) live."""
import numpy as np
import pytest
import torch

import introsort_reference as ref
from engine.kernels import introsort as K


def _keys(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    keys = rng.integers(0, int(rng.integers(1, 300)), int(rng.integers(0, 3000)))
    if seed % 5 == 1:
        keys = np.sort(keys)
    if seed % 5 == 2:
        keys = np.sort(keys)[::-1].copy()
    return keys


@pytest.mark.parametrize("seed", range(12))
def test_matches_the_reference(seed):
    keys = _keys(seed)
    assert np.array_equal(K.unstable_argsort(keys), ref.argsort_unstable(keys))


@pytest.mark.parametrize("depth_limit", [0, 1, 3])
def test_heapsort_fallback_matches_the_reference(depth_limit):
    keys = np.random.default_rng(depth_limit).integers(0, 40, 500)
    order = K.unstable_argsort(keys, depth_limit)
    assert np.array_equal(order, ref.argsort_unstable(keys, depth_limit))
    assert np.all(np.diff(keys[order]) >= 0)


@pytest.mark.parametrize("seed", range(40))
def test_matches_torch_sort(seed):
    keys = _keys(seed)
    assert np.array_equal(K.unstable_argsort(keys), torch.sort(torch.tensor(keys)).indices)


def test_small_inputs_keep_equal_keys_in_order():
    keys = np.array([3, 1, 3, 0, 1, 3, 2, 0])
    assert np.array_equal(K.unstable_argsort(keys), np.argsort(keys, kind="stable"))
    assert K.unstable_argsort(np.zeros(0, np.int64)).size == 0


def test_rows_are_sorted_one_by_one():
    keys = np.random.default_rng(9).integers(0, 6, (4, 70))
    expected = np.stack([ref.argsort_unstable(row) for row in keys])
    assert np.array_equal(K.unstable_argsort_rows(keys), expected)


@pytest.mark.parametrize("seed", range(20))
def test_top_rows_match_torch_topk(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 400))
    k = int(rng.integers(0, n + 1)) if seed % 2 else int(rng.integers(0, n // 64 + 1))
    keys = rng.integers(0, 10, n)
    for largest in (True, False):
        for sort_selected in (True, False):
            mine = K.top_rows((~keys if largest else keys)[None], k, sort_selected)[0]
            theirs = torch.topk(torch.tensor(keys), k, largest=largest, sorted=sort_selected)
            assert np.array_equal(mine, theirs.indices)


@pytest.mark.parametrize("seed", range(10))
def test_kth_rows_pick_the_kth_value_where_torch_does(seed):
    rng = np.random.default_rng(seed)
    keys = rng.integers(0, 9, (3, int(rng.integers(1, 200))))
    k = int(rng.integers(1, keys.shape[1] + 1))
    picks = K.kth_rows(keys, k)
    assert np.array_equal(keys[np.arange(3), picks], np.sort(keys, axis=1)[:, k - 1])
    assert np.array_equal(picks, torch.kthvalue(torch.tensor(keys), k, dim=1).indices)


@pytest.mark.parametrize("seed", range(10))
def test_mode_rows_pick_the_mode_where_torch_does(seed):
    rng = np.random.default_rng(seed)
    keys = rng.integers(0, 7, (3, int(rng.integers(1, 200))))
    picks = K.mode_rows(keys)
    for row, pick in zip(keys, picks):
        values, counts = np.unique(row, return_counts=True)
        assert row[pick] == values[np.argmax(counts)]
    assert np.array_equal(picks, torch.mode(torch.tensor(keys), dim=1).indices)
