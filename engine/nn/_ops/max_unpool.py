"""max_unpool1d / max_unpool2d: each input value written into a zero plane at its index
(MaxUnpool2DBackward0, saving the indices); the 1-D form is ATen's 2-D one on inputs
unsqueezed at -1. The backward reads the gradient at the indices, as ATen's
max_pool_double_backward does: views and a gather, so create_graph records those nodes."""
from __future__ import annotations

import numpy as np

from engine.autograd.node import node_class
from engine.nn._ops._util import array, pair
from engine.nn._ops.pooling import _sizes
from engine.ops._core import record
from engine.ops.gather import gather
from engine.ops.shape import squeeze, unsqueeze, view
from engine.tensor import Tensor


def _gather_at_indices(g, indices):
    """g[..., H, W] read at each index of indices[..., h, w] (flat into H * W). The flat
    sizes are spelled out: -1 cannot be inferred for an empty batch."""
    lead = tuple(indices.shape[:-2])
    g_flat = lead + (int(np.prod(g.shape[-2:])),)
    index_flat = lead + (int(np.prod(indices.shape[-2:])),)
    if isinstance(g, Tensor):
        index = Tensor._make(np.ascontiguousarray(indices).reshape(index_flat))
        return view(gather(view(g, *g_flat), -1, index), *indices.shape)
    found = np.take_along_axis(np.ascontiguousarray(g).reshape(g_flat),
                               indices.reshape(index_flat), axis=-1)
    return found.reshape(indices.shape)


def _unpool_rule(n, g):
    return (_gather_at_indices(g, array(n.saved("indices"))),)


MaxUnpool2DBackward0 = node_class("MaxUnpool2DBackward0", _unpool_rule, arrays=False)


def _output_size(input, kernel, stride, padding, output_size) -> list:
    """torch.nn.functional's _unpool_output_size."""
    spatial = len(kernel)
    shape = input._data.shape
    default = [(shape[len(shape) - spatial + d] - 1) * stride[d] + kernel[d] - 2 * padding[d]
               for d in range(spatial)]
    if output_size is None:
        return default
    sizes = list(output_size)
    if len(sizes) == spatial + 2:
        sizes = sizes[2:]
    if len(sizes) != spatial:
        raise ValueError(f"output_size should be a sequence containing {spatial} or "
                         f"{spatial + 2} elements, but it has a length of '{len(sizes)}'")
    for d in range(spatial):
        low, high = default[d] - stride[d], default[d] + stride[d]
        if not low < sizes[d] < high:
            raise ValueError(f'invalid output_size "{output_size}" (dim {d} must be between '
                             f"{low} and {high})")
    return sizes


def _check(input, indices) -> None:
    """ATen's max_unpooling2d checks, in its order."""
    if indices._data.dtype != np.int64:
        raise RuntimeError(f"elements in indices should be type int64 but got: "
                           f"{indices.dtype.tensor_type[:-6]}")
    x_shape, index_shape = input._data.shape, indices._data.shape
    if x_shape != index_shape:
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({_sizes(x_shape)}) but got indices tensor with shape: "
                           f"{_sizes(index_shape)}")
    if len(x_shape) not in (3, 4):
        raise RuntimeError(f"Input to max_unpooling2d should be a 3d or 4d Tensor, but got a "
                           f"tensor with {len(x_shape)} dimensions.")
    for dim in range(1, len(x_shape)):
        if x_shape[dim] == 0:
            raise RuntimeError(f"max_unpooling2d_forward_out_cpu(): Expected input to have "
                               f"non-zero size for non-batch dimensions, but got "
                               f"{_sizes(x_shape)} with dimension {dim} being empty.")


def _unpooled(x, indices, height, width):
    planes = int(np.prod(x.shape[:-2]))
    out = np.zeros((planes, height * width), x.dtype)
    flat_indices = indices.reshape(planes, int(np.prod(indices.shape[-2:])))   # no -1: empty
    bad = (flat_indices < 0) | (flat_indices >= height * width)
    if bad.any():
        raise RuntimeError(f"Found an invalid max index: {flat_indices[bad][0]} (output "
                           f"volumes are of size {height}x{width})")
    rows = np.repeat(np.arange(planes), flat_indices.shape[1])
    out[rows, flat_indices.reshape(-1)] = x.reshape(-1)      # a repeated index: the last wins
    return out.reshape(x.shape[:-2] + (height, width))


def _max_unpool2d_sized(input, indices, size):
    _check(input, indices)
    out = _unpooled(input._data, indices._data, *size)
    return record(MaxUnpool2DBackward0, out, (input,), {"indices": indices})


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    kernel = pair(kernel_size)
    strides = pair(stride) if stride is not None else kernel
    size = _output_size(input, kernel, strides, pair(padding), output_size)
    return _max_unpool2d_sized(input, indices, tuple(size))


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    kernel = (kernel_size,) if isinstance(kernel_size, int) else tuple(kernel_size)
    strides = kernel if stride is None else (
        (stride,) if isinstance(stride, int) else tuple(stride))
    pads = (padding,) if isinstance(padding, int) else tuple(padding)
    size = _output_size(input, kernel, strides, pads, output_size)
    out = _max_unpool2d_sized(unsqueeze(input, -1), unsqueeze(indices, -1), (size[0], 1))
    return squeeze(out, -1)
