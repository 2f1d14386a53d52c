"""conv2d: one ConvolutionBackward0 node, im2col + BLAS kernels (engine.kernels.conv)."""
from __future__ import annotations

import functools

import numpy as np

from engine.autograd import grad_mode as _gm
from engine._cpp_warning import cpp_warning, warn_once
from engine.autograd.node import node_class
from engine.nn._ops._util import array, kernels, pair
from engine.nn._ops.padding import constant_pad
from engine.ops._double import record_grads
from engine.ops._core import record
from engine.ops.shape import squeeze, unsqueeze

K = kernels("conv")

SAME_EVEN_WARNING = cpp_warning(
    "Using padding='same' with even kernel lengths and odd dilation may require a zero-padded "
    "copy of the input be created", "aten/src/ATen/native/Convolution.cpp:1101")


def _conv_rule(n, g):
    g = array(g)
    geometry = _geometry(n)
    grad_input = grad_weight = grad_bias = None
    # n.saved("input") checks its version even when the forward's columns of it are kept.
    if n.needs(0) and n.needs(1):
        x, weight = array(n.saved("input")), array(n.saved("weight"))
        grad_input, grad_weight = K.conv2d_backward(g, x, weight, *geometry, n._scratch)
    elif n.needs(0):
        weight = array(n.saved("weight"))
        grad_input = K.conv2d_grad_input(g, weight, n._in_shapes[0], *geometry)
    elif n.needs(1):
        x = array(n.saved("input"))
        grad_weight = K.conv2d_grad_weight(g, x, n._in_shapes[1], *geometry, n._scratch)
    if n.needs(2):
        grad_bias = K.conv2d_grad_bias(g)
    return grad_input, grad_weight, grad_bias


def _geometry(n) -> tuple:
    a = n._attrs
    return a["stride"], a["padding"], a["dilation"], a["groups"]


def _conv_double_rule(n, gg_input, gg_weight, gg_bias):
    """Differentiates (grad_input, grad_weight, grad_bias) = convolution_backward(grad_output,
    input, weight): each is linear in grad_output and in one of input / weight."""
    geometry = _geometry(n)
    gg_input, gg_weight, gg_bias = array(gg_input), array(gg_weight), array(gg_bias)
    grad_out = array(n.saved("grad_output"))
    x, weight = array(n.saved("input")), array(n.saved("weight"))
    grad_grad_out = grad_x = grad_weight = None
    if n.needs(0):
        grad_grad_out = K.conv2d_forward(gg_input, weight, gg_bias, *geometry)
        grad_grad_out += K.conv2d_forward(x, gg_weight, None, *geometry)
    if n.needs(1):
        grad_x = K.conv2d_grad_input(grad_out, gg_weight, x.shape, *geometry)
    if n.needs(2):
        grad_weight = K.conv2d_grad_weight(grad_out, gg_input, weight.shape, *geometry)
    return grad_grad_out, grad_x, grad_weight


ConvolutionBackwardBackward0 = node_class("ConvolutionBackwardBackward0", _conv_double_rule,
                                          arrays=True)


def _conv_double(n, g):
    x, weight = n.saved("input"), n.saved("weight")
    grads = _conv_rule(n, g)
    shapes = (x.shape, weight.shape, (weight.shape[0],))
    saved = {"grad_output": g, "input": x, "weight": weight}
    attrs = {k: n._attrs[k] for k in ("stride", "padding", "dilation", "transposed",
                                      "output_padding", "groups")}
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
    padded = [x_shape[2 + i] + 2 * padding[i] for i in range(2)]
    kernel = [dilation[i] * (w_shape[2 + i] - 1) + 1 for i in range(2)]
    if padded[0] < kernel[0] or padded[1] < kernel[1]:
        raise RuntimeError(f"Calculated padded input size per channel: ({padded[0]} x "
                           f"{padded[1]}). Kernel size: ({kernel[0]} x {kernel[1]}). Kernel size "
                           "can't be greater than actual input size")


def _same_padding(input, w_shape, dilation):
    """Symmetric padding for 'same'; an odd total pads the input's far side first."""
    padding, extra = [], []
    for i in range(2):
        total = dilation[i] * (w_shape[2 + i] - 1)
        padding.append(total // 2)
        extra.append(total - 2 * (total // 2))
    if any(extra):
        _warn_same_even_once()
        input = constant_pad(input, (0, extra[1], 0, extra[0]))
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


def _check_weight_dtype(x: np.ndarray, w: np.ndarray) -> None:
    """The kernel's check, after the shapes'."""
    if w.dtype != x.dtype:
        raise RuntimeError(f"expected scalar type {_SCALAR_NAMES.get(x.dtype.name)} but found "
                           f"{_SCALAR_NAMES.get(w.dtype.name)}")


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    stride, dilation = pair(stride), pair(dilation)
    if bias is not None and not isinstance(padding, str):
        _check_bias_dtype(input._data, bias._data)
    if input._data.ndim not in (3, 4):      # before 'same' warns: torch's batchify
        raise RuntimeError("Expected 3D (unbatched) or 4D (batched) input to conv2d, but got "
                           f"input of size: {list(input._data.shape)}")
    if input._data.ndim == 3:
        out = conv2d(unsqueeze(input, 0), weight, bias, stride, padding, dilation, groups)
        return squeeze(out, 0)
    if isinstance(padding, str):
        if padding == "valid":
            padding = (0, 0)
        elif padding == "same":
            if stride != (1, 1):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            input, padding = _same_padding(input, weight._data.shape, dilation)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    padding = pair(padding)
    x, w = input._data, weight._data
    b = None if bias is None else bias._data
    _check(x.shape, w.shape, None if b is None else b.shape, padding, dilation, groups)
    _check_weight_dtype(x, w)
    if b is not None and b.dtype != x.dtype:
        b = b.astype(x.dtype)
    keep_columns = weight._requires_grad and _gm.state.enabled and not _gm.state.inference
    out = K.conv2d_forward(x, w, b, stride, padding, dilation, groups, keep_columns)
    if keep_columns:
        out, columns = out
    result = record(ConvolutionBackward0, out, (input, weight, bias),
                    {"input": input, "weight": weight},
                    {"bias_sym_sizes_opt": (0,) if bias is None else b.shape, "stride": stride,
                     "padding": padding, "dilation": dilation, "transposed": False,
                     "output_padding": (0, 0), "groups": groups})
    if keep_columns and result._grad_fn is not None:
        # Not one of PyTorch's saved values: kept beside them, freed with them.
        result._grad_fn._scratch = columns
    return result
