"""DataLoader: batches of a dataset, in order or shuffled, in this process.

num_workers is accepted and the loading still happens here, one sample after another: the
batches are the same as PyTorch's (workers only change where and when they are made).
"""
from __future__ import annotations

from engine.utils.data._collate import default_collate
from engine.utils.data.dataset import IterableDataset
from engine.utils.data.sampler import BatchSampler, RandomSampler, SequentialSampler


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
        self.dataset = dataset
        self.num_workers = num_workers
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

    def __iter__(self):
        # PyTorch's iterator draws its workers' base seed from the loader's generator (the
        # global one by default) every time it is made, workers or not: so does this one,
        # so that the random numbers after a loop are the same as under PyTorch.
        _draw_base_seed(self.generator)
        if self._iterable:
            return self._iterable_batches()
        if self.batch_sampler is not None:
            return (self.collate_fn([self.dataset[i] for i in indices])
                    for indices in self.batch_sampler)
        return (self.collate_fn(self.dataset[i]) for i in self.sampler)

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


def _draw_base_seed(generator) -> int:
    from engine import int64
    from engine.creation import empty
    return int(empty((), dtype=int64).random_(generator=generator).item())


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
