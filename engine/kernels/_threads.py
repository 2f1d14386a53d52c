"""Split a batch over this machine's cores (two here).

Kernels release the GIL (``nogil=True``) and so do NumPy's BLAS calls, so Python threads run
parts of a batch truly in parallel. Batched matmuls of small matrices stay on one core inside
OpenBLAS, so without this only half the machine works on a conv at batch 64.

Measured: splitting pays only when a core is free. With other processes loading this 2-core
machine (load average ~3) one thread was faster; cutting the batch into more chunks than
threads (taken in turn, so a slowed core does fewer) was no better than halves. Hence one
chunk per thread, and ``set_num_threads(1)`` for a busy machine. A handoff costs ~20 us, so
callers split only when the work is large (``worth_splitting``).

The helpers are the engine's own daemon threads, each handed one chunk at a time through a
pair of locks: a ThreadPoolExecutor's futures and condition variables cost several times
more per handoff, and SimpleNet's batch-64 step hands off six times. One caller at a time
splits; a second thread calling meanwhile runs its whole batch itself.
"""

import os
import threading

import numpy as np

_MIN_SPLIT_ELEMENTS = 1 << 17
_threads = min(2, os.cpu_count() or 1)
_helpers: list = []
_splitting = threading.Lock()          # held by the one caller whose chunks the helpers run


class KernelHelper(threading.Thread):
    """A thread that runs chunks of split batches, one at a time, for the engine."""

    # Not the user's thread: a debugger that captures the threads a program starts neither
    # captures nor waits for this one.
    engine_service = True

    def __init__(self, index):
        super().__init__(name=f"engine-kernels-{index}", daemon=True)
        self._go = threading.Lock()
        self._go.acquire()
        self._done = threading.Lock()
        self._done.acquire()
        self._task = None
        self._outcome = None

    def run(self):
        error_state = None
        while True:
            self._go.acquire()
            task, self._task = self._task, None
            if task is None:
                return
            work, lo, hi, caller_error_state = task
            if caller_error_state != error_state:
                # NumPy's floating-point error handling is per thread: follow the caller's.
                np.seterr(**caller_error_state)
                error_state = caller_error_state
            try:
                self._outcome = (True, work(lo, hi))
            except BaseException as error:  # handed to the caller, raised there
                self._outcome = (False, error)
            self._done.release()

    def hand(self, work, lo, hi, error_state):
        self._task = (work, lo, hi, error_state)
        self._go.release()

    def outcome(self):
        """Wait for the chunk handed last: (True, result) or (False, exception)."""
        self._done.acquire()
        outcome, self._outcome = self._outcome, None
        return outcome

    def stop(self):
        self._task = None
        self._go.release()
        self.join()


def set_num_threads(count):
    """Use ``count`` threads (>= 1) for large batches from now on, like torch.set_num_threads."""
    global _threads
    if count < 1:
        raise ValueError(f"set_num_threads expects a positive number of threads, got {count}")
    with _splitting:
        for helper in _helpers:
            helper.stop()
        _helpers.clear()
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
    if not _splitting.acquire(blocking=False):
        return (work(0, batch),)       # another thread is splitting: no helper is free
    try:
        return _run_chunks(work, batch)
    finally:
        _splitting.release()


def _run_chunks(work, batch):
    chunks = min(_threads, batch)
    helpers = _started_helpers(chunks - 1)
    bounds = [batch * k // chunks for k in range(chunks + 1)]
    error_state = np.geterr()
    for index, helper in enumerate(helpers, start=1):
        helper.hand(work, bounds[index], bounds[index + 1], error_state)
    try:
        first = work(bounds[0], bounds[1])
    finally:
        # Never return (or raise) while a helper still writes into the caller's arrays.
        outcomes = [helper.outcome() for helper in helpers]
    for ok, value in outcomes:
        if not ok:
            raise value
    return (first,) + tuple(value for _, value in outcomes)


def _started_helpers(count):
    while len(_helpers) < count:
        helper = KernelHelper(len(_helpers) + 1)
        helper.start()
        _helpers.append(helper)
    return _helpers[:count]


def _forget_helpers_after_fork():
    # A forked child has only the forking thread: its helpers are gone, its locks may be held.
    global _splitting
    _helpers.clear()
    _splitting = threading.Lock()


os.register_at_fork(after_in_child=_forget_helpers_after_fork)
