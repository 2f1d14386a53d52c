"""Split a batch over this machine's two cores.

Kernels release the GIL (``nogil=True``) and so do NumPy's BLAS calls, so two Python
threads run a batch's halves truly in parallel. Batched matmuls of small matrices stay on
one core inside OpenBLAS, so without this only half the machine works on a conv at batch 64.
A handoff costs ~20 us, so callers split only when the work is large (``worth_splitting``).
"""

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

_WORKERS = min(2, os.cpu_count() or 1)
_MIN_SPLIT_ELEMENTS = 1 << 17
_pool = None


def worth_splitting(batch, elements):
    """True when a batch of ``batch`` items touching ``elements`` values should be split."""
    return _WORKERS > 1 and batch > 1 and elements >= _MIN_SPLIT_ELEMENTS


def in_halves(work, batch, elements):
    """Run work(lo, hi) over range(batch), split across both cores when that pays; the results."""
    if worth_splitting(batch, elements):
        return run_split(work, batch)
    return (work(0, batch),)


def run_split(work, batch):
    """Call ``work(lo, hi)`` on two halves of ``range(batch)`` in parallel; return both results."""
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="engine-kernels")
    middle = batch // 2
    other_half = _pool.submit(_with_error_state, np.geterr(), work, middle, batch)
    first = work(0, middle)
    return first, other_half.result()


def _with_error_state(error_state, work, lo, hi):
    # NumPy's floating-point error handling is per thread: the worker follows its caller's.
    with np.errstate(**error_state):
        return work(lo, hi)
