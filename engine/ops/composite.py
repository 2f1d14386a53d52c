"""Ops ATen builds out of other ops (CompositeImplicitAutograd): narrow, movedim, tile,
outer, hstack/vstack/dstack/column_stack, diff, repeat_interleave, isclose, nonzero,
count_nonzero, broadcast_to, swapaxes, ravel, fliplr/flipud, tensor_split and the
h/v/dsplit family, take_along_dim. Built the same way here, so their graphs are the ops'
graphs, node for node."""
from __future__ import annotations

import numpy as np

from engine.ops import elementwise as E
from engine.ops import gather as G
from engine.ops import ordering as O
from engine.ops import shape as S
from engine.ops._core import wrap_dim
from engine.ops.indexing import slice_dim
from engine.ops.split import repeat
from engine.tensor import Tensor


def narrow(input, dim: int, start, length: int):
    if input.dim() == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    dim = wrap_dim(dim, input.dim())
    size = input.shape[dim]
    start = int(start)
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], "
                         f"but got {start})")
    start = start + size if start < 0 else start
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size "
                           f"({size}).")
    return slice_dim(input, dim, start, start + length)


def movedim(input, source, destination):
    sources = [source] if isinstance(source, int) else list(source)
    destinations = [destination] if isinstance(destination, int) else list(destination)
    if len(sources) != len(destinations):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source "
                           f"({sources} dims) should contain the same number of dims as "
                           f"destination ({destinations} dims)")
    ndim = input.dim()
    sources = [wrap_dim(d, ndim) for d in sources]
    destinations = [wrap_dim(d, ndim) for d in destinations]
    if ndim == 0:                   # ATen: an alias of a 0-dim tensor
        return S.alias(input)
    order = [None] * ndim
    for src, dst in zip(sources, destinations):
        order[dst] = src
    rest = iter(d for d in range(ndim) if d not in sources)
    order = [next(rest) if d is None else d for d in order]
    return S.permute(input, order)


def tile(input, dims):
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    dims = (1,) * (input.dim() - len(dims)) + dims
    return repeat(input, dims)


def outer(input, vec2):
    for name, vector in (("self", input), ("vec2", vec2)):
        if vector.dim() != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {vector.dim()}-D")
    return E.mul(S.reshape(input, (input.shape[0], 1)), vec2)


def atleast_1d(*tensors):
    return _each(tensors, lambda t: S.reshape(t, (1,)) if t.dim() == 0 else t)


def atleast_2d(*tensors):
    def two(t):
        if t.dim() == 0:
            return S.reshape(t, (1, 1))
        return S.unsqueeze(t, 0) if t.dim() == 1 else t
    return _each(tensors, two)


def _each(tensors, fn):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return tuple(fn(t) for t in tensors[0])
    results = tuple(fn(t) for t in tensors)
    return results[0] if len(results) == 1 else results


def hstack(tensors):
    tensors = atleast_1d(list(tensors))
    return S.cat(tensors, 0 if tensors[0].dim() == 1 else 1)


def vstack(tensors):
    return S.cat(atleast_2d(list(tensors)), 0)


def diff(input, n: int = 1, dim: int = -1, prepend=None, append=None):
    if input.dim() == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    dim = wrap_dim(dim, input.dim())
    if prepend is not None or append is not None:
        parts = [t for t in (prepend, input, append) if t is not None]
        input = S.cat(parts, dim)
    for _ in range(n):
        length = input.shape[dim]
        input = E.sub(slice_dim(input, dim, 1, length), slice_dim(input, dim, 0, length - 1))
    return input


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    if repeats is None:                 # repeat_interleave(counts): each index counts[i] times
        return Tensor._make(np.repeat(np.arange(input.numel()), input._data.reshape(-1)))
    if isinstance(repeats, Tensor) and repeats.numel() != 1:
        source = S.flatten(input) if dim is None else input
        index = Tensor._make(np.repeat(np.arange(len(repeats._data)), repeats._data))
        return G.index_select(source, 0 if dim is None else dim, index)
    count = int(repeats.item() if isinstance(repeats, Tensor) else repeats)
    if dim is None:
        input, dim = S.flatten(input), 0
    dim = wrap_dim(dim, input.dim())
    expanded_shape = list(input.shape)
    expanded_shape.insert(dim + 1, count)
    expanded = S.expand(S.unsqueeze(input, dim + 1), expanded_shape)
    final = list(input.shape)
    final[dim] *= count
    return S.reshape(S.clone_contiguous(expanded), final)


def isclose(input, other, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False):
    a, b = input._data, other._data
    close = np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)
    return Tensor._make(np.asarray(close))


def nonzero(input, *, as_tuple: bool = False):
    data = input._data
    if data.ndim == 0:      # ATen: one row of no coordinates if the value is nonzero
        hits = int(bool(data))
        return (Tensor._make(np.zeros(hits, np.int64)),) if as_tuple else \
            Tensor._make(np.zeros((hits, 0), np.int64))
    found = np.nonzero(data)
    if as_tuple:
        return tuple(Tensor._make(np.ascontiguousarray(index)) for index in found)
    return Tensor._make(np.ascontiguousarray(np.stack(found, axis=1)))


def count_nonzero(input, dim=None):
    counts = np.count_nonzero(input._data, axis=dim)
    return Tensor._make(np.asarray(counts, dtype=np.int64))


def atleast_3d(*tensors):
    def three(t):
        if t.dim() == 0:
            return S.reshape(t, (1, 1, 1))
        if t.dim() == 1:
            return S.unsqueeze(S.unsqueeze(t, 0), -1)
        return S.unsqueeze(t, -1) if t.dim() == 2 else t
    return _each(tensors, three)


def dstack(tensors):
    return S.cat(atleast_3d(list(tensors)), 2)


def column_stack(tensors):
    columns = [S.reshape(t, (t.numel(), 1)) if t.dim() <= 1 else t for t in tensors]
    return hstack(columns)


def broadcast_to(input, size):
    return S.expand(input, tuple(size))


def swapaxes(input, axis0, axis1):
    return S.transpose(input, axis0, axis1)


def ravel(input):
    return S.view(S.contiguous(input), -1)


def fliplr(input):
    if input.dim() < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return O.flip(input, (1,))


def flipud(input):
    if input.dim() < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return O.flip(input, (0,))


def tensor_split(input, indices_or_sections, dim=0):
    if input.dim() == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a "
                           "tensor with 0 dims")
    dim = wrap_dim(dim, input.dim())
    size = input.shape[dim]
    if isinstance(indices_or_sections, Tensor) and indices_or_sections.dim() == 0:
        indices_or_sections = int(indices_or_sections.item())
    if isinstance(indices_or_sections, int):
        sections = indices_or_sections
        if sections <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {sections}")
        small, extra = divmod(size, sections)
        bounds = [0]
        for index in range(sections):
            bounds.append(bounds[-1] + small + (1 if index < extra else 0))
    else:
        indices = [int(i) for i in (indices_or_sections.tolist()
                                    if isinstance(indices_or_sections, Tensor)
                                    else indices_or_sections)]
        bounds = [0] + indices + [size]
    return tuple(_clamped_slice(input, dim, start, stop, size)
                 for start, stop in zip(bounds, bounds[1:]))


def _clamped_slice(input, dim: int, start: int, stop: int, size: int):
    start = min(max(start + size if start < 0 else start, 0), size)
    stop = min(max(stop + size if stop < 0 else stop, start), size)
    return slice_dim(input, dim, start, stop)


def _split_family(name: str, dim: int, minimum_dims: int):
    def op(input, indices_or_sections):
        if input.dim() < minimum_dims:
            raise RuntimeError(f"torch.{name} requires a tensor with at least {minimum_dims} "
                               f"dimension, but got a tensor "
                               f"with {input.dim()} dimensions!")
        split_dim = 0 if name == "hsplit" and input.dim() == 1 else dim
        if isinstance(indices_or_sections, int):
            size = input.shape[split_dim]
            if indices_or_sections == 0 or size % indices_or_sections:
                raise RuntimeError(f"torch.{name} attempted to split along dimension "
                                   f"{split_dim}, but the size of the dimension {size} is not "
                                   f"divisible by the split_size {indices_or_sections}!")
        return tensor_split(input, indices_or_sections, split_dim)
    op.__name__ = name
    return op


hsplit = _split_family("hsplit", 1, 1)
vsplit = _split_family("vsplit", 0, 2)
dsplit = _split_family("dsplit", 2, 3)


def take_along_dim(input, indices, dim=None):
    if dim is None:
        return G.gather(S.view(input, -1), 0, S.view(indices, -1))
    dim = wrap_dim(dim, input.dim())
    if input.dim() != indices.dim():
        raise RuntimeError("torch.take_along_dim(): input and indices should have the same "
                           f"number of dimensions, but got {input.dim()} dimensions for input, "
                           f"and {indices.dim()} dimensions for indices")
    input_sizes, index_sizes = list(input.shape), list(indices.shape)
    input_sizes[dim] = index_sizes[dim] = 1
    broadcast = list(np.broadcast_shapes(tuple(input_sizes), tuple(index_sizes)))
    input_sizes, index_sizes = list(broadcast), list(broadcast)
    input_sizes[dim], index_sizes[dim] = input.shape[dim], indices.shape[dim]
    return G.gather(broadcast_to(input, input_sizes), dim, broadcast_to(indices, index_sizes))


moveaxis = movedim
swapdims = swapaxes

__all__ = ["narrow", "movedim", "moveaxis", "tile", "outer", "atleast_1d", "atleast_2d",
           "hstack", "vstack", "diff", "repeat_interleave", "isclose", "nonzero",
           "count_nonzero", "atleast_3d", "dstack", "column_stack", "broadcast_to", "swapaxes",
           "swapdims", "ravel", "fliplr", "flipud", "tensor_split", "hsplit", "vsplit", "dsplit",
           "take_along_dim"]
METHODS = {name: globals()[name] for name in __all__
           if name not in ("atleast_1d", "atleast_2d", "atleast_3d", "hstack", "vstack",
                           "dstack", "column_stack")}
METHODS["ger"] = outer
