"""torch.utils.data: datasets, default_collate, samplers and DataLoader, live against torch."""
import numpy as np
import pytest

from surface_live import check


def _dataset(t):
    return t.utils.data.TensorDataset(t.arange(10.0).reshape(10, 1) * 0.5, t.arange(10))


def _batches(loader):
    return [batch for batch in loader]


def _collate(t, batch):
    return t.utils.data.default_collate(batch)


COLLATE = {
    "tensors and ints": lambda t: _collate(t, [(t.ones(2), 1), (t.zeros(2), 2)]),
    "floats": lambda t: _collate(t, [1.5, 2.0]),
    "bools": lambda t: _collate(t, [True, False]),
    "strings": lambda t: _collate(t, ["a", "b"]),
    "dicts": lambda t: _collate(t, [{"x": 1, "y": t.ones(1)}, {"x": 2, "y": t.zeros(1)}]),
    "numpy arrays": lambda t: _collate(t, [np.ones(2), np.zeros(2)]),
    "numpy scalars": lambda t: _collate(t, [np.float32(1.0), np.float32(2)]),
    "lists": lambda t: _collate(t, [[1, 2], [3, 4]]),
    "unequal tensors": lambda t: _collate(t, [t.ones(3), t.ones(2)]),
    "unequal lists": lambda t: _collate(t, [[1, 2], [3]]),
    "objects": lambda t: _collate(t, [object()]),
}


@pytest.mark.parametrize("name", sorted(COLLATE))
def test_default_collate(name):
    check(COLLATE[name])


DATASETS = {
    "tensor dataset": lambda t: (len(_dataset(t)), _dataset(t)[3], _dataset(t)[2:4]),
    "size mismatch": lambda t: t.utils.data.TensorDataset(t.ones(3), t.ones(4)),
    "subset": lambda t: (lambda s: (len(s), s[1]))(t.utils.data.Subset(_dataset(t), [4, 7])),
    "concat": lambda t: (lambda c: (len(c), c[12], c[-1]))(_dataset(t) + _dataset(t)),
    "base dataset": lambda t: t.utils.data.Dataset()[0],
    "split lengths": lambda t: t.utils.data.random_split(_dataset(t), [3, 3]),
    "split sizes": lambda t: [len(s) for s in t.utils.data.random_split(range(10), [0.5, 0.5])],
    "split sizes uneven": lambda t: [len(s) for s in
                                     t.utils.data.random_split(range(11), [0.3, 0.3, 0.4])],
}


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_datasets(name):
    check(DATASETS[name])


def _split_matches_randperm(t):
    t.manual_seed(3)
    indices = [s.indices for s in t.utils.data.random_split(range(10), [7, 3])]
    t.manual_seed(3)
    perm = t.randperm(10).tolist()
    return indices[0] + indices[1] == perm


def test_random_split_takes_one_randperm_of_the_global_generator():
    check(_split_matches_randperm)


def _loader(t, **options):
    return t.utils.data.DataLoader(_dataset(t), **options)


class _Stream:
    """An IterableDataset of five numbers, made for either library."""

    @staticmethod
    def make(t, length=None):
        class Stream(t.utils.data.IterableDataset):
            def __iter__(self):
                return iter(range(5))
        if length is not None:
            Stream.__len__ = lambda self: length
        return Stream()


LOADERS = {
    "batches of 4": lambda t: (len(_loader(t, batch_size=4)), _batches(_loader(t, batch_size=4))),
    "drop_last": lambda t: (len(_loader(t, batch_size=4, drop_last=True)),
                            _batches(_loader(t, batch_size=4, drop_last=True))),
    "default batch size": lambda t: (len(_loader(t)), _batches(_loader(t))[:2]),
    "no batching": lambda t: _batches(_loader(t, batch_size=None))[:2],
    "collate_fn": lambda t: _batches(_loader(t, batch_size=3, collate_fn=lambda b: len(b))),
    "batch size 0": lambda t: _loader(t, batch_size=0),
    "sampler and shuffle": lambda t: _loader(t, shuffle=True, sampler=[1]),
    "sampler": lambda t: _batches(_loader(t, batch_size=2, sampler=[9, 0, 4])),
    "batch_sampler": lambda t: _batches(_loader(t, batch_sampler=[[1, 2], [5]])),
    "batch_sampler and batch_size": lambda t: _loader(t, batch_size=2, batch_sampler=[[1]]),
    "none and drop_last": lambda t: _loader(t, batch_size=None, drop_last=True),
    "negative workers": lambda t: _loader(t, num_workers=-1),
    "iterable": lambda t: _batches(t.utils.data.DataLoader(_Stream.make(t), batch_size=2)),
    "iterable drop_last": lambda t: _batches(
        t.utils.data.DataLoader(_Stream.make(t), batch_size=2, drop_last=True)),
    "iterable len": lambda t: len(t.utils.data.DataLoader(_Stream.make(t), batch_size=2)),
    "iterable with a len": lambda t: len(t.utils.data.DataLoader(_Stream.make(t, 5),
                                                                 batch_size=2)),
    "iterable shuffle": lambda t: t.utils.data.DataLoader(_Stream.make(t), shuffle=True),
    "samplers": lambda t: (list(t.utils.data.SequentialSampler(range(3))),
                           list(t.utils.data.BatchSampler(range(5), 2, False)),
                           len(t.utils.data.BatchSampler(range(5), 2, True))),
}


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_data_loader(name):
    check(LOADERS[name])


def _shuffled_epochs(t):
    t.manual_seed(0)
    loader = _loader(t, batch_size=4, shuffle=True)
    epochs = [[batch[1].tolist() for batch in loader] for _ in range(2)]
    return ([len(batch) for batch in epochs[0]],
            [sorted(sum(epoch, [])) for epoch in epochs], epochs[0] != epochs[1])


def test_shuffle_gives_a_new_permutation_each_epoch():
    """The batch sizes, every sample once per epoch, and a different order each epoch."""
    check(_shuffled_epochs)


def _seeded_orders(t):
    """What a seeded script sees: each epoch's order, the global generator after them (the
    loader draws a base seed and the sampler a seed for its own generator), and with a
    generator of the loader's own."""
    t.manual_seed(3)
    dataset = t.utils.data.TensorDataset(t.arange(10))
    epochs = [[b[0].tolist() for b in t.utils.data.DataLoader(dataset, batch_size=4,
                                                              shuffle=True)] for _ in range(2)]
    after = t.rand(2).tolist()
    generator = t.Generator().manual_seed(7)
    own = [b[0].tolist() for b in t.utils.data.DataLoader(
        dataset, batch_size=3, shuffle=True, generator=generator, drop_last=True)]
    sequential = [b[0].tolist() for b in t.utils.data.DataLoader(dataset, batch_size=5)]
    return epochs, after, own, sequential, t.rand(1).tolist(), list(
        t.utils.data.RandomSampler(range(5)))


def test_shuffled_order_is_torchs_for_the_same_seed():
    check(_seeded_orders)


def _orders_and_the_next_random_number(t, **options):
    t.manual_seed(0)
    loader = _loader(t, batch_size=4, **options)
    epochs = [[batch[1].tolist() for batch in loader] for _ in range(2)]
    return epochs, t.randn(2)


@pytest.mark.parametrize("shuffle", [True, False])
def test_the_loader_draws_from_the_global_generator_as_torchs_does(shuffle):
    """The same seed gives the same shuffled orders as PyTorch, and the global generator is
    where PyTorch leaves it (each iterator draws a base seed; each shuffled epoch seeds its
    own generator from one more draw): a training script prints the same numbers."""
    check(lambda t: _orders_and_the_next_random_number(t, shuffle=shuffle))
