"""libstdc++'s std::sort on (key, index) pairs comparing keys only, written out slowly in
plain Python (recursion as in the library), to check engine.kernels.introsort against."""
import numpy as np

THRESHOLD = 16


def argsort_unstable(keys, depth_limit=None):
    k = [int(key) for key in keys]
    idx = list(range(len(k)))
    n = len(k)
    if depth_limit is None:
        depth_limit = 2 * (max(n, 1).bit_length() - 1)
    if n > 1:
        _introsort_loop(k, idx, 0, n, depth_limit)
        _final_insertion_sort(k, idx, 0, n)
    return np.array(idx, dtype=np.int64)


def _swap(k, idx, a, b):
    k[a], k[b] = k[b], k[a]
    idx[a], idx[b] = idx[b], idx[a]


def _introsort_loop(k, idx, first, last, depth):
    while last - first > THRESHOLD:
        if depth == 0:
            _heap_sort(k, idx, first, last)
            return
        depth -= 1
        cut = _partition_pivot(k, idx, first, last)
        _introsort_loop(k, idx, cut, last, depth)
        last = cut


def _partition_pivot(k, idx, first, last):
    mid = first + (last - first) // 2
    _median_to_first(k, idx, first, first + 1, mid, last - 1)
    lo, hi = first + 1, last
    while True:
        while k[lo] < k[first]:
            lo += 1
        hi -= 1
        while k[first] < k[hi]:
            hi -= 1
        if not lo < hi:
            return lo
        _swap(k, idx, lo, hi)
        lo += 1


def _median_to_first(k, idx, result, a, b, c):
    if k[a] < k[b]:
        if k[b] < k[c]:
            _swap(k, idx, result, b)
        elif k[a] < k[c]:
            _swap(k, idx, result, c)
        else:
            _swap(k, idx, result, a)
    elif k[a] < k[c]:
        _swap(k, idx, result, a)
    elif k[b] < k[c]:
        _swap(k, idx, result, c)
    else:
        _swap(k, idx, result, b)


def _final_insertion_sort(k, idx, first, last):
    if last - first > THRESHOLD:
        _insertion_sort(k, idx, first, first + THRESHOLD)
        for i in range(first + THRESHOLD, last):
            _linear_insert(k, idx, i)
    else:
        _insertion_sort(k, idx, first, last)


def _insertion_sort(k, idx, first, last):
    for i in range(first + 1, last):
        if k[i] < k[first]:
            vk, vi = k[i], idx[i]
            k[first + 1:i + 1] = k[first:i]
            idx[first + 1:i + 1] = idx[first:i]
            k[first], idx[first] = vk, vi
        else:
            _linear_insert(k, idx, i)


def _linear_insert(k, idx, last):
    vk, vi = k[last], idx[last]
    nxt = last - 1
    while vk < k[nxt]:
        k[last], idx[last] = k[nxt], idx[nxt]
        last = nxt
        nxt -= 1
    k[last], idx[last] = vk, vi


def _heap_sort(k, idx, first, last):
    n = last - first
    # make_heap
    if n >= 2:
        parent = (n - 2) // 2
        while True:
            vk, vi = k[first + parent], idx[first + parent]
            _adjust_heap(k, idx, first, parent, n, vk, vi)
            if parent == 0:
                break
            parent -= 1
    # sort_heap
    while last - first > 1:
        last -= 1
        vk, vi = k[last], idx[last]
        k[last], idx[last] = k[first], idx[first]
        _adjust_heap(k, idx, first, 0, last - first, vk, vi)


def _adjust_heap(k, idx, first, hole, length, vk, vi):
    top = hole
    child = hole
    while child < (length - 1) // 2:
        child = 2 * (child + 1)
        if k[first + child] < k[first + child - 1]:
            child -= 1
        k[first + hole], idx[first + hole] = k[first + child], idx[first + child]
        hole = child
    if (length & 1) == 0 and child == (length - 2) // 2:
        child = 2 * (child + 1)
        k[first + hole], idx[first + hole] = k[first + child - 1], idx[first + child - 1]
        hole = child - 1
    # push_heap
    parent = (hole - 1) // 2
    while hole > top and k[first + parent] < vk:
        k[first + hole], idx[first + hole] = k[first + parent], idx[first + parent]
        hole = parent
        parent = (hole - 1) // 2
    k[first + hole], idx[first + hole] = vk, vi
