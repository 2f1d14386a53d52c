"""conv2d, conv1d and conv3d: one ConvolutionBackward0 node, im2col + BLAS kernels
(engine.kernels.conv; a conv1d runs on them with a height of 1, a conv3d through
engine.kernels.conv_nd, whose rules are in engine.nn._ops.conv_general)."""
from __future__ import annotations

import functools

import numpy as np

from engine.autograd import grad_mode as _gm
from engine._cpp_warning import cpp_warning, warn_once
from engine.autograd.node import node_class
from engine.nn._ops._util import array, kernels, pair
from engine.nn._ops.conv_general import (general_double_rule, general_rule, is_general,
                                         padding_of)
from engine.nn._ops.padding import constant_pad
from engine.ops._double import record_grads
from engine.ops._core import record
from engine.ops.shape import squeeze, unsqueeze

K = kernels("conv")

SAME_EVEN_WARNING = cpp_warning(
    "Using padding='same' with even kernel lengths and odd dilation may require a zero-padded "
    "copy of the input be created", "aten/src/ATen/native/Convolution.cpp:1101")


def _conv_rule(n, g):
    if is_general(n):
        return general_rule(n, g)
    geometry, flat = _planar(n)
    g = _up(array(g), flat)
    grad_input = grad_weight = grad_bias = None
    # n.saved("input") checks its version even when the forward's columns of it are kept.
    if n.needs(0) and n.needs(1):
        x, weight = _up(array(n.saved("input")), flat), _up(array(n.saved("weight")), flat)
        grad_input, grad_weight = K.conv2d_backward(g, x, weight, *geometry, n._scratch)
    elif n.needs(0):
        weight = _up(array(n.saved("weight")), flat)
        grad_input = K.conv2d_grad_input(g, weight, _up_shape(n._in_shapes[0], flat),
                                         *geometry)
    elif n.needs(1):
        x = _up(array(n.saved("input")), flat)
        grad_weight = K.conv2d_grad_weight(g, x, _up_shape(n._in_shapes[1], flat), *geometry,
                                           n._scratch)
    if n.needs(2):
        grad_bias = K.conv2d_grad_bias(g)
    return _down(grad_input, flat), _down(grad_weight, flat), grad_bias


def _planar(n) -> tuple:
    """The node's geometry for the 2-D kernels, and whether it is a conv1d's (its arrays then
    get a height of 1)."""
    a = n._attrs
    padding = padding_of(a)
    if len(a["stride"]) == 1:
        return ((1,) + a["stride"], (0,) + padding, (1,) + a["dilation"], a["groups"]), True
    return (a["stride"], padding, a["dilation"], a["groups"]), False


def _up(values, flat: bool):
    return values[:, :, None, :] if flat and values is not None else values


def _down(values, flat: bool):
    return values[:, :, 0, :] if flat and values is not None else values


def _up_shape(shape: tuple, flat: bool) -> tuple:
    return shape[:2] + (1,) + shape[2:] if flat else shape


def _conv_double_rule(n, gg_input, gg_weight, gg_bias):
    """Differentiates (grad_input, grad_weight, grad_bias) = convolution_backward(grad_output,
    input, weight): each is linear in grad_output and in one of input / weight."""
    if is_general(n):
        return general_double_rule(n, gg_input, gg_weight, gg_bias)
    geometry, flat = _planar(n)
    gg_input, gg_weight = _up(array(gg_input), flat), _up(array(gg_weight), flat)
    gg_bias = array(gg_bias)
    grad_out = _up(array(n.saved("grad_output")), flat)
    x, weight = _up(array(n.saved("input")), flat), _up(array(n.saved("weight")), flat)
    grad_grad_out = grad_x = grad_weight = None
    if n.needs(0):
        grad_grad_out = K.conv2d_forward(gg_input, weight, gg_bias, *geometry)
        grad_grad_out += K.conv2d_forward(x, gg_weight, None, *geometry)
    if n.needs(1):
        grad_x = K.conv2d_grad_input(grad_out, gg_weight, x.shape, *geometry)
    if n.needs(2):
        grad_weight = K.conv2d_grad_weight(grad_out, gg_input, weight.shape, *geometry)
    return _down(grad_grad_out, flat), _down(grad_x, flat), _down(grad_weight, flat)


ConvolutionBackwardBackward0 = node_class("ConvolutionBackwardBackward0", _conv_double_rule,
                                          arrays=True)


def _conv_double(n, g):
    x, weight = n.saved("input"), n.saved("weight")
    grads = _conv_rule(n, g)
    bias_size = weight.shape[1] * n._attrs["groups"] if n._attrs["transposed"] else \
        weight.shape[0]
    shapes = (x.shape, weight.shape, (bias_size,))
    saved = {"grad_output": g, "input": x, "weight": weight}
    attrs = {k: n._attrs[k] for k in ("stride", "padding", "dilation", "transposed",
                                      "output_padding", "groups", "_padding") if k in n._attrs}
    return record_grads(ConvolutionBackwardBackward0, grads, shapes, (g, x, weight), saved,
                        attrs)


ConvolutionBackward0 = node_class("ConvolutionBackward0", _conv_rule,
                                  arrays=True, double=_conv_double)


@functools.lru_cache(maxsize=256)
def _check(x_shape, w_shape, b_shape, padding, dilation, groups) -> None:
    """ATen's check_shape_forward, in its order."""
    channels = x_shape[1]
    if channels != w_shape[1] * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {list(w_shape)}, expected "
                           f"input{list(x_shape)} to have {w_shape[1] * groups} channels, but "
                           f"got {channels} channels instead")
    if b_shape is not None and (len(b_shape) != 1 or b_shape[0] != w_shape[0]):
        raise RuntimeError(f"Given weight of size {list(w_shape)}, expected bias to be "
                           f"1-dimensional with {w_shape[0]} elements, but got bias of size "
                           f"{list(b_shape)} instead")
    dims = range(len(padding))
    padded = [x_shape[2 + i] + 2 * padding[i] for i in dims]
    kernel = [dilation[i] * (w_shape[2 + i] - 1) + 1 for i in dims]
    if any(p < k for p, k in zip(padded, kernel)):
        raise RuntimeError(f"Calculated padded input size per channel: "
                           f"({' x '.join(map(str, padded))}). Kernel size: "
                           f"({' x '.join(map(str, kernel))}). Kernel size can't be greater "
                           "than actual input size")


def _same_padding(input, w_shape, dilation):
    """Symmetric padding for 'same'; an odd total pads the input's far side first."""
    padding, extra = [], []
    for i in range(len(dilation)):
        total = dilation[i] * (w_shape[2 + i] - 1)
        padding.append(total // 2)
        extra.append(total - 2 * (total // 2))
    if any(extra):
        _warn_same_even_once()
        pads = tuple(p for e in reversed(extra) for p in (0, e))
        input = constant_pad(input, pads)
    return input, tuple(padding)


def _warn_same_even_once() -> None:
    """PyTorch raises this warning once per process (TORCH_WARN_ONCE)."""
    warn_once(SAME_EVEN_WARNING, stacklevel=5)


_C_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half"}
_SCALAR_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half"}


def _check_bias_dtype(x: np.ndarray, b: np.ndarray) -> None:
    """at::conv2d's first check (numeric padding only: the 'same'/'valid' path has none, and
    adds a bias of another dtype cast to the input's)."""
    if b.dtype != x.dtype:
        raise RuntimeError(f"Input type ({_C_NAMES.get(x.dtype.name, x.dtype.name)}) and bias "
                           f"type ({_C_NAMES.get(b.dtype.name, b.dtype.name)}) should be the same")


def _check_weight_dtype(x: np.ndarray, w: np.ndarray, onednn: bool = False) -> None:
    """The kernel's check, after the shapes' (oneDNN's names both tensor types)."""
    if w.dtype == x.dtype:
        return
    if onednn:
        raise RuntimeError(f"Input type (torch.{_SCALAR_NAMES.get(x.dtype.name)}Tensor) and "
                           f"weight type (torch.{_SCALAR_NAMES.get(w.dtype.name)}Tensor) should "
                           "be the same or input should be a MKLDNN tensor and weight is a "
                           "dense tensor")
    raise RuntimeError(f"expected scalar type {_SCALAR_NAMES.get(x.dtype.name)} but found "
                       f"{_SCALAR_NAMES.get(w.dtype.name)}")


def uses_onednn(x, w, groups, stride, dilation, output_padding=()) -> bool:
    """Whether torch's CPU dispatch runs this convolution on oneDNN rather than its own
    kernel (ConvParams::use_mkldnn, on the 2-D view of a 1-D convolution): some checks and
    their texts differ, and for a transposed one oneDNN makes an empty output where the
    kernel raises."""
    if x.dtype != np.float32 or any(o >= s for o, s in zip(output_padding, stride)):
        return False
    planar_x = x.shape if x.ndim > 3 else x.shape[:2] + (1,) + x.shape[2:]
    planar_w = w.shape if w.ndim > 3 else w.shape[:2] + (1,) + w.shape[2:]
    worth_it = (any(s != 1 for s in stride) or any(d != 1 for d in dilation)
                or planar_x[0] >= 16 or planar_w[-1] != 1 or planar_w[-2] != 1
                or kernels("_threads").get_num_threads() > 1)
    return worth_it and (groups > 1 or (planar_w[-1] > 3 and planar_w[-2] > 3)
                         or planar_x[0] > 1 or int(np.prod(planar_x[:4])) > 20480)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _convolution(input, weight, bias, pair(stride), padding, pair(dilation), groups,
                        spatial=2)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """at::conv1d: the same ConvolutionBackward0 node with one-element geometry (stride=(2,)),
    computed by the 2-D kernels on arrays of height 1."""
    return _convolution(input, weight, bias, single(stride), padding, single(dilation), groups,
                        spatial=1)


def single(value) -> tuple:
    if isinstance(value, (int, np.integer)):
        return (int(value),)
    return tuple(int(v) for v in value)


def _convolution(input, weight, bias, stride, padding, dilation, groups, spatial: int):
    if bias is not None and not isinstance(padding, str):
        _check_bias_dtype(input._data, bias._data)
    if input._data.ndim not in (spatial + 1, spatial + 2):    # before 'same' warns: batchify
        raise RuntimeError(f"Expected {spatial + 1}D (unbatched) or {spatial + 2}D (batched) "
                           f"input to conv{spatial}d, but got input of size: "
                           f"{list(input._data.shape)}")
    if input._data.ndim == spatial + 1:
        out = _convolution(unsqueeze(input, 0), weight, bias, stride, padding, dilation, groups,
                           spatial)
        return squeeze(out, 0)
    shown_padding = None
    if isinstance(padding, str):
        if padding == "valid":
            padding = (0,) * spatial
            shown_padding = (0,)        # what ATen's 'valid' path passes on, and saves
        elif padding == "same":
            if stride != (1,) * spatial:
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            input, padding = _same_padding(input, weight._data.shape, dilation)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    padding = pair(padding) if spatial == 2 else spatial_tuple(padding, spatial)
    x, w = input._data, weight._data
    b = None if bias is None else bias._data
    _check(x.shape, w.shape, None if b is None else b.shape, padding, dilation, groups)
    check_not_partly_empty(x.shape)
    if w.dtype != x.dtype:
        _check_weight_dtype(x, w, uses_onednn(x, w, groups, stride, dilation))
    if b is not None and b.dtype != x.dtype:
        b = b.astype(x.dtype)
    if spatial == 3:
        return _record(input, weight, bias, b, general_forward(x, w, b, stride, padding,
                                                               dilation, groups),
                       stride, padding, dilation, groups, shown_padding=shown_padding)
    flat = spatial == 1
    geometry = ((1,) + stride, (0,) + padding, (1,) + dilation) if flat else \
        (stride, padding, dilation)
    keep_columns = weight._requires_grad and _gm.state.enabled and not _gm.state.inference
    out = K.conv2d_forward(_up(x, flat), _up(w, flat), b, *geometry, groups, keep_columns)
    if keep_columns:
        out, columns = out
    result = _record(input, weight, bias, b, _down(out, flat), stride, padding, dilation, groups,
                     shown_padding=shown_padding)
    if keep_columns and result._grad_fn is not None:
        # Not one of PyTorch's saved values: kept beside them, freed with them.
        result._grad_fn._scratch = columns
    return result


def check_not_partly_empty(x_shape: tuple) -> None:
    """ATen's backend choice: an input without elements goes to its Empty backend only when
    the batch or the channels are zero (a 1-D convolution's input shown as its 2-D view)."""
    if x_shape[0] and x_shape[1] and not int(np.prod(x_shape)):
        shown = x_shape[:2] + (1,) + x_shape[2:] if len(x_shape) == 3 else x_shape
        raise RuntimeError(f"Only zero batch or zero channel inputs are supported, but got input "
                           f"shape: {list(shown)}")


def _record(input, weight, bias, b, out, stride, padding, dilation, groups, transposed=False,
            output_padding=None, shown_padding=None):
    """The output with its ConvolutionBackward0; `shown_padding`, when given, is the padding
    PyTorch saves, and its output_padding too (padding='valid' saves (0,) for both; the rules
    read "_padding", the one per spatial dim)."""
    zeros = shown_padding or (0,) * len(stride)
    attrs = {"bias_sym_sizes_opt": (0,) if bias is None else b.shape, "stride": stride,
             "padding": shown_padding or padding, "dilation": dilation,
             "transposed": transposed, "output_padding": output_padding or zeros,
             "groups": groups}
    if shown_padding is not None:
        attrs["_padding"] = padding
    return record(ConvolutionBackward0, out, (input, weight, bias),
                  {"input": input, "weight": weight}, attrs)


def spatial_tuple(value, spatial: int) -> tuple:
    """An int or a sequence of ints as `spatial` ints (one int for every dim)."""
    values = single(value)
    return values * spatial if len(values) == 1 else values


def general_forward(x, w, b, stride, padding, dilation, groups):
    return kernels("conv_nd").forward(x, w, b, stride, padding, dilation, groups)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _convolution(input, weight, bias, spatial_tuple(stride, 3), padding,
                        spatial_tuple(dilation, 3), groups, spatial=3)
