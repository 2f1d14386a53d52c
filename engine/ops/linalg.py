"""Matrix products (NumPy's BLAS), decomposed as PyTorch's matmul decomposes them."""
from __future__ import annotations

import numpy as np

from engine.autograd.node import node_class
from engine.ops import _poly as P
from engine.ops._core import as_tensor, record
from engine.ops.shape import UnsafeViewBackward0, expand, reshape, unsqueeze
from engine.tensor import Tensor


def _dims(shape) -> str:
    return "x".join(str(s) for s in shape)


def _mm_rule(n, g):
    return (g @ P.mT(n.saved("mat2")) if n.needs(0) else None,
            P.mT(n.saved("self")) @ g if n.needs(1) else None)


def _mv_rule(n, g):
    vec, mat = n.saved("vec"), n.saved("self")
    grad_self = None
    if n.needs(0):
        grad_self = P.reshape(g, (-1, 1)) * P.reshape(vec, (1, -1))
    return grad_self, (P.mT(mat) @ g if n.needs(1) else None)


def _dot_rule(n, g):
    return (g * n.saved("tensor") if n.needs(0) else None,
            g * n.saved("self") if n.needs(1) else None)


def _bmm_rule(n, g):
    return (g @ P.mT(n.saved("mat2")) if n.needs(0) else None,
            P.mT(n.saved("self")) @ g if n.needs(1) else None)


MmBackward0 = node_class("MmBackward0", _mm_rule)
MvBackward0 = node_class("MvBackward0", _mv_rule)
DotBackward0 = node_class("DotBackward0", _dot_rule)
BmmBackward0 = node_class("BmmBackward0", _bmm_rule)
SqueezeBackward4 = node_class("SqueezeBackward4", lambda n, g: (
    P.reshape(g, n._attrs["self_sym_sizes"]),))


def _same_dtype(a: Tensor, b: Tensor) -> None:
    if a._data.dtype != b._data.dtype:
        names = {"float32": "float", "float64": "double", "int64": "long", "int32": "int"}
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{names.get(a._data.dtype.name, a._data.dtype.name)} != "
                           f"{names.get(b._data.dtype.name, b._data.dtype.name)}")


def mm(input, mat2):
    a, b = input._data, mat2._data
    if a.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if b.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_dims(a.shape)} and "
                           f"{_dims(b.shape)})")
    _same_dtype(input, mat2)
    saved = {}
    if mat2._requires_grad:
        saved["self"] = input
    if input._requires_grad:
        saved["mat2"] = mat2
    return record(MmBackward0, a @ b, (input, mat2), saved, {
        "self_sym_sizes": a.shape, "mat2_sym_sizes": b.shape,
        "self_sym_strides": _strides(a), "mat2_sym_strides": _strides(b)})


def _strides(a: np.ndarray) -> tuple:
    return tuple(s // a.itemsize for s in a.strides)


def mv(input, vec):
    a, v = input._data, vec._data
    if a.ndim != 2 or v.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {a.ndim}, {v.ndim}")
    if a.shape[1] != v.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({a.shape[0]}), mat ({_dims(a.shape)}), "
                           f"vec ({v.shape[0]})")
    _same_dtype(input, vec)
    return record(MvBackward0, a @ v, (input, vec), {"self": input, "vec": vec})


def dot(input, tensor):
    a, b = input._data, tensor._data
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src "
                           f"[{b.shape[0]}] to have the same number of elements, but got "
                           f"{a.shape[0]} and {b.shape[0]} elements respectively")
    _same_dtype(input, tensor)
    return record(DotBackward0, np.asarray(a @ b), (input, tensor),
                  {"self": input, "tensor": tensor})


def bmm(input, mat2):
    a, b = input._data, mat2._data
    if a.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if a.shape[0] != b.shape[0] or a.shape[2] != b.shape[1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{a.shape[0]}, {a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}].")
    _same_dtype(input, mat2)
    return record(BmmBackward0, np.matmul(a, b), (input, mat2), {"self": input, "mat2": mat2})


def _unsafe_view(input, shape):
    return record(UnsafeViewBackward0, input._data.reshape(shape), (input,),
                  attrs={"self_sym_sizes": input._data.shape})


def matmul(input, other):
    input, other = as_tensor(input), as_tensor(other)
    da, db = input._data.ndim, other._data.ndim
    if da == 0 or db == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{da}D and {db}D")
    if da == 1 and db == 1:
        return dot(input, other)
    if da == 2 and db == 1:
        return mv(input, other)
    if da == 1 and db == 2:
        out = mm(unsqueeze(input, 0), other)
        return record(SqueezeBackward4, out._data.reshape(out._data.shape[1:]), (out,),
                      attrs={"dim": 0, "self_sym_sizes": out._data.shape})
    if da == 2 and db == 2:
        return mm(input, other)
    if db <= 2:
        return _fold_into_mm(input, other)
    return _batched(input, other)


def _fold_into_mm(input, other):
    """(..., n, k) @ (k, m) or (k,): fold the batch into rows and use one mm."""
    shape = input._data.shape
    rows = reshape(input, (-1, shape[-1]))
    if other._data.ndim == 1:
        out = mv(rows, other)
        return _unsafe_view(out, shape[:-1])
    out = mm(rows, other)
    return _unsafe_view(out, shape[:-1] + (other._data.shape[-1],))


def _batched(input, other):
    a_shape, b_shape = input._data.shape, other._data.shape
    a = unsqueeze(input, 0) if len(a_shape) == 1 else input
    b = unsqueeze(other, -1) if len(b_shape) == 1 else other
    batch = np.broadcast_shapes(a._data.shape[:-2], b._data.shape[:-2])
    a = _to_batch(a, batch)
    b = _to_batch(b, batch)
    out = bmm(a, b)
    shape = batch + (out._data.shape[1], out._data.shape[2])
    if len(a_shape) == 1:
        shape = shape[:-2] + shape[-1:]
    if len(b_shape) == 1:
        shape = shape[:-1]
    return _unsafe_view(out, shape)


def _to_batch(t, batch: tuple):
    target = batch + t._data.shape[-2:]
    if t._data.shape != target:
        t = expand(t, target)
    flat = (int(np.prod(batch)),) + target[-2:]
    return t if t._data.shape == flat else reshape(t, flat)
