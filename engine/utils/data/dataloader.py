"""DataLoader: batches of a dataset, in order or shuffled, in this process.

With num_workers > 0 the loading still happens here, one sample after another, each batch
in the random states of the worker that would load it in torch (`_workers.py`): the
batches, their order and what the dataset draws at random are PyTorch's.
"""
from __future__ import annotations

import os
import warnings

from engine.utils.data._collate import default_collate
from engine.utils.data._workers import Workers
from engine.utils.data.dataset import IterableDataset
from engine.utils.data.sampler import BatchSampler, RandomSampler, SequentialSampler, random_seed

PIN_MEMORY_WARNING = ("'pin_memory' argument is set as true but no accelerator is found, then "
                      "device pinned memory won't be used.")


class DataLoader:
    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers: int = 0, collate_fn=None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0, worker_init_fn=None,
                 multiprocessing_context=None, generator=None, *, prefetch_factor=None,
                 persistent_workers: bool = False, pin_memory_device: str = "",
                 in_order: bool = True) -> None:
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to "
                             "disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in "
                             "multiprocessing.let num_workers > 0 to enable multiprocessing, "
                             "otherwise set prefetch_factor to None.")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = 2 if num_workers > 0 and prefetch_factor is None \
            else prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.persistent_workers = persistent_workers
        self.in_order = in_order
        self._workers = None
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.generator = generator
        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            _check_iterable_options(shuffle, sampler, batch_sampler)
        else:
            sampler, batch_sampler = _samplers(dataset, batch_size, shuffle, sampler,
                                               batch_sampler, drop_last, generator)
        if batch_sampler is not None:
            self.batch_size, self.drop_last = None, False
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.collate_fn = collate_fn if collate_fn is not None else (
            default_collate if self.batch_size is not None or batch_sampler is not None
            else _no_collate)
        if num_workers > 0:
            _check_worker_count(num_workers)

    def __iter__(self):
        if self.pin_memory:
            warnings.warn(PIN_MEMORY_WARNING, UserWarning, stacklevel=2)
        workers = self._start_workers()
        if self._iterable:
            if workers is not None:
                return workers.stream_batches(self._next_stream_batch)
            return self._iterable_batches()
        return self._map_batches(workers)

    def _start_workers(self):
        """torch's _BaseDataLoaderIter draws a base seed for its workers from the loader's
        generator (else the global one), workers or not, before the sampler draws; with
        persistent_workers only its first iterator starts workers."""
        if self.persistent_workers and self._workers is not None:
            return self._workers
        if self.num_workers > 0:
            _check_worker_count(self.num_workers)
        base_seed = random_seed(self.generator)
        if self.num_workers == 0:
            return None
        workers = Workers(self, base_seed)
        if self.persistent_workers:
            self._workers = workers
        return workers

    def _map_batches(self, workers):
        batches = self.batch_sampler if self.batch_sampler is not None else self.sampler
        fetch = self._fetch_batch if self.batch_sampler is not None else self._fetch_sample
        for position, indices in enumerate(batches):
            if workers is None:
                yield fetch(self.dataset, indices)
            else:
                yield workers.run(position, lambda dataset: fetch(dataset, indices))

    def _fetch_batch(self, dataset, indices):
        getitems = getattr(dataset, "__getitems__", None)
        samples = getitems(indices) if callable(getitems) else [dataset[i] for i in indices]
        return self.collate_fn(samples)

    def _fetch_sample(self, dataset, index):
        return self.collate_fn(dataset[index])

    def _next_stream_batch(self, stream):
        if self.batch_size is None:
            return self.collate_fn(next(stream))
        batch = []
        for sample in stream:
            batch.append(sample)
            if len(batch) == self.batch_size:
                break
        if not batch or (self.drop_last and len(batch) < self.batch_size):
            raise StopIteration
        return self.collate_fn(batch)

    def _iterable_batches(self):
        if self.batch_size is None:
            yield from (self.collate_fn(sample) for sample in self.dataset)
            return
        batch = []
        for sample in self.dataset:
            batch.append(sample)
            if len(batch) == self.batch_size:
                yield self.collate_fn(batch)
                batch = []
        if batch and not self.drop_last:
            yield self.collate_fn(batch)

    def __len__(self) -> int:
        if self._iterable:
            length = len(self.dataset)      # TypeError when the stream has no length
            if self.batch_size is None:
                return length
            whole, rest = divmod(length, self.batch_size)
            return whole + (1 if rest and not self.drop_last else 0)
        return len(self.batch_sampler if self.batch_sampler is not None else self.sampler)


def _check_worker_count(count: int) -> None:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if cores is not None and count <= cores:
        return
    if cores is None:
        suggestion = ("DataLoader is not able to compute a suggested max number of worker in "
                      "current system.")
    else:
        unchecked = "" if hasattr(os, "sched_getaffinity") else \
            " (`cpuset` is not taken into account)"
        suggestion = (f"Our suggested max number of worker in current system is {cores}"
                      f"{unchecked}, which is smaller than what this DataLoader is going to "
                      "create.")
    warnings.warn(f"This DataLoader will create {count} worker processes in total. {suggestion} "
                  "Please be aware that excessive worker creation might get DataLoader running "
                  "slow or even freeze, lower the worker number to avoid potential "
                  "slowness/freeze if necessary.", UserWarning, stacklevel=4)


def _no_collate(sample):
    """batch_size=None: samples one by one, numbers and arrays made tensors."""
    from engine.utils.data._collate import convert_sample
    return convert_sample(sample)


def _check_iterable_options(shuffle, sampler, batch_sampler) -> None:
    for name, value in (("shuffle", shuffle), ("sampler", sampler),
                        ("batch_sampler", batch_sampler)):
        if value not in (None, False):
            raise ValueError(f"DataLoader with IterableDataset: expected unspecified {name} "
                             f"option, but got {name}={value}")


def _samplers(dataset, batch_size, shuffle, sampler, batch_sampler, drop_last, generator):
    if sampler is not None and shuffle:
        raise ValueError("sampler option is mutually exclusive with shuffle")
    if batch_sampler is not None:
        if batch_size != 1 or shuffle or sampler is not None or drop_last:
            raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                             "shuffle, sampler, and drop_last")
        return sampler, batch_sampler
    if batch_size is None and drop_last:
        raise ValueError("batch_size=None option disables auto-batching and is mutually "
                         "exclusive with drop_last")
    if sampler is None:
        sampler = (RandomSampler(dataset, generator=generator) if shuffle
                   else SequentialSampler(dataset))
    if batch_size is not None:
        batch_sampler = BatchSampler(sampler, batch_size, drop_last)
    return sampler, batch_sampler
