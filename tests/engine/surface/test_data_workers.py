"""torch.utils.data beyond the basics (issue #11): samplers' random draws, ChainDataset,
default_convert, and DataLoader with workers (played in this process by the engine) giving
torch's batches, order and in-worker random draws, live against torch."""
import random

import numpy as np
import pytest

from surface_live import check


class Stream:
    """An IterableDataset (made per library) of start..stop, split between workers."""

    @staticmethod
    def make(t, start, stop, split=False):
        class _Stream(t.utils.data.IterableDataset):
            def __iter__(self):
                info = t.utils.data.get_worker_info()
                if not split or info is None:
                    return iter(range(start, stop))
                return iter(range(start + info.id, stop, info.num_workers))
        return _Stream()


def _random_dataset(t, size=6):
    class Draws(t.utils.data.Dataset):
        offset = 0

        def __len__(self):
            return size

        def __getitem__(self, i):
            info = t.utils.data.get_worker_info()
            return {"index": i + self.offset, "torch": t.rand(1).item(),
                    "python": random.random(), "numpy": float(np.random.rand()),
                    "worker": -1 if info is None else info.id,
                    "initial": t.initial_seed() if info is None else info.seed - t.initial_seed()}
    return Draws()


def _offset_init(t):
    def init(worker_id):
        info = t.utils.data.get_worker_info()
        info.dataset.offset = 100 * (worker_id + 1)
    return init


def _loaded(t, dataset, epochs=1, seed=0, **kwargs):
    t.manual_seed(seed)
    random.seed(seed)
    np.random.seed(seed)
    loader = t.utils.data.DataLoader(dataset, **kwargs)
    batches = [[b for b in loader] for _ in range(epochs)]
    return batches, t.rand(2), random.random(), float(np.random.rand())


def _gen(t, seed):
    return t.Generator().manual_seed(seed)


SAMPLERS = {
    "random": lambda t: (t.manual_seed(1), list(t.utils.data.RandomSampler(range(10))))[1],
    "random generator": lambda t: list(t.utils.data.RandomSampler(range(10),
                                                                  generator=_gen(t, 3))),
    "replacement": lambda t: list(t.utils.data.RandomSampler(range(10), replacement=True,
                                                             generator=_gen(t, 3))),
    "num samples": lambda t: list(t.utils.data.RandomSampler(range(10), num_samples=25,
                                                             generator=_gen(t, 3))),
    "replacement 70 of 100": lambda t: list(t.utils.data.RandomSampler(
        range(100), replacement=True, num_samples=70, generator=_gen(t, 4))),
    "replacement global": lambda t: (t.manual_seed(2), list(t.utils.data.RandomSampler(
        range(10), replacement=True)), t.rand(1))[1:],
    "bad num samples": lambda t: t.utils.data.RandomSampler(range(3), num_samples=0),
    "bad replacement": lambda t: t.utils.data.RandomSampler(range(3), replacement=1),
    "subset random": lambda t: list(t.utils.data.SubsetRandomSampler([5, 6, 7, 8],
                                                                     generator=_gen(t, 3))),
    "subset random global": lambda t: (t.manual_seed(2), list(
        t.utils.data.SubsetRandomSampler([5, 6, 7, 8])))[1],
    "weighted": lambda t: list(t.utils.data.WeightedRandomSampler(
        [0.1, 0.9, 0.4, 0.7, 3.0], 10, generator=_gen(t, 3))),
    "weighted without replacement": lambda t: list(t.utils.data.WeightedRandomSampler(
        [0.1, 0.9, 0.4, 0.7, 3.0], 4, replacement=False, generator=_gen(t, 3))),
    "weighted tensor": lambda t: (t.manual_seed(2), list(t.utils.data.WeightedRandomSampler(
        t.tensor([0.1, 0.9, 0.4]), 5)), len(t.utils.data.WeightedRandomSampler([1, 2], 7)))[1:],
    "weighted bad count": lambda t: t.utils.data.WeightedRandomSampler([0.1], 0),
    "weighted 2d": lambda t: t.utils.data.WeightedRandomSampler([[0.1]], 1),
    "weighted too many": lambda t: list(t.utils.data.WeightedRandomSampler(
        [0.1, 0.2], 3, replacement=False)),
}


@pytest.mark.parametrize("name", sorted(SAMPLERS))
def test_samplers(name):
    check(SAMPLERS[name])


DATASETS = {
    "chain": lambda t: list(t.utils.data.ChainDataset([Stream.make(t, 0, 2),
                                                       Stream.make(t, 5, 8)])),
    "stream plus stream": lambda t: list(Stream.make(t, 0, 2) + Stream.make(t, 3, 4)),
    "chain of a map dataset": lambda t: list(t.utils.data.ChainDataset([range(3)])),
    "default convert": lambda t: t.utils.data.default_convert(
        [np.array([1, 2]), (1, 2.5), {"a": np.zeros(2)}, "s"]),
    "worker info in main": lambda t: t.utils.data.get_worker_info(),
    "subset getitems": lambda t: t.utils.data.Subset(range(10), [3, 1, 4]).__getitems__([2, 0]),
    "stack tuple": lambda t: (lambda s: (len(s), s[1], s.__getitems__([2, 0])))(
        t.utils.data.StackDataset(range(3), t.utils.data.Subset(range(10), [5, 6, 7]))),
    "stack dict": lambda t: (lambda s: (s[0], s.__getitems__([1])))(
        t.utils.data.StackDataset(x=range(2), y=t.arange(2.0))),
    "stack loader": lambda t: [b for b in t.utils.data.DataLoader(
        t.utils.data.StackDataset(a=t.arange(5), b=range(5)), batch_size=2)],
    "stack mismatch": lambda t: t.utils.data.StackDataset(range(2), range(3)),
    "stack both": lambda t: t.utils.data.StackDataset(range(2), x=range(2)),
    "stack nothing": lambda t: t.utils.data.StackDataset(),
}


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_datasets(name):
    check(DATASETS[name])


def _indices_of(t, **kwargs):
    dataset = t.utils.data.TensorDataset(t.arange(10.0).unsqueeze(1), t.arange(10))
    batches, after, _, _ = _loaded(t, dataset, epochs=2, seed=5, **kwargs)
    return [[b[1] for b in epoch] for epoch in batches], after


LOADERS = {
    "shuffle two workers": lambda t: _indices_of(t, batch_size=3, shuffle=True, num_workers=2),
    "generator drop last": lambda t: _indices_of(
        t, batch_size=4, shuffle=True, generator=_gen(t, 7), drop_last=True, num_workers=2),
    "persistent workers": lambda t: _indices_of(t, batch_size=3, shuffle=True, num_workers=2,
                                                persistent_workers=True, prefetch_factor=4),
    "sampler": lambda t: _indices_of(t, batch_size=2, sampler=[9, 8, 7], num_workers=3),
    "batch sampler": lambda t: _indices_of(t, batch_sampler=[[1, 2], [5]], num_workers=2),
    "no batching": lambda t: _indices_of(t, batch_size=None, sampler=[4, 2], num_workers=2),
    "collate fn": lambda t: _indices_of(t, batch_size=4, num_workers=2,
                                        collate_fn=lambda b: (len(b), t.stack([x[1] for x in b]))),
    "weighted sampler": lambda t: _indices_of(t, batch_size=3, num_workers=2,
                                              sampler=t.utils.data.WeightedRandomSampler(
                                                  [1.0] * 10, 9)),
    "random dataset main process": lambda t: _loaded(t, _random_dataset(t), batch_size=2),
    "random dataset two workers": lambda t: _loaded(t, _random_dataset(t), batch_size=2,
                                                    num_workers=2),
    "random dataset three workers shuffled": lambda t: _loaded(
        t, _random_dataset(t, 7), batch_size=2, num_workers=3, shuffle=True),
    "random dataset persistent": lambda t: _loaded(
        t, _random_dataset(t), epochs=2, batch_size=2, num_workers=2, persistent_workers=True),
    "worker init fn": lambda t: _loaded(t, _random_dataset(t), batch_size=2, num_workers=2,
                                        worker_init_fn=_offset_init(t)),
    "stream with two workers": lambda t: _loaded(t, Stream.make(t, 0, 7), batch_size=2,
                                                 num_workers=2),
    "stream split between workers": lambda t: _loaded(t, Stream.make(t, 0, 11, split=True),
                                                      batch_size=2, num_workers=3),
    "stream split drop last": lambda t: _loaded(t, Stream.make(t, 0, 11, split=True),
                                                batch_size=2, num_workers=2, drop_last=True),
    "stream unbatched": lambda t: _loaded(t, Stream.make(t, 0, 5, split=True),
                                          batch_size=None, num_workers=2),
    "pin memory": lambda t: (lambda d: (d.pin_memory, [b for b in d]))(
        t.utils.data.DataLoader(range(3), pin_memory=True)),
    "persistent without workers": lambda t: t.utils.data.DataLoader(range(3),
                                                                    persistent_workers=True),
    "prefetch without workers": lambda t: t.utils.data.DataLoader(range(3), prefetch_factor=2),
    "negative timeout": lambda t: t.utils.data.DataLoader(range(3), timeout=-1),
}


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_data_loaders(name):
    check(LOADERS[name])


def _failing(t, dataset_kind, **kwargs):
    class Bad(t.utils.data.Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            if i == 2:
                raise ValueError(f"bad sample {i}")
            if i == 3:
                raise KeyError("k")
            return i

    class BadStream(t.utils.data.IterableDataset):
        def __iter__(self):
            yield 1
            raise IndexError("stream broke")

    seen = []
    try:
        for batch in t.utils.data.DataLoader(Bad() if dataset_kind == "map" else BadStream(),
                                             batch_size=1, **kwargs):
            seen.append(batch)
    except Exception as error:      # noqa: BLE001 (the error is the observation)
        lines = str(error).splitlines()
        return seen, type(error).__name__, lines[0], lines[-1]
    return seen


WORKER_ERRORS = {
    "map two workers": lambda t: _failing(t, "map", num_workers=2),
    "map main process": lambda t: _failing(t, "map"),
    "key error": lambda t: _failing(t, "map", num_workers=2, sampler=[3]),
    "stream": lambda t: _failing(t, "stream", num_workers=2),
}


@pytest.mark.parametrize("name", sorted(WORKER_ERRORS))
def test_an_error_in_a_worker(name):
    check(WORKER_ERRORS[name])
