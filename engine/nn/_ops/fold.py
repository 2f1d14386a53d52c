"""F.unfold (im2col: Im2ColBackward0) and F.fold (col2im: Col2ImBackward0), each the
other's gradient, with ATen's shape checks and texts."""
from __future__ import annotations

import numpy as np

from engine.autograd.node import node_class
from engine.nn._ops._util import pair
from engine.ops._core import record, wrap_dim
from engine.tensor import Tensor


def _blocks(size: tuple, kernel, dilation, padding, stride) -> tuple:
    return tuple((size[d] + 2 * padding[d] - dilation[d] * (kernel[d] - 1) - 1) // stride[d] + 1
                 for d in range(2))


def _check_positive(kernel, dilation, padding, stride) -> None:
    for what, (a, b), unit in (("kernel size", kernel, "kernel"), ("stride", stride, "stride"),
                               ("dilation", dilation, "dilation")):
        if a <= 0 or b <= 0:
            raise RuntimeError(f"{what} should be greater than zero, but got {unit}_height: {a} "
                               f"{unit}_width: {b}")
    if padding[0] < 0 or padding[1] < 0:
        raise RuntimeError(f"padding should be non-negative, but got pad_height: {padding[0]} "
                           f"pad_width: {padding[1]}")


def _windows(kernel, dilation, stride, blocks):
    """(kernel row, kernel col, row slice, col slice) of each kernel position."""
    for i in range(kernel[0]):
        for j in range(kernel[1]):
            yield i, j, slice(i * dilation[0], i * dilation[0] + stride[0] * (blocks[0] - 1) + 1,
                              stride[0]), \
                slice(j * dilation[1], j * dilation[1] + stride[1] * (blocks[1] - 1) + 1,
                      stride[1])


def _im2col(x: np.ndarray, kernel, dilation, padding, stride) -> np.ndarray:
    n, c = x.shape[:2]
    blocks = _blocks(x.shape[2:], kernel, dilation, padding, stride)
    padded = np.pad(x, ((0, 0), (0, 0), (padding[0],) * 2, (padding[1],) * 2))
    cols = np.empty((n, c, kernel[0], kernel[1]) + blocks, dtype=x.dtype)
    for i, j, rows, columns in _windows(kernel, dilation, stride, blocks):
        cols[:, :, i, j] = padded[:, :, rows, columns]
    return cols.reshape(n, c * kernel[0] * kernel[1], blocks[0] * blocks[1])


def _col2im(cols: np.ndarray, size: tuple, kernel, dilation, padding, stride) -> np.ndarray:
    n = cols.shape[0]
    c = cols.shape[1] // (kernel[0] * kernel[1])
    blocks = _blocks(size, kernel, dilation, padding, stride)
    grid = cols.reshape((n, c, kernel[0], kernel[1]) + blocks)
    out = np.zeros((n, c, size[0] + 2 * padding[0], size[1] + 2 * padding[1]), cols.dtype)
    for i, j, rows, columns in _windows(kernel, dilation, stride, blocks):
        out[:, :, rows, columns] += grid[:, :, i, j]
    return out[:, :, padding[0]:padding[0] + size[0], padding[1]:padding[1] + size[1]]


def _settings(n) -> tuple:
    a = n._attrs
    return a["kernel_size"], a["dilation"], a["padding"], a["stride"]


def _im2col_rule(n, g):
    size = (n._attrs["self_sym_argsize_minus_2"], n._attrs["self_sym_argsize_minus_1"])
    if isinstance(g, Tensor):
        return (fold(g, size, *_settings(n)),)
    batched = g if g.ndim == 3 else g[None]
    out = _col2im(batched, size, *_settings(n))
    return (out if g.ndim == 3 else out[0],)


def _col2im_rule(n, g):
    if isinstance(g, Tensor):
        return (unfold(g, *_settings(n)),)
    batched = g if g.ndim == 4 else g[None]
    out = _im2col(batched, *_settings(n))
    return (out if g.ndim == 4 else out[0],)


Im2ColBackward0 = node_class("Im2ColBackward0", _im2col_rule)
Col2ImBackward0 = node_class("Col2ImBackward0", _col2im_rule)


def _check_im2col_dims(shape: tuple) -> None:
    """ATen's im2col_shape_check, reading sizes 1 and 2 first (an IndexError below 3-D)."""
    def size(dim):
        return shape[wrap_dim(dim, len(shape))]
    valid_dims = size(1) != 0 and size(2) != 0
    if not ((len(shape) == 3 and shape[0] and valid_dims) or
            (len(shape) == 4 and valid_dims and shape[3])):
        raise RuntimeError("Expected 3D or 4D (batch mode) tensor with possibly 0 batch size "
                           "and other non-zero dimensions for input, but got: "
                           f"{list(shape)}")


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    kernel, dilation, padding, stride = (pair(v) for v in (kernel_size, dilation, padding,
                                                           stride))
    x = input._data
    _check_positive(kernel, dilation, padding, stride)
    _check_im2col_dims(x.shape)
    batched = x if x.ndim == 4 else x[None]
    blocks = _blocks(batched.shape[2:], kernel, dilation, padding, stride)
    if blocks[0] < 1 or blocks[1] < 1:
        raise RuntimeError(f"Given input with spatial size {tuple(batched.shape[2:])}, "
                           f"kernel_size={kernel}, dilation={dilation}, padding={padding}, "
                           f"calculated shape of the array of sliding blocks as {blocks}, but "
                           f"its components must be at least one.")
    out = _im2col(batched, kernel, dilation, padding, stride)
    attrs = {"dilation": dilation, "kernel_size": kernel, "padding": padding,
             "self_sym_argsize_minus_1": x.shape[-1], "self_sym_argsize_minus_2": x.shape[-2],
             "stride": stride}
    return record(Im2ColBackward0, out if x.ndim == 4 else out[0], (input,), attrs=attrs)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    size, kernel, dilation, padding, stride = (pair(v) for v in (
        output_size, kernel_size, dilation, padding, stride))
    x = input._data
    _check_positive(kernel, dilation, padding, stride)
    shape = x.shape
    if not ((len(shape) == 2 and shape[0] and shape[1]) or
            (len(shape) == 3 and shape[1] and shape[2])):
        raise RuntimeError("Expected 2D or 3D (batch mode) tensor for input with possibly 0 "
                           "batch size and non-zero dimensions for input, but got: "
                           f"{list(shape)}")
    batched = x if x.ndim == 3 else x[None]
    count = kernel[0] * kernel[1]
    if batched.shape[1] % count:
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product "
                           f"of kernel_size, but got input.size(1)={batched.shape[1]} and "
                           f"kernel_size={kernel}.")
    blocks = _blocks(size, kernel, dilation, padding, stride)
    if batched.shape[2] != blocks[0] * blocks[1]:
        raise RuntimeError(f"Given output_size={size}, kernel_size={kernel}, dilation="
                           f"{dilation}, padding={padding}, stride={stride}, expected size of "
                           f"input's dimension 2 to match the calculated number of sliding "
                           f"blocks {blocks[0]} * {blocks[1]} = {blocks[0] * blocks[1]}, but got "
                           f"input.size(2)={batched.shape[2]}.")
    out = _col2im(batched, size, kernel, dilation, padding, stride)
    attrs = {"dilation": dilation, "kernel_size": kernel, "padding": padding, "stride": stride}
    return record(Col2ImBackward0, np.ascontiguousarray(out if x.ndim == 3 else out[0]),
                  (input,), attrs=attrs)
