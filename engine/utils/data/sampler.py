"""Samplers: which indices a DataLoader reads, and how they are grouped into batches."""
from __future__ import annotations


class Sampler:
    """Yields dataset indices; subclasses define __iter__ (and __len__ when they can)."""

    def __init__(self, data_source=None) -> None:
        pass

    def __iter__(self):
        raise NotImplementedError


class SequentialSampler(Sampler):
    def __init__(self, data_source) -> None:
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """A fresh permutation of the indices each epoch. As PyTorch's: without a generator of
    its own, each epoch seeds a fresh generator from one draw of the global one."""

    def __init__(self, data_source, replacement: bool = False, num_samples=None,
                 generator=None) -> None:
        if replacement:
            raise NotImplementedError("torch.utils.data.RandomSampler(replacement=True) is not "
                                      "supported by graphtui's engine")
        if num_samples is not None:
            raise NotImplementedError("torch.utils.data.RandomSampler(num_samples=...) is not "
                                      "supported by graphtui's engine")
        self.data_source = data_source
        self.replacement = replacement
        self.generator = generator

    @property
    def num_samples(self) -> int:
        return len(self.data_source)

    def __iter__(self):
        from engine import int64
        from engine.creation import empty, randperm
        from engine.random import Generator
        n = len(self.data_source)
        generator = self.generator
        if generator is None:
            seed = int(empty((), dtype=int64).random_().item())
            generator = Generator()
            generator.manual_seed(seed)
        yield from randperm(n, generator=generator).tolist()

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    """Groups another sampler's indices into lists of batch_size (the last may be short)."""

    def __init__(self, sampler, batch_size: int, drop_last: bool) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size <= 0:
            raise ValueError("batch_size should be a positive integer value, but got "
                             f"batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError("drop_last should be a boolean value, but got "
                             f"drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self):
        batch = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return (len(self.sampler) + self.batch_size - 1) // self.batch_size
