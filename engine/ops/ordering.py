"""Ops that reorder or accumulate along a dim: cumsum, flip, roll, tril/triu, logsumexp,
sort, argsort and topk, with PyTorch's node names, saved attributes and errors.

Rules compute on arrays, and on Tensors under create_graph=True (with engine ops, as
PyTorch's own formulas do: cumsum's gradient is a reversed cumsum, sort's a scatter).
"""
from __future__ import annotations

import numpy as np

from engine.autograd.node import node_class
from engine.ops import _layout
from engine.ops._core import edges_before_kernel_errors, record, wrap_dim
from engine.ops.reductions import _dims, _return_type, _saved_dims
from engine.tensor import Tensor

sort_result = _return_type("sort")
topk_result = _return_type("topk")


def _is_tensor(value) -> bool:
    return isinstance(value, Tensor)


def _axis(data: np.ndarray, dim: int) -> int | None:
    """The NumPy axis of `dim` (None for a 0-dim tensor, whose dim 0 / -1 is itself)."""
    d = wrap_dim(dim, data.ndim)
    return d if data.ndim else None


# ---------------------------------------------------------------- cumsum

def _reversed_cumsum(g, axis: int):
    if _is_tensor(g):
        return g.flip(axis).cumsum(axis).flip(axis)
    return np.flip(np.cumsum(np.flip(g, axis), axis=axis), axis)


def _cumsum_rule(n, g):
    axis = n._attrs["_axis"]
    if axis is None or g.shape[axis] <= 1:
        return (g,)
    return (_reversed_cumsum(g, axis),)


CumsumBackward0 = node_class("CumsumBackward0", _cumsum_rule)


def _cumsum_dtype(data: np.ndarray, dtype) -> np.dtype:
    if dtype is not None:
        return dtype.np_dtype
    return np.dtype(np.int64) if data.dtype.kind in "biu" else data.dtype


def accumulate(np_fn, data: np.ndarray, axis, out_dtype: np.dtype) -> np.ndarray:
    """A running sum or product along axis (None: a 0-dim input, itself)."""
    if axis is None:
        return data.astype(out_dtype)
    if out_dtype.kind == "f":       # ATen accumulates floating types in double on the CPU
        return np_fn(data, axis=axis, dtype=np.float64).astype(out_dtype)
    return np_fn(data, axis=axis, dtype=out_dtype)


def cumsum(input, dim, *, dtype=None):
    data = input._data
    axis = _axis(data, dim)
    out_dtype = _cumsum_dtype(data, dtype)
    out = accumulate(np.cumsum, data, axis, out_dtype)
    out = _layout.contiguous(out)
    return record(CumsumBackward0, out, (input,), attrs={"dim": dim % 2**64, "_axis": axis})


# ---------------------------------------------------------------- flip, roll

def _flip_rule(n, g):
    axes = n._attrs["_axes"]
    return (g.flip(axes) if _is_tensor(g) else np.flip(g, axes).copy(),)


FlipBackward0 = node_class("FlipBackward0", _flip_rule)


def _dim_list(dims) -> tuple:
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        return tuple(dims[0])
    return tuple(dims)


def flip(input, *dims):
    dims = _dim_list(dims)
    data = input._data
    axes = _dims(dims, data.ndim) if dims else ()
    out = _layout.preserved(np.flip(data, axes) if axes else data, like=data)
    return record(FlipBackward0, out, (input,), attrs={"dims": _saved_dims(dims),
                                                        "_axes": axes})


def _roll_rule(n, g):
    shifts, axes = n._attrs["_shifts"], n._attrs["_axes"]
    back = tuple(-s for s in shifts)
    if _is_tensor(g):
        return (g.roll(back, axes if axes else None),)
    if not axes:
        return (np.roll(g.reshape(-1), back[0]).reshape(g.shape),)
    return (np.roll(g, back, axes),)


RollBackward0 = node_class("RollBackward0", _roll_rule)


def roll(input, shifts, dims=None):
    shifts = (shifts,) if isinstance(shifts, int) else tuple(shifts)
    dims = () if dims is None else (dims,) if isinstance(dims, int) else tuple(dims)
    data = input._data
    if dims and len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, "
                           f"dims:{len(dims)}")
    if not dims and len(shifts) != 1:
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:0")
    axes = tuple(wrap_dim(d, data.ndim) for d in dims)
    if not axes:
        out = np.roll(data.reshape(-1), shifts[0]).reshape(data.shape)
    else:
        out = np.roll(data, shifts, axes) if data.ndim else data.copy()
    out = _layout.contiguous(out)
    return record(RollBackward0, out, (input,),
                  attrs={"dims": _saved_dims(dims), "shifts": _saved_dims(shifts),
                         "_shifts": shifts,
                         "_axes": axes})


# ---------------------------------------------------------------- tril, triu

def _triangle(name: str, np_fn):
    def rule(n, g):
        k = n._attrs["_k"]
        return (getattr(g, name)(k) if _is_tensor(g) else np_fn(g, k),)
    cls = node_class(f"{name.capitalize()}Backward0", rule)

    def op(input, diagonal: int = 0):
        data = input._data
        if data.ndim < 2:
            raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
        return record(cls, _layout.contiguous(np_fn(data, diagonal)), (input,),
                      attrs={"diagonal": diagonal % 2**64, "_k": diagonal})
    return cls, op


TrilBackward0, tril = _triangle("tril", np.tril)
TriuBackward0, triu = _triangle("triu", np.triu)


# ---------------------------------------------------------------- logsumexp

def _logsumexp_rule(n, g):
    x, result = n.saved("self"), n.saved("result")
    a = n._attrs
    if not a["keepdim"]:
        kept = list(x.shape)
        for d in a["_dims"]:
            kept[d] = 1
        g = g.reshape(tuple(kept))
        result = result.reshape(tuple(kept))
    return (g * (x - result).exp() if _is_tensor(x) else g * np.exp(x - result),)


LogsumexpBackward0 = node_class("LogsumexpBackward0", _logsumexp_rule)


_REQUIRED = object()


@edges_before_kernel_errors
def logsumexp(input, dim=_REQUIRED, keepdim: bool = False):
    if dim is _REQUIRED:
        raise TypeError('logsumexp() missing 1 required positional arguments: "dim"')
    data = input._data
    if data.dtype.kind not in "fc":           # integers cannot require grad
        from engine.dtypes import get_default_dtype
        data = data.astype(get_default_dtype().np_dtype)
    dims = _dims(dim, data.ndim)
    if not dims:
        out = data.copy()
    else:
        peak = data.max(axis=dims, keepdims=True) if data.size else np.zeros(
            [1 if i in dims else s for i, s in enumerate(data.shape)], data.dtype)
        peak = np.where(np.isinf(peak), np.zeros((), data.dtype), peak)
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            out = np.log(np.exp(data - peak).sum(axis=dims, keepdims=True)) + peak
        if not keepdim:
            out = out.reshape([s for i, s in enumerate(data.shape) if i not in dims])
    return record(LogsumexpBackward0, _layout.contiguous(out.astype(data.dtype, copy=False)), (input,),
                  {"self": input},
                  {"dim": _saved_dims(dim), "keepdim": keepdim, "_dims": dims},
                  save_result="result")


# ---------------------------------------------------------------- sort, argsort, topk

def _scatter_back(n, g):
    """PyTorch's value_selecting_reduction_backward: the gradient lands where the selected
    values came from; zero elsewhere."""
    indices, shape, axis = n.saved("indices"), n._attrs["self_sym_sizes"], n._attrs["_axis"]
    if _is_tensor(g):
        from engine import zeros
        return (zeros(shape, dtype=g.dtype).scatter(0 if axis is None else axis, indices, g),)
    out = np.zeros(shape, dtype=g.dtype)
    if axis is None:
        return (g.reshape(shape),)
    np.put_along_axis(out, np.asarray(indices), g, axis)
    return (out,)


SortBackward0 = node_class("SortBackward0", _scatter_back)
TopkBackward0 = node_class("TopkBackward0", _scatter_back)


def _sort_key(data: np.ndarray, descending: bool) -> np.ndarray:
    if not descending:
        return data
    if data.dtype.kind == "b":
        return ~data
    if data.dtype.kind == "f":
        # NaN is the largest value for PyTorch: first when descending.
        return np.where(np.isnan(data), -np.inf, -data)
    return -data.astype(np.int64)


def _order(data: np.ndarray, axis: int | None, descending: bool,
           stable: bool = True) -> np.ndarray:
    if axis is None:
        return np.zeros((), np.int64)
    # up to 16 elements std::sort is an insertion sort, which is stable
    if not stable and data.shape[axis] > 16 and not _radix_sorted(data, descending):
        return _unstable_order(data, axis, descending)
    return np.argsort(_sort_key(data, descending), axis=axis, kind="stable").astype(np.int64)


_RADIX_SORT_SIZE = 32768       # ATen's GRAIN_SIZE


def _radix_sorted(data: np.ndarray, descending: bool) -> bool:
    """ATen sorts a long 1-D integer tensor in ascending order with fbgemm's (stable) radix
    sort."""
    return data.ndim == 1 and data.dtype.kind in "iu" and data.size >= _RADIX_SORT_SIZE \
        and not descending


def _unstable_order(data: np.ndarray, axis: int, descending: bool) -> np.ndarray:
    """ATen's CPU sort with stable=False: std::sort on each slice along `axis`, so equal
    values end up in the order that introsort leaves them (engine/kernels/introsort.py)."""
    keys = _ordered_int_keys(data)
    if descending:
        keys = ~keys
    moved = np.moveaxis(keys, axis, -1)
    rows = moved.reshape(-1, moved.shape[-1])
    from engine.kernels import introsort
    order = introsort.unstable_argsort_rows(rows).reshape(moved.shape)
    return np.ascontiguousarray(np.moveaxis(order, -1, axis))


def _ordered_int_keys(data: np.ndarray) -> np.ndarray:
    """int64 keys in the order PyTorch's comparators give: -0.0 equal to 0.0, every NaN equal
    to every other and above +inf."""
    if data.dtype.kind != "f":
        return data.astype(np.int64)
    values = data.astype(np.float64)
    values[values == 0] = 0.0
    values[np.isnan(values)] = np.nan
    bits = values.view(np.int64)
    return np.where(bits < 0, bits ^ np.int64(0x7FFFFFFFFFFFFFFF), bits)


def _selected(input, axis, order, node_cls, dim, like_input: bool = False):
    """`like_input`: values and indices laid out as the input (sort's empty_like(self))."""
    data = input._data
    values = data.copy() if axis is None else np.take_along_axis(data, order, axis)
    if like_input and data.ndim > 1:
        values, order = _layout.preserved(values, data), _layout.preserved(order, data)
    indices = Tensor._make(order)
    values = record(node_cls, values, (input,), {"indices": indices},
                    {"dim": dim % 2**64, "self_sym_sizes": data.shape, "_axis": axis})
    return values, indices


def sort(input, dim: int = -1, descending: bool = False, stable: bool = False):
    axis = _axis(input._data, dim)
    order = _order(input._data, axis, descending, bool(stable))
    return sort_result(*_selected(input, axis, order, SortBackward0, dim, like_input=True))


def argsort(input, dim: int = -1, descending: bool = False, stable: bool = False):
    data = input._data
    order = _order(data, _axis(data, dim), descending, bool(stable))
    return Tensor._make(_layout.preserved(order, data) if data.ndim > 1 else order)


def topk(input, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):
    data = input._data
    axis = _axis(data, dim)
    size = 1 if axis is None else data.shape[axis]
    if not 0 <= k <= size:
        raise RuntimeError("selected index k out of range")
    if axis is not None and data.dtype.kind in "iuf":
        order = _top_order(data, axis, k, largest, sorted)
    else:
        order = _order(data, axis, descending=largest)
        if axis is not None:
            order = np.take(order, np.arange(k), axis=axis)
    return topk_result(*_selected(input, axis, order, TopkBackward0, dim))


def _top_order(data: np.ndarray, axis: int, k: int, largest: bool, sorted: bool):
    """ATen's topk: std::partial_sort or std::nth_element on each slice (equal values, and
    with sorted=False the order of the k, where those algorithms leave them)."""
    keys = _ordered_int_keys(data)
    if largest:
        keys = ~keys
    moved = np.moveaxis(keys, axis, -1)
    from engine.kernels import introsort
    order = introsort.top_rows(moved.reshape(-1, moved.shape[-1]), k, bool(sorted))
    order = order.reshape(moved.shape[:-1] + (k,))
    return np.ascontiguousarray(np.moveaxis(order, -1, axis))
