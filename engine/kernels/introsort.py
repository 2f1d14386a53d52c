"""The permutation ATen's CPU sort gives (torch.sort with stable=False, 1-D integer keys
below the radix-sort size): libstdc++'s std::sort on (key, index) pairs that compares keys
only, i.e. introsort (median-of-three quicksort down to 16 elements, heapsort past the depth
limit) and a final insertion sort. Equal keys end up in the order that algorithm leaves
them, which is what an order-sensitive sum after the sort (embedding_bag's backward) needs.

The recursion of std::__introsort_loop becomes a stack: the subranges are disjoint, so the
order they are processed in does not change the result.
"""
import numba
import numpy as np

THRESHOLD = 16


def exact_kernel(function):
    return numba.njit(cache=True, nogil=True)(function)


@exact_kernel
def _depth_limit(n):
    """libstdc++'s recursion budget: twice floor(log2(n))."""
    depth = 0
    while n > 1:
        n >>= 1
        depth += 1
    return 2 * depth


@exact_kernel
def _swap(keys, order, a, b):
    keys[a], keys[b] = keys[b], keys[a]
    order[a], order[b] = order[b], order[a]


@exact_kernel
def _median_to_first(keys, order, result, a, b, c):
    if keys[a] < keys[b]:
        if keys[b] < keys[c]:
            _swap(keys, order, result, b)
        elif keys[a] < keys[c]:
            _swap(keys, order, result, c)
        else:
            _swap(keys, order, result, a)
    elif keys[a] < keys[c]:
        _swap(keys, order, result, a)
    elif keys[b] < keys[c]:
        _swap(keys, order, result, c)
    else:
        _swap(keys, order, result, b)


@exact_kernel
def _partition_pivot(keys, order, first, last):
    _median_to_first(keys, order, first, first + 1, first + (last - first) // 2, last - 1)
    low, high = first + 1, last
    while True:
        while keys[low] < keys[first]:
            low += 1
        high -= 1
        while keys[first] < keys[high]:
            high -= 1
        if not low < high:
            return low
        _swap(keys, order, low, high)
        low += 1


@exact_kernel
def _adjust_heap(keys, order, first, hole, length, key, index):
    top = hole
    child = hole
    while child < (length - 1) // 2:
        child = 2 * (child + 1)
        if keys[first + child] < keys[first + child - 1]:
            child -= 1
        keys[first + hole], order[first + hole] = keys[first + child], order[first + child]
        hole = child
    if length % 2 == 0 and child == (length - 2) // 2:
        child = 2 * (child + 1)
        keys[first + hole], order[first + hole] = keys[first + child - 1], \
            order[first + child - 1]
        hole = child - 1
    parent = (hole - 1) // 2
    while hole > top and keys[first + parent] < key:
        keys[first + hole], order[first + hole] = keys[first + parent], order[first + parent]
        hole = parent
        parent = (hole - 1) // 2
    keys[first + hole], order[first + hole] = key, index


@exact_kernel
def _heap_sort(keys, order, first, last):
    length = last - first
    if length >= 2:
        parent = (length - 2) // 2
        while True:
            _adjust_heap(keys, order, first, parent, length, keys[first + parent],
                         order[first + parent])
            if parent == 0:
                break
            parent -= 1
    while last - first > 1:
        last -= 1
        key, index = keys[last], order[last]
        keys[last], order[last] = keys[first], order[first]
        _adjust_heap(keys, order, first, 0, last - first, key, index)


@exact_kernel
def _linear_insert(keys, order, last):
    key, index = keys[last], order[last]
    before = last - 1
    while key < keys[before]:
        keys[last], order[last] = keys[before], order[before]
        last = before
        before -= 1
    keys[last], order[last] = key, index


@exact_kernel
def _insertion_sort(keys, order, first, last):
    for i in range(first + 1, last):
        if keys[i] < keys[first]:
            key, index = keys[i], order[i]
            for j in range(i, first, -1):
                keys[j], order[j] = keys[j - 1], order[j - 1]
            keys[first], order[first] = key, index
        else:
            _linear_insert(keys, order, i)


@exact_kernel
def _introsort(keys, order, depth_limit):
    n = keys.size
    if n < 2:
        return
    stack = np.empty((depth_limit + 2, 3), np.int64)
    stack[0, 0], stack[0, 1], stack[0, 2] = 0, n, depth_limit
    top = 1
    while top > 0:
        top -= 1
        first, last, depth = stack[top, 0], stack[top, 1], stack[top, 2]
        while last - first > THRESHOLD:
            if depth == 0:
                _heap_sort(keys, order, first, last)
                break
            depth -= 1
            cut = _partition_pivot(keys, order, first, last)
            stack[top, 0], stack[top, 1], stack[top, 2] = cut, last, depth
            top += 1
            last = cut
    if n > THRESHOLD:
        _insertion_sort(keys, order, 0, THRESHOLD)
        for i in range(THRESHOLD, n):
            _linear_insert(keys, order, i)
    else:
        _insertion_sort(keys, order, 0, n)


def unstable_argsort(keys: np.ndarray, depth_limit: int | None = None) -> np.ndarray:
    """The order std::sort leaves the indices of `keys` (1-D integers) in. depth_limit:
    std::sort's 2 * floor(log2(n)) unless given (a test forces the heapsort with 0)."""
    work = np.array(keys, dtype=np.int64)
    order = np.arange(work.size, dtype=np.int64)
    if depth_limit is None:
        depth_limit = 2 * (max(work.size, 1).bit_length() - 1)
    _introsort(work, order, depth_limit)
    return order


@exact_kernel
def _introsort_rows(keys, order):
    for r in range(keys.shape[0]):
        n = keys.shape[1]
        _introsort(keys[r], order[r], _depth_limit(n))


def unstable_argsort_rows(keys: np.ndarray) -> np.ndarray:
    """unstable_argsort of each row of a 2-D integer array."""
    work = np.array(keys, dtype=np.int64)
    order = np.empty(work.shape, np.int64)
    order[...] = np.arange(work.shape[1])
    _introsort_rows(work, order)
    return order


# ------------------------------------------------------------------ topk's selections

@exact_kernel
def _make_heap(keys, order, first, last):
    length = last - first
    if length < 2:
        return
    parent = (length - 2) // 2
    while True:
        _adjust_heap(keys, order, first, parent, length, keys[first + parent],
                     order[first + parent])
        if parent == 0:
            return
        parent -= 1


@exact_kernel
def _pop_heap(keys, order, first, last, result):
    """std::__pop_heap: the heap's top goes to `result`, result's element into the heap."""
    key, index = keys[result], order[result]
    keys[result], order[result] = keys[first], order[first]
    _adjust_heap(keys, order, first, 0, last - first, key, index)


@exact_kernel
def _heap_select(keys, order, first, middle, last):
    _make_heap(keys, order, first, middle)
    for i in range(middle, last):
        if keys[i] < keys[first]:
            _pop_heap(keys, order, first, middle, i)


@exact_kernel
def _partial_sort(keys, order, first, middle, last):
    _heap_select(keys, order, first, middle, last)
    while middle - first > 1:
        middle -= 1
        _pop_heap(keys, order, first, middle, middle)


@exact_kernel
def _nth_element(keys, order, first, nth, last):
    """std::nth_element (introselect)."""
    if first == last or nth == last:
        return
    depth_limit = _depth_limit(last - first)
    while last - first > 3:
        if depth_limit == 0:
            _heap_select(keys, order, first, nth + 1, last)
            _swap(keys, order, first, nth)
            return
        depth_limit -= 1
        cut = _partition_pivot(keys, order, first, last)
        if cut <= nth:
            first = cut
        else:
            last = cut
    _insertion_sort(keys, order, first, last)


@exact_kernel
def _sort_range(keys, order, first, last):
    """std::sort on [first, last)."""
    n = last - first
    if n < 2:
        return
    _introsort(keys[first:last], order[first:last], _depth_limit(n))


@exact_kernel
def _top_rows(keys, order, k, sort_selected):
    for r in range(keys.shape[0]):
        n = keys.shape[1]
        if k * 64 <= n:
            _partial_sort(keys[r], order[r], 0, k, n)
        else:
            _nth_element(keys[r], order[r], 0, k - 1, n)
            if sort_selected:
                _sort_range(keys[r], order[r], 0, k - 1)


def top_rows(keys: np.ndarray, k: int, sort_selected: bool) -> np.ndarray:
    """The first k indices of each row as ATen's topk leaves them: std::partial_sort when
    k * 64 <= the row's length, else std::nth_element, then (sorted=True) std::sort of the
    first k - 1 (ATen sorts one fewer; the k-th is in place already)."""
    work = np.array(keys, dtype=np.int64)
    order = np.empty(work.shape, np.int64)
    order[...] = np.arange(work.shape[1])
    if k > 0:
        _top_rows(work, order, k, sort_selected)
    return order[:, :k]


# ------------------------------------------------------------------ kthvalue and mode

@exact_kernel
def _quick_select(keys, order, k):
    """ATen's quick_select_template: median-of-three quickselect until position k holds the
    k-th smallest (keys compare as its gt_or_nan)."""
    low, high = 0, keys.size - 1
    while True:
        if high <= low:
            return
        if high == low + 1:
            if keys[low] > keys[high]:
                _swap(keys, order, low, high)
            return
        middle = low + (high - low) // 2
        _swap(keys, order, middle, low + 1)
        if keys[low + 1] > keys[high]:
            _swap(keys, order, low + 1, high)
        if keys[low] > keys[high]:
            _swap(keys, order, low, high)
        if keys[low + 1] > keys[low]:
            _swap(keys, order, low + 1, low)
        i, j = low + 1, high
        pivot = keys[low]
        while True:
            i += 1
            while pivot > keys[i]:
                i += 1
            j -= 1
            while keys[j] > pivot:
                j -= 1
            if j < i:
                break
            _swap(keys, order, i, j)
        _swap(keys, order, low, j)
        if j <= k:
            low = i
        if j >= k:
            high = j - 1


@exact_kernel
def _kth_rows(keys, order, k, out):
    for r in range(keys.shape[0]):
        _quick_select(keys[r], order[r], k)
        out[r] = order[r, k]


def kth_rows(keys: np.ndarray, k: int) -> np.ndarray:
    """Per row, the index kthvalue returns for the k-th smallest (1-based k)."""
    work = np.array(keys, dtype=np.int64)
    order = np.empty(work.shape, np.int64)
    order[...] = np.arange(work.shape[1])
    out = np.empty(work.shape[0], np.int64)
    _kth_rows(work, order, k - 1, out)
    return out


@exact_kernel
def _mode_rows(keys, order, out):
    for r in range(keys.shape[0]):
        n = keys.shape[1]
        _introsort(keys[r], order[r], _depth_limit(n))
        best, best_count, count = 0, 0, 0
        for i in range(n):
            count += 1
            if i == n - 1 or keys[r, i] != keys[r, i + 1]:
                if count > best_count:
                    best, best_count = order[r, i], count
                count = 0
        out[r] = best


def mode_rows(keys: np.ndarray) -> np.ndarray:
    """Per row, the index ATen's mode returns: std::sort the row, then the last element of
    the first longest run of equal values."""
    work = np.array(keys, dtype=np.int64)
    order = np.empty(work.shape, np.int64)
    order[...] = np.arange(work.shape[1])
    out = np.empty(work.shape[0], np.int64)
    _mode_rows(work, order, out)
    return out
