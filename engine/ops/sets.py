"""Ops on the set of values, without gradients: unique, unique_consecutive, isin, bincount,
searchsorted, bucketize."""
from __future__ import annotations

import numpy as np

from engine.ops._core import as_tensor
from engine.tensor import Tensor


def _as_tensors(*arrays):
    return tuple(Tensor._make(np.ascontiguousarray(a)) for a in arrays)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    data = input._data
    if dim is None:
        values, inverse, counts = np.unique(data.reshape(-1), return_inverse=True,
                                            return_counts=True)
        inverse = inverse.reshape(data.shape)
    else:
        values, inverse, counts = np.unique(data, return_inverse=True, return_counts=True,
                                            axis=dim)
        inverse = inverse.reshape(-1)
    return _result(values, inverse.astype(np.int64), counts.astype(np.int64), return_inverse,
                   return_counts)


def _result(values, inverse, counts, return_inverse: bool, return_counts: bool):
    outputs = [values]
    if return_inverse:
        outputs.append(inverse)
    if return_counts:
        outputs.append(counts)
    tensors = _as_tensors(*outputs)
    return tensors[0] if len(tensors) == 1 else tensors


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    data = input._data
    if dim is not None:
        from engine._unsupported import NotSupportedError
        raise NotSupportedError("torch.unique_consecutive with dim is not supported by "
                                "graphtui's engine")
    flat = data.reshape(-1)
    starts = np.ones(flat.shape, dtype=np.bool_)
    starts[1:] = flat[1:] != flat[:-1]
    inverse = (np.cumsum(starts) - 1).reshape(data.shape)
    boundaries = np.append(np.flatnonzero(starts), flat.size)
    return _result(flat[starts], inverse.astype(np.int64),
                   np.diff(boundaries).astype(np.int64), return_inverse, return_counts)


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    found = np.isin(as_tensor(elements)._data, as_tensor(test_elements)._data, invert=invert)
    return Tensor._make(np.asarray(found))


def bincount(input, weights=None, minlength=0):
    data = input._data
    if data.ndim != 1:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if data.dtype.kind not in "iu" or (data.size and data.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is None:
        return Tensor._make(np.bincount(data, minlength=minlength).astype(np.int64))
    counts = np.bincount(data, weights=weights._data, minlength=minlength)
    dtype = weights._data.dtype if weights._data.dtype.kind == "f" else np.float64
    return Tensor._make(counts.astype(dtype))


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None,
                 sorter=None):
    side = side or ("right" if right else "left")
    boundaries = sorted_sequence._data
    values = as_tensor(input)._data
    if boundaries.ndim <= 1:
        found = np.searchsorted(boundaries, values, side=side)
    else:
        rows = boundaries.reshape(-1, boundaries.shape[-1])
        value_rows = values.reshape(rows.shape[0], -1)
        found = np.stack([np.searchsorted(r, v, side=side) for r, v in zip(rows, value_rows)])
        found = found.reshape(values.shape)
    out = Tensor._make(np.asarray(found, dtype=np.int32 if out_int32 else np.int64))
    return out


def bucketize(input, boundaries, *, out_int32=False, right=False):
    found = np.searchsorted(boundaries._data, as_tensor(input)._data,
                            side="right" if right else "left")
    return Tensor._make(np.asarray(found, dtype=np.int32 if out_int32 else np.int64))


__all__ = ["unique", "unique_consecutive", "isin", "bincount", "searchsorted", "bucketize"]
METHODS = {name: globals()[name] for name in ("unique", "unique_consecutive", "bincount")}
