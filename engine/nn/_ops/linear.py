"""linear and addmm: PyTorch's Linear is addmm(bias, input, weight.t()) for 2-D input,
with views around it for other ranks, and t + mm (matmul) without a bias."""
from __future__ import annotations

import numpy as np

from engine.autograd.node import node_class
from engine.ops._core import record, reduce_to
from engine.ops.linalg import column_major, matmul
from engine.ops.shape import reshape, t, view


def _strides(a: np.ndarray) -> tuple:
    row, column = a.strides                 # 2-D: addmm checked
    return row // a.itemsize, column // a.itemsize


def _addmm_rule(n, g):
    a = n._attrs
    grad_self = grad_mat1 = grad_mat2 = None
    if n.needs(0):
        grad_self = reduce_to(g if a["beta"] == 1 else g * a["beta"], n._in_shapes[0])
    if n.needs(1):
        mat2 = n.saved("mat2")
        if column_major(a["mat1_sym_sizes"], a["mat1_sym_strides"]):
            # mm_mat1_backward for a column-major mat1 (a transposed view): (mat2 @ g.t()).t()
            grad_mat1 = _scaled(_t(_product(mat2, _t(g))), a["alpha"])
        else:
            grad_mat1 = _scaled(_product(g, _t(mat2)), a["alpha"])
    if n.needs(2):
        mat1 = n.saved("mat1")
        if column_major(a["mat2_sym_sizes"], a["mat2_sym_strides"]):
            # PyTorch's mm_mat2_backward: a column-major grad for a column-major mat2
            # (Linear's weight.t()), so the weight's grad is contiguous after TBackward0.
            grad_mat2 = _scaled(_t(_product(_t(g), mat1)), a["alpha"])
        else:
            grad_mat2 = _scaled(_product(_t(mat1), g), a["alpha"])
    return grad_self, grad_mat1, grad_mat2


def _t(matrix):
    """matrix.t(): under create_graph a TBackward0 node, as in ATen's mm backwards."""
    return matrix.T if isinstance(matrix, np.ndarray) else t(matrix)


def _product(left, right):
    # np.dot, not @, on arrays: NumPy's matmul leaves BLAS for some transposed operands (a
    # [K, 1] view, say) and runs a slow loop, ~6x slower for Linear's weight grad at batch 1.
    # Tensors (create_graph=True) use the differentiable matmul.
    return np.dot(left, right) if isinstance(left, np.ndarray) else left @ right


def _scaled(product, alpha):
    """ATen's maybe_multiply: times alpha (a mul.Scalar, MulBackward1) unless alpha is 1."""
    if alpha == 1:
        return product
    if isinstance(product, np.ndarray):
        return product * alpha
    from engine.ops.elementwise import mul_scalar
    return mul_scalar(product, alpha)


AddmmBackward0 = node_class("AddmmBackward0", _addmm_rule)


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    """beta * input + alpha * (mat1 @ mat2), input broadcast to the product's shape."""
    a, b = mat1._data, mat2._data
    if a.ndim != 2 or b.ndim != 2:
        raise RuntimeError(f"mat1 must be a matrix, got {a.ndim}-D tensor" if a.ndim != 2 else
                           f"mat2 must be a matrix, got {b.ndim}-D tensor")
    _check_dtypes(input, mat1, mat2)
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x{a.shape[1]} "
                           f"and {b.shape[0]}x{b.shape[1]})")
    product = np.dot(a, b)
    if alpha != 1:
        product *= alpha
    product += input._data if beta == 1 else beta * input._data
    saved = {}
    if mat2._requires_grad:
        saved["mat1"] = mat1
    if mat1._requires_grad:
        saved["mat2"] = mat2
    return record(AddmmBackward0, product, (input, mat1, mat2), saved, {
        "alpha": alpha, "beta": beta,
        "mat1_sym_sizes": a.shape, "mat1_sym_strides": _strides(a),
        "mat2_sym_sizes": b.shape, "mat2_sym_strides": _strides(b)})


_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long"}


def _check_dtypes(input, mat1, mat2) -> None:
    """addmm's texts, in its order: self (Linear's bias) first, then mat1 (the input)."""
    x, w, b = (_NAMES.get(t_._data.dtype.name, t_._data.dtype.name) for t_ in (mat1, mat2, input))
    if b != w:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got {b} and {w}")
    if x != w:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {x} and {w}")


def linear(input, weight, bias=None):
    """input @ weight.T + bias, recorded as PyTorch's at::linear records it: addmm for 2-D
    input, addmm between reshape and view for other contiguous input, and otherwise matmul
    then an in-place add of the bias (AddBackward0)."""
    x = input._data
    if x.ndim == 0 or weight._data.ndim == 0:
        raise RuntimeError("both arguments to linear need to be at least 1D, but they are "
                           f"{x.ndim}D and {weight._data.ndim}D")
    if bias is None:
        return matmul(input, t(weight))
    if x.ndim == 2:
        return addmm(bias, input, t(weight))
    if input.is_contiguous() and (x.ndim == 3 or bias._data.ndim == 1):
        return _flatten_nd_linear(input, weight, bias)
    return matmul(input, t(weight)).add_(bias)


def _flatten_nd_linear(input, weight, bias):
    shape = input._data.shape
    rows = reshape(input, (int(np.prod(shape[:-1])), shape[-1]))    # -1 fails on 0 elements
    out = addmm(bias, rows, t(weight))
    return view(out, shape[:-1] + (out._data.shape[1],))
