"""baddbmm (BaddbmmBackward0: beta * input + alpha * batch1 @ batch2, input broadcast to the
product's shape) and unflatten (a view: ViewBackward0), as PyTorch records them."""
from __future__ import annotations

import numpy as np

from engine.autograd.node import node_class
from engine.ops._core import record, reduce_to, wrap_dim
from engine.ops.elementwise import mul_scalar
from engine.ops.linalg import bmm, bmm_arrays, transpose
from engine.ops.shape import view
from engine.tensor import Tensor

_C_NAMES = {"float32": "float", "float64": "double", "int64": "long", "int32": "int",
            "float16": "c10::Half", "bool": "bool"}


def _times(value, factor):
    """ATen's maybe_multiply: a Tensor times a Scalar (MulBackward1) unless it is 1."""
    if factor == 1:
        return value
    return mul_scalar(value, factor) if isinstance(value, Tensor) else value * factor


def _product_grads(n, g):
    """ATen's: grad.bmm(batch2.transpose(1, 2)) * alpha and batch1.transpose(1, 2).bmm(grad)
    * alpha (on Tensors under create_graph)."""
    alpha = n._attrs["alpha"]
    grad1 = grad2 = None
    if isinstance(g, Tensor):
        if n.needs(1):
            grad1 = _times(bmm(g, transpose(n.saved("batch2"), 1, 2)), alpha)
        if n.needs(2):
            grad2 = _times(bmm(transpose(n.saved("batch1"), 1, 2), g), alpha)
        return grad1, grad2
    if n.needs(1):
        grad1 = _times(g @ n.saved("batch2").swapaxes(1, 2), alpha)
    if n.needs(2):
        grad2 = _times(n.saved("batch1").swapaxes(1, 2) @ g, alpha)
    return grad1, grad2


def _baddbmm_rule(n, g):
    beta = n._attrs["beta"]
    grad_self = None
    if n.needs(0):
        grad_self = reduce_to(_times(g, beta), n._in_shapes[0])
    return (grad_self,) + _product_grads(n, g)


BaddbmmBackward0 = node_class("BaddbmmBackward0", _baddbmm_rule)


def _check(input, batch1, batch2) -> tuple:
    a, b = batch1._data, batch2._data
    names = [_C_NAMES.get(t._data.dtype.name, t._data.dtype.name) for t in (input, batch1,
                                                                            batch2)]
    if len(set(names)) > 1:
        raise RuntimeError(f"Input dtypes must be the same, got: input {names[0]}, batch1: "
                           f"{names[1]}, batch2: {names[2]}")
    if a.ndim >= 2 and b.ndim >= 3:     # ATen expands input before it checks the ranks
        _check_expandable(input._data.shape, (a.shape[0], a.shape[1], b.shape[2]))
    if a.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    shape = (a.shape[0], a.shape[1], b.shape[2])
    if a.shape[0] != b.shape[0] or a.shape[2] != b.shape[1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{a.shape[0]}, {a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}].")
    return shape


def _check_expandable(have: tuple, target: tuple) -> None:
    """ATen's expand_size check, from the last dim backwards."""
    lead = len(target) - len(have)
    for i in range(len(have) - 1, -1, -1):
        if have[i] != 1 and have[i] != target[i + lead]:
            raise RuntimeError(
                f"The expanded size of the tensor ({target[i + lead]}) must match the existing "
                f"size ({have[i]}) at non-singleton dimension {i + lead}.  Target sizes: "
                f"[{', '.join(map(str, target))}].  Tensor sizes: [{', '.join(map(str, have))}]")
    if lead < 0:
        raise RuntimeError(f"expand: the requested shape has too few dimensions "
                           f"({len(target)} < {len(have)})")


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    shape = _check(input, batch1, batch2)
    dtype = batch1._data.dtype
    product = bmm_arrays(batch1._data, batch2._data)
    if alpha != 1:
        product = product * dtype.type(alpha)
    if beta == 0:           # ATen ignores input then (its NaNs too)
        data = product
    else:
        data = np.broadcast_to(input._data if beta == 1 else input._data * dtype.type(beta),
                               shape) + product
    data = np.ascontiguousarray(data, dtype=dtype)
    saved = {}
    if batch2._requires_grad:
        saved["batch1"] = batch1
    if batch1._requires_grad:
        saved["batch2"] = batch2
    result = record(BaddbmmBackward0, data, (input, batch1, batch2), saved,
                    {"alpha": alpha, "beta": beta})
    if out is not None:
        out.copy_(result)
        return out
    return result


def unflatten(input, dim: int, sizes):
    shape = list(input._data.shape)
    dim = wrap_dim(dim, len(shape))
    sizes = [int(s) for s in sizes]
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    if sizes.count(-1) > 1:
        raise RuntimeError("unflatten got an unexpected error:\nonly one dimension can be "
                           "inferred")
    known = int(np.prod([s for s in sizes if s != -1]))
    if -1 in sizes:
        if known == 0 or shape[dim] % known:
            raise RuntimeError(f"unflatten: Provided sizes {sizes} don't multiply up to the "
                               f"size of dim {dim} ({shape[dim]}) in the input tensor")
        sizes[sizes.index(-1)] = shape[dim] // known
    elif known != shape[dim]:
        raise RuntimeError(f"unflatten: Provided sizes {sizes} don't multiply up to the size "
                           f"of dim {dim} ({shape[dim]}) in the input tensor")
    return view(input, tuple(shape[:dim] + sizes + shape[dim + 1:]))
