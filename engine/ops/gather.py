"""Index-driven ops: index_select, gather, scatter, scatter_add (and their in-place forms).

Backward rules are each other: gather's gradient is a scatter_add, scatter's source gets a
gather. On Tensors (create_graph=True) the rules call these same ops, so the gradients keep
a graph as in PyTorch.
"""
from __future__ import annotations

import numpy as np

from engine.autograd.node import node_class
from engine.ops import _layout
from engine.ops._core import edges_before_kernel_errors, record, wrap_dim
from engine.tensor import Tensor

UINT64 = 2 ** 64
_INDEX_DTYPES = (np.dtype(np.int64), np.dtype(np.int32))


def _is_tensor(value) -> bool:
    return isinstance(value, Tensor)


def _saved_dim(dim: int) -> int:
    """dim as PyTorch saves it: a negative one read back as an unsigned 64-bit."""
    return dim % UINT64


# ---------------------------------------------------------------- index_select

def _index_select_rule(n, g):
    a = n._attrs
    index = n.saved("index")
    if _is_tensor(g):
        return (_index_add_zeros(g, a["_dim"], index, a["self_sym_sizes"]),)
    out = np.zeros(a["self_sym_sizes"], dtype=g.dtype)
    np.add.at(out, (slice(None),) * a["_dim"] + (index,), g)
    return (out,)


def _index_add_rule(n, g):
    """index_add's rule: self gets grad; source gets grad.index_select(dim, index), expanded
    to the source's shape."""
    a = n._attrs
    index = n.saved("index")
    grad_source = None
    if n.needs(1):
        if a["_source_shape"] == ():
            grad_source = g
        elif _is_tensor(g):
            from engine.ops.shape import expand
            grad_source = expand(index_select(g, a["_dim"], index), a["_source_shape"])
        else:
            picked = np.take(g, np.asarray(index).reshape(-1), axis=a["_dim"])
            grad_source = np.broadcast_to(picked, a["_source_shape"]).copy()
    alpha = a.get("alpha", 1)
    if grad_source is not None and alpha != 1:      # ATen's maybe_multiply(..., alpha)
        if _is_tensor(grad_source):
            from engine.ops.elementwise import mul_scalar
            grad_source = mul_scalar(grad_source, alpha)
        else:
            grad_source = grad_source * alpha
    return (g if n.needs(0) else None, grad_source)


# index_add's node (engine/ops/index_write.py), also index_select's double backward.
IndexAddBackward0 = node_class("IndexAddBackward0", _index_add_rule)


def _index_add_zeros(g, dim: int, index, shape: tuple):
    """ATen's index_select_backward: grad.new_zeros(sizes).index_add_(dim, index, grad), one
    IndexAddBackward0 whose self needs no grad."""
    out = np.zeros(shape, dtype=g._data.dtype)
    if shape:
        np.add.at(out, (slice(None),) * dim + (index._data.reshape(-1),), g._data)
    else:
        out[...] = g._data
    return record(IndexAddBackward0, out, (None, g), {"index": index},
                  {"alpha": 1, "dim": _saved_dim(dim), "source_dim": g._data.ndim, "_dim": dim,
                   "_source_shape": g._data.shape})


IndexSelectBackward0 = node_class("IndexSelectBackward0", _index_select_rule)


def index_select(input, dim, index):
    data = input._data
    d = wrap_dim(dim, data.ndim)
    _check_select_index(index)
    positions = index._data.reshape(-1)
    if data.ndim == 0 and positions.size != 1:
        raise RuntimeError("index_select(): Index to scalar can have only 1 value, got "
                           f"{positions.size} value(s)")
    size = data.shape[d] if data.ndim else 1
    _check_select_bounds(data, d, positions, size)
    result = np.take(data, positions, axis=d) if data.ndim else data.copy()
    return record(IndexSelectBackward0, result, (input,), {"index": index},
                  {"dim": _saved_dim(dim), "_dim": d, "self_sym_sizes": data.shape})


def _check_select_bounds(data: np.ndarray, d: int, positions: np.ndarray, size: int) -> None:
    """ATen's index_select_out_cpu_ checks, each path with its own text: an empty input's, the
    dim-1 kernel's, and the general loop's (an IndexError)."""
    if not positions.size:
        return
    if data.ndim > 1 and data.size == 0 and size == 0:
        raise RuntimeError("index_select(): self indexing axis dim should be positive")
    bad = positions[(positions < 0) | (positions >= size)]
    if not bad.size:
        return
    if data.ndim > 1 and (data.size == 0 or d == 1):
        raise RuntimeError(f"INDICES element is out of DATA bounds, id={bad[0]} "
                           f"axis_dim={size}")
    raise IndexError("index out of range in self")


def _check_select_index(index) -> None:
    if index._data.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    if index._data.dtype.kind not in "iu" or index._data.dtype.itemsize < 4:
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")


# ---------------------------------------------------------------- gather

def _gather_rule(n, g):
    dim, index = n._attrs["_dim"], n.saved("index")
    shape = n._in_shapes[0]
    if _is_tensor(g):
        from engine.creation import zeros
        return (scatter_add(zeros(shape, dtype=g.dtype), dim, index, g),)
    out = np.zeros(shape, dtype=g.dtype)
    _add_along(out, dim, index, g)
    return (out,)


GatherBackward0 = node_class("GatherBackward0", _gather_rule)


def _positions(index: np.ndarray, dim: int) -> tuple:
    """The full coordinates index[i][j][k] addresses along `dim` (scatter's and gather's),
    in the array indexed as ``_dims1`` gives it (a 0-dim index is one of one element)."""
    index = np.atleast_1d(index)
    grids = list(np.indices(index.shape, sparse=True))
    grids[dim] = index
    return tuple(grids)


def _dims1(array: np.ndarray) -> np.ndarray:
    """The array ``_positions`` index: a 0-dim one as a view of one element (ATen treats a
    0-dim self, index or source as having one dim of size 1 here)."""
    return np.atleast_1d(array)


def _leading(values: np.ndarray, index: np.ndarray) -> np.ndarray:
    """The part of a source an index reads (as large as the index in every dim)."""
    return _dims1(values)[tuple(slice(0, s) for s in np.atleast_1d(index).shape)]


def _add_along(out: np.ndarray, dim: int, index: np.ndarray, values: np.ndarray) -> None:
    np.add.at(_dims1(out), _positions(index, dim), _leading(values, index))


def _check_index(name: str, input: Tensor, dim: int, index, src=None) -> np.ndarray:
    """PyTorch's checks of an index (and a source) against self along dim."""
    if not isinstance(index, Tensor) or index._data.dtype not in _INDEX_DTYPES:
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index")
    data, idx = input._data, index._data
    if max(idx.ndim, 1) != max(data.ndim, 1) and idx.size:
        raise RuntimeError("Index tensor must have the same number of dimensions as "
                           f"{'input' if name == 'gather' else 'self'} tensor")
    for other_dim, (isize, ssize) in enumerate(zip(idx.shape, data.shape)):
        if other_dim != dim and isize > ssize:
            raise RuntimeError(f"Size does not match at dimension {other_dim} expected index "
                               f"{list(idx.shape)} to be no larger than self "
                               f"{list(data.shape)} apart from dimension {dim}")
    if src is not None:
        for other_dim, (isize, ssize) in enumerate(zip(idx.shape, src._data.shape)):
            if isize > ssize:
                raise RuntimeError(f"Expected index {list(idx.shape)} to be no larger than "
                                   f"self {list(data.shape)} apart from dimension {dim} and "
                                   f"to be no larger size than src {list(src._data.shape)}")
    size = data.shape[dim] if data.ndim else 1
    bad = idx[(idx < 0) | (idx >= size)] if idx.size else idx
    if bad.size:
        raise RuntimeError(f"index {bad.reshape(-1)[0]} is out of bounds for dimension {dim} "
                           f"with size {size}")
    return idx


@edges_before_kernel_errors   # a stale view's error first (core seed 542366)
def gather(input, dim, index, *, sparse_grad=False):
    data = input._data
    d = wrap_dim(dim, data.ndim)
    idx = _check_index("gather", input, d, index)
    result = _layout.contiguous(_dims1(data)[_positions(idx, d)].reshape(idx.shape)) \
        if idx.size else np.empty(idx.shape, dtype=data.dtype)
    return record(GatherBackward0, result, (input,), {"index": index, "self": input},
                  {"dim": _saved_dim(dim), "_dim": d, "sparse_grad": sparse_grad})


# ---------------------------------------------------------------- scatter, scatter_add

def _scatter_rule(n, g):
    """ScatterBackward0 (a source tensor) or 1 (a value): self's gradient is g with the
    written places zeroed; the source's is g gathered at them."""
    dim, index = n._attrs["_dim"], n.saved("index")
    grad_self = grad_src = None
    if n.needs(0):
        grad_self = scatter(g, dim, index, 0.0) if _is_tensor(g) else _zeroed(g, dim, index)
    if len(n._next) > 1 and n.needs(1):
        grad_src = _gathered(g, dim, index)
    return (grad_self,) if len(n._next) == 1 else (grad_self, grad_src)


def _scatter_add_rule(n, g):
    dim = n._attrs["_dim"]
    return (g if n.needs(0) else None,
            _gathered(g, dim, n.saved("index")) if n.needs(1) else None)


def _zeroed(g: np.ndarray, dim: int, index: np.ndarray) -> np.ndarray:
    out = g.copy()
    _dims1(out)[_positions(index, dim)] = 0
    return out


def _gathered(g, dim: int, index):
    """g at index along dim. A source larger than the index gets a gradient of the index's
    shape, which the executor refuses, as PyTorch's does."""
    if _is_tensor(g):
        return gather(g, dim, index)
    return _dims1(g)[_positions(index, dim)].reshape(np.shape(index))


ScatterBackward0 = node_class("ScatterBackward0", _scatter_rule)
ScatterBackward1 = node_class("ScatterBackward1", _scatter_rule)
ScatterAddBackward0 = node_class("ScatterAddBackward0", _scatter_add_rule)


@edges_before_kernel_errors
def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    if reduce is not None:
        from engine._unsupported import NotSupportedError
        raise NotSupportedError("torch.scatter(..., reduce=...) is not supported by graphtui's "
                                "engine (use scatter_add)")
    if src is None:
        src = value
    data = input._data
    d = wrap_dim(dim, data.ndim)
    if isinstance(src, Tensor):
        if src._data.dtype != data.dtype:
            raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
        idx = _check_index("scatter", input, d, index, src)
        result = data.copy()
        _dims1(result)[_positions(idx, d)] = _leading(src._data, idx)
        return record(ScatterBackward0, result, (input, src), {"index": index},
                      {"dim": _saved_dim(dim), "_dim": d})
    idx = _check_index("scatter", input, d, index)
    result = data.copy()
    _dims1(result)[_positions(idx, d)] = src
    return record(ScatterBackward1, result, (input,), {"index": index},
                  {"dim": _saved_dim(dim), "_dim": d})


@edges_before_kernel_errors
def scatter_add(input, dim, index, src):
    data = input._data
    d = wrap_dim(dim, data.ndim)
    if src._data.dtype != data.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    idx = _check_index("scatter", input, d, index, src)
    result = data.copy()
    _add_along(result, d, idx, src._data)
    # Only src's gradient reads the index: ATen saves it only when src needs grad (so a second
    # backward through a node that did not save it does not raise).
    from engine.ops._core import needs_grad
    keeps_index = needs_grad(src)
    return record(ScatterAddBackward0, result, (input, src), {"index": index} if keeps_index else {},
                  {"dim": _saved_dim(dim), "_dim": d, **({} if keeps_index else {"index": None})})


# ---------------------------------------------------------------- masked_select

def _masked_select_rule(n, g):
    """masked_select_backward: the gradient scattered to the selected places of a zero
    tensor of the broadcast shape, then summed back to the input's shape."""
    from engine.ops._core import reduce_to
    mask = n.saved("mask")
    mask = mask._data if _is_tensor(mask) else mask
    shape = n._attrs["_shape"]
    full_mask = np.broadcast_to(mask, shape)
    if _is_tensor(g):
        positions = Tensor._make(np.flatnonzero(full_mask))
        zeros = Tensor._make(np.zeros(int(np.prod(shape)), dtype=g._data.dtype))
        return (reduce_to(scatter_add(zeros, 0, positions, g).view(shape), n._in_shapes[0]),)
    out = np.zeros(shape, dtype=g.dtype)
    out[full_mask] = g
    return (reduce_to(out, n._in_shapes[0]),)


MaskedSelectBackward0 = node_class("MaskedSelectBackward0", _masked_select_rule)


def masked_select(input, mask):
    if mask._data.dtype != np.bool_:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    from engine.ops.elementwise import _broadcast_errors
    with _broadcast_errors(input, mask):
        shape = np.broadcast_shapes(input._data.shape, mask._data.shape)
    out = np.broadcast_to(input._data, shape)[np.broadcast_to(mask._data, shape)]
    return record(MaskedSelectBackward0, out, (input,), {"self": input, "mask": mask},
                  {"_shape": shape})
