"""DataLoader workers, played in this process. torch's workers are processes, each seeded
at start (base_seed + id for torch and Python's random, a hash of both for NumPy), with its
own copy of the dataset; batch k goes to worker k % num_workers (an IterableDataset: each
worker streams its own copy, taken in turn). Here each worker is the set of random states
it would hold, swapped in while it loads: the batches, in order, and whatever the dataset
draws at random are those torch's workers give.
"""
from __future__ import annotations

import copy
import dataclasses
import random
import traceback

import numpy as np

_worker_info = None


@dataclasses.dataclass(frozen=True)
class WorkerInfo:
    id: int
    num_workers: int
    seed: int
    dataset: object
    rng: object = None
    worker_method: str | None = "multiprocessing"


def get_worker_info():
    """The WorkerInfo of the worker loading now, or None in the main process."""
    return _worker_info


_MASK32 = 0xFFFFFFFF


def numpy_seed(base_seed: int, worker_id: int) -> list[int]:
    """The four 32-bit words torch seeds a worker's NumPy with: (worker id, base seed) mixed
    as NumPy's SeedSequence mixes its entropy."""
    hash_const = [0x43B0D7E5]

    def hashed(value: int) -> int:
        value = (value ^ hash_const[0]) & _MASK32
        hash_const[0] = (hash_const[0] * 0x931E8875) & _MASK32
        value = (value * hash_const[0]) & _MASK32
        return (value ^ (value >> 16)) & _MASK32

    def mixed(x: int, y: int) -> int:
        value = ((0xCA01F9DD * x) - (0x4973F715 * y)) & _MASK32
        return (value ^ (value >> 16)) & _MASK32

    pool = [hashed(v) for v in (worker_id, base_seed & _MASK32, base_seed >> 32, 0)]
    for source in range(4):
        for target in range(4):
            if source != target:
                pool[target] = mixed(pool[target], hashed(pool[source]))
    words, const = [], 0x8B51F9DD
    for value in pool:
        value = (value ^ const) & _MASK32
        const = (const * 0x58F38DED) & _MASK32
        value = (value * const) & _MASK32
        words.append((value ^ (value >> 16)) & _MASK32)
    return words


class _Worker:
    """One worker's random states (torch's default generator, random, NumPy), its thread
    count, its WorkerInfo and, for a stream, its copy of the dataset and its iterator."""

    def __init__(self, loader, worker_id: int, base_seed: int) -> None:
        import engine
        self.dataset = _worker_copy(loader.dataset, loader._iterable)
        seed = base_seed + worker_id
        self.info = WorkerInfo(id=worker_id, num_workers=loader.num_workers, seed=seed,
                               dataset=self.dataset)
        self.stream = None
        with self.active():
            engine.set_num_threads(1)
            random.seed(seed)
            engine.manual_seed(seed)
            np.random.seed(numpy_seed(base_seed, worker_id))
            if loader.worker_init_fn is not None:
                loader.worker_init_fn(worker_id)

    def active(self):
        return _Swapped(self)

    def restart_stream(self) -> None:
        with self.active():
            self.stream = iter(self.dataset)


def _worker_copy(dataset, streamed: bool):
    """The worker's own dataset, as a forked process has its own: a stream's whole state
    (its iterator must not be shared), else the object with its attributes (what a
    worker_init_fn sets on get_worker_info().dataset), sharing what they hold."""
    try:
        return copy.deepcopy(dataset) if streamed else copy.copy(dataset)
    except Exception:       # noqa: BLE001 (what cannot be copied is shared, as threads do)
        return dataset


class _Swapped:
    """The worker's states in place of the main process's while the block runs."""

    def __init__(self, worker: _Worker) -> None:
        self.worker = worker

    def __enter__(self):
        global _worker_info
        self.main = _capture()
        worker_states = getattr(self.worker, "states", None)
        if worker_states is not None:
            _restore(worker_states)
        _worker_info = self.worker.info

    def __exit__(self, *exc) -> None:
        global _worker_info
        self.worker.states = _capture()
        _restore(self.main)
        _worker_info = None


def _capture():
    import engine
    return (engine.get_rng_state(), random.getstate(), np.random.get_state(),
            engine.get_num_threads())


def _restore(states) -> None:
    import engine
    torch_state, python_state, numpy_state, threads = states
    engine.set_rng_state(torch_state)
    random.setstate(python_state)
    np.random.set_state(numpy_state)
    engine.set_num_threads(threads)


class Workers:
    """A loader's workers, started with one base seed (drawn once per iterator, and once
    for all epochs with persistent_workers)."""

    def __init__(self, loader, base_seed: int) -> None:
        self.workers = [_Worker(loader, i, base_seed) for i in range(loader.num_workers)]

    def run(self, batch_index: int, fetch):
        """fetch(its dataset) as the worker that loads batch `batch_index` of a map-style
        dataset."""
        worker = self.workers[batch_index % len(self.workers)]
        try:
            with worker.active():
                return fetch(worker.dataset)
        except Exception as error:          # noqa: BLE001 (re-raised as torch's workers do)
            raise _from_worker(error, worker.info.id) from None

    def stream_batches(self, next_batch):
        """A stream's batches: each worker's own in turn, skipping those it ran out of;
        next_batch(iterator) gives one batch or raises StopIteration."""
        for worker in self.workers:
            worker.restart_stream()
        live = list(self.workers)
        while live:
            for worker in list(live):
                try:
                    with worker.active():
                        batch = next_batch(worker.stream)
                except StopIteration:
                    live.remove(worker)
                    continue
                except Exception as error:  # noqa: BLE001 (re-raised as torch's workers do)
                    raise _from_worker(error, worker.info.id) from None
                yield batch


class KeyErrorMessage(str):
    """A KeyError's message that shows as itself (not quoted) in the exception's text."""

    __slots__ = ()

    def __repr__(self):
        return self


def _from_worker(error: Exception, worker_id: int) -> Exception:
    """What torch raises in the main process for an error in a worker: the same type, its
    message the worker's traceback (torch's ExceptionWrapper.reraise)."""
    kind = type(error)
    text = "".join(traceback.format_exception(kind, error, error.__traceback__))
    message = f"Caught {kind.__name__} in DataLoader worker process {worker_id}.\n" \
              f"Original {text}"
    if kind is KeyError:
        message = KeyErrorMessage(message)
    elif getattr(kind, "message", None):
        return kind(message=message)
    try:
        return kind(message)
    except Exception:                       # noqa: BLE001 (a type that takes other arguments)
        return RuntimeError(message)
