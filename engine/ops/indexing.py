"""Indexing: x[0] (SelectBackward0), x[:, 1:] (SliceBackward0), x[mask] / x[[0, 2]]
(IndexBackward0), recorded part by part as PyTorch records them."""
from __future__ import annotations

import numpy as np

from engine.autograd.node import node_class
from engine.ops import _layout, _poly as P
from engine.ops._core import as_saved, record, wrap_dim
from engine.ops.shape import alias, as_view, unsqueeze
from engine.tensor import Tensor

_END = 9223372036854775807     # what PyTorch saves as a slice's open end


def _select_rule(n, g):
    a = n._attrs
    key = (slice(None),) * a["_dim"] + (a["_index"],)
    return (_place(n, SelectBackwardBackward0, key, g,
                   {k: a[k] for k in ("dim", "index", "_dim", "_index")}),)


def _slice_rule(n, g):
    a = n._attrs
    return (_place(n, SliceBackwardBackward0, _slice_key(a), g,
                   {k: a[k] for k in ("dim", "start", "end", "step", "_start", "_end")}),)


def _slice_key(a: dict) -> tuple:
    return (slice(None),) * a["dim"] + (slice(a["_start"], a["_end"], a["step"]),)


def _place(n, double_cls, key, g, attrs: dict):
    """Zeros of the input's size with g written at key; under create_graph, the output of a
    `double_cls` node (ATen's select_backward / slice_backward), whose own gradient is g's
    part at key again."""
    data = g._data if isinstance(g, Tensor) else np.asarray(g)
    out = np.zeros(n._attrs["self_sym_sizes"], dtype=data.dtype)
    out[key] = data
    if not isinstance(g, Tensor):
        return out
    return record(double_cls, out, (g,), attrs=attrs)


def _select_backward_backward_rule(n, gg):
    a = n._attrs
    if isinstance(gg, Tensor):
        return (select(gg, a["_dim"], a["_index"]),)
    return (gg[(slice(None),) * a["_dim"] + (a["_index"],)],)


def _slice_backward_backward_rule(n, gg):
    a = n._attrs
    if isinstance(gg, Tensor):
        return (_slice(gg, a["dim"], slice(a["_start"], a["_end"], a["step"])),)
    return (gg[_slice_key(a)],)


def saved_index_tensors(indices: tuple) -> dict:
    """The index tensors an index / index_put node saves (PyTorch saves `indices`), one
    saved record each, so that a backward after they were freed raises as in PyTorch."""
    return {f"_index{i}": index for i, index in enumerate(indices)}


def check_saved_indices(n) -> None:
    """Unpack the saved index tensors: raises when they were freed (a second backward)."""
    for name in n._saved or ():
        if name.startswith("_index"):
            n.saved(name)


def _index_rule(n, g):
    a = n._attrs
    check_saved_indices(n)
    if hasattr(g, "_data"):     # ATen's index_backward: zeros._index_put_impl_(..., True)
        return (index_put_zeros(g, a["_key"], a["self_sym_sizes"], impl_of=a["indices"]),)
    out = np.zeros(a["self_sym_sizes"], dtype=g.dtype)
    np.add.at(out, a["_key"], g)
    return (out,)


SelectBackward0 = node_class("SelectBackward0", _select_rule)
SliceBackward0 = node_class("SliceBackward0", _slice_rule)
SelectBackwardBackward0 = node_class("SelectBackwardBackward0", _select_backward_backward_rule)
SliceBackwardBackward0 = node_class("SliceBackwardBackward0", _slice_backward_backward_rule)
IndexBackward0 = node_class("IndexBackward0", _index_rule)


def select(input, dim, index, *, key_position=None):
    """x.select(dim, index); `key_position`: where the integer stood in an indexing key,
    which is what torch's indexing names as "dimension" in its error."""
    ndim = input._data.ndim
    if ndim == 0:
        if key_position is None:
            raise IndexError("select() cannot be applied to a 0-dim tensor.")
        raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                         "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
    d = wrap_dim(dim, ndim)
    size = input._data.shape[d]
    if not -size <= index < size:
        if key_position is None:
            raise IndexError(f"select(): index {index} out of range for tensor of size "
                             f"{list(input._data.shape)} at dimension {d}")
        raise IndexError(f"index {index} is out of bounds for dimension {key_position} with "
                         f"size {size}")
    data = input._data[(slice(None),) * d + (index, Ellipsis)]     # a view, even 0-d
    out = record(SelectBackward0, data, (input,),
                 attrs={"dim": as_saved(dim), "index": as_saved(index), "_dim": d,
                        "_index": index, "self_sym_sizes": input._data.shape})
    return as_view(out, input)


def _slice(input, dim: int, s: slice):
    size = input._data.shape[dim]
    start, stop, step = s.indices(size)
    if step <= 0:
        raise ValueError("step must be greater than zero")
    data = input._data[(slice(None),) * dim + (s,)]
    out = record(SliceBackward0, data, (input,), attrs={
        "dim": dim, "start": 0 if s.start is None else as_saved(s.start),
        "end": _END if s.stop is None else as_saved(s.stop), "step": step,
        "_start": start, "_end": None if s.stop is None else stop,
        "self_sym_sizes": input._data.shape})
    return as_view(out, input)


def slice_dim(input, dim: int, start: int, end: int):
    """ATen's slice(dim, start, end) as C++ code calls it: a SliceBackward0 view, recorded
    even when it keeps every element."""
    return _slice(input, dim, slice(start, end))


def _is_advanced(part) -> bool:
    # torch takes any sequence in a key as an index: a list, a range, a tuple inside the key
    return isinstance(part, (Tensor, list, np.ndarray, range, tuple)) or (
        isinstance(part, (bool, np.bool_)))


def getitem(input, key):
    if not isinstance(key, tuple):
        if input._data.ndim == 0:
            check_lone_index_of_0_dim(key)
        if isinstance(key, slice):
            return _slice(input, 0, key)    # a lone slice is recorded even when it is all
        key = (key,)
    out, advanced = apply_slicing(input, key)
    if advanced:
        return _advanced_index(out, advanced)
    # Indexing that took nothing away still returns a new tensor, as PyTorch does.
    return alias(input) if out is input else out


def check_lone_index_of_0_dim(key) -> None:
    """torch's texts for x[i] and x[a:b] of a 0-dim x (a key in a tuple says "too many")."""
    if isinstance(key, slice):
        raise IndexError("slice() cannot be applied to a 0-dim tensor.")
    if isinstance(key, (int, np.integer)) and not isinstance(key, (bool, np.bool_)):
        if key == 0:
            raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python "
                             "or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a "
                             "number")
        raise IndexError(f"index {key} is out of bounds for dimension 0 with size 0")


def keeps_whole_dim(part: slice, size: int) -> bool:
    """PyTorch skips a slice from 0 with step 1 that reaches the end (x[:, :3] of 3 columns)."""
    return part.start in (None, 0) and part.step in (None, 1) and \
        (part.stop is None or part.stop >= size)


def _dims_consumed(part) -> int:
    if part is None or part is Ellipsis:
        return 0
    if _is_advanced(part):
        index = data_of_index(part)
        return index.ndim if index.dtype == bool else 1
    return 1


def apply_slicing(input, key: tuple):
    """The basic parts applied one by one (as PyTorch records them); the advanced ones
    returned as {dim of the result: index array}, for one index (or index_put_) after."""
    out, dim = input, 0
    advanced = {}
    key = tuple(_scalar_of_0_dim(k) for k in key)
    consumed = sum(_dims_consumed(k) for k in key)
    if consumed > input._data.ndim:
        raise IndexError(f"too many indices for tensor of dimension {input._data.ndim}")
    ellipsis_span = input._data.ndim - consumed
    for position, part in enumerate(key):
        if part is Ellipsis:
            dim += ellipsis_span
        elif part is None:
            out = unsqueeze(out, dim)
            dim += 1
        elif isinstance(part, slice):
            if not keeps_whole_dim(part, out._data.shape[dim]):
                out = _slice(out, dim, part)
            dim += 1
        elif isinstance(part, (bool, np.bool_)):
            # torch: unsqueeze, then index the new dim with [0] (True) or [] (False)
            out = unsqueeze(out, dim)
            advanced[dim] = np.zeros(1 if part else 0, dtype=np.int64)
            dim += 1
        elif _is_advanced(part):
            advanced[dim] = data_of_index(part)
            dim += _dims_consumed(part)
        else:
            out = select(out, dim, int(part), key_position=position)
    return out, advanced


def _scalar_of_0_dim(part):
    """A 0-dim integer tensor in a key selects, as an int does; a 0-dim bool (or uint8) one
    acts as True / False (torch's handleDimInMultiDimIndexing)."""
    if not isinstance(part, Tensor) or part._data.ndim or part._data.dtype.kind not in "biu":
        return part
    if part._data.dtype.kind == "b" or part._data.dtype == np.uint8:
        return bool(part._data)
    return int(part._data)


def advanced_key(advanced: dict) -> tuple:
    """The NumPy key of apply_slicing's advanced parts: full slices before the last one."""
    last = max(advanced)
    return tuple(advanced.get(d, slice(None)) for d in range(last + 1))


def data_of_index(part):
    if isinstance(part, Tensor):
        return part._data
    if isinstance(part, range):
        return np.arange(part.start, part.stop, part.step, dtype=np.int64)
    index = np.asarray(part)
    return index.astype(np.int64) if index.size == 0 and index.dtype.kind == "f" else index


def read_index(data: np.ndarray, key: tuple) -> np.ndarray:
    """``data[key]``, with torch's text for an index out of bounds."""
    try:
        return data[key]
    except IndexError as error:
        raise torch_index_error(error) from None


def torch_index_error(error: IndexError) -> IndexError:
    """NumPy's "out of bounds for axis 0" in torch's words ("for dimension 0")."""
    return IndexError(str(error).replace(" for axis ", " for dimension ", 1))


def _advanced_index(input, advanced: dict):
    key = advanced_key(advanced)
    for index in advanced.values():
        if index.dtype.kind not in "biu":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    data = _layout.advanced_index(input._data, key, read_index(input._data, key))
    indices = tuple(Tensor._make(np.asarray(k)) for k in key if not isinstance(k, slice))
    return record(IndexBackward0, data, (input,), saved_index_tensors(indices), attrs={
        "_key": key, "indices": indices, "self_sym_sizes": input._data.shape})


def index_put_zeros(values: Tensor, key, shape: tuple, impl_of: tuple | None = None) -> Tensor:
    """zeros(shape).index_put(key, values, accumulate=True), differentiable in `values`.
    Only met when create_graph=True differentiates a backward; `impl_of`: the index tensors
    of an index's backward, which ATen records as _index_put_impl_ (IndexPutImplBackward0,
    saving them)."""
    from engine.ops.inplace import IndexPutBackward0, IndexPutImplBackward0
    out = np.zeros(shape, dtype=values._data.dtype)
    np.add.at(out, key, values._data)
    if impl_of is not None:
        return record(IndexPutImplBackward0, out, (None, values), saved_index_tensors(impl_of),
                      attrs={"_key": key, "accumulate": True, "indices": impl_of})
    return record(IndexPutBackward0, out, (None, values), attrs={"_key": key, "accumulate": True})


def scatter_into_zeros(values: Tensor, indices, dim: int, keepdim: bool, shape: tuple):
    """ATen's value_selecting_reduction_backward under create_graph: zeros(shape).scatter(
    dim, indices, values), with the values and indices unsqueezed at ``dim`` first when the
    reduction dropped it (ScatterBackward0 <- UnsqueezeBackward0); a 0-dim input's are
    scattered as they are."""
    idx = indices._data if isinstance(indices, Tensor) else indices
    if not keepdim and shape:
        values = unsqueeze(values, dim)
        idx = np.expand_dims(idx, dim)
    zeros = Tensor._make(np.zeros(shape, dtype=values._data.dtype))
    return zeros.scatter(dim, Tensor._make(np.asarray(idx)), values)
