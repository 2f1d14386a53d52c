"""adaptive_max_pool3d (AdaptiveMaxPool3DBackward0 saving self and the indices),
max_unpool3d (MaxUnpool3DBackward0 saving the indices; its backward a gather at them, views
and a gather under create_graph, as ATen's max_pool_double_backward) and the lp_pool1d/2d/3d
compositions of torch.nn.functional."""
from __future__ import annotations

import numpy as np

from engine.autograd.node import node_class
from engine.nn._ops._util import array, kernels, linear_double_node, unpack_saved
from engine.nn._ops.adaptive_max_pool import check_planes, output_sizes
from engine.nn._ops.max_unpool import _output_size
from engine.nn._ops.pooling import _sizes
from engine.nn._ops.pooling3d import _batched, _batched_shape, _triple, _unbatched_like
from engine.ops._core import record
from engine.ops._double import record_grads
from engine.ops.gather import gather
from engine.ops.shape import view
from engine.tensor import Tensor

K3 = kernels("pooling3d")
K_ADAPTIVE3 = kernels("adaptive_max_pool3d")


# ---------------------------------------------------------------- adaptive_max_pool3d

def _gather_at_indices(g, indices):
    """g[..., D, H, W] read at each flat index of indices[..., d, h, w]."""
    flat_shape = tuple(indices.shape[:-3]) + (-1,)
    if isinstance(g, Tensor):
        index = Tensor._make(np.ascontiguousarray(indices).reshape(flat_shape))
        return view(gather(view(g, *flat_shape), -1, index), *indices.shape)
    found = np.take_along_axis(np.ascontiguousarray(g).reshape(flat_shape),
                               indices.reshape(flat_shape), axis=-1)
    return found.reshape(indices.shape)


def _adaptive_max_rule(n, g):
    unpack_saved(n)
    shape = n._in_shapes[0]
    indices = array(n.saved("result1"))
    grad = K3.max_pool3d_backward(_batched(array(g)), _batched(indices), _batched_shape(shape))
    return (grad.reshape(shape),)


AdaptiveMaxPool3DBackwardBackward0 = linear_double_node(
    "AdaptiveMaxPool3DBackwardBackward0",
    lambda n, gg: _gather_at_indices(gg, array(n.saved("indices"))))


def _adaptive_max_double(n, g):
    x = n.saved("self")
    return record_grads(AdaptiveMaxPool3DBackwardBackward0, _adaptive_max_rule(n, g),
                        (x.shape,), (g, x), {"indices": n.saved("result1")})


AdaptiveMaxPool3DBackward0 = node_class("AdaptiveMaxPool3DBackward0", _adaptive_max_rule,
                                        arrays=True, double=_adaptive_max_double)


def adaptive_max_pool3d(input, output_size, return_indices=False):
    x = input._data
    if not isinstance(output_size, int) and x.ndim <= len(output_size):
        raise ValueError(f"Input dimension should be at least {len(output_size) + 1}")
    if x.ndim not in (4, 5):
        raise RuntimeError(f"adaptive_max_pool3d(): Expected 4D or 5D tensor, but got: "
                           f"{_sizes(x.shape)}")
    sizes = output_sizes(output_size, x.shape, 3)
    check_planes(x.shape, "adaptive_max_pool3d")
    if min(sizes) < 0:
        shape = list(x.shape[:-3]) + list(sizes)
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(sizes)}: "
                           f"{_sizes(shape)}")
    if x.dtype.kind != "f":
        raise NotImplementedError(f"\"adaptive_max_pool3d_cpu\" not implemented for "
                                  f"'{input.dtype.tensor_type[:-6]}'")
    out, indices = K_ADAPTIVE3.adaptive_max_pool3d_forward(_batched(x), sizes)
    indices = Tensor._make(_unbatched_like(indices, x))
    result = record(AdaptiveMaxPool3DBackward0, _unbatched_like(out, x), (input,),
                    {"self": input, "result1": indices})
    return (result, indices) if return_indices else result


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=True):
    return adaptive_max_pool3d(input, output_size, return_indices=True)


# ---------------------------------------------------------------- max_unpool3d

def _unpool_rule(n, g):
    return (_gather_at_indices(g, array(n.saved("indices"))),)


MaxUnpool3DBackward0 = node_class("MaxUnpool3DBackward0", _unpool_rule)


def _check_unpool(input, indices, stride) -> None:
    """ATen's max_unpooling3d checks, in its order."""
    if indices._data.dtype != np.int64:
        raise RuntimeError("elements in indices should be type int64")
    x_shape, index_shape = input._data.shape, indices._data.shape
    if len(x_shape) not in (4, 5):
        raise RuntimeError(f"Input to max_unpooling3d should be a 4d or 5d Tensor, but got a "
                           f"tensor with {len(x_shape)} dimensions.")
    if x_shape != index_shape:
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({_sizes(x_shape)}) but got indices tensor with shape: "
                           f"{_sizes(index_shape)}")
    for dim in range(1, len(x_shape)):
        if x_shape[dim] == 0:
            raise RuntimeError(f"max_unpooling3d_forward_out_cpu(): Expected input to have "
                               f"non-zero size for non-batch dimensions, but got "
                               f"{_sizes(x_shape)} with dimension {dim} being empty.")
    if min(stride) <= 0:
        raise RuntimeError(f"strides should be greater than zero, but got stride: "
                           f"{_sizes(stride)}")


def _unpooled(x, indices, size):
    volume = int(np.prod(size))
    planes = int(np.prod(x.shape[:-3]))
    out = np.zeros((planes, volume), x.dtype)
    flat_indices = indices.reshape(planes, -1)
    bad = (flat_indices < 0) | (flat_indices >= volume)
    if bad.any():
        raise RuntimeError(f"Found an invalid max index: {flat_indices[bad][-1]} (output "
                           f"volumes are of size {size[0]}x{size[1]}x{size[2]})")
    rows = np.repeat(np.arange(planes), flat_indices.shape[1])
    out[rows, flat_indices.reshape(-1)] = x.reshape(-1)
    return out.reshape(x.shape[:-3] + tuple(size))


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    kernel = _triple(kernel_size)
    strides = _triple(stride) if stride is not None else kernel
    size = _output_size(input, kernel, strides, _triple(padding), output_size)
    _check_unpool(input, indices, strides)
    out = _unpooled(input._data, indices._data, size)
    return record(MaxUnpool3DBackward0, out, (input,), {"indices": indices})


# ---------------------------------------------------------------- lp_pool

def _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, spatial: int):
    import engine
    from engine.nn import functional as F
    max_pool = (F.max_pool1d, F.max_pool2d, F.max_pool3d)[spatial - 1]
    avg_pool = (F.avg_pool1d, F.avg_pool2d, F.avg_pool3d)[spatial - 1]
    if isinstance(norm_type, (int, float)):
        if norm_type == float("inf"):
            return max_pool(input.abs(), kernel_size, stride, 0, 1, ceil_mode)
        if norm_type == -float("inf"):
            return -max_pool(-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    if stride is not None:
        out = avg_pool(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    else:
        out = avg_pool(input.pow(norm_type), kernel_size, padding=0, ceil_mode=ceil_mode)
    window = kernel_size if spatial == 1 else int(np.prod(
        (kernel_size,) * spatial if isinstance(kernel_size, int) else kernel_size))
    return (engine.sign(out) * F.relu(engine.abs(out))).mul(window).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 1)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 2)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 3)
