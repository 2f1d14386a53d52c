"""Split a batch over this machine's cores (two here).

Kernels release the GIL (``nogil=True``) and so do NumPy's BLAS calls, so Python threads run
parts of a batch truly in parallel. Batched matmuls of small matrices stay on one core inside
OpenBLAS, so without this only half the machine works on a conv at batch 64.

Measured: splitting pays only when a core is free. With other processes loading this 2-core
machine (load average ~3) one thread was faster; cutting the batch into more chunks than
threads (taken in turn, so a slowed core does fewer) was no better than halves. Hence one
chunk per thread, and ``set_num_threads(1)`` for a busy machine. A handoff costs ~20 us, so
callers split only when the work is large (``worth_splitting``).
"""

import itertools
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

_MIN_SPLIT_ELEMENTS = 1 << 17
_threads = min(2, os.cpu_count() or 1)
_pool = None


def set_num_threads(count):
    """Use ``count`` threads (>= 1) for large batches from now on, like torch.set_num_threads."""
    global _threads, _pool
    if count < 1:
        raise ValueError(f"set_num_threads expects a positive number of threads, got {count}")
    if _pool is not None:
        _pool.shutdown(wait=True)
        _pool = None
    _threads = int(count)


def get_num_threads():
    """The number of threads large batches are split over."""
    return _threads


def worth_splitting(batch, elements):
    """True when a batch of ``batch`` items touching ``elements`` values should be split."""
    return _threads > 1 and batch > 1 and elements >= _MIN_SPLIT_ELEMENTS


def split_batch(work, batch, elements):
    """Run work(lo, hi) over range(batch), split across threads when that pays.

    Returns the results of the calls in batch order (one result when not split).
    """
    if worth_splitting(batch, elements):
        return run_split(work, batch)
    return (work(0, batch),)


def run_split(work, batch):
    """Call ``work(lo, hi)`` on consecutive chunks of ``range(batch)``, one per thread."""
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=_threads - 1, thread_name_prefix="engine-kernels")
    chunks = min(_threads, batch)
    bounds = [batch * k // chunks for k in range(chunks + 1)]
    results = [None] * chunks
    next_chunk = itertools.count().__next__  # atomic under the GIL
    error_state = np.geterr()
    helpers = [_pool.submit(_take_chunks, error_state, work, bounds, results, next_chunk)
               for _ in range(chunks - 1)]
    try:
        _take_chunks(error_state, work, bounds, results, next_chunk)
    finally:
        for helper in helpers:
            helper.exception()  # never return (or raise) while a helper still writes
    for helper in helpers:
        helper.result()
    return results


def _take_chunks(error_state, work, bounds, results, next_chunk):
    # NumPy's floating-point error handling is per thread: helpers follow the caller's.
    with np.errstate(**error_state):
        while (chunk := next_chunk()) < len(results):
            results[chunk] = work(bounds[chunk], bounds[chunk + 1])
