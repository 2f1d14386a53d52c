"""Writing along a dim at given indices: index_add, index_fill, index_copy (and their
in-place forms), with PyTorch's nodes (IndexAddBackward0, IndexFillBackward0/1,
IndexCopyBackward0), saved values, formulas and errors. The gradients are index_select /
index_fill of the incoming gradient, so under create_graph they record those ops."""
from __future__ import annotations

import numpy as np

from engine.autograd.node import node_class
from engine.ops import gather as G
from engine.ops._core import as_saved, record, wrap_dim
from engine.tensor import Tensor

_TYPE_NAMES = {"float32": "Float", "float64": "Double", "int64": "Long", "int32": "Int",
               "bool": "Bool", "uint8": "Byte", "int16": "Short", "int8": "Char"}


def _is_tensor(value) -> bool:
    return isinstance(value, Tensor)


def _positions(op: str, input: Tensor, d: int, index: Tensor) -> np.ndarray:
    """The index as a 1-D int64 array, checked as ATen checks it for `op`."""
    data = index._data
    if data.dtype.kind not in "iu" or data.dtype.itemsize < 4:
        name = _TYPE_NAMES.get(data.dtype.name, data.dtype.name)
        raise RuntimeError(f"{op}(): Expected dtype int32/int64 for index but got: {name}")
    if data.ndim > 1:
        raise IndexError(f"{op}(): Index is supposed to be a vector, but got dim: {data.ndim} "
                         f"with type: {_TYPE_NAMES.get(data.dtype.name)} and size: "
                         f"[{', '.join(map(str, data.shape))}]")
    size = input._data.shape[d] if input._data.ndim else 1
    positions = data.reshape(-1).astype(np.int64)
    lowest = -size if op == "index_fill_" else 0       # only index_fill wraps a negative index
    for position in positions.tolist():
        if not lowest <= position < size:
            raise _out_of_bounds(op, position, d, size)
    return np.where(positions < 0, positions + size, positions)


def _out_of_bounds(op: str, position: int, d: int, size: int) -> Exception:
    text = f"index {position} is out of bounds for dimension {d} with size {size}"
    if op == "index_add_":
        return RuntimeError(text)
    return IndexError(f"index_copy_(): {text}" if op == "index_copy_" else text)


def _check_source(op: str, input: Tensor, d: int, positions, source: Tensor) -> None:
    shape, source_shape = input._data.shape, source._data.shape
    if op == "index_copy_" and source._data.ndim and len(positions) != source_shape[d]:
        raise IndexError(f"index_copy_(): Number of indices ({len(positions)}) should be equal "
                         f"to source.size(dim) ({source_shape[d]})")
    same = len(shape) == len(source_shape) and all(
        a == b for i, (a, b) in enumerate(zip(shape, source_shape)) if i != d)
    if not same and source._data.ndim:
        raise RuntimeError("source tensor shape must match self tensor shape, excluding the "
                           f"specified dimension. Got self.shape = [{', '.join(map(str, shape))}]"
                           f" source.shape = [{', '.join(map(str, source_shape))}]")


def _along(d: int, positions):
    return (slice(None),) * d + (positions,)


def _selected_grad(n, g):
    """grad.index_select(dim, index), shaped as the source (ATen's expand_as)."""
    a = n._attrs
    index = n.saved("index")
    if _is_tensor(g):
        picked = G.index_select(g, a["_dim"], index)
        return picked.expand_as(n.saved("source")) if a["_source_shape"] == () else picked
    picked = np.take(g, np.asarray(index).reshape(-1), axis=a["_dim"]) if g.ndim else g
    return picked.reshape(a["_source_shape"]) if a["_source_shape"] == () else picked


def _filled_grad(n, g):
    """grad.index_fill(dim, index, 0): what the write replaced gets no gradient."""
    a = n._attrs
    index = n.saved("index")
    if _is_tensor(g):
        return index_fill(g, a["_dim"], index, 0)
    out = g.copy()
    if out.ndim:
        out[_along(a["_dim"], np.asarray(index).reshape(-1))] = 0
    else:
        out[...] = 0
    return out


IndexAddBackward0 = G.IndexAddBackward0      # shared with index_select's double backward
IndexCopyBackward0 = node_class("IndexCopyBackward0", lambda n, g: (
    _filled_grad(n, g) if n.needs(0) else None,
    _selected_grad(n, g) if n.needs(1) else None))
IndexFillBackward0 = node_class("IndexFillBackward0", lambda n, g: (_filled_grad(n, g),))


def _value_grad(n, g):
    """The filled value's gradient: the sum of the gradient at the (unique) indices."""
    a = n._attrs
    index = n.saved("index")
    unique = np.unique(index._data if _is_tensor(index) else np.asarray(index))
    if _is_tensor(g):
        return G.index_select(g, a["_dim"], Tensor._make(unique)).sum()
    picked = np.take(g, unique, axis=a["_dim"]) if g.ndim else g
    return np.asarray(picked.sum(), dtype=g.dtype)


IndexFillBackward1 = node_class("IndexFillBackward1", lambda n, g: (
    _filled_grad(n, g) if n.needs(0) else None,
    _value_grad(n, g) if n.needs(1) else None))


def index_add(input, dim, index, source, *, alpha=1):
    d = wrap_dim(dim, input._data.ndim)
    positions = _positions("index_add_", input, d, index)
    _check_source("index_add_", input, d, positions, source)
    out = input._data.copy()
    values = source._data if alpha == 1 else source._data * alpha
    if out.ndim:
        np.add.at(out, _along(d, positions), values.astype(out.dtype, copy=False))
    else:
        out += values.reshape(()).astype(out.dtype)
    return record(IndexAddBackward0, out, (input, source), {"index": index, "source": source},
                  {"dim": as_saved(dim), "_dim": d, "alpha": alpha,
                   "source_dim": source._data.ndim, "_source_shape": source._data.shape})


def index_copy(input, dim, index, source):
    d = wrap_dim(dim, input._data.ndim)
    positions = _positions("index_copy_", input, d, index)
    _check_source("index_copy_", input, d, positions, source)
    out = input._data.copy()
    if out.ndim:
        out[_along(d, positions)] = source._data
    else:
        out[...] = source._data.reshape(())
    return record(IndexCopyBackward0, out, (input, source), {"index": index, "source": source},
                  {"dim": as_saved(dim), "_dim": d, "source_dim": source._data.ndim,
                   "_source_shape": source._data.shape})


def index_fill(input, dim, index, value):
    d = wrap_dim(dim, input._data.ndim)
    positions = _positions("index_fill_", input, d, index)
    out = input._data.copy()
    fill = value._data if _is_tensor(value) else value
    if _is_tensor(value) and value._data.ndim:
        raise RuntimeError("index_fill_ only supports a 0-dimensional value tensor, but got "
                           f"tensor with {value._data.ndim} dimension(s).")
    if out.ndim:
        out[_along(d, positions)] = fill
    else:
        out[...] = fill
    attrs = {"dim": as_saved(dim), "_dim": d}
    if _is_tensor(value):
        return record(IndexFillBackward1, out, (input, value), {"index": index}, attrs)
    return record(IndexFillBackward0, out, (input,), {"index": index}, attrs)


__all__ = ["index_add", "index_copy", "index_fill"]
METHODS = {name: globals()[name] for name in __all__}


def _in_place_ops() -> dict:
    from engine.ops import inplace as I

    def in_place(name):
        op = METHODS[name]
        return lambda tensor, *args, **kwargs: I._inplace(tensor, f"{name}_", op, *args,
                                                          **kwargs)
    return {f"{name}_": in_place(name) for name in __all__}


IN_PLACE = _in_place_ops()
