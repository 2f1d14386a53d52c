"""torch's other names for ops the engine has (greater, less_equal, not_equal, multiply_,
fix, ...), the in-place forms still missing (eq_ and the other comparisons, which record
Eq/Ne/Lt/Le/Gt/GeBackward0/1; sign_, tril_, cumsum_, ...; the logical ones, which torch
does not differentiate and so leaves on their node), and the matrix-vector family addmv,
addr, addbmm with their in-place forms (issue #11)."""
from __future__ import annotations

import numpy as np

from engine import trace
from engine.autograd import grad_mode as _gm
from engine.autograd.node import node_class
from engine.ops import elementwise as E
from engine.ops import inplace as I
from engine.ops import ordering as O
from engine.ops import selective_reductions as SR
from engine.ops import unary_math as UM
from engine.ops._core import as_tensor, record, reduce_to, zeros_grad
from engine.ops.linalg import bmm, mv, transpose
from engine.ops import binary_math as BM
from engine.ops.baddbmm import _C_NAMES
from engine.tensor import Tensor

# ---------------------------------------------------------------- comparisons in place

_COMPARISONS = {"eq": E.eq, "ne": E.ne, "lt": E.lt, "le": E.le, "gt": E.gt, "ge": E.ge}


def _zeros_rule(n, g):
    return tuple(zeros_grad(g, shape) if n.needs(i) else None
                 for i, shape in enumerate(n._in_shapes))


def _comparison_into_self(name: str):
    """The out-of-place op an in-place comparison records: the comparison in self's dtype,
    on a node whose gradients are zeros (Backward0 for a number, Backward1 for a tensor)."""
    title = name.capitalize()
    by_number = node_class(f"{title}Backward0", _zeros_rule)
    by_tensor = node_class(f"{title}Backward1", _zeros_rule)
    compare = _COMPARISONS[name]

    def op(input, other):
        values = compare(input, other)._data.astype(input._data.dtype)
        if isinstance(other, Tensor):
            return record(by_tensor, values, (input, other))
        return record(by_number, values, (input,))
    return op


def _comparison_in_place(name: str):
    op = _comparison_into_self(name)

    def in_place(tensor, other):
        return I._inplace(tensor, f"{name}_", op, other)
    in_place.__name__ = f"{name}_"
    return in_place


# ---------------------------------------------------------------- not differentiated

def _undifferentiated_in_place(name: str, op):
    """torch has no derivative for these: the tensor keeps its grad_fn (a view's is
    regenerated when next read, as after any change of its base) and no leaf check runs."""
    def in_place(tensor, *args):
        with _gm.no_grad():
            values = op(tensor, *args)._data
        I._write(tensor, values)
        tensor._vc[0] += 1
        if trace.active:
            I._bump_event(tensor, name)
        return tensor
    in_place.__name__ = name
    return in_place


# ---------------------------------------------------------------- floor_divide

def _not_implemented(op_name: str, values: np.ndarray, inputs: tuple) -> Tensor:
    from engine.ops._double import NOT_IMPLEMENTED
    return record(NOT_IMPLEMENTED, values, inputs, attrs={"_op": op_name})


def floor_divide(input, other):
    """input // other: torch records a NotImplemented node (its backward raises)."""
    input = E._operand(input)
    quotient = E.floor_divide(input, other)._data
    if quotient.dtype.kind not in "fc":
        return Tensor._make(quotient)
    return _not_implemented("aten::floor_divide", quotient,
                            (input, other) if isinstance(other, Tensor) else (input,))


def floor_divide_(tensor, other):
    def op(input, other):
        quotient = E.floor_divide(input, other)._data
        return _not_implemented("aten::floor_divide_", quotient, (input,))
    return I._inplace(tensor, "floor_divide_", op, other)


# ---------------------------------------------------------------- along a dim, in place

def _cumulative_in_place(name: str, op):
    def in_place(tensor, dim, *, dtype=None):
        if dtype is not None and dtype.np_dtype != tensor._data.dtype:
            raise RuntimeError(f"Bad in-place call: input tensor dtype "
                               f"{_C_NAMES.get(tensor._data.dtype.name)} and output tensor dtype "
                               f"{_C_NAMES.get(dtype.np_dtype.name)} should match")
        return I._inplace(tensor, name, op, dim)
    in_place.__name__ = name
    return in_place


# ---------------------------------------------------------------- addmv, addr, addbmm

_TYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
               "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
               "bool": "Bool"}


def _scaled(value, factor):
    """ATen's maybe_multiply: value * factor unless factor is 1."""
    if factor == 1:
        return value
    if isinstance(value, Tensor):
        return E.mul_scalar(value, factor)
    return value * factor


def _combine(input_data, product, beta, alpha, dtype):
    """beta * input + alpha * product as ATen computes it (beta 0 ignores input's NaNs)."""
    if dtype.kind in "iu" and isinstance(beta, float) and not float(beta).is_integer() or \
            dtype.kind in "iu" and isinstance(alpha, float) and not float(alpha).is_integer():
        which = "beta" if isinstance(beta, float) else "alpha"
        raise RuntimeError(f"For integral input tensors, argument {which} must not be a "
                           "floating point number.")
    if dtype.kind == "b":
        out = np.logical_or(np.logical_and(bool(beta), input_data),
                            np.logical_and(bool(alpha), product))
        return np.broadcast_to(out, product.shape).copy()
    scaled = product if alpha == 1 else product * dtype.type(alpha)
    if beta == 0:
        return np.array(scaled, dtype=dtype)
    return (scaled + (input_data if beta == 1 else input_data * dtype.type(beta))).astype(dtype)


def _check_expanded(input, shape: tuple) -> None:
    from engine.ops.baddbmm import _check_expandable
    _check_expandable(input._data.shape, shape)


def _addmv_rule(n, g):
    a = n._attrs
    grad_self = grad_mat = grad_vec = None
    if n.needs(0):
        grad_self = reduce_to(_scaled(g, a["beta"]), n._in_shapes[0])
    if n.needs(1):
        vec = n.saved("vec")
        outer = g[:, None] * vec[None, :] if isinstance(g, np.ndarray) else \
            g.outer(vec)
        grad_mat = _scaled(outer, a["alpha"])
    if n.needs(2):
        mat = n.saved("mat")
        grad_vec = _scaled(mat.T @ g if isinstance(g, np.ndarray) else mv(mat.t(), g),
                           a["alpha"])
    return grad_self, grad_mat, grad_vec


AddmvBackward0 = node_class("AddmvBackward0", _addmv_rule)


def _each_for_the_other(first_name: str, first, second_name: str, second) -> dict:
    """What a product's node saves of its two factors: each one when the other needs its
    gradient (ATen's `mat` is saved for `vec`'s gradient, and the other way round)."""
    saved = {}
    if second.requires_grad:
        saved[first_name] = first
    if first.requires_grad:
        saved[second_name] = second
    return saved


def addmv(input, mat, vec, *, beta=1, alpha=1):
    m, v = mat._data, vec._data
    if m.ndim != 2 or v.ndim != 1 or input._data.ndim > 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {input._data.ndim}, "
                           f"{m.ndim}, {v.ndim}")
    if m.shape[1] != v.shape[0] or input._data.shape not in ((), (1,), (m.shape[0],)):
        raise RuntimeError(f"size mismatch, got input ({input._data.shape[0] if input._data.ndim else 1}), "
                           f"mat ({m.shape[0]}x{m.shape[1]}), vec ({v.shape[0]})")
    names = [_TYPE_NAMES.get(t._data.dtype.name) for t in (input, mat, vec)]
    if len(set(names)) > 1:
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got "
                           f"{names[0]}, {names[1]}, and {names[2]}")
    out = _combine(input._data, m @ v, beta, alpha, m.dtype)
    saved = _each_for_the_other("mat", mat, "vec", vec)
    return record(AddmvBackward0, out, (input, mat, vec), saved,
                  {"alpha": alpha, "beta": beta})


def _addr_rule(n, g):
    a = n._attrs
    grad_self = grad_1 = grad_2 = None
    if n.needs(0):
        grad_self = reduce_to(_scaled(g, a["beta"]), n._in_shapes[0])
    if n.needs(1):
        vec2 = n.saved("vec2")
        grad_1 = _scaled(g @ vec2 if isinstance(g, np.ndarray) else mv(g, vec2), a["alpha"])
    if n.needs(2):
        vec1 = n.saved("vec1")
        grad_2 = _scaled(g.T @ vec1 if isinstance(g, np.ndarray) else mv(g.t(), vec1),
                         a["alpha"])
    return grad_self, grad_1, grad_2


AddrBackward0 = node_class("AddrBackward0", _addr_rule)


def addr(input, vec1, vec2, *, beta=1, alpha=1):
    for name, vec in (("vec1", vec1), ("vec2", vec2)):
        if vec._data.ndim != 1:
            raise RuntimeError(f"addr: Expected 1-D argument {name}, but got "
                               f"{vec._data.ndim}-D")
    shape = (vec1._data.shape[0], vec2._data.shape[0])
    _check_expanded(input, shape)
    from engine.ops._core import result_dtype
    dtype = result_dtype(input, vec1, vec2)
    product = np.multiply.outer(vec1._data.astype(dtype), vec2._data.astype(dtype))
    if dtype.kind == "b":
        product = product.astype(np.bool_)
    out = _combine(input._data.astype(dtype), product, beta, alpha, dtype)
    saved = _each_for_the_other("vec1", vec1, "vec2", vec2)
    return record(AddrBackward0, out, (input, vec1, vec2), saved,
                  {"alpha": alpha, "beta": beta})


def _addbmm_rule(n, g):
    a = n._attrs
    grad_self = grad_1 = grad_2 = None
    if n.needs(0):
        grad_self = reduce_to(_scaled(g, a["beta"]), n._in_shapes[0])
    count = a["batch1_sym_argsize_0"]
    if n.needs(1):
        batch2 = n.saved("batch2")
        if isinstance(g, np.ndarray):
            grad_1 = _scaled(g[None] @ batch2.swapaxes(1, 2), a["alpha"])
        else:
            expanded = g.unsqueeze(0).expand(count, a["batch1_sym_argsize_1"],
                                             a["batch2_sym_argsize_2"])
            grad_1 = _scaled(bmm(expanded, transpose(batch2, 1, 2)), a["alpha"])
    if n.needs(2):
        batch1 = n.saved("batch1")
        if isinstance(g, np.ndarray):
            grad_2 = _scaled(batch1.swapaxes(1, 2) @ g[None], a["alpha"])
        else:
            expanded = g.unsqueeze(0).expand(count, a["batch1_sym_argsize_1"],
                                             a["batch2_sym_argsize_2"])
            grad_2 = _scaled(bmm(transpose(batch1, 1, 2), expanded), a["alpha"])
    return grad_self, grad_1, grad_2


AddbmmBackward0 = node_class("AddbmmBackward0", _addbmm_rule)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1):
    b1, b2 = batch1._data, batch2._data
    if b1.ndim >= 2 and b2.ndim >= 3:       # ATen expands input before it checks the ranks
        _check_expanded(input, (b1.shape[1], b2.shape[2]))
    if b1.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b2.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if b1.shape[0] != b2.shape[0] or b1.shape[2] != b2.shape[1]:
        raise RuntimeError(f"Incompatible matrix sizes for bmm ({b1.shape[1]}x{b1.shape[2]} "
                           f"and {b2.shape[1]}x{b2.shape[2]})")
    product = np.matmul(b1, b2).sum(axis=0)
    out = _combine(input._data, product, beta, alpha, b1.dtype)
    saved = _each_for_the_other("batch1", batch1, "batch2", batch2)
    return record(AddbmmBackward0, out, (input, batch1, batch2), saved,
                  {"alpha": alpha, "batch1_sym_argsize_0": b1.shape[0],
                   "batch1_sym_argsize_1": b1.shape[1], "batch2_sym_argsize_2": b2.shape[2],
                   "beta": beta})


def _matrix_in_place(name: str, op):
    def in_place(tensor, first, second, *, beta=1, alpha=1):
        def checked(input, first, second, beta=1, alpha=1):
            out = op(input, first, second, beta=beta, alpha=alpha)
            if out._data.shape != input._data.shape:
                raise RuntimeError(f"Bad in-place call: input tensor size "
                                   f"{list(input._data.shape)} and output tensor size "
                                   f"{list(out._data.shape)} should match")
            return out
        return I._inplace(tensor, name, checked, first, second, beta=beta, alpha=alpha)
    in_place.__name__ = name
    return in_place


def _addmm(input, mat1, mat2, *, beta=1, alpha=1):
    from engine.nn._ops.linear import addmm
    return addmm(input, mat1, mat2, beta=beta, alpha=alpha)


def _baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    from engine.ops.baddbmm import baddbmm
    return baddbmm(input, batch1, batch2, beta=beta, alpha=alpha)


def _divide_(tensor, other, *, rounding_mode=None):
    return I.div_(tensor, other, rounding_mode=rounding_mode)


# ---------------------------------------------------------------- tables

METHODS = {
    "greater": E.gt, "greater_equal": E.ge, "less": E.lt, "less_equal": E.le,
    "not_equal": E.ne, "fix": UM.trunc, "floor_divide": floor_divide,
    "__floordiv__": floor_divide,
    "__rfloordiv__": lambda self, other: floor_divide(as_tensor(other), self),
    "addmv": addmv, "addr": addr, "addbmm": addbmm,
}
IN_PLACE = {
    **{f"{name}_": _comparison_in_place(name) for name in _COMPARISONS},
    "greater_": _comparison_in_place("gt"), "greater_equal_": _comparison_in_place("ge"),
    "less_": _comparison_in_place("lt"), "less_equal_": _comparison_in_place("le"),
    "not_equal_": _comparison_in_place("ne"),
    "multiply_": I.mul_, "subtract_": I.sub_, "divide_": _divide_,
    "true_divide_": lambda tensor, other: I.div_(tensor, other),
    "floor_divide_": floor_divide_, "__ifloordiv__": floor_divide_,
    "absolute_": I.abs_,
    "sign_": I._unary_inplace("sign_", E.sign, float_result=False),
    "sgn_": I._unary_inplace("sgn_", E.sgn, float_result=False),
    "fix_": I._unary_inplace("fix_", UM.trunc, float_result=False),
    "tril_": lambda tensor, diagonal=0: I._inplace(tensor, "tril_", O.tril, diagonal),
    "triu_": lambda tensor, diagonal=0: I._inplace(tensor, "triu_", O.triu, diagonal),
    "cumsum_": _cumulative_in_place("cumsum_", O.cumsum),
    "cumprod_": _cumulative_in_place("cumprod_", SR.cumprod),
    "logical_and_": _undifferentiated_in_place("logical_and_", E.logical_and),
    "logical_or_": _undifferentiated_in_place("logical_or_", E.logical_or),
    "logical_xor_": _undifferentiated_in_place("logical_xor_", BM.logical_xor),
    "logical_not_": _undifferentiated_in_place("logical_not_", E.logical_not),
    "addmm_": _matrix_in_place("addmm_", _addmm),
    "baddbmm_": _matrix_in_place("baddbmm_", _baddbmm),
    "addbmm_": _matrix_in_place("addbmm_", addbmm),
    "addmv_": _matrix_in_place("addmv_", addmv),
    "addr_": _matrix_in_place("addr_", addr),
}
FUNCTIONS = {
    "greater": E.gt, "greater_equal": E.ge, "less": E.lt, "less_equal": E.le,
    "not_equal": E.ne, "fix_": IN_PLACE["fix_"], "floor_divide": floor_divide,
    "addmv": addmv, "addmv_": IN_PLACE["addmv_"], "addr": addr, "addbmm": addbmm,
}
