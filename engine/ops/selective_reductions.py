"""Reductions that pick elements or skip NaNs: amax, amin, median, nanmedian, nansum,
nanmean; and cumprod. PyTorch's node names (AmaxBackward0, MedianBackward1, ...), saved
values and backward formulas (tools/autograd/derivatives.yaml)."""
from __future__ import annotations

import numpy as np

from engine import trace
from engine.autograd import grad_mode as _gm
from engine.autograd.node import SavedTensor, node_class
from engine.ops import _layout
from engine.ops import _poly as P
from engine.ops import reductions as R
from engine.ops._core import (as_saved, bind_outputs, edge, edges_before_kernel_errors, record,
                              wrap_dim)
from engine.ops.ordering import _axis, accumulate
from engine.tensor import Tensor, _announce


def _is_tensor(value) -> bool:
    return isinstance(value, Tensor)


# ---------------------------------------------------------------- amax, amin

def _restore(value, shape: tuple, dims: tuple, keepdim: bool):
    """restore_reduced_dims: the reduced dims back as size 1 (no expand). A 0-dim input
    reduced along dim 0 gets a dim of size 1, as in ATen (the executor sums it away)."""
    if keepdim:
        return value
    if not shape:
        return P.reshape(value, (1,) * len(dims))
    kept = list(shape)
    for d in dims:
        kept[d] = 1
    return P.reshape(value, tuple(kept))


def _amax_rule(n, g):
    """scale_grad_by_count: (grad / mask.sum(dims, keepdim)) * mask, where mask marks the
    elements equal to the result: ties share the gradient evenly."""
    a = n._attrs
    shape, dims, keepdim = a["_self_sizes"], a["_dims"], a["keepdim"]
    x = n.saved("self")
    mask = _restore(n.saved("result"), shape, dims, keepdim) == x
    g = _restore(g, shape, dims, keepdim)
    if _is_tensor(g):
        return ((g / mask.sum(dims or None, keepdim=True)) * mask,)
    count = mask.sum(axis=(dims or None) if mask.ndim else None, keepdims=True)
    return ((g / count.astype(g.dtype)) * mask,)


AmaxBackward0 = node_class("AmaxBackward0", _amax_rule)
AminBackward0 = node_class("AminBackward0", _amax_rule)


def _extreme(input, dim, keepdim: bool, *, is_max: bool):
    name = "amax" if is_max else "amin"
    data = input._data
    dim = () if dim is None else dim
    dims = R._dims(dim, data.ndim) if dim != () else tuple(range(data.ndim))
    for d in dims:
        if data.shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    if not data.ndim and dim != ():        # each dim given is dim 0 (restore_reduced_dims)
        dims = (0,) * len(dim if isinstance(dim, (tuple, list)) else (dim,))
    np_fn = np.max if is_max else np.min
    out = np.asarray(np_fn(data, axis=dims, keepdims=keepdim) if data.ndim else data.copy())
    return record(AmaxBackward0 if is_max else AminBackward0, out, (input,), {"self": input},
                  {"dim": R._saved_dims(dim), "_dims": dims, "keepdim": keepdim,
                   "_self_sizes": data.shape}, save_result="result")


@edges_before_kernel_errors
def amax(input, dim=(), keepdim=False):
    return _extreme(input, dim, keepdim, is_max=True)


@edges_before_kernel_errors
def amin(input, dim=(), keepdim=False):
    return _extreme(input, dim, keepdim, is_max=False)


# ---------------------------------------------------------------- median, nanmedian

median_result = R._return_type("median")
nanmedian_result = R._return_type("nanmedian")

MedianBackward0 = node_class("MedianBackward0", R._evenly_distribute_rule)
MedianBackward1 = node_class("MedianBackward1", R._by_dim_rule)
NanmedianBackward0 = node_class("NanmedianBackward0", R._evenly_distribute_rule)
NanmedianBackward1 = node_class("NanmedianBackward1", R._by_dim_rule)


def _lower_median_index(data: np.ndarray, axis: int, skip_nan: bool) -> np.ndarray:
    """Per row along `axis`: the index of the lower median (torch's, not NumPy's mean of the
    middle two); a row with a NaN gives its first NaN unless NaNs are skipped."""
    order = np.argsort(data, axis=axis, kind="stable")     # NaNs sort last
    nans = np.isnan(data) if data.dtype.kind in "fc" else np.zeros(data.shape, np.bool_)
    valid = data.shape[axis] - nans.sum(axis=axis, keepdims=True)
    if skip_nan:
        position = np.maximum(valid - 1, 0) // 2
    else:
        position = np.where(valid < data.shape[axis], valid, (data.shape[axis] - 1) // 2)
    return np.take_along_axis(order, position, axis=axis)


def _median(input, dim, keepdim: bool, *, skip_nan: bool):
    data = input._data
    name = "nanmedian" if skip_nan else "median"
    if dim is None:
        if data.size == 0:
            out = np.asarray(np.nan, dtype=data.dtype)
        else:
            flat = data.reshape(-1)
            out = np.asarray(flat[_lower_median_index(flat, 0, skip_nan)[0]])
        node = NanmedianBackward0 if skip_nan else MedianBackward0
        return record(node, out, (input,), {"self": input}, save_result="result")
    d = wrap_dim(dim, data.ndim)
    if data.ndim and data.shape[d] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    if data.ndim == 0:
        index, values = np.zeros((), np.int64), data.copy()
    else:
        index = _lower_median_index(data, d, skip_nan).astype(np.int64)
        values = np.take_along_axis(data, index, axis=d)
        if not keepdim:
            index, values = np.squeeze(index, d), np.squeeze(values, d)
    indices = Tensor._make(np.asarray(index))
    node = NanmedianBackward1 if skip_nan else MedianBackward1
    out = record(node, np.asarray(values), (input,), {"indices": indices},
                 {"dim": as_saved(dim), "_dim": d, "keepdim": keepdim,
                  "self_sym_sizes": data.shape})
    return (nanmedian_result if skip_nan else median_result)(out, indices)


def median(input, dim=None, keepdim=False):
    return _median(input, dim, keepdim, skip_nan=False)


def nanmedian(input, dim=None, keepdim=False):
    return _median(input, dim, keepdim, skip_nan=True)


# ---------------------------------------------------------------- nansum, nanmean

def _nansum_rule(n, g):
    a = n._attrs
    x = n.saved("self")
    expanded = R._sum_backward(g, a["_self_sizes"], a["_dims"], a["keepdim"])
    if _is_tensor(expanded):
        return (expanded.masked_fill(x.isnan(), 0),)
    return (np.where(np.isnan(x), 0, expanded).astype(expanded.dtype),)


NansumBackward0 = node_class("NansumBackward0", _nansum_rule)


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    data = input._data
    out_dtype = dtype.np_dtype if dtype is not None else \
        (np.dtype(np.int64) if data.dtype.kind in "biu" else data.dtype)
    dims = () if dim is None or dim == () else R._dims(dim, data.ndim)
    axis = dims if dims else None
    out = np.asarray(np.nansum(data, axis=axis, keepdims=keepdim, dtype=out_dtype)
                     if data.ndim else data.astype(out_dtype))
    return record(NansumBackward0, out, (input,), {"self": input},
                  {"dim": None if dim is None else R._saved_dims(dim),
                   "_dims": dims, "keepdim": keepdim,
                   "_self_sizes": data.shape})


def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    """ATen's composite: nansum(input) / (number of non-NaN elements)."""
    if input._data.dtype.kind not in "fc":
        raise RuntimeError("nanmean(): expected input to have floating point or complex "
                           f"dtype but got {input.dtype.tensor_type[:-6]}")
    from engine.ops.elementwise import div, isnan, logical_not
    count = R.sum(logical_not(isnan(input)), dim, keepdim) if dim is not None \
        else R.sum(logical_not(isnan(input)))
    return div(nansum(input, dim, keepdim, dtype=dtype), count)


# ---------------------------------------------------------------- cumprod

def _cumprod_rule(n, g):
    """The gradient of a running product, exact with zeros in the input (ATen's
    cumprod_backward); under create_graph the zero-free formula, sum_{j>=k} g_j y_j / x_k."""
    x, axis = n.saved("self"), n._attrs["_axis"]
    if axis is None:
        return (g,)
    if not _is_tensor(g):
        return (_cumprod_grad(g, x, axis),)
    if bool((x != 0).all()):
        return ((g * n.saved("result")).flip(axis).cumsum(axis).flip(axis) / x,)
    return (_cumprod_grad_graph(g, x, axis),)


def _cumprod_grad_graph(g: Tensor, x: Tensor, axis: int) -> Tensor:
    """_cumprod_grad with differentiable ops, for inputs with zeros under create_graph."""
    from engine.ops.indexing import slice_dim
    from engine.ops.shape import cat
    size = x.shape[axis]
    parts = []
    for k in range(size):
        one = slice_dim(x, axis, k, k + 1).detach() * 0 + 1
        others = cat([slice_dim(x, axis, 0, k), one, slice_dim(x, axis, k + 1, size)], axis)
        products = cumprod(others, axis)
        parts.append(slice_dim(g * products, axis, k, size).sum(axis, keepdim=True))
    return cat(parts, axis)


def _cumprod_grad(g: np.ndarray, x: np.ndarray, axis: int) -> np.ndarray:
    """grad_input[k] = sum over j >= k of g[j] * prod(x[i] for i <= j, i != k)."""
    g_rows, x_rows = np.moveaxis(g, axis, -1), np.moveaxis(x, axis, -1)
    out = np.zeros(g_rows.shape, dtype=g.dtype)
    n = x_rows.shape[-1]
    for k in range(n):
        others = x_rows.copy()
        others[..., k] = 1
        products = np.cumprod(others, axis=-1)
        out[..., k] = (g_rows[..., k:] * products[..., k:]).sum(axis=-1)
    return np.moveaxis(out, -1, axis)


CumprodBackward0 = node_class("CumprodBackward0", _cumprod_rule)


def cumprod(input, dim, *, dtype=None):
    data = input._data
    axis = _axis(data, dim)
    out_dtype = dtype.np_dtype if dtype is not None else \
        (np.dtype(np.int64) if data.dtype.kind in "biu" else data.dtype)
    out = accumulate(np.cumprod, data, axis, out_dtype)
    return record(CumprodBackward0, out, (input,), {"self": input},
                  {"dim": dim % 2**64, "_axis": axis}, save_result="result")


# ---------------------------------------------------------------- cummax, cummin

cummax_result = R._return_type("cummax")
cummin_result = R._return_type("cummin")


def _cummaxmin_rule(n, g):
    """cummaxmin_backward: the gradient added at the index each running value came from."""
    indices, axis = n.saved("indices"), n._attrs["_axis"]
    if _is_tensor(g):
        from engine.ops.gather import scatter_add
        from engine.creation import zeros_like
        return (scatter_add(zeros_like(g), axis, indices, g) if g.numel() else g,)
    if g.ndim == 0:
        return (g,)
    out = np.zeros(g.shape, dtype=g.dtype)
    grid = list(np.indices(g.shape, sparse=True))
    grid[axis] = indices
    np.add.at(out, tuple(grid), g)
    return (out,)


CummaxBackward0 = node_class("CummaxBackward0", _cummaxmin_rule)
CumminBackward0 = node_class("CumminBackward0", _cummaxmin_rule)


def _running_extreme(data: np.ndarray, axis: int, is_max: bool):
    """Running values and the index of the last element equal to each (ATen's >= / <=);
    a NaN, once met, stays with its index."""
    rows = np.moveaxis(data, axis, -1)
    values, indices = np.empty_like(rows), np.empty(rows.shape, np.int64)
    best = rows[..., 0].copy()
    where = np.zeros(best.shape, np.int64)
    for k in range(rows.shape[-1]):
        current = rows[..., k]
        better = (current >= best) if is_max else (current <= best)
        better |= np.isnan(current) & ~np.isnan(best) if data.dtype.kind == "f" else False
        best = np.where(better, current, best)
        where = np.where(better, k, where)
        values[..., k], indices[..., k] = best, where
    return np.moveaxis(values, -1, axis), np.moveaxis(indices, -1, axis)


def _cumulative_extreme(input, dim, *, is_max: bool):
    data = input._data
    axis = wrap_dim(dim, data.ndim)
    if data.ndim == 0 or data.size == 0:
        values, indices = data.copy(), np.zeros(data.shape, np.int64)
    else:
        values, indices = _running_extreme(data, axis, is_max)
    index_tensor = Tensor._make(_layout.contiguous(indices))
    node = CummaxBackward0 if is_max else CumminBackward0
    out = record(node, _layout.contiguous(values), (input,),
                 {"self": input, "indices": index_tensor},
                 {"dim": as_saved(dim), "_axis": axis})
    return (cummax_result if is_max else cummin_result)(out, index_tensor)


def cummax(input, dim):
    return _cumulative_extreme(input, dim, is_max=True)


def cummin(input, dim):
    return _cumulative_extreme(input, dim, is_max=False)


# ---------------------------------------------------------------- kthvalue, mode

kthvalue_result = R._return_type("kthvalue")
mode_result = R._return_type("mode")
KthvalueBackward0 = node_class("KthvalueBackward0", R._by_dim_rule)
ModeBackward0 = node_class("ModeBackward0", R._by_dim_rule)


def _selected(node_cls, result_type, input, dim, keepdim, pick):
    """A value per row along dim chosen by pick(rows) -> index, as (values, indices)."""
    data = input._data
    d = wrap_dim(dim, data.ndim)
    if data.ndim == 0:
        index, values = np.zeros((), np.int64), data.copy()
    else:
        index = np.expand_dims(pick(np.moveaxis(data, d, -1)), -1)
        index = np.moveaxis(index, -1, d).astype(np.int64)
        values = np.take_along_axis(data, index, axis=d)
        if not keepdim:
            index, values = np.squeeze(index, d), np.squeeze(values, d)
    indices = Tensor._make(_layout.contiguous(index))
    out = record(node_cls, _layout.contiguous(values), (input,), {"indices": indices},
                 {"dim": as_saved(dim), "_dim": d, "keepdim": keepdim,
                  "self_sym_sizes": data.shape})
    return result_type(out, indices)


def kthvalue(input, k, dim=-1, keepdim=False):
    data = input._data
    size = data.shape[wrap_dim(dim, data.ndim)] if data.ndim else 1
    if not 1 <= k <= size:
        raise IndexError(f"kthvalue(): selected number k out of range for dimension {dim}")

    def pick(rows):
        """ATen's quickselect (engine/kernels/introsort.py): equal values give the index it
        leaves at position k - 1."""
        if rows.dtype.kind not in "biuf":
            return np.argsort(rows, axis=-1, kind="stable")[..., k - 1]
        from engine.kernels import introsort
        from engine.ops.ordering import _ordered_int_keys
        keys = _ordered_int_keys(rows).reshape(-1, rows.shape[-1])
        return introsort.kth_rows(keys, k).reshape(rows.shape[:-1])
    return _selected(KthvalueBackward0, kthvalue_result, input, dim, keepdim, pick)


def _mode_of_rows(rows: np.ndarray) -> np.ndarray:
    """Per row: the most frequent value (the smallest of equally frequent ones) and the
    last index holding it."""
    flat = rows.reshape(-1, rows.shape[-1])
    picks = np.empty(flat.shape[0], np.int64)
    for r, row in enumerate(flat):
        values, counts = np.unique(row, return_counts=True)
        value = values[np.argmax(counts)]
        picks[r] = np.flatnonzero(row == value)[-1] if value == value else \
            np.flatnonzero(np.isnan(row))[-1]
    return picks.reshape(rows.shape[:-1])


def _mode_as_aten(rows: np.ndarray) -> np.ndarray:
    """ATen's mode: std::sort each row, then the last element of the first longest run of
    equal values (engine/kernels/introsort.py). Rows with NaN, which ATen's plain `<` sorts
    in no order keys can express, keep _mode_of_rows's pick."""
    if rows.dtype.kind not in "biuf" or rows.shape[-1] == 0:
        return _mode_of_rows(rows)
    from engine.kernels import introsort
    from engine.ops.ordering import _ordered_int_keys
    flat = rows.reshape(-1, rows.shape[-1])
    picks = introsort.mode_rows(_ordered_int_keys(flat))
    if rows.dtype.kind == "f":
        with_nan = np.isnan(flat).any(axis=1)
        if with_nan.any():
            picks[with_nan] = _mode_of_rows(flat[with_nan])
    return picks.reshape(rows.shape[:-1])


def mode(input, dim=-1, keepdim=False):
    return _selected(ModeBackward0, mode_result, input, dim, keepdim, _mode_as_aten)


# ---------------------------------------------------------------- aminmax

aminmax_result = R._return_type("aminmax", ("min", "max"))


def _aminmax_rule(n, g_min, g_max):
    """Each output's gradient as amin's and amax's: shared evenly by the tied elements."""
    a = n._attrs
    shape, dims, keepdim = a["_self_sizes"], a["_dims"], a["keepdim"]
    x = n.saved("self")
    total = None
    for g, name in ((g_min, "min"), (g_max, "max")):
        if g is None:
            continue
        mask = _restore(n.saved(name), shape, dims, keepdim) == x
        g = _restore(g, shape, dims, keepdim)
        if _is_tensor(mask):        # create_graph: the other output's zeros may be an array
            g = g if _is_tensor(g) else Tensor._make(np.asarray(g))
            part = (g / mask.sum(dims or None, keepdim=True)) * mask
        else:
            part = (g / mask.sum(axis=dims or None, keepdims=True).astype(g.dtype)) * mask
        total = part if total is None else total + part
    return (total,)


AminmaxBackward0 = node_class("AminmaxBackward0", _aminmax_rule, num_outputs=2)


def aminmax(input, *, dim=None, keepdim=False):
    data = input._data
    dims = tuple(range(data.ndim)) if dim is None else R._dims(dim, data.ndim)
    if data.size == 0:
        raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the "
                           "operation has no identity.")
    low = np.asarray(np.min(data, axis=dims, keepdims=keepdim) if data.ndim else data.copy())
    high = np.asarray(np.max(data, axis=dims, keepdims=keepdim) if data.ndim else data.copy())
    outs = (Tensor._make(low), Tensor._make(high))
    if _gm.state.enabled and input.requires_grad:
        node = AminmaxBackward0()
        node._next = (edge(input),)
        node._in_shapes = (data.shape,)
        node._out_meta = tuple((o._data.shape, o._data.dtype) for o in outs)
        node._num_outputs = 2
        node._saved = {"self": SavedTensor("self", input),
                       "min": SavedTensor("min", outs[0], is_output=True),
                       "max": SavedTensor("max", outs[1], is_output=True)}
        node._attrs = {"dim": None if dim is None else as_saved(dim), "_dims": dims,
                       "keepdim": keepdim, "_self_sizes": data.shape}
        bind_outputs(node, outs)
    if trace.active:
        for out in outs:
            _announce(out)
    return aminmax_result(*outs)


__all__ = ["amax", "amin", "median", "nanmedian", "nansum", "nanmean", "cumprod", "cummax",
           "cummin", "kthvalue", "mode", "aminmax"]
METHODS = {name: globals()[name] for name in __all__}
