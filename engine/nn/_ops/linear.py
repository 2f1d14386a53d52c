"""linear and addmm: PyTorch's Linear is addmm(bias, input, weight.t()) for 2-D input,
with views around it for other ranks, and t + mm (matmul) without a bias."""
from __future__ import annotations

import numpy as np

from engine.autograd.node import node_class
from engine.ops._core import record, reduce_to
from engine.ops.linalg import matmul
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
        grad_mat1 = _product(g, _t(n.saved("mat2")), a["alpha"])
    if n.needs(2):
        mat1 = n.saved("mat1")
        if _column_major(a["mat2_sym_sizes"], a["mat2_sym_strides"]):
            # PyTorch's mm_mat2_backward: a column-major grad for a column-major mat2
            # (Linear's weight.t()), so the weight's grad is contiguous after TBackward0.
            grad_mat2 = _t(_product(_t(g), mat1, a["alpha"]))
        else:
            grad_mat2 = _product(_t(mat1), g, a["alpha"])
    return grad_self, grad_mat1, grad_mat2


def _t(matrix):
    """matrix.t(): under create_graph a TBackward0 node, as in ATen's mm backwards."""
    return matrix.T if isinstance(matrix, np.ndarray) else t(matrix)


def _column_major(sizes, strides) -> bool:
    return strides[0] == 1 and strides[1] == sizes[0]


def _product(left, right, alpha):
    # np.dot, not @, on arrays: NumPy's matmul leaves BLAS for some transposed operands (a
    # [K, 1] view, say) and runs a slow loop, ~6x slower for Linear's weight grad at batch 1.
    # Tensors (create_graph=True) use the differentiable matmul.
    out = np.dot(left, right) if isinstance(left, np.ndarray) else left @ right
    return out if alpha == 1 else out * alpha


AddmmBackward0 = node_class("AddmmBackward0", _addmm_rule)


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    """beta * input + alpha * (mat1 @ mat2), input broadcast to the product's shape."""
    a, b = mat1._data, mat2._data
    if a.ndim != 2 or b.ndim != 2:
        raise RuntimeError(f"mat1 must be a matrix, got {a.ndim}-D tensor" if a.ndim != 2 else
                           f"mat2 must be a matrix, got {b.ndim}-D tensor")
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


def _check_dtypes(input, weight, bias) -> None:
    """addmm's texts: mat1 is the input, mat2 the weight's transpose, self the bias."""
    x, w, b = (_NAMES.get(t_._data.dtype.name, t_._data.dtype.name) for t_ in (input, weight, bias))
    if x != w:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {x} and {w}")
    if b != w:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got {b} and {w}")


def linear(input, weight, bias=None):
    """input @ weight.T + bias, recorded as PyTorch records it."""
    x = input._data
    if bias is None:
        return matmul(input, t(weight))
    _check_dtypes(input, weight, bias)
    if x.ndim == 2:
        return addmm(bias, input, t(weight))
    rows = reshape(input, (-1, x.shape[-1]))
    out = addmm(bias, rows, t(weight))
    return view(out, x.shape[:-1] + (weight._data.shape[0],))
