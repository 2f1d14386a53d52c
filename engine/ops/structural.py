"""Ops that move, pick or write elements (issue #11): diag, diagflat, rot90, take, put,
index_put with accumulate, masked_scatter, select/slice/diagonal_scatter, split_with_sizes,
msort, inner, vdot, fill_diagonal_ and histc, as torch records them (composites of the
engine's ops where ATen composes them, else torch's own node)."""
from __future__ import annotations

import numpy as np

from engine.autograd import grad_mode as _gm
from engine.autograd.node import node_class
from engine.ops import _layout
from engine.ops import inplace as I
from engine.ops import linalg as L
from engine.ops import ordering as O
from engine.ops import shape as S
from engine.ops._core import as_saved, needs_grad, record, wrap_dim
from engine.ops.indexing import saved_index_tensors
from engine.tensor import Tensor

_TYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
               "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
               "bool": "Bool"}


def tensor_rule(fn):
    """A backward rule written once on Tensors: fn(n, g, saved) -> grads. Without
    create_graph it runs under no_grad on the arrays wrapped as Tensors, and gives arrays."""
    def rule(n, g):
        if isinstance(g, Tensor):
            return fn(n, g, n.saved)
        with _gm.no_grad():
            grads = fn(n, Tensor._make(g), lambda name: _as_tensor(n.saved(name)))
        return tuple(None if x is None else x._data if isinstance(x, Tensor) else x
                     for x in grads)
    return rule


def _as_tensor(value):
    return Tensor._make(np.asarray(value)) if isinstance(value, np.ndarray) else value


# ---------------------------------------------------------------- diag, diagflat

def _diagonal_copy_rule(n, g):
    from engine.ops.shape import _diagonal_rule
    return _diagonal_rule(n, g)


DiagonalBackward0_copy = node_class("DiagonalBackward0_copy", _diagonal_copy_rule)


def diag(input, diagonal: int = 0):
    ndim = input._data.ndim
    if ndim not in (1, 2):
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {ndim}D")
    if ndim == 1:
        from engine.ops.linalg_products import diag_embed
        return diag_embed(input, diagonal, -2, -1)
    data = S.diagonal_view(input._data, diagonal, 0, 1).copy()
    return record(DiagonalBackward0_copy, data, (input,), attrs={
        "offset": as_saved(diagonal), "dim1": 0, "dim2": 1,
        "self_sym_sizes": input._data.shape, "_offset": diagonal, "_dim1": 0, "_dim2": 1})


def diagflat(input, offset: int = 0):
    from engine.ops.linalg_products import diag_embed
    return diag_embed(S.reshape(S.contiguous(input), (-1,)), offset, -2, -1)


# ---------------------------------------------------------------- rot90

Rot90Backward0 = node_class("Rot90Backward0", lambda n, g: (
    rot90(g, -n._attrs["_k"], n._attrs["dims"]) if isinstance(g, Tensor) else
    _rot90_data(g, -n._attrs["_k"], n._attrs["_dims"]),))


def _rot90_data(data: np.ndarray, k: int, dims: tuple) -> np.ndarray:
    """As ATen turns: a flip (which keeps its input's layout) then a transpose; k = 0 is a
    contiguous copy."""
    first, second = dims
    k %= 4
    if k == 1:
        return _layout.preserved(np.flip(data, second), like=data).swapaxes(first, second)
    if k == 2:
        return _layout.preserved(np.flip(data, (first, second)), like=data)
    if k == 3:
        return _layout.preserved(np.flip(data, first), like=data).swapaxes(first, second)
    return np.array(data, order="C")


def rot90(input, k: int = 1, dims=(0, 1)):
    dims = tuple(dims)
    ndim = input._data.ndim
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {ndim}")
    wrapped = (wrap_dim(dims[0], ndim), wrap_dim(dims[1], ndim))
    if wrapped[0] == wrapped[1]:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {dims[0]} "
                           f"and dim1 = {dims[1]}")
    return record(Rot90Backward0, _rot90_data(input._data, k, wrapped), (input,),
                  attrs={"dims": dims, "k": as_saved(k), "_k": k, "_dims": wrapped})


# ---------------------------------------------------------------- take, put

def _flat_index(index: Tensor, numel: int, op: str) -> np.ndarray:
    data = index._data
    if data.dtype != np.int64:
        name = _TYPE_NAMES.get(data.dtype.name, data.dtype.name)
        raise RuntimeError(f"{op}(): Expected a long tensor for index, but got {name}")
    bad = (data >= numel) | (data < -numel)
    if bad.any():
        value = int(data[bad].reshape(-1)[0])
        raise IndexError(f"out of range: tried to access index {value} on a tensor of "
                         f"{numel} elements.")
    return np.where(data < 0, data + numel, data)


def _take_rule(n, g):
    index = n.saved("index")
    if isinstance(g, Tensor):
        zeros = Tensor._make(np.zeros(n._in_shapes[0], dtype=g._data.dtype))
        return (put(zeros, index, g, accumulate=True),)
    out = np.zeros(n._in_shapes[0], dtype=g.dtype)
    np.add.at(out.reshape(-1), np.where(index < 0, index + out.size, index).reshape(-1),
              g.reshape(-1))
    return (out,)


TakeBackward0 = node_class("TakeBackward0", _take_rule)


def take(input, index):
    flat = _flat_index(index, input._data.size, "take")
    data = input._data.reshape(-1)[flat]
    return record(TakeBackward0, data, (input,), {"index": index, "self": input})


@tensor_rule
def _put_rule(n, g, saved):
    index = saved("index")
    grad_self = grad_source = None
    if n.needs(0):
        grad_self = g if n._attrs["accumulate"] else put(
            g, index, Tensor._make(np.zeros(n._in_shapes[1], dtype=g._data.dtype)))
    if n.needs(1):
        grad_source = S.reshape(take(g, index), n._in_shapes[1])
    return grad_self, grad_source


PutBackward0 = node_class("PutBackward0", _put_rule)


def put(input, index, source, accumulate: bool = False):
    if source._data.size != index._data.size:
        raise IndexError("put_(): Expected source and index to have the same number of "
                         f"elements, but got source.numel() = {source._data.size}, "
                         f"index.numel() = {index._data.size}")
    flat = _flat_index(index, input._data.size, "put_")
    out = input._data.copy()
    values = source._data.astype(out.dtype).reshape(-1)
    if accumulate:
        np.add.at(out.reshape(-1), flat.reshape(-1), values)
    else:
        out.reshape(-1)[flat.reshape(-1)] = values
    saved = {"index": index}
    if source.requires_grad or input.requires_grad:
        saved["source"] = source
    return record(PutBackward0, out, (input, source), saved,
                  {"accumulate": accumulate})


# ---------------------------------------------------------------- index_put

def _index_key(indices, argument: int) -> tuple:
    for position, index in enumerate(indices):
        if not isinstance(index, Tensor):
            raise TypeError(f"expected Tensor as element {position} in argument {argument}, but got "
                            f"{type(index).__name__}")
    return tuple(index._data for index in indices)


def index_put(input, indices, values, accumulate: bool = False, *, _argument: int = 1):
    key = _index_key(indices, _argument)
    if not accumulate:
        return I.index_put(input, key, values)
    if values._data.dtype != input._data.dtype:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{_TYPE_NAMES.get(input._data.dtype.name)} for the destination and "
                           f"{_TYPE_NAMES.get(values._data.dtype.name)} for the source.")
    out = input._data.copy()
    np.add.at(out, key, values._data)
    tensors = tuple(Tensor._make(np.asarray(k)) for k in key if isinstance(k, np.ndarray))
    return record(I.IndexPutBackward0, out, (input, values), saved_index_tensors(tensors),
                  attrs={"_key": key, "accumulate": True, "indices": tensors})


# ---------------------------------------------------------------- masked_scatter

@tensor_rule
def _masked_scatter_rule(n, g, saved):
    mask = saved("mask")
    grad_self = grad_source = None
    if n.needs(0):
        grad_self = g.masked_fill(mask, 0)
    if n.needs(1):
        from engine.ops.gather import masked_select
        from engine.ops.shape import cat
        chosen = masked_select(g, mask)
        count = int(np.prod(n._attrs["source_sym_sizes"]))
        missing = count - chosen._data.size
        if missing:
            chosen = cat([chosen, Tensor._make(np.zeros(missing, dtype=g._data.dtype))])
        grad_source = S.view(chosen, n._attrs["source_sym_sizes"])
    return grad_self, grad_source


MaskedScatterBackward0 = node_class("MaskedScatterBackward0", _masked_scatter_rule)


def masked_scatter(input, mask, source):
    if mask._data.dtype != np.bool_:
        name = _TYPE_NAMES.get(mask._data.dtype.name, mask._data.dtype.name)
        raise RuntimeError("masked_scatter_ only supports boolean masks, but got mask with "
                           f"dtype {name}")
    shape = np.broadcast_shapes(input._data.shape, mask._data.shape)
    full_mask = np.broadcast_to(mask._data, shape)
    count = int(full_mask.sum())
    if count > source._data.size:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    out = np.broadcast_to(input._data, shape).copy()
    out[full_mask] = source._data.reshape(-1)[:count]
    return record(MaskedScatterBackward0, out, (input, source), {"mask": mask},
                  {"source_sym_sizes": source._data.shape})


# ---------------------------------------------------------------- the *_scatter ops

@tensor_rule
def _scatter_rule(n, g, saved):
    """self: grad with the region zeroed (the same scatter op); src: the region of grad."""
    a = n._attrs
    grad_self = grad_src = None
    if n.needs(0):
        zeros = Tensor._make(np.zeros(a["_region_shape"], dtype=g._data.dtype))
        grad_self = a["_scatter"](g, zeros)
    if n.needs(1):
        grad_src = a["_read"](g)
    return grad_self, grad_src


SelectScatterBackward0 = node_class("SelectScatterBackward0", _scatter_rule)
SliceScatterBackward0 = node_class("SliceScatterBackward0", _scatter_rule)
DiagonalScatterBackward0 = node_class("DiagonalScatterBackward0", _scatter_rule)


def _scattered(node_cls, input, src, region_of, attrs: dict, what: str, scatter, read):
    """input with src written into the region region_of(array) of a copy."""
    region_shape = region_of(input._data).shape
    if tuple(src._data.shape) != tuple(region_shape):
        raise RuntimeError(f"expected src to have a size equal to the {what} of self. src size "
                           f"= {list(src._data.shape)}, {what} size = {list(region_shape)}")
    out = input._data.copy()
    region_of(out)[...] = src._data
    return record(node_cls, out, (input, src), attrs={
        **attrs, "_region_shape": region_shape, "_scatter": scatter, "_read": read})


def select_scatter(input, src, dim: int, index: int):
    d = wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(input._data.shape)} at dimension {dim}")
    from engine.ops.indexing import select
    return _scattered(SelectScatterBackward0, input, src,
                      lambda data: data[(slice(None),) * d + (index,)],
                      {"dim": as_saved(dim), "index": as_saved(index)}, "slice",
                      lambda g, values: select_scatter(g, values, dim, index),
                      lambda g: select(g, d, index))


def slice_scatter(input, src, dim: int = 0, start=None, end=None, step: int = 1):
    d = wrap_dim(dim, input._data.ndim)
    key = (slice(None),) * d + (slice(start, end, step),)
    return _scattered(SliceScatterBackward0, input, src, lambda data: data[key],
                      {"dim": as_saved(dim), "end": end, "start": start, "step": step},
                      "slice", lambda g, values: slice_scatter(g, values, dim, start, end, step),
                      lambda g: g[key])


def diagonal_scatter(input, src, offset: int = 0, dim1: int = 0, dim2: int = 1):
    ndim = input._data.ndim
    d1, d2 = wrap_dim(dim1, ndim), wrap_dim(dim2, ndim)
    return _scattered(DiagonalScatterBackward0, input, src,
                      lambda data: S.diagonal_view(data, offset, d1, d2),
                      {"dim1": as_saved(dim1), "dim2": as_saved(dim2),
                       "offset": as_saved(offset)}, "slice",
                      lambda g, values: diagonal_scatter(g, values, offset, dim1, dim2),
                      lambda g: S.diagonal(g, offset, d1, d2))


# ---------------------------------------------------------------- split_with_sizes, msort

def split_with_sizes(input, split_sizes, dim: int = 0):
    from engine.ops.split import split
    return split(input, [int(s) for s in split_sizes], dim)


def msort(input):
    return O.sort(input, 0).values


# ---------------------------------------------------------------- inner, vdot

def inner(input, other):
    a, b = input._data, other._data
    if a.ndim == 0 or b.ndim == 0:
        return input * other
    if a.shape[-1] != b.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but "
                           f"got shapes {list(a.shape)} and {list(b.shape)}")
    size = a.shape[-1]
    left = S.permute(input, tuple(range(a.ndim)))
    right = S.permute(other, (b.ndim - 1,) + tuple(range(b.ndim - 1)))
    shape = a.shape[:-1] + b.shape[:-1]
    if a.ndim == 1 and b.ndim == 1:
        return S.view(L.dot(left, right), shape)
    product = L.mm(S.reshape(left, (-1, size)), S.reshape(right, (size, -1)))
    return S.view(product, shape)


def _vdot_rule(n, g):
    grad_self = grad_other = None
    if n.needs(0):
        grad_self = g * n.saved("other")
    if n.needs(1):
        grad_other = g * n.saved("self")
    return grad_self, grad_other


VdotBackward0 = node_class("VdotBackward0", _vdot_rule)


def vdot(input, other):
    a, b = input._data, other._data
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    if a.dtype != b.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{_TYPE_NAMES.get(a.dtype.name)} and {_TYPE_NAMES.get(b.dtype.name)}")
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src "
                           f"[{b.shape[0]}] to have the same number of elements, but got "
                           f"{a.shape[0]} and {b.shape[0]} elements respectively")
    saved = {}
    if other.requires_grad:
        saved["self"] = input
    if input.requires_grad:
        saved["other"] = other
    return record(VdotBackward0, np.asarray(a @ b), (input, other), saved)


# ---------------------------------------------------------------- fill_diagonal_, histc

def fill_diagonal_(tensor, fill_value, wrap: bool = False):
    data = tensor._data
    if data.ndim < 2:
        raise RuntimeError("dimensions must larger than 1")
    if data.ndim > 2 and len(set(data.shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    rows, cols = data.shape[0], data.shape[1]
    length = min(data.shape)
    step = sum(s // data.itemsize for s in data.strides)
    if wrap and data.ndim == 2 and rows > cols + 1:
        length = (data.size + cols) // (cols + 1)
        step = (cols + 1) * data.strides[1] // data.itemsize if data.flags.c_contiguous \
            else step
    from engine.ops.tensor_meta import as_strided, _storage_offset
    with _gm.enable_grad() if _gm.state.enabled else _gm.no_grad():
        diagonal = as_strided(tensor, (length,), (step,), _storage_offset(tensor))
        I.fill_(diagonal, fill_value)
    return tensor


def histc(input, bins: int = 100, min=0, max=0):
    data = input._data
    if data.dtype.kind not in "f":
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for "
                                  f"'{_TYPE_NAMES.get(data.dtype.name)}'")
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for "
                           "dimension 0")
    low, high = float(min), float(max)
    if low == high and data.size:
        low, high = float(data.min()), float(data.max())
    if low == high:
        low, high = low - 1, high + 1
    if low > high:
        raise RuntimeError("torch.histc: max must be larger than min")
    values = data.reshape(-1).astype(np.float64)
    inside = values[(values >= low) & (values <= high)]
    positions = ((inside - low) * bins / (high - low)).astype(np.int64)
    positions = np.minimum(positions, bins - 1)
    counts = np.bincount(positions, minlength=bins).astype(data.dtype)
    return Tensor._make(counts)


def _in_place(name: str, op):
    def in_place(tensor, *args, **kwargs):
        return I._inplace(tensor, name, op, *args, **kwargs)
    in_place.__name__ = name
    return in_place


__all__ = ["diag", "diagflat", "rot90", "take", "put", "index_put", "masked_scatter",
           "select_scatter", "slice_scatter", "diagonal_scatter", "split_with_sizes", "msort",
           "inner", "vdot", "histc"]
FUNCTIONS = {name: globals()[name] for name in __all__}
METHODS = {**FUNCTIONS, "index_put": lambda self, indices, values, accumulate=False: index_put(
    self, indices, values, accumulate, _argument=0)}
IN_PLACE = {"put_": _in_place("put_", put),
            "index_put_": lambda self, indices, values, accumulate=False: I._inplace(
                self, "index_put_", index_put, indices, values, accumulate, _argument=0),
            "masked_scatter_": _in_place("masked_scatter_", masked_scatter),
            "fill_diagonal_": fill_diagonal_}
FUNCTIONS["index_put_"] = lambda input, indices, values, accumulate=False: I._inplace(
    input, "index_put_", index_put, indices, values, accumulate)
