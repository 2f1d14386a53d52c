"""The 1-D pools as ATen builds them: the input unsqueezed at -2 (UnsqueezeBackward0), the
2-D pool with a window of height 1 (MaxPool2DWithIndicesBackward0, AvgPool2DBackward0,
AdaptiveAvgPool2DBackward0 or MeanBackward1, AdaptiveMaxPool2DBackward0), the result
squeezed at -2 (SqueezeBackward1). Each checks its own arguments first, with ATen's texts."""
from __future__ import annotations

from engine.nn._ops.adaptive_max_pool import adaptive_max_pool2d, check_planes
from engine.nn._ops.pooling import K, _sizes, adaptive_avg_pool2d, avg_pool2d, max_pool2d
from engine.ops._core import needs_grad
from engine.ops.shape import squeeze, unsqueeze
from engine.tensor import Tensor, _announce

def _ints(value) -> tuple:
    if value is None:
        return ()
    if isinstance(value, int):
        return (value,)
    return tuple(int(v) for v in value)


def _one(name: str, argument: str, value) -> int:
    """ATen's check1d: a list argument of exactly one int."""
    values = _ints(value)
    if len(values) != 1:
        raise RuntimeError(f"{name}() argument '{argument}' should contain one int "
                           f"(got {len(values)})")
    return values[0]


def _check_dims(input, name: str) -> None:
    ndim = input._data.ndim
    if ndim not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {ndim}-dimensional tensor for "
                           f"argument #1 'self' (while checking arguments for {name})")


def _squeezed(result):
    if isinstance(result, tuple):
        return tuple(squeeze(r, -2) for r in result)
    return squeeze(result, -2)


# ---------------------------------------------------------------- max pool

def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=True):
    _check_dims(input, "max_pool1d")
    kernel = _one("max_pool1d", "kernel_size", kernel_size)
    step = kernel if not _ints(stride) else _one("max_pool1d", "stride", stride)
    pad = _one("max_pool1d", "padding", padding)
    dil = _one("max_pool1d", "dilation", dilation)
    return _squeezed(max_pool2d(unsqueeze(input, -2), (1, kernel), (1, step), (0, pad),
                                (1, dil), ceil_mode, return_indices=True))


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    if return_indices:
        return max_pool1d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    _check_max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode)
    out, _ = max_pool1d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    if needs_grad(input):
        return out
    # Without grad ATen pools into a new tensor, not a view of a 2-D result (an in-place
    # write to it then leaves no AsStridedBackward0: nn seed 1127010).
    fresh = Tensor._make(out._data)
    if out._inference:
        fresh._inference = True
    return _announce(fresh)


def _check_max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode) -> None:
    """ATen's max_pool1d runs its own checks before it takes the 2-D path."""
    shape = input._data.shape
    if not ((len(shape) == 2 and shape[0] and shape[1]) or (len(shape) == 3 and shape[1]
                                                            and shape[2])):
        raise RuntimeError("max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 "
                           f"dim batch size for input, but got:{_sizes(shape)}")
    kernel, strides, pads, dilations = (_ints(v) for v in (kernel_size, stride, padding,
                                                           dilation))
    for argument, values, allowed in (("kernel_size", kernel, "an int, list of ints or"),
                                      ("stride", strides, "None, an int, list of ints, or"),
                                      ("padding", pads, "an int, list of ints, or"),
                                      ("dilation", dilations, "an int, list of ints or")):
        if len(values) != 1 and not (argument == "stride" and not values):
            raise RuntimeError(f"max_pool1d() {argument} must be {allowed} tuple of ints of "
                               f"size 1 but got size {len(values)}")
    strides = strides or kernel
    for argument, value in (("kernel_size", kernel[0]), ("stride", strides[0])):
        if value <= 0:
            raise RuntimeError(f"max_pool1d() {argument} must be greater than zero, but got "
                               f"{value}")
    if pads[0] < 0:
        raise RuntimeError(f"max_pool1d() padding must be non-negative, but got {pads[0]}")
    if pads[0] > kernel[0] // 2:
        raise RuntimeError(f"max_pool1d() padding should be at most half of kernel size, but "
                           f"got padding={pads[0]} and kernel_size={kernel[0]}")
    if dilations[0] <= 0:
        raise RuntimeError(f"max_pool1d() dilation must be greater than zero, but got "
                           f"{dilations[0]}")
    width = K.pool_output_size(shape[-1], kernel[0], strides[0], pads[0], dilations[0],
                                 bool(ceil_mode))
    if width <= 0:
        raise RuntimeError(f"max_pool1d() Invalid computed output size: {width}")
    if input._data.dtype.kind != "f":
        raise NotImplementedError(f"\"max_pool1d_impl\" not implemented for "
                                  f"'{input.dtype.tensor_type[:-6]}'")


# ---------------------------------------------------------------- average pools

def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    _check_dims(input, "avg_pool1d")
    kernel = _one("avg_pool1d", "kernel_size", kernel_size)
    step = kernel if not _ints(stride) else _one("avg_pool1d", "stride", stride)
    pad = _one("avg_pool1d", "padding", padding)
    return _squeezed(avg_pool2d(unsqueeze(input, -2), (1, kernel), (1, step), (0, pad),
                                ceil_mode, count_include_pad))


def adaptive_avg_pool1d(input, output_size):
    _check_dims(input, "adaptive_avg_pool1d")
    size = _one("adaptive_avg_pool1d", "output_size", output_size)
    return _squeezed(adaptive_avg_pool2d(unsqueeze(input, -2), (1, size)))


# ---------------------------------------------------------------- adaptive max pool

def adaptive_max_pool1d_with_indices(input, output_size, return_indices=True):
    _check_dims(input, "adaptive_max_pool1d")
    size = _one("adaptive_max_pool1d", "output_size", output_size)
    check_planes(input._data.shape, "adaptive_max_pool1d")
    return _squeezed(adaptive_max_pool2d(unsqueeze(input, -2), (1, size),
                                         return_indices=True))


def adaptive_max_pool1d(input, output_size, return_indices=False):
    out, indices = adaptive_max_pool1d_with_indices(input, output_size)
    return (out, indices) if return_indices else out
