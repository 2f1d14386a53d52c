"""The batch splitter: every chunk once, results in batch order, the caller's NumPy error state."""

import threading

import numpy as np
import pytest

from engine.kernels import _threads, get_num_threads, set_num_threads


@pytest.fixture
def three_threads():
    previous = get_num_threads()
    set_num_threads(3)
    yield
    set_num_threads(previous)


def test_chunks_cover_the_batch_once_in_order_one_per_thread(three_threads):
    all_started = threading.Barrier(3, timeout=10)

    def work(lo, hi):
        all_started.wait()  # each chunk runs on its own thread
        return (lo, hi, threading.get_ident(), np.geterr()["over"])

    with np.errstate(over="raise"):
        results = _threads.run_split(work, 10)
    assert [(lo, hi) for lo, hi, _, _ in results] == [(0, 3), (3, 6), (6, 10)]
    assert len({thread for _, _, thread, _ in results}) == 3
    assert {state for _, _, _, state in results} == {"raise"}  # helpers follow the caller


def test_an_error_in_a_chunk_propagates_after_the_helpers_finish(three_threads):
    def work(lo, hi):
        if lo == 0:
            raise ZeroDivisionError("chunk 0")
        return lo

    with pytest.raises(ZeroDivisionError, match="chunk 0"):
        _threads.run_split(work, 8)


def test_one_thread_or_small_work_is_not_split():
    assert _threads.split_batch(lambda lo, hi: (lo, hi), 64, 100) == ((0, 64),)
    previous = get_num_threads()
    set_num_threads(1)
    try:
        assert _threads.split_batch(lambda lo, hi: (lo, hi), 64, 1 << 30) == ((0, 64),)
    finally:
        set_num_threads(previous)
    with pytest.raises(ValueError, match="positive number of threads"):
        set_num_threads(0)


def test_helpers_are_the_engines_own_daemon_threads():
    _threads.run_split(lambda lo, hi: hi - lo, 4)
    helpers = [t for t in threading.enumerate() if isinstance(t, _threads.KernelHelper)]
    assert helpers and all(t.daemon and t.engine_service for t in helpers)
    assert all(t.name.startswith("engine-kernels-") for t in helpers)


def test_a_second_caller_while_the_helpers_are_busy_runs_its_batch_itself():
    inner = []

    def outer_work(lo, hi):
        if lo == 0:   # the caller's own chunk: the helpers are taken, so this is not split
            inner.append(_threads.run_split(lambda a, b: (a, b, threading.get_ident()), 6))
        return lo

    assert _threads.run_split(outer_work, 4) == (0, 2)
    assert inner == [((0, 6, threading.get_ident()),)]


def test_set_num_threads_stops_the_helpers_it_no_longer_needs(three_threads):
    _threads.run_split(lambda lo, hi: hi - lo, 6)
    before = [t for t in threading.enumerate() if isinstance(t, _threads.KernelHelper)]
    assert len(before) == 2
    set_num_threads(2)
    assert not any(t.is_alive() for t in before)
    assert _threads.run_split(lambda lo, hi: (lo, hi), 6) == ((0, 3), (3, 6))


def test_an_error_in_a_helpers_chunk_reaches_the_caller_and_the_helper_goes_on():
    def work(lo, hi):
        if lo != 0:
            raise ValueError(f"chunk {lo}")
        return lo

    with pytest.raises(ValueError, match="chunk 4"):
        _threads.run_split(work, 8)
    assert _threads.run_split(lambda lo, hi: (lo, hi), 8) == ((0, 4), (4, 8))
