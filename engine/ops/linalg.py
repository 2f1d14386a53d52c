"""Matrix products (NumPy's BLAS), decomposed as PyTorch's matmul decomposes them."""
from __future__ import annotations

import numpy as np

from engine.autograd.node import node_class
from engine.ops import _poly as P
from engine.ops._core import as_tensor, edges_before_kernel_errors, record
from engine.ops.shape import (UnsafeViewBackward0, contiguous, expand, mT, reshape, squeeze,
                              t, transpose, unsqueeze, unsqueeze_to)
from engine.tensor import Tensor


def _dims(shape) -> str:
    return "x".join(str(s) for s in shape)


def _t(matrix):
    """matrix.t(), which ATen's mm backward calls: TBackward0 under create_graph."""
    return matrix.T if isinstance(matrix, np.ndarray) else t(matrix)


def _mm_rule(n, g):
    """ATen's mm_mat1_backward / mm_mat2_backward: a column-major operand (Linear's
    weight.t()) gets its gradient column-major, as the transpose of a product."""
    a = n._attrs
    grad_self = grad_mat2 = None
    if n.needs(0):
        mat2 = n.saved("mat2")
        if column_major(a["self_sym_sizes"], a["self_sym_strides"]):
            grad_self = _t(mat2 @ _t(g))
        else:
            grad_self = g @ _t(mat2)
    if n.needs(1):
        mat1 = n.saved("self")
        if column_major(a["mat2_sym_sizes"], a["mat2_sym_strides"]):
            grad_mat2 = _t(_t(g) @ mat1)
        else:
            grad_mat2 = _t(mat1) @ g
    return grad_self, grad_mat2


def column_major(sizes, strides) -> bool:
    return strides[0] == 1 and strides[1] == sizes[0]


def _mv_rule(n, g):
    grad_self = None
    if n.needs(0):
        grad_self = P.reshape(g, (-1, 1)) * n.saved("vec")     # ATen's outer(grad, vec)
    return grad_self, (_t(n.saved("self")) @ g if n.needs(1) else None)


def _dot_rule(n, g):
    return (g * n.saved("tensor") if n.needs(0) else None,
            g * n.saved("self") if n.needs(1) else None)


def bmm_arrays(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """A batch of products as ATen's CPU bmm computes them: small ones (k * n * m < 400, its
    baddbmm_cpu_kernel) summed over k in order, one rounding per product and per sum, no
    fused multiply-add (BLAS's would differ in the last bit); others through BLAS."""
    n, k, m = a.shape[-2], a.shape[-1], b.shape[-1]
    if a.dtype.kind != "f" or k * n * m >= 400 or not k:
        return np.matmul(a, b)
    wide = np.float32 if a.dtype == np.float16 else a.dtype      # ATen's opmath type
    total = np.zeros(a.shape[:-1] + (m,), wide)
    for index in range(k):
        total += a[..., :, index, None].astype(wide) * b[..., index, None, :].astype(wide)
    return total.astype(a.dtype, copy=False)


def _bmm_rule(n, g):
    if isinstance(g, Tensor):   # create_graph: ATen's grad.bmm(mat2.transpose(1, 2)), ...
        return (bmm(g, transpose(n.saved("mat2"), 1, 2)) if n.needs(0) else None,
                bmm(transpose(n.saved("self"), 1, 2), g) if n.needs(1) else None)
    return (bmm_arrays(g, P.mT(n.saved("mat2"))) if n.needs(0) else None,
            bmm_arrays(P.mT(n.saved("self")), g) if n.needs(1) else None)


MmBackward0 = node_class("MmBackward0", _mm_rule)
MvBackward0 = node_class("MvBackward0", _mv_rule)
DotBackward0 = node_class("DotBackward0", _dot_rule)
BmmBackward0 = node_class("BmmBackward0", _bmm_rule)
SqueezeBackward4 = node_class("SqueezeBackward4", lambda n, g: (
    unsqueeze_to(g, n._attrs["self_sym_sizes"], (n._attrs["_dim"],)),))


_C_NAMES = {"float32": "float", "float64": "double", "int64": "long", "int32": "int"}
_SCALAR_NAMES = {"float32": "Float", "float64": "Double", "int64": "Long", "int32": "Int",
                 "float16": "Half", "bool": "Bool"}


def _same_dtype(op: str, a: Tensor, b: Tensor) -> None:
    """Each product names a dtype mismatch in its own words, as PyTorch's kernels do."""
    if a._data.dtype == b._data.dtype:
        return
    x, y = a._data.dtype.name, b._data.dtype.name
    if op == "mm":
        text = (f"expected m1 and m2 to have the same dtype, but got: {_C_NAMES.get(x, x)} != "
                f"{_C_NAMES.get(y, y)}")
    elif op == "mv":
        X, Y = _SCALAR_NAMES.get(x, x), _SCALAR_NAMES.get(y, y)
        text = f"addmv input tensors must have the same dtype, but got {Y}, {X}, and {Y}"
    elif op == "dot":
        text = (f"dot : expected both vectors to have same dtype, but found "
                f"{_SCALAR_NAMES.get(x, x)} and {_SCALAR_NAMES.get(y, y)}")
    else:
        text = f"expected scalar type {_SCALAR_NAMES.get(x, x)} but found {_SCALAR_NAMES.get(y, y)}"
    raise RuntimeError(text)


@edges_before_kernel_errors
def mm(input, mat2):
    a, b = input._data, mat2._data
    if a.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if b.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_dims(a.shape)} and "
                           f"{_dims(b.shape)})")
    _same_dtype("mm", input, mat2)
    return record(MmBackward0, a @ b, (input, mat2), _saved_for(input, mat2, "self", "mat2"), {
        "self_sym_sizes": a.shape, "mat2_sym_sizes": b.shape,
        "self_sym_strides": _strides(a), "mat2_sym_strides": _strides(b)})


def _saved_for(first: Tensor, second: Tensor, first_name: str, second_name: str) -> dict:
    """A product saves each operand only for the other's gradient, as ATen's generated nodes
    do: an operand that is saved is version-checked at backward, one that is not is free to
    change."""
    saved = {}
    if second._requires_grad:
        saved[first_name] = first
    if first._requires_grad:
        saved[second_name] = second
    return saved


def _strides(a: np.ndarray) -> tuple:
    return tuple(s // a.itemsize for s in a.strides)


@edges_before_kernel_errors
def mv(input, vec):
    a, v = input._data, vec._data
    if a.ndim != 2 or v.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {a.ndim}, {v.ndim}")
    if a.shape[1] != v.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({a.shape[0]}), mat ({_dims(a.shape)}), "
                           f"vec ({v.shape[0]})")
    _same_dtype("mv", input, vec)
    return record(MvBackward0, a @ v, (input, vec), _saved_for(input, vec, "self", "vec"))


@edges_before_kernel_errors
def dot(input, tensor):
    a, b = input._data, tensor._data
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    _same_dtype("dot", input, tensor)       # ATen's dot_check: the dtypes before the sizes
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src "
                           f"[{b.shape[0]}] to have the same number of elements, but got "
                           f"{a.shape[0]} and {b.shape[0]} elements respectively")
    _same_dtype("dot", input, tensor)
    return record(DotBackward0, np.asarray(a @ b), (input, tensor),
                  _saved_for(input, tensor, "self", "tensor"))


@edges_before_kernel_errors
def bmm(input, mat2):
    a, b = input._data, mat2._data
    if a.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if a.shape[0] != b.shape[0] or a.shape[2] != b.shape[1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{a.shape[0]}, {a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}].")
    _same_dtype("bmm", input, mat2)
    return record(BmmBackward0, bmm_arrays(a, b), (input, mat2),
                  _saved_for(input, mat2, "self", "mat2"))


def _unsafe_view(input, shape):
    return record(UnsafeViewBackward0, input._data.reshape(shape), (input,),
                  attrs={"self_sym_sizes": input._data.shape})


def matmul(input, other):
    """PyTorch's _matmul_impl, step for step, so that the graph has its nodes."""
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
        squeezed = record(SqueezeBackward4, out._data.reshape(out._data.shape[1:]), (out,),
                          attrs={"dim": 0, "_dim": 0, "self_sym_sizes": out._data.shape})
        squeezed._vc[0] += 1        # torch squeezes in place (squeeze_): version 1
        return squeezed
    if da == 2 and db == 2:
        return mm(input, other)
    if da == 3 and db == 3 and input._data.shape[0] != other._data.shape[0]:
        # A batch of one that requires grad is squeezed, so its gradient is one mm.
        if input._data.shape[0] == 1 and input._requires_grad:
            return matmul(squeeze(input, 0), other)
        if other._data.shape[0] == 1 and other._requires_grad:
            return matmul(input, squeeze(other, 0))
    if _should_fold(input, other):
        return _fold(input, other)
    return _batched(input, other)


def _should_fold(tensor1: Tensor, tensor2: Tensor) -> bool:
    """Whether the larger operand folds into a matrix for one mm / mv, without a copy (or
    with one, when the smaller operand requires grad: its gradient is then one mm)."""
    larger = tensor1._data.ndim >= tensor2._data.ndim
    big = tensor1._data if larger else np.swapaxes(tensor2._data, -1, -2)
    small_ndim = tensor2._data.ndim if larger else tensor1._data.ndim
    if not (big.ndim >= 3 and small_ndim <= 2):
        return False
    if (tensor2 if larger else tensor1)._requires_grad:
        return True
    if tensor1._data.ndim == 2:
        return False
    if big.size == 0:
        return True
    strides, shape = _strides(big), big.shape
    return all(strides[i] == strides[i + 1] * shape[i + 1] for i in range(big.ndim - 2))


def _fold(tensor1: Tensor, tensor2: Tensor):
    """(..., n, k) @ (k, m) or (k,) as one mm / mv; the other way round through mT."""
    transpose = tensor2._data.ndim > tensor1._data.ndim
    if transpose:
        t1 = mT(tensor2)
        t2 = t(tensor1) if tensor1._data.ndim == 2 else tensor1
    else:
        t1, t2 = tensor1, tensor2
    sizes = t1._data.shape
    output_shape = sizes[:-1]
    folded = reshape(t1, (int(np.prod(output_shape)), sizes[-1]))
    if t2._data.ndim == 2:
        output = _unsafe_view(mm(folded, t2), output_shape + (t2._data.shape[1],))
        return contiguous(mT(output)) if transpose else output
    return _unsafe_view(mv(folded, t2), output_shape)


def _batched(tensor1: Tensor, tensor2: Tensor):
    """Expand both batch parts to one, fold them, one bmm, and view the result back."""
    a_shape, b_shape = tensor1._data.shape, tensor2._data.shape
    n = a_shape[-2] if len(a_shape) > 1 else 1
    m1 = a_shape[-1]
    m2 = b_shape[-2] if len(b_shape) > 1 else b_shape[0]
    p = b_shape[-1] if len(b_shape) > 1 else 1
    batch = _broadcast_batch(a_shape[:max(len(a_shape) - 2, 0)],
                             b_shape[:max(len(b_shape) - 2, 0)])
    count = int(np.prod(batch))
    a = reshape(expand(tensor1, batch + (n, m1)), (count, n, m1))
    if len(b_shape) == 1:
        b = unsqueeze(reshape(expand(tensor2, batch + (m2,)), (count, m2)), 2)
    else:
        b = reshape(expand(tensor2, batch + (m2, p)), (count, m2, p))
    shape = batch + ((n,) if len(a_shape) > 1 else ()) + ((p,) if len(b_shape) > 1 else ())
    product = bmm(a, b)
    if len(b_shape) == 1:       # a vector on the right: ATen squeezes its column away first
        product = squeeze(product, -1)
    return _unsafe_view(product, shape)


def _broadcast_batch(a: tuple, b: tuple) -> tuple:
    try:
        return tuple(np.broadcast_shapes(a, b))
    except ValueError:
        from engine.ops.elementwise import broadcast_error
        raise broadcast_error(a, b) from None
