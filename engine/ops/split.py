"""split, chunk and unbind: every output is a view of the input and all of them share one
node (SplitBackward0, SplitWithSizesBackward0, UnbindBackward0), told apart by output_nr;
and repeat (RepeatBackward0)."""
from __future__ import annotations

import numbers

import numpy as np

from engine import trace
from engine.autograd import grad_mode as _gm
from engine.autograd.node import node_class
from engine.ops import _layout, _poly as P
from engine.ops._core import as_tensor, bind_outputs, edge, record, wrap_dim
from engine.ops.shape import as_view, cat, creation_meta, stack
from engine.tensor import Tensor, _announce

UINT64 = 2 ** 64


def _join(grads, dim: int, joiner):
    """The outputs' gradients put back together (arrays, or Tensors under create_graph)."""
    if any(isinstance(g, Tensor) for g in grads):
        return joiner([as_tensor(g) for g in grads], dim)
    return (np.stack if joiner is stack else np.concatenate)(grads, axis=dim)


def _cat_rule(n, *grads):
    return (_join(grads, n._attrs["_dim"], cat),)


SplitBackward0 = node_class("SplitBackward0", _cat_rule)
SplitWithSizesBackward0 = node_class("SplitWithSizesBackward0", _cat_rule)
UnbindBackward0 = node_class("UnbindBackward0",
                             lambda n, *grads: (_join(grads, n._attrs["_dim"], stack),))


def _record_views(node_cls, arrays: list, input: Tensor, attrs: dict) -> tuple:
    """Each array as a view of input and an output of one `node_cls` node."""
    outs = [as_view(Tensor._make(a), input) for a in arrays]
    meta = creation_meta(input, multi_output=True)
    for out in outs:
        out._multi_output_view = True
        out._creation_meta = meta
    if _gm.state.inference:
        for out in outs:
            out._inference = True
    elif _gm.state.enabled and input.requires_grad:   # a view made under no_grad too
        node = node_cls()
        node._next = (edge(input),)
        node._in_shapes = (input._data.shape,)
        node._out_meta = tuple((a.shape, a.dtype) for a in arrays)
        node._num_outputs = len(arrays)
        node._attrs = attrs
        bind_outputs(node, outs)
    if trace.active:
        for out in outs:
            _announce(out)
    return tuple(outs)


def _pieces(data: np.ndarray, dim: int, sizes) -> list:
    starts = np.cumsum((0,) + tuple(sizes))
    lead = (slice(None),) * dim
    return [data[lead + (slice(int(start), int(start) + size),)]
            for start, size in zip(starts, sizes)]


def _check_has_dims(input: Tensor, op: str) -> None:
    if input._data.ndim == 0:
        raise RuntimeError(f"{op} expects at least a 1-dimensional tensor")


def split(input, split_size_or_sections, dim=0):
    if not isinstance(split_size_or_sections, (numbers.Integral, np.integer)):
        return _split_with_sizes(input, tuple(int(s) for s in split_size_or_sections), dim)
    split_size = int(split_size_or_sections)
    _check_has_dims(input, "split")
    if split_size < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got "
                           f"split_size={split_size}")
    d = wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    if split_size == 0 and size != 0:
        raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                           f"dimension size of {size}")
    count = max(-(-size // split_size), 1) if split_size else 1
    sizes = [min(split_size, size - k * split_size) for k in range(count)]
    return _record_views(SplitBackward0, _pieces(input._data, d, sizes), input, {
        "dim": dim % UINT64, "_dim": d, "self_sym_sizes": input._data.shape,
        "split_size": split_size})


def _split_with_sizes(input, sizes: tuple, dim):
    _check_has_dims(input, "split")
    d = wrap_dim(dim, input._data.ndim)
    shown = "[" + ", ".join(str(s) for s in sizes) + "]"
    if any(s < 0 for s in sizes):
        raise RuntimeError("split_with_sizes expects split_sizes have only non-negative entries, "
                           f"but got split_sizes={shown}")
    size = input._data.shape[d]
    if sum(sizes) != size:
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} (input "
                           f"tensor's size at dimension {dim}), but got split_sizes={shown}")
    return _record_views(SplitWithSizesBackward0, _pieces(input._data, d, sizes), input, {
        "dim": dim % UINT64, "_dim": d, "self_sym_sizes": input._data.shape,
        "split_sizes": sizes})


def chunk(input, chunks, dim=0):
    _check_has_dims(input, "chunk")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    size = input._data.shape[wrap_dim(dim, input._data.ndim)]
    split_size = -(-size // chunks)
    if split_size == 0 and size == 0:
        return _split_with_sizes(input, (0,) * chunks, dim)
    return split(input, split_size, dim)


def unbind(input, dim=0):
    if input._data.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = wrap_dim(dim, input._data.ndim)
    lead = (slice(None),) * d
    # (k, ...): a view even when it is 0-dim (a bare k would give a NumPy scalar copy)
    arrays = [input._data[lead + (k, Ellipsis)] for k in range(input._data.shape[d])]
    return _record_views(UnbindBackward0, arrays, input, {"dim": dim % UINT64, "_dim": d})


# ---------------------------------------------------------------- repeat

def _repeat_rule(n, g):
    repeats, shape = n._attrs["repeats"], n._attrs["self_sym_sizes"]
    padded = (1,) * (len(repeats) - len(shape)) + tuple(shape)
    pairs = tuple(size for pair in zip(repeats, padded) for size in pair)
    summed = P.sum(P.reshape(g, pairs), tuple(range(0, len(pairs), 2)))
    return (P.reshape(summed, tuple(shape)),)


RepeatBackward0 = node_class("RepeatBackward0", _repeat_rule)


def repeat(input, *repeats, **kwargs):
    repeats = _repeats(repeats, kwargs)
    shape = input._data.shape
    if len(repeats) < len(shape):
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    padded = (1,) * (len(repeats) - len(shape)) + shape
    out_shape = [r * s for r, s in zip(repeats, padded)]
    negative = [s for s in out_shape if s < 0]
    if negative:
        raise RuntimeError(f"Trying to create tensor with negative dimension {negative[0]}: "
                           f"{out_shape}")
    return record(RepeatBackward0, _layout.contiguous(np.tile(input._data, repeats)), (input,),
                  attrs={"repeats": repeats, "self_sym_sizes": shape})


def _repeats(args: tuple, kwargs: dict) -> tuple:
    """repeat(2, 1), repeat((2, 1)) or repeat(repeats=(2, 1)), with torch's argument errors."""
    if "repeats" in kwargs:
        args = (kwargs.pop("repeats"),) + args
    if not args:
        raise TypeError('repeat() missing 1 required positional arguments: "repeats"')
    if len(args) == 1 and not isinstance(args[0], (numbers.Integral, np.integer)):
        return tuple(int(r) for r in args[0])
    if not all(isinstance(r, (numbers.Integral, np.integer)) for r in args):
        raise TypeError(f"repeat() takes 1 positional argument but {len(args)} were given")
    return tuple(int(r) for r in args)


# ---------------------------------------------------------------- unsafe_chunk

# unsafe_split / unsafe_chunk: the pieces are not views for autograd (in-place ops on them
# are allowed, which RNN cells rely on); one UnsafeSplitBackward0 node joins their grads.
UnsafeSplitBackward0 = node_class("UnsafeSplitBackward0", _cat_rule)


def unsafe_split(input, split_size: int, dim: int = 0) -> tuple:
    d = wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    sizes = [min(split_size, size - start) for start in range(0, size, split_size)] or [0]
    # the pieces share input's memory, with version counters of their own (not views)
    arrays = list(_pieces(input._data, d, sizes))
    outs = [Tensor._make(a) for a in arrays]
    if _gm.state.enabled and input._requires_grad:
        node = UnsafeSplitBackward0()
        node._next = (edge(input),)
        node._in_shapes = (input._data.shape,)
        node._out_meta = tuple((a.shape, a.dtype) for a in arrays)
        node._num_outputs = len(arrays)
        node._attrs = {"dim": dim % UINT64, "_dim": d, "split_size": split_size,
                       "self_sym_sizes": input._data.shape}
        bind_outputs(node, outs)
    if trace.active:
        for out in outs:
            _announce(out)
    return tuple(outs)


def unsafe_chunk(input, chunks: int, dim: int = 0) -> tuple:
    _check_has_dims(input, "unsafe_chunk")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    size = input._data.shape[wrap_dim(dim, input._data.ndim)]
    return unsafe_split(input, -(-size // chunks), dim)
