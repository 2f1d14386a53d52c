"""scatter_reduce (sum, prod, mean, amax, amin; include_self or not) with ATen's
ScatterReduceBackward0: its gradients as ATen's scatter_reduce_backward composes them,
written on Tensors so that create_graph differentiates them (issue #11)."""
from __future__ import annotations

import numpy as np

from engine._cpp_warning import cpp_warning, warn_once
from engine.autograd.node import node_class
from engine.ops import inplace as I
from engine.ops._core import as_saved, record, wrap_dim
from engine.ops.gather import _check_index, _positions, gather, scatter, scatter_add
from engine.ops.structural import tensor_rule
from engine.tensor import Tensor

_REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")
_UFUNCS = {"sum": np.add, "mean": np.add, "prod": np.multiply, "amax": np.fmax,
           "amin": np.fmin}


def _identity(reduce: str, dtype: np.dtype):
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    if dtype.kind == "f":
        return -np.inf if reduce == "amax" else np.inf
    info = np.iinfo(dtype)
    return info.min if reduce == "amax" else info.max


def _forward(data: np.ndarray, d: int, idx: np.ndarray, src: np.ndarray, reduce: str,
             include_self: bool) -> np.ndarray:
    if 0 in (data.ndim, idx.ndim, src.ndim):     # ATen: a 0-dim operand has one dim of size 1
        return _forward(np.atleast_1d(data), d, np.atleast_1d(idx), np.atleast_1d(src),
                        reduce, include_self).reshape(data.shape)
    out = data.copy()
    positions = _positions(idx, d)
    values = src[tuple(slice(0, s) for s in idx.shape)]
    if not include_self:
        out[positions] = _identity(reduce, data.dtype)
    if reduce in ("amax", "amin"):
        # NaN wins, as in ATen: fmax/fmin skip it, so put it back where it was met
        nan_out = np.isnan(out) if out.dtype.kind == "f" else np.zeros(out.shape, bool)
        _UFUNCS[reduce].at(out, positions, values)
        if values.dtype.kind == "f":
            np.logical_or.at(nan_out, positions, np.isnan(values))
            out[nan_out] = np.nan
        return out
    _UFUNCS[reduce].at(out, positions, values)
    if reduce == "mean":
        counts = np.ones(out.shape, dtype=np.int64) if include_self else \
            np.where(np.zeros(out.shape, bool), 1, 0)
        if not include_self:
            counts[positions] = 0
        np.add.at(counts, positions, 1)
        counts = np.maximum(counts, 1)
        out = out / counts if out.dtype.kind == "f" else np.floor_divide(out, counts)
    return out.astype(data.dtype, copy=False)


@tensor_rule
def _scatter_reduce_rule(n, g, saved):
    a = n._attrs
    if a["reduce"] not in _REDUCTIONS:     # the old names reach the forward only
        raise RuntimeError("Expected 'reduce' to be one of 'sum', 'prod', 'mean', 'amax', "
                           f"'amin' but got {a['reduce']}.")
    return _reduce_grads(n, g, saved, saved("index"))


@tensor_rule
def _index_reduce_rule(n, g, saved):
    """index_reduce's gradients are scatter_reduce's, its index spread along source."""
    spread = Tensor._make(n._attrs["_spread"])
    return _reduce_grads(n, g, lambda name: saved("source" if name == "src" else name), spread)


def _reduce_grads(n, g, saved, index):
    a = n._attrs
    dim, reduce, include_self = a["_dim"], a["_reduce"], a["include_self"]
    grad_self = grad_src = None
    if reduce == "sum":
        grad_self, grad_src = g, gather(g, dim, index)
    elif reduce == "mean":
        ones = Tensor._make(np.ones(g._data.shape, dtype=g._data.dtype))
        start = ones if include_self else Tensor._make(np.zeros(g._data.shape, g._data.dtype))
        counts = scatter_add(start, dim, index, Tensor._make(
            np.ones(index._data.shape, dtype=g._data.dtype)))
        counts = counts.masked_fill(counts == 0, 1)
        grad_self = g / counts
        grad_src = gather(grad_self, dim, index)
    elif reduce in ("amax", "amin"):
        self_, src, result = saved("self"), saved("src"), saved("result")
        value = gather(result, dim, index)
        self_is_result = (self_ == result).to(g.dtype)
        src_is_result = (src == value).to(g.dtype)
        count = scatter_add(self_is_result, dim, index, src_is_result)
        distributed = g / count
        grad_self = self_is_result * distributed
        grad_src = src_is_result * gather(distributed, dim, index)
    else:
        grad_self, grad_src = _prod_grads(g, dim, index, saved, include_self)
    if not include_self:
        grad_self = scatter(grad_self, dim, index, 0.0)
    return (grad_self if n.needs(0) else None, grad_src if n.needs(1) else None)


def _prod_grads(g, dim, index, saved, include_self):
    """ATen's: self's gradient from the product with self's zeros masked to one; src's from
    the product with a lone zero masked, else grad * result / src."""
    self_, src, result = saved("self"), saved("src"), saved("result")
    masked_self = self_.masked_fill(self_ == 0, 1)
    masked_self_result = scatter_reduce(masked_self, dim, index, src, "prod",
                                        include_self=include_self)
    grad_self = g * masked_self_result / masked_self
    src_zero = src == 0
    zeros = Tensor._make(np.zeros(self_._data.shape, dtype=self_._data.dtype))
    src_num_zeros = gather(scatter_add(zeros, dim, index, src_zero.to(self_.dtype)), dim, index)
    single_zero = src_zero & (src_num_zeros == 1)
    masked_src = src.masked_fill(single_zero, 1)
    masked_src_result = scatter_reduce(self_, dim, index, masked_src, "prod",
                                       include_self=include_self)
    from engine.ops.elementwise import where
    grad_src = where(single_zero, gather(g * masked_src_result, dim, index),
                     gather(g * result, dim, index) / src.masked_fill(src_zero, 1))
    return grad_self, grad_src


ScatterReduceBackward0 = node_class("ScatterReduceBackward0", _scatter_reduce_rule)


def scatter_reduce(input, dim, index, src, reduce, *, include_self: bool = True):
    given = reduce
    reduce = {"max": "amax", "min": "amin"}.get(reduce, reduce)    # ATen's old names
    if reduce not in _REDUCTIONS:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce}")
    data = input._data
    if src._data.dtype != data.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    d = wrap_dim(dim, max(data.ndim, 1))
    idx = _check_index("scatter", input, d, index, src)
    out = _forward(data, d, idx, src._data, reduce, include_self)
    return record(ScatterReduceBackward0, out, (input, src),
                  {"index": index, "self": input, "src": src},
                  {"dim": as_saved(dim), "include_self": include_self, "reduce": given,
                   "_dim": d, "_reduce": reduce}, save_result="result")


def scatter_reduce_(tensor, dim, index, src, reduce, *, include_self: bool = True):
    return I._inplace(tensor, "scatter_reduce_", scatter_reduce, dim, index, src, reduce,
                      include_self=include_self)


IndexReduceBackward0 = node_class("IndexReduceBackward0", _index_reduce_rule)
_BETA_WARNING = cpp_warning("index_reduce() is in beta and the API may change at any time.",
                            "aten/src/ATen/native/TensorAdvancedIndexing.cpp:1523")


def _spread_index(index: np.ndarray, d: int, shape: tuple) -> np.ndarray:
    view = [1] * len(shape)
    view[d] = index.size
    return np.ascontiguousarray(np.broadcast_to(index.reshape(view), shape))


def index_reduce(input, dim, index, source, reduce, *, include_self: bool = True):
    warn_once(_BETA_WARNING, stacklevel=3)
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError("index_reduce(): Expected reduce to be one of prod, mean, amax or "
                           f"amin but got {reduce}.")
    idx = index._data
    if idx.ndim > 1:
        raise IndexError(f"index_reduce_(): Index is supposed to be a vector, but got dim: "
                         f"{idx.ndim} with type: {index.dtype.tensor_type[:-6]} and size: "
                         f"{list(idx.shape)}")
    if idx.dtype not in (np.int32, np.int64):
        raise RuntimeError("index_reduce_(): Expected dtype int32/int64 for index but got: "
                           f"{index.dtype.tensor_type[:-6]}")
    data = input._data
    d = wrap_dim(dim, max(data.ndim, 1))
    shape = source._data.shape
    if source._data.ndim and idx.size != shape[d]:
        raise RuntimeError(f"index_reduce_(): Number of indices ({idx.size}) should be equal "
                           f"to source.size(dim): ({shape[d]}), for dim: {dim}")
    if ((idx < 0) | (idx >= data.shape[d])).any():     # no negative indices here
        raise IndexError("index out of range in self")
    spread = _spread_index(idx.astype(np.int64), d, shape)
    out = _forward(data, d, spread, source._data, reduce, include_self)
    return record(IndexReduceBackward0, out, (input, source),
                  {"index": index, "self": input, "source": source},
                  {"dim": as_saved(dim), "include_self": include_self, "reduce": reduce,
                   "_dim": d, "_reduce": reduce, "_spread": spread}, save_result="result")


def index_reduce_(tensor, dim, index, source, reduce, *, include_self: bool = True):
    return I._inplace(tensor, "index_reduce_", index_reduce, dim, index, source, reduce,
                      include_self=include_self)


FUNCTIONS = {"scatter_reduce": scatter_reduce, "index_reduce": index_reduce}
METHODS = {"scatter_reduce": scatter_reduce, "scatter_reduce_": scatter_reduce_,
           "index_reduce": index_reduce, "index_reduce_": index_reduce_}
