"""max_pool3d, avg_pool3d, adaptive_avg_pool3d: one node each (MaxPool3DWithIndicesBackward0,
AvgPool3DBackward0, AdaptiveAvgPool3DBackward0, or MeanBackward1 for a 1x1x1 output), on
engine.kernels.pooling3d. Unbatched [C, D, H, W] inputs run as a batch of one inside the
node, as PyTorch records no unsqueeze for them. `stride` is saved as given: () when it
defaulted."""
from __future__ import annotations

import numpy as np

from engine.autograd.node import node_class
from engine.nn._ops._util import (array, kernels, linear_double_node, private, stash,
                                  unpack_saved)
from engine.nn._ops.pooling import K, _sizes
from engine.nn._ops.conv import spatial_tuple
from engine.ops._double import record_grads
from engine.ops._core import record
from engine.ops.reductions import mean
from engine.tensor import Tensor

K3 = kernels("pooling3d")


def _batched(x):
    return x[None] if x.ndim == 4 else x


def _batched_shape(shape):
    return (1,) + tuple(shape) if len(shape) == 4 else tuple(shape)


def _unbatched_like(out, x):
    return out[0] if x.ndim == 4 else out


def _triple(value) -> tuple:
    return spatial_tuple(tuple(value) if isinstance(value, list) else value, 3)


def _strides(kernel, stride) -> tuple:
    return kernel if stride is None or stride == () or stride == [] else _triple(stride)


def _saved_stride(stride) -> tuple:
    return () if stride is None or stride == () or stride == [] else _triple(stride)


def _check_dims(x_shape) -> None:
    if len(x_shape) not in (4, 5):
        raise RuntimeError("non-empty 4D or 5D (batch mode) tensor expected for input")


def _check_not_empty(x_shape, name: str) -> None:
    for dim, size in enumerate(x_shape[-3:]):
        if size == 0:
            raise RuntimeError(f"{name}(): Expected input's non-batch dimensions to have positive "
                               f"length, but input has a shape of {_sizes(x_shape)} and "
                               f"non-batch dimension {dim} has length zero!")


def _check_window(kernel, padding, dilation) -> None:
    for k, p, d in zip(kernel, padding, dilation):
        if p * 2 > d * (k - 1) + 1:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                               f"pad={p}, kernel_size={k} and dilation={d}")


def _output_sizes(x_shape, kernel, strides, padding, dilation, ceil_mode) -> tuple:
    sizes = tuple(K.pool_output_size(x_shape[-3 + a], kernel[a], strides[a], padding[a],
                                     dilation[a], ceil_mode) for a in range(3))
    if min(sizes) < 1:
        given = "x".join(str(s) for s in x_shape[-4:])
        wanted = "x".join(str(s) for s in (x_shape[-4],) + sizes)
        raise RuntimeError(f"Given input size: ({given}). Calculated output size: ({wanted}). "
                           "Output size is too small")
    return sizes


# ---------------------------------------------------------------- max pool

def _max_pool_rule(n, g):
    unpack_saved(n)
    shape = n._in_shapes[0]
    grad = K3.max_pool3d_backward(_batched(array(g)), _batched(array(n.saved("result1"))),
                                  _batched_shape(shape))
    return (grad.reshape(shape),)


def _gather_at_indices(n, gg):
    indices = array(n.saved("indices"))
    volumes = gg.reshape(gg.shape[:-3] + (-1,))
    flat_indices = indices.reshape(indices.shape[:-3] + (-1,))
    return np.take_along_axis(volumes, flat_indices, axis=-1).reshape(indices.shape)


MaxPool3DWithIndicesBackwardBackward0 = linear_double_node(
    "MaxPool3DWithIndicesBackwardBackward0", _gather_at_indices)


def _max_pool_double(n, g):
    x = n.saved("self")
    return record_grads(MaxPool3DWithIndicesBackwardBackward0, _max_pool_rule(n, g),
                        (x.shape,), (g, x), {"indices": n.saved("result1")})


MaxPool3DWithIndicesBackward0 = node_class("MaxPool3DWithIndicesBackward0", _max_pool_rule,
                                           arrays=True, double=_max_pool_double)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    x = input._data
    kernel = _triple(kernel_size)
    strides, pad, dil = _strides(kernel, stride), _triple(padding), _triple(dilation)
    if 0 in strides:
        raise RuntimeError("stride should not be zero")
    _check_dims(x.shape)
    _check_not_empty(x.shape, "max_pool3d_with_indices_out_cpu_template")
    _check_window(kernel, pad, dil)
    _output_sizes(x.shape, kernel, strides, pad, dil, ceil_mode)
    out, indices = K3.max_pool3d_forward(_batched(x), kernel, strides, pad, dil, ceil_mode)
    indices = Tensor._make(_unbatched_like(indices, x))
    result = record(MaxPool3DWithIndicesBackward0, _unbatched_like(out, x), (input,),
                    {"self": input, "result1": indices},
                    {"kernel_size": kernel, "stride": _saved_stride(stride), "padding": pad,
                     "dilation": dil, "ceil_mode": ceil_mode})
    return (result, indices) if return_indices else result


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=True):
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


# ---------------------------------------------------------------- average pool

def _avg_arguments(n) -> tuple:
    a = n._attrs
    return (a["kernel_size"], a["_strides"], a["padding"], a["ceil_mode"],
            a["count_include_pad"], a["divisor_override"])


def _avg_pool_rule(n, g):
    unpack_saved(n)
    shape = n._in_shapes[0]
    grad = K3.avg_pool3d_backward(_batched(array(g)), _batched_shape(shape), *_avg_arguments(n))
    return (grad.reshape(shape),)


def _avg_pool_of(n, gg):
    return _unbatched_like(K3.avg_pool3d_forward(_batched(gg), *_avg_arguments(n)), gg)


AvgPool3DBackwardBackward0 = linear_double_node("AvgPool3DBackwardBackward0", _avg_pool_of)


def _avg_pool_double(n, g):
    x = n.saved("self")
    grads = record_grads(AvgPool3DBackwardBackward0, _avg_pool_rule(n, g), (x.shape,), (g, x),
                         attrs=dict(n._attrs))
    stash(grads[0], **private(n))
    return grads


AvgPool3DBackward0 = node_class("AvgPool3DBackward0", _avg_pool_rule, arrays=True,
                                double=_avg_pool_double)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    x = input._data
    kernel = _triple(kernel_size)
    strides, pad = _strides(kernel, stride), _triple(padding)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    _check_dims(x.shape)
    _check_not_empty(x.shape, "avg_pool3d")
    _check_window(kernel, pad, (1, 1, 1))
    if any(size < k for size, k in zip(x.shape[-3:], kernel)):
        depth, height, width = x.shape[-3:]
        raise RuntimeError(f"input image (T: {depth} H: {height} W: {width}) smaller than "
                           f"kernel size (kT: {kernel[0]} kH: {kernel[1]} kW: {kernel[2]})")
    _output_sizes(x.shape, kernel, strides, pad, (1, 1, 1), ceil_mode)
    out = K3.avg_pool3d_forward(_batched(x), kernel, strides, pad, ceil_mode,
                                count_include_pad, divisor_override)
    result = record(AvgPool3DBackward0, _unbatched_like(out, x), (input,), {"self": input},
                    {"kernel_size": kernel, "stride": _saved_stride(stride), "padding": pad,
                     "ceil_mode": ceil_mode, "count_include_pad": count_include_pad,
                     "divisor_override": divisor_override})
    stash(result, strides=strides)
    return result


# ---------------------------------------------------------------- adaptive average pool

def _adaptive_rule(n, g):
    unpack_saved(n)
    shape = n._in_shapes[0]
    grad = K3.adaptive_avg_pool3d_backward(_batched(array(g)), _batched_shape(shape))
    return (grad.reshape(shape),)


_SIZE_ATTRS = ("grad_output_sym_argsize_minus_3", "grad_output_sym_argsize_minus_2",
               "grad_output_sym_argsize_minus_1")


def _adaptive_of(n, gg):
    sizes = tuple(n._attrs[name] for name in _SIZE_ATTRS)
    return _unbatched_like(K3.adaptive_avg_pool3d_forward(_batched(gg), sizes), gg)


AdaptiveAvgPool3DBackwardBackward0 = linear_double_node("AdaptiveAvgPool3DBackwardBackward0",
                                                        _adaptive_of)


def _adaptive_double(n, g):
    x = n.saved("self")
    sizes = dict(zip(_SIZE_ATTRS, g.shape[-3:]))
    return record_grads(AdaptiveAvgPool3DBackwardBackward0, _adaptive_rule(n, g), (x.shape,),
                        (g, x), attrs=dict(sorted(sizes.items())))


AdaptiveAvgPool3DBackward0 = node_class("AdaptiveAvgPool3DBackward0", _adaptive_rule,
                                        arrays=True, double=_adaptive_double)


def adaptive_avg_pool3d(input, output_size):
    x = input._data
    if isinstance(output_size, int):
        sizes = (output_size,) * 3
    else:
        if x.ndim <= len(output_size):      # torch.nn.functional's _list_with_default
            raise ValueError(f"Input dimension should be at least {len(output_size) + 1}")
        if len(output_size) != 3:
            raise RuntimeError("adaptive_avg_pool3d: output_size must be 3")
        sizes = tuple(x.shape[-3 + i] if s is None else int(s)
                      for i, s in enumerate(output_size))
    if sizes == (1, 1, 1):
        return mean(input, (-1, -2, -3), keepdim=True)
    if x.ndim not in (4, 5):
        raise RuntimeError(f"adaptive_avg_pool3d(): Expected 4D or 5D tensor, but got "
                           f"{_sizes(x.shape)}")
    for dim in range(x.ndim - 3, x.ndim):
        if x.shape[dim] == 0:
            raise RuntimeError("adaptive_avg_pool3d(): Expected input to have non-zero size for "
                               f"non-batch dimensions, but input has sizes {_sizes(x.shape)} "
                               f"with dimension {dim} being empty")
    out = K3.adaptive_avg_pool3d_forward(_batched(x), sizes)
    return record(AdaptiveAvgPool3DBackward0, _unbatched_like(out, x), (input,),
                  {"self": input})
