"""adaptive_max_pool2d: one AdaptiveMaxPool2DBackward0 node saving self and the indices
(result1), its backward max-pool's scatter of the gradient at the indices."""
from __future__ import annotations

from engine.autograd.node import node_class
from engine.nn._ops._util import array, kernels, linear_double_node, unpack_saved
from engine.nn._ops.pooling import (_batched, _batched_shape, _gather_at_indices, _sizes,
                                    _unbatched_like)
from engine.ops._double import record_grads
from engine.ops._core import record
from engine.tensor import Tensor

K = kernels("pooling")
K_ADAPTIVE = kernels("adaptive_max_pool")


def _adaptive_max_rule(n, g):
    unpack_saved(n)
    shape = n._in_shapes[0]
    indices = array(n.saved("result1"))
    grad = K.max_pool2d_backward(_batched(array(g)), _batched(indices), _batched_shape(shape))
    return (grad.reshape(shape),)


AdaptiveMaxPool2DBackwardBackward0 = linear_double_node("AdaptiveMaxPool2DBackwardBackward0",
                                                        _gather_at_indices)


def _adaptive_max_double(n, g):
    x = n.saved("self")
    return record_grads(AdaptiveMaxPool2DBackwardBackward0, _adaptive_max_rule(n, g),
                        (x.shape,), (g, x), {"indices": n.saved("result1")})


AdaptiveMaxPool2DBackward0 = node_class("AdaptiveMaxPool2DBackward0", _adaptive_max_rule,
                                        arrays=True, double=_adaptive_max_double)


def output_sizes(output_size, x_shape, spatial: int) -> tuple:
    """output_size as ints: an int for every axis, None keeping that input size."""
    if isinstance(output_size, int):
        return (output_size,) * spatial
    sizes = tuple(output_size)
    if len(sizes) != spatial:
        raise RuntimeError(f"adaptive_max_pool{spatial}d(): internal error: "
                           f"output_size.size() must be {spatial}")
    return tuple(x_shape[len(x_shape) - spatial + i] if s is None else int(s)
                 for i, s in enumerate(sizes))


def check_planes(x_shape, name: str) -> None:
    """Only a batch dimension may be empty."""
    for dim in range(1, len(x_shape)):
        if x_shape[dim] == 0:
            raise RuntimeError(f"{name}(): Expected input to have non-zero size for non-batch "
                               f"dimensions, but input has sizes {_sizes(x_shape)} with "
                               f"dimension {dim} being empty")


def _check_dtype(input, name: str) -> None:
    if input._data.dtype.kind != "f":
        raise NotImplementedError(f"\"{name}\" not implemented for "
                                  f"'{input.dtype.tensor_type[:-6]}'")


def adaptive_max_pool2d(input, output_size, return_indices=False):
    x = input._data
    if not isinstance(output_size, int) and x.ndim <= len(output_size):
        # torch.nn.functional's _list_with_default
        raise ValueError(f"Input dimension should be at least {len(output_size) + 1}")
    if x.ndim not in (3, 4):
        raise RuntimeError(f"adaptive_max_pool2d(): Expected 3D or 4D tensor, but got: "
                           f"{_sizes(x.shape)}")
    sizes = output_sizes(output_size, x.shape, 2)
    check_planes(x.shape, "adaptive_max_pool2d")
    if min(sizes) < 0:
        shape = list(x.shape[:-2]) + list(sizes)
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(sizes)}: "
                           f"{_sizes(shape)}")
    _check_dtype(input, "adaptive_max_pool2d")
    out, indices = K_ADAPTIVE.adaptive_max_pool2d_forward(_batched(x), sizes)
    indices = Tensor._make(_unbatched_like(indices, x))
    result = record(AdaptiveMaxPool2DBackward0, _unbatched_like(out, x), (input,),
                    {"self": input, "result1": indices})
    return (result, indices) if return_indices else result


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=True):
    return adaptive_max_pool2d(input, output_size, return_indices=True)
