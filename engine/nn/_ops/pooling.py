"""max_pool2d, avg_pool2d, adaptive_avg_pool2d on the Numba pooling kernels.

Unbatched [C, H, W] inputs run as a batch of one inside the node (PyTorch records no
unsqueeze for pooling). PyTorch saves `stride` as given: () when it defaulted.
"""
from __future__ import annotations

import functools

import numpy as np

from engine.autograd.node import node_class
from engine.nn._ops._util import (array, kernels, linear_double_node, pair, private, stash,
                                  unpack_saved)
from engine.ops._double import record_grads
from engine.ops._core import record
from engine.ops.reductions import mean
from engine.tensor import Tensor

K = kernels("pooling")


def _batched(x):
    return x[None] if x.ndim == 3 else x


def _unbatched_like(out, x):
    return out[0] if x.ndim == 3 else out


def _geometry(kernel_size, stride, padding, dilation=1):
    kernel = pair(kernel_size)
    strides = kernel if stride is None or stride == () or stride == [] else pair(stride)
    return kernel, strides, pair(padding), pair(dilation)


def _check_window(kernel, padding, dilation) -> None:
    for i in range(2):
        if padding[i] * 2 > dilation[i] * (kernel[i] - 1) + 1:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                               f"pad={padding[i]}, kernel_size={kernel[i]} and "
                               f"dilation={dilation[i]}")


def _sizes(shape) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _check_planes(x_shape) -> None:
    """pool2d_shape_check: only the batch of a 4-D input may be empty."""
    ndim = len(x_shape)
    planes = ndim in (3, 4) and all(x_shape[1:]) and (ndim == 4 or x_shape[0] != 0)
    if not planes:
        raise RuntimeError("Expected 3D or 4D (batch mode) tensor with optional 0 dim batch "
                           f"size for input, but got:{_sizes(x_shape)}")


def _check_output(x_shape, out_hw, name_shape) -> None:
    if out_hw[0] <= 0 or out_hw[1] <= 0:
        channels, height, width = x_shape[-3:]
        raise RuntimeError(f"Given input size: ({channels}x{height}x{width}). Calculated output "
                           f"size: ({channels}x{out_hw[0]}x{out_hw[1]}). Output "
                           "size is too small")


def _output_hw(x_shape, kernel, strides, padding, dilation, ceil_mode):
    return tuple(K.pool_output_size(x_shape[-2 + i], kernel[i], strides[i], padding[i],
                                    dilation[i], ceil_mode) for i in range(2))


# ---------------------------------------------------------------- max pool

def _max_pool_rule(n, g):
    unpack_saved(n)
    g = array(g)
    shape = n._in_shapes[0]
    indices = array(n.saved("result1"))
    grad = K.max_pool2d_backward(_batched(g), _batched(indices), _batched_shape(shape))
    return (grad.reshape(shape),)


def _batched_shape(shape):
    return (1,) + tuple(shape) if len(shape) == 3 else tuple(shape)


def _gather_at_indices(n, gg):
    """max_pool_double_backward: gg read at each window's argmax (the forward's indices)."""
    indices = array(n.saved("indices"))
    planes = gg.reshape(gg.shape[:-2] + (-1,))
    flat_indices = indices.reshape(indices.shape[:-2] + (-1,))
    return np.take_along_axis(planes, flat_indices, axis=-1).reshape(indices.shape)


MaxPool2DWithIndicesBackwardBackward0 = linear_double_node(
    "MaxPool2DWithIndicesBackwardBackward0", _gather_at_indices)


def _max_pool_double(n, g):
    x = n.saved("self")
    return record_grads(MaxPool2DWithIndicesBackwardBackward0, _max_pool_rule(n, g), (x.shape,),
                        (g, x), {"indices": n.saved("result1")})


MaxPool2DWithIndicesBackward0 = node_class("MaxPool2DWithIndicesBackward0", _max_pool_rule,
                                           arrays=True, double=_max_pool_double)


@functools.lru_cache(maxsize=256)
def _max_pool_geometry(x_shape, kernel_size, stride, padding, dilation, ceil_mode):
    """Validated (kernel, strides, padding, dilation, the stride as PyTorch saves it), cached:
    a layer meets few shapes."""
    if len(x_shape) not in (3, 4):
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    kernel, strides, pad, dil = _geometry(kernel_size, stride, padding, dilation)
    _check_window(kernel, pad, dil)
    _check_planes(x_shape)
    _check_output(x_shape, _output_hw(x_shape, kernel, strides, pad, dil, ceil_mode), None)
    return kernel, strides, pad, dil, _saved_stride(stride)


def _hashable(value):
    return tuple(value) if isinstance(value, list) else value


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    x = input._data
    kernel, strides, pad, dil, saved_stride = _max_pool_geometry(
        x.shape, _hashable(kernel_size), _hashable(stride), _hashable(padding),
        _hashable(dilation), bool(ceil_mode))
    out, indices = K.max_pool2d_forward(_batched(x), kernel, strides, pad, dil, ceil_mode)
    indices = Tensor._make(_unbatched_like(indices, x))
    result = record(MaxPool2DWithIndicesBackward0, _unbatched_like(out, x), (input,),
                    {"self": input, "result1": indices},
                    {"kernel_size": kernel, "stride": saved_stride, "padding": pad,
                     "dilation": dil, "ceil_mode": ceil_mode})
    return (result, indices) if return_indices else result


def _saved_stride(stride):
    if stride is None or stride == () or stride == []:
        return ()
    return pair(stride)


# ---------------------------------------------------------------- average pool

def _avg_pool_rule(n, g):
    unpack_saved(n)
    g = array(g)
    a = n._attrs
    shape = n._in_shapes[0]
    grad = K.avg_pool2d_backward(_batched(g), _batched_shape(shape), a["kernel_size"],
                                 n._attrs["_strides"], a["padding"], a["ceil_mode"],
                                 a["count_include_pad"], a["divisor_override"])
    return (grad.reshape(shape),)


def _avg_pool_of(n, gg):
    a = n._attrs
    out = K.avg_pool2d_forward(_batched(gg), a["kernel_size"], n._attrs["_strides"],
                               a["padding"], a["ceil_mode"], a["count_include_pad"],
                               a["divisor_override"])
    return _unbatched_like(out, gg)


AvgPool2DBackwardBackward0 = linear_double_node("AvgPool2DBackwardBackward0", _avg_pool_of)


def _avg_pool_double(n, g):
    x = n.saved("self")
    grads = record_grads(AvgPool2DBackwardBackward0, _avg_pool_rule(n, g), (x.shape,), (g, x),
                         attrs=dict(n._attrs))
    stash(grads[0], **private(n))
    return grads


AvgPool2DBackward0 = node_class("AvgPool2DBackward0", _avg_pool_rule,
                                arrays=True, double=_avg_pool_double)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    kernel, strides, pad, _ = _geometry(kernel_size, stride, padding)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    input.size(-3)              # PyTorch reads the planes first: an IndexError below 3-D
    _check_window(kernel, pad, (1, 1))
    x = input._data
    _check_planes(x.shape)
    _check_output(x.shape, _output_hw(x.shape, kernel, strides, pad, (1, 1), ceil_mode), None)
    out = K.avg_pool2d_forward(_batched(x), kernel, strides, pad, ceil_mode, count_include_pad,
                               divisor_override)
    result = record(AvgPool2DBackward0, _unbatched_like(out, x), (input,), {"self": input},
                    {"kernel_size": kernel, "stride": _saved_stride(stride), "padding": pad,
                     "ceil_mode": ceil_mode, "count_include_pad": count_include_pad,
                     "divisor_override": divisor_override})
    stash(result, strides=strides)
    return result


# ---------------------------------------------------------------- adaptive average pool

def _adaptive_rule(n, g):
    unpack_saved(n)
    shape = n._in_shapes[0]
    grad = K.adaptive_avg_pool2d_backward(_batched(array(g)), _batched_shape(shape))
    return (grad.reshape(shape),)


def _adaptive_of(n, gg):
    sizes = (n._attrs["grad_output_sym_argsize_minus_2"],
             n._attrs["grad_output_sym_argsize_minus_1"])
    return _unbatched_like(K.adaptive_avg_pool2d_forward(_batched(gg), sizes), gg)


AdaptiveAvgPool2DBackwardBackward0 = linear_double_node("AdaptiveAvgPool2DBackwardBackward0",
                                                        _adaptive_of)


def _adaptive_double(n, g):
    x = n.saved("self")
    return record_grads(AdaptiveAvgPool2DBackwardBackward0, _adaptive_rule(n, g), (x.shape,),
                        (g, x), attrs={"grad_output_sym_argsize_minus_1": g.shape[-1],
                                       "grad_output_sym_argsize_minus_2": g.shape[-2]})


AdaptiveAvgPool2DBackward0 = node_class("AdaptiveAvgPool2DBackward0", _adaptive_rule,
                                        arrays=True, double=_adaptive_double)


def adaptive_avg_pool2d(input, output_size):
    x = input._data
    if isinstance(output_size, int):
        sizes = (output_size, output_size)
    else:
        if len(output_size) >= x.ndim:
            raise ValueError(f"Input dimension should be at least {len(output_size) + 1}")
        sizes = tuple(x.shape[-2 + i] if s is None else int(s)
                      for i, s in enumerate(output_size))
    if sizes == (1, 1):
        return mean(input, (-1, -2), keepdim=True)
    if x.ndim not in (3, 4):
        raise RuntimeError(f"adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got "
                           f"{_sizes(x.shape)}")
    for dim in (x.ndim - 2, x.ndim - 1):
        if x.shape[dim] == 0:
            raise RuntimeError("adaptive_avg_pool2d(): Expected input to have non-zero size for "
                               f"non-batch dimensions, but input has sizes {_sizes(x.shape)} "
                               f"with dimension {dim} being empty")
    out = K.adaptive_avg_pool2d_forward(_batched(x), sizes)
    return record(AdaptiveAvgPool2DBackward0, _unbatched_like(out, x), (input,),
                  {"self": input})
