"""F.rms_norm as ATen composes it (layer_norm.cpp): the input times rsqrt of the mean of its
squares over the normalized dims (kept) plus eps, added in place, then times the weight. The
graph is torch's node for node (MulBackward0, MulBackward0, RsqrtBackward0, AddBackward1,
MeanBackward1, PowBackward0); ``eps=None`` is the dtype's machine epsilon. torch's fused CPU
kernel (inference, matching dtypes) gives the composite's values; the mean's float32 sum
may differ from ATen's in the last bit on long rows (its vectorised order)."""
from __future__ import annotations

import numpy as np

from engine.ops.elementwise import add_scalar


def rms_norm(input, normalized_shape, weight=None, eps: float | None = None):
    normalized_shape = _shape_argument(normalized_shape)
    _check_shape(input, normalized_shape, weight)
    ndim = input._data.ndim
    dims = tuple(range(ndim - len(normalized_shape), ndim))
    if eps is None:
        eps = float(np.finfo(input._data.dtype).eps)
    # ATen adds eps in place with add_.Scalar (AddBackward1) to a tensor nothing else holds:
    # out of place here, the same node and values.
    scale = add_scalar(input.pow(2).mean(dims, keepdim=True), eps).rsqrt()
    result = input.mul(scale)
    return result if weight is None else result.mul(weight)


def _shape_argument(normalized_shape) -> tuple:
    if not isinstance(normalized_shape, (tuple, list)) or \
            not all(isinstance(s, int) and not isinstance(s, bool) for s in normalized_shape):
        raise TypeError(f"rms_norm(): argument 'normalized_shape' (position 2) must be tuple "
                        f"of ints, not {type(normalized_shape).__name__}")
    return tuple(normalized_shape)


def _check_shape(input, normalized_shape: tuple, weight) -> None:
    shape = tuple(input._data.shape)
    if weight is not None and tuple(weight._data.shape) != normalized_shape:
        raise RuntimeError(f"Expected weight to be of same shape as normalized_shape, but got "
                           f"weight of shape {list(weight._data.shape)} and normalized_shape = "
                           f"{list(normalized_shape)}")
    if len(shape) < len(normalized_shape) or shape[len(shape) - len(normalized_shape):] != \
            normalized_shape:
        raise RuntimeError(f"Given normalized_shape={list(normalized_shape)}, expected input "
                           f"with shape [*{', '.join(map(str, normalized_shape))}], but got "
                           f"input of size{list(shape)}")
