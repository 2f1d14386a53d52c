"""default_collate: a list of samples into one batch, as PyTorch's default collate_fn."""
from __future__ import annotations

import collections.abc
import numbers

import numpy as np

_ERROR = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or "
          "lists; found {}")


def default_collate(batch):
    from engine.tensor import Tensor
    elem = batch[0]
    if isinstance(elem, Tensor):
        from engine.ops.shape import stack
        return stack(list(batch), 0)
    if isinstance(elem, np.ndarray):
        if elem.dtype.kind in "OSU":
            raise TypeError(_ERROR.format(elem.dtype))
        return default_collate([_from_numpy(b) for b in batch])
    if isinstance(elem, np.generic):
        return _from_numpy(np.asarray(batch))
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, numbers.Number):
        return _numbers(batch)
    if isinstance(elem, collections.abc.Mapping):
        return {key: default_collate([d[key] for d in batch]) for key in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):
        return type(elem)(*(default_collate(list(s)) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        if any(len(b) != len(elem) for b in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        return [default_collate(list(samples)) for samples in zip(*batch)]
    raise TypeError(_ERROR.format(type(elem)))


def _from_numpy(array):
    from engine.creation import from_numpy
    return from_numpy(np.ascontiguousarray(array))


def _numbers(batch):
    from engine import dtypes
    from engine.creation import tensor
    if isinstance(batch[0], float):
        return tensor(batch, dtype=dtypes.float64)
    return tensor(batch)


def default_convert(data):
    """torch.utils.data.default_convert: NumPy arrays (not of strings or objects) made
    tensors, inside any container."""
    return convert_sample(data)


def convert_sample(sample):
    """One sample without batching (batch_size=None), as PyTorch's default_convert: NumPy
    arrays become tensors, containers are converted inside (a tuple becomes a list)."""
    if isinstance(sample, np.ndarray) and sample.dtype.kind not in "OSU":
        return _from_numpy(sample)
    if isinstance(sample, collections.abc.Mapping):
        return {key: convert_sample(value) for key, value in sample.items()}
    if isinstance(sample, tuple) and hasattr(sample, "_fields"):
        return type(sample)(*(convert_sample(s) for s in sample))
    if isinstance(sample, collections.abc.Sequence) and not isinstance(sample, (str, bytes)):
        return [convert_sample(s) for s in sample]
    return sample
