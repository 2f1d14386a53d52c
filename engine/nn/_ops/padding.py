"""pad, as ATen's pad records it: constant (ConstantPadNdBackward0), reflect and replicate
(ReflectionPad{1,2,3}DBackward0, ReplicationPad{1,2,3}DBackward0), and circular (composite:
slices of the input copied into a new tensor, so CopySlices and SliceBackward0 nodes).
Negative padding crops, as in PyTorch."""
from __future__ import annotations

import numpy as np

from engine.autograd.node import node_class
from engine.nn._ops._util import (array, as_uint64, linear_double_node, private, stash,
                                  unpack_saved)
from engine.ops._double import record_grads
from engine.ops._core import record
from engine.ops.indexing import slice_dim

_MODES = ("constant", "reflect", "replicate", "circular")
_SUPPORTED = ("Supported combinations for non-constant padding:\n"
              "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
              "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
              "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")


def pad(input, pad, mode: str = "constant", value=None):
    if mode not in _MODES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    pad = tuple(int(p) for p in pad)
    ndim = input._data.ndim
    _check_length(pad, ndim)
    if mode == "constant":
        return constant_pad(input, pad, 0.0 if value is None else value)
    if value is not None and value != 0:
        raise RuntimeError(f"Padding mode \"{mode}\" doesn't take in value argument")
    padded_dims = len(pad) // 2
    if padded_dims not in (1, 2, 3) or ndim not in (padded_dims + 1, padded_dims + 2):
        raise NotImplementedError(f"Padding size {len(pad)} is not supported for {ndim}D input "
                                  f"tensor.\n{_SUPPORTED}")
    if mode == "circular":
        return circular_pad(input, pad)
    return edge_pad(input, pad, mode)


def _check_length(pad: tuple, ndim: int) -> None:
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > ndim:
        raise RuntimeError(f"Padding length should be less than or equal to two times the input "
                           f"dimension but got padding length {len(pad)} and input of dimension "
                           f"{ndim}")


def _widths(pad: tuple, ndim: int) -> list:
    """PyTorch's pad tuple (last dim first, (left, right) pairs) as (before, after) per dim."""
    widths = [(0, 0)] * ndim
    for i in range(len(pad) // 2):
        widths[ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    return widths


# ---------------------------------------------------------------- constant

def _pad_or_crop(data: np.ndarray, widths: list, value=0) -> np.ndarray:
    """Crop where a width is negative, then pad with `value` where it is positive."""
    crop = tuple(slice(max(-before, 0), size - max(-after, 0))
                 for size, (before, after) in zip(data.shape, widths))
    grow = [(max(before, 0), max(after, 0)) for before, after in widths]
    return np.pad(data[crop], grow, mode="constant", constant_values=value)


def _unpad_rule(n, g):
    widths = [(-before, -after) for before, after in n._attrs["_widths"]]
    return (_pad_or_crop(array(g), widths),)


def _unpad_double(n, g):
    """The gradient of a constant pad is a constant pad by the negated widths, recorded as
    torch records it (a ConstantPadNdBackward0 node)."""
    return (constant_pad(g, tuple(-p for p in n._attrs["_pad"])),)


ConstantPadNdBackward0 = node_class("ConstantPadNdBackward0", _unpad_rule,
                                    arrays=True, double=_unpad_double)


def constant_pad(input, pad, value=0.0):
    widths = _widths(pad, input._data.ndim)
    for size, (before, after) in zip(input._data.shape, widths):
        if size + before + after < 0:
            raise RuntimeError("narrow(): length must be non-negative.")
    out = _pad_or_crop(input._data, widths, value)
    result = record(ConstantPadNdBackward0, out, (input,),
                    attrs={"pad": tuple(as_uint64(p) for p in pad)})
    stash(result, widths=widths, pad=pad)
    return result


# ---------------------------------------------------------------- reflect, replicate

def _source_index(size: int, before: int, after: int, mode: str) -> np.ndarray:
    """For each output position along one dim, the input position it copies (ATen's
    ReflectionPad / ReplicationPad index, negative padding included)."""
    j = np.arange(size + before + after)
    if mode == "reflect":
        left, right = 2 * before - j, 2 * (size + before - 1) - j
    else:
        left, right = np.full_like(j, before), np.full_like(j, size + before - 1)
    inside = np.where(j < before, left, np.where(j < size + before, j, right))
    return inside - max(before, 0) + max(-before, 0)


def _padded_dims(widths: list):
    return [(d, w) for d, w in enumerate(widths) if w != (0, 0)]


def _edge_rule(n, g):
    unpack_saved(n)
    g = array(g)
    shape, mode = n._in_shapes[0], n._attrs["_mode"]
    for d, (before, after) in _padded_dims(n._attrs["_widths"]):
        grad = np.zeros(g.shape[:d] + (shape[d],) + g.shape[d + 1:], dtype=g.dtype)
        np.add.at(grad, (slice(None),) * d + (_source_index(shape[d], before, after, mode),), g)
        g = grad
    return (g,)


def _edge_pad_data(data: np.ndarray, widths: list, mode: str) -> np.ndarray:
    original = data
    for d, (before, after) in _padded_dims(widths):
        data = np.take(data, _source_index(data.shape[d], before, after, mode), axis=d)
    if data is original:
        return data.copy()      # nothing padded: still a new tensor, as in PyTorch
    return np.require(data, requirements="C")      # a 0-d array stays 0-d


def _edge_pad_of(n, gg):
    return _edge_pad_data(gg, n._attrs["_widths"], n._attrs["_mode"])


def _edge_nodes(prefix: str, k: int) -> type:
    """{prefix}{k}DBackward0 and, for its gradients under create_graph, the
    {prefix}{k}DBackwardBackward0 node that pads gg again."""
    double_cls = linear_double_node(f"{prefix}{k}DBackwardBackward0", _edge_pad_of)

    def double(n, g):
        x = n.saved("self")
        grads = record_grads(double_cls, _edge_rule(n, g), (x.shape,), (g, x),
                             attrs={"padding": n._attrs["padding"]})
        stash(grads[0], **private(n))
        return grads
    return node_class(f"{prefix}{k}DBackward0", _edge_rule, arrays=True, double=double)


_EDGE_NODES = {(mode, k): _edge_nodes(prefix, k)
               for mode, prefix in (("reflect", "ReflectionPad"), ("replicate", "ReplicationPad"))
               for k in (1, 2, 3)}


def edge_pad(input, pad: tuple, mode: str):
    data = input._data
    widths = _widths(pad, data.ndim)
    _check_edge_pad(data.shape, widths, len(pad) // 2, mode)
    node_cls = _EDGE_NODES[(mode, len(pad) // 2)]
    result = record(node_cls, _edge_pad_data(data, widths, mode), (input,), {"self": input},
                    {"padding": tuple(as_uint64(p) for p in pad)})
    stash(result, widths=widths, mode=mode)
    return result


def _check_edge_pad(shape: tuple, widths: list, padded: int, mode: str) -> None:
    """ATen's checks for reflection / replication padding, in its order."""
    batch = len(shape) == padded + 2
    if 0 in shape[1:] or (not batch and 0 in shape):
        raise RuntimeError(f"Expected {padded + 1}D or {padded + 2}D (batch mode) tensor with "
                           f"possibly 0 batch size and other non-zero dimensions for input, but "
                           f"got: {list(shape)}")
    if mode == "reflect":
        for k in range(padded):
            dim = len(shape) - 1 - k
            if max(widths[dim]) >= shape[dim]:
                raise RuntimeError(f"Argument #{4 + 2 * k}: Padding size should be less than the "
                                   f"corresponding input dimension, but got: padding "
                                   f"{widths[dim]} at dimension {dim} of input {list(shape)}")
    out_shape = [size + before + after for size, (before, after) in zip(shape, widths)]
    if all(size < 1 for size in out_shape[-padded:]):
        raise RuntimeError(_too_small(shape[-padded:], out_shape[-padded:], mode))
    if min(out_shape) < 0:
        if mode == "reflect" and padded == 2:
            raise RuntimeError("numel: integer multiplication overflow")
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(out_shape)}: "
                           f"{out_shape}")


def _too_small(sizes: tuple, out_sizes: list, mode: str) -> str:
    """ATen's wording, which differs per kernel (replication 2-D has a stray space)."""
    if len(sizes) == 1:
        return f"input (W: {sizes[0]}) is too small. Calculated output W: {out_sizes[0]}"
    if len(sizes) == 2:
        space = " " if mode == "replicate" else ""
        return (f"input (H: {sizes[0]}, W: {sizes[1]}{space}) is too small. Calculated output "
                f"H: {out_sizes[0]} W: {out_sizes[1]}")
    return (f"input (D: {sizes[0]} H: {sizes[1]}, W: {sizes[2]}) is too small. Calculated "
            f"output D: {out_sizes[0]} H: {out_sizes[1]} W: {out_sizes[2]}")


# ---------------------------------------------------------------- circular

def circular_pad(input, pad: tuple):
    """ATen's _pad_circular step for step: the (cropped) input copied into the middle of a new
    tensor, then each padded dim's left and right bands copied from the far side."""
    in_shape = input._data.shape
    widths = _widths(pad, len(in_shape))
    out_shape = _circular_shape(in_shape, widths, len(pad) // 2)
    out = input.new_empty(*out_shape)
    padded = _padded_dim_order(len(in_shape), len(pad) // 2)
    out_slice, in_slice = out, input
    for dim in padded:
        before, after = widths[dim]
        out_slice = slice_dim(out_slice, dim, max(before, 0), out_shape[dim] - max(after, 0))
        in_slice = slice_dim(in_slice, dim, max(-before, 0), in_shape[dim] - max(-after, 0))
    out_slice.copy_(in_slice)
    for dim in padded:
        before, after = widths[dim]
        end = out_shape[dim] - max(after, 0)
        if before > 0:
            slice_dim(out, dim, 0, before).copy_(slice_dim(out, dim, end - before, end))
        if after > 0:
            start = max(before, 0)
            slice_dim(out, dim, out_shape[dim] - after, out_shape[dim]).copy_(
                slice_dim(out, dim, start, start + after))
    return out


def _padded_dim_order(ndim: int, padded: int) -> list:
    """The padded dims as ATen walks them: the last dim first."""
    return [ndim - 1 - k for k in range(padded)]


def _circular_shape(in_shape: tuple, widths: list, padded: int) -> list:
    out_shape = list(in_shape)
    for dim in range(len(in_shape) - padded, len(in_shape)):
        before, after = widths[dim]
        if before > in_shape[dim] or after > in_shape[dim]:
            raise RuntimeError("Padding value causes wrapping around more than once.")
        out_shape[dim] = in_shape[dim] + before + after
        if out_shape[dim] < 0:
            raise RuntimeError("Negative padding value is resulting in an empty dimension")
    return out_shape
