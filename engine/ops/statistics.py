"""prod, var and std: reductions whose gradient needs the input (and the result).

Rules compute on arrays, and on Tensors under create_graph=True (with engine ops, so the
gradient keeps a graph). prod's gradient with zeros in the input is the product of the
other elements (exclusive cumulative products), as PyTorch's prod_backward.
"""
from __future__ import annotations

import warnings

import numpy as np

from engine._cpp_warning import cpp_warning
from engine.autograd.node import node_class
from engine.ops import _layout
from engine.ops._core import edges_before_kernel_errors, record, wrap_dim
from engine.ops.elementwise import mul_scalar
from engine.ops.reductions import _dims, _expand_back, _saved_dims, _unsqueeze_dims
from engine.ops.shape import cat
from engine.tensor import Tensor

DOF_WARNINGS = {name: cpp_warning(
    f"{name}(): degrees of freedom is <= 0. Correction should be strictly less than the "
    "reduction factor (input numel divided by output numel).",
    "aten/src/ATen/native/ReduceOps.cpp:1861") for name in ("var", "std")}


def _is_tensor(value) -> bool:
    return isinstance(value, Tensor)


def _mean_over(x, dims):
    if _is_tensor(x):
        return x.mean(dims, keepdim=True)
    return _quiet_mean(x, dims)


# ---------------------------------------------------------------- prod

def _others_product(x: np.ndarray, axis: int) -> np.ndarray:
    """For each element, the product of the others along axis (zeros allowed)."""
    ones = np.ones_like(np.take(x, [0], axis=axis))
    before = np.cumprod(np.concatenate([ones, np.delete(x, -1, axis=axis)], axis=axis),
                        axis=axis)
    flipped = np.flip(x, axis=axis)
    after = np.flip(np.cumprod(np.concatenate([ones, np.delete(flipped, -1, axis=axis)],
                                              axis=axis), axis=axis), axis=axis)
    return before * after


def _prod_grad(g, x, result, dims, keepdim: bool, shape: tuple, *, dim_given: bool = True):
    if _is_tensor(x):
        if not bool((x._data == 0).any()):
            return _prod_grad_graph(g, x, result, dims, keepdim or not dim_given)
        if dim_given:
            return _prod_safe_zeros(g if keepdim else g.unsqueeze(dims[0]), x, dims[0])
        return _prod_safe_zeros(g, x.contiguous().view(-1), 0).view_as(x)
    g_full = _expand_back(g, shape, dims, keepdim)
    if _is_tensor(x):
        others = Tensor._make(_others_product_over(x._data, dims))
        return g_full * others
    if not (x == 0).any():      # ATen's grad * (result / input): NaN stays where it is
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return g_full * (_expand_back(result, shape, dims, keepdim) / x)
    return g_full * _others_product_over(x, dims)


def _prod_grad_graph(g, x, result, dims, keepdim: bool):
    """ATen's prod_backward without zeros, under create_graph: grad * (result / input), a
    reduced dim unsqueezed back first (UnsqueezeBackward0 on the result); `keepdim` is True
    for prod() of everything, whose 0-dim grad broadcasts."""
    if not keepdim:
        g, result = g.unsqueeze(dims[0]), result.unsqueeze(dims[0])
    return g * (result / x)


def _prod_safe_zeros(g, x, dim: int):
    """ATen's prod_safe_zeros_backward, under create_graph when the input holds a zero: the
    products of the elements before and after each one, made of differentiable ops (cat,
    cumprod, flip, narrow) so that the gradient has a graph through the input."""
    if x._data.size == 0:
        return g.expand_as(x)
    ones = Tensor._make(np.ones(_one_along(x._data.shape, dim), g._data.dtype))
    length = x._data.shape[dim]
    before = cat([ones, x.narrow(dim, 0, length - 1)], dim).cumprod(dim)
    after = cat([ones, x.narrow(dim, 1, length - 1).flip(dim)], dim).cumprod(dim).flip(dim)
    return g * (before * after)


def _one_along(shape: tuple, dim: int) -> tuple:
    return shape[:dim] + (1,) + shape[dim + 1:]


def _others_product_over(x: np.ndarray, dims: tuple) -> np.ndarray:
    if x.size == 0:
        return np.zeros_like(x)
    if len(dims) == 1:
        return _others_product(x, dims[0])
    return _others_product(x.reshape(-1), 0).reshape(x.shape)


def _prod_all_rule(n, g):
    x = n.saved("self")
    shape = tuple(x.shape)
    if not shape:
        return (g,)
    return (_prod_grad(g, x, n.saved("result"), tuple(range(len(shape))), False, shape,
                       dim_given=False),)


def _prod_dim_rule(n, g):
    x = n.saved("self")
    a = n._attrs
    if not len(x.shape):            # prod over dim 0 of a 0-dim tensor: the grad itself
        return (g,)
    return (_prod_grad(g, x, n.saved("result"), (a["_dim"],), a["keepdim"], tuple(x.shape)),)


ProdBackward0 = node_class("ProdBackward0", _prod_all_rule)
ProdBackward1 = node_class("ProdBackward1", _prod_dim_rule)


def _prod_dtype(data: np.ndarray, dtype) -> np.dtype:
    if dtype is not None:
        return dtype.np_dtype
    return np.dtype(np.int64) if data.dtype.kind in "biu" else data.dtype


@edges_before_kernel_errors
def prod(input, dim=None, keepdim=False, *, dtype=None):
    data = input._data
    out_dtype = _prod_dtype(data, dtype)
    if dim is None:
        out = np.asarray(data.prod(dtype=out_dtype))
        return record(ProdBackward0, out, (input,), {"self": input}, save_result="result")
    d = wrap_dim(dim, data.ndim)
    out = _layout.contiguous(np.asarray(data.prod(axis=d, keepdims=keepdim, dtype=out_dtype)))
    return record(ProdBackward1, out, (input,), {"self": input},
                  {"dim": dim % 2**64, "_dim": d, "keepdim": keepdim}, save_result="result")


# ---------------------------------------------------------------- var, std

def _var_grad(g, x, a: dict):
    """ATen's var_backward, op for op (its graph under create_graph): over everything,
    2 / (n - correction) * grad * (x - x.mean()), or with no degrees of freedom left,
    grad * (NaN where x is its mean, else inf); over dims, grad unsqueezed (not kept, x of
    more than one dim), then 2 / (n - correction) * grad * (x - x.mean(dims, keepdim))."""
    dims, dof = a["_dims"], a["_dof"]
    tensor = _is_tensor(x)
    if a["_all"]:
        if dof <= 0:
            values = x._data if tensor else x
            mean = _quiet_mean(values, tuple(range(values.ndim)))
            factor = np.where(values == mean, np.nan, np.inf).astype(values.dtype)
            return g * (Tensor._make(factor) if _is_tensor(g) else factor)
        mean = x.mean() if tensor else _quiet_mean(x, dims)
        return _times_scalar(g, 2.0 / dof) * (x - mean)
    if not a["keepdim"] and x.ndim > 1:
        g = _unsqueeze_dims(g, dims)
    scale = 2.0 / dof if dof else float("inf")
    return _times_scalar(g, scale) * (x - _mean_over(x, dims))


def _times_scalar(g, scalar: float):
    """grad * a double: a mul.Scalar (MulBackward1) under create_graph."""
    return mul_scalar(g, scalar) if _is_tensor(g) else g * scalar


def _var_rule(n, g):
    return (_var_grad(g, n.saved("self"), n._attrs),)


def _std_rule(n, g):
    """ATen's std_backward: (grad / (result * 2)).masked_fill_(result == 0, 0), then
    var_backward."""
    a = n._attrs
    result = n.saved("result")
    if _is_tensor(result):
        half = (g / mul_scalar(result, 2)).masked_fill(result == 0, 0)
    else:
        half = np.where(result == 0, 0, g / (result * 2)).astype(g.dtype, copy=False)
    return (_var_grad(half, n.saved("self"), a),)


VarBackward0 = node_class("VarBackward0", _var_rule)
StdBackward0 = node_class("StdBackward0", _std_rule)


def _correction(unbiased, correction, dim):
    """(what the node saves, the value used): None when nothing at all was given."""
    if correction is not None and unbiased is not None:
        raise RuntimeError("Cannot specify both unbiased and correction")
    if correction is not None:
        return correction, correction
    if unbiased is not None:
        return int(unbiased), int(unbiased)
    return (None if dim is None else 1), 1


def _quiet_mean(data: np.ndarray, dims: tuple) -> np.ndarray:
    """The mean over dims, NaN over nothing without NumPy's 'Mean of empty slice' warning."""
    if data.size:
        return data.mean(axis=dims, keepdims=True)
    shape = tuple(1 if d in dims else s for d, s in enumerate(data.shape))
    return np.full(shape, np.nan, dtype=data.dtype)


def _variance(name: str, input, dim, unbiased, keepdim, correction):
    data = input._data
    if data.dtype.kind not in "fc":
        raise RuntimeError("std and var only support floating point and complex dtypes")
    if isinstance(dim, bool):                   # var(x, True): the unbiased overload
        dim, unbiased = None, dim
    saved_correction, used = _correction(unbiased, correction, dim)
    dims = tuple(range(data.ndim)) if dim is None else _dims(dim, data.ndim)
    count = int(np.prod([data.shape[d] for d in dims])) if data.ndim else 1
    divisor = max(0, count - used)
    # ATen's CPU kernel accumulates in double (WelfordData<double>): a row of equal float32
    # values has a variance of exactly 0. For one result its std_var_all_cpu centres on the
    # mean taken in the input's dtype instead, so such a float32 row gets rounding noise.
    wide = data.astype(np.float64) if data.dtype.kind == "f" and data.itemsize < 8 else data
    one_result = data.size == count and data.dtype in (np.float32, np.float64) and data.size
    with np.errstate(divide="ignore", invalid="ignore"):
        centre = np.float64(data.mean()) if one_result else _quiet_mean(wide, dims)
        centered = wide - centre
        squares = (centered * centered).sum(axis=dims, keepdims=keepdim)
        wide_var = np.asarray(squares / divisor)
        var = _layout.contiguous(np.asarray(wide_var, dtype=data.dtype))
        root = _layout.contiguous(np.asarray(np.sqrt(wide_var), dtype=data.dtype))
    attrs = {"correction": saved_correction, "dim": None if dim is None else _saved_dims(dim),
             "keepdim": keepdim, "_dims": dims, "_dof": float(count - used),
             "_all": dim is None or data.ndim == 0}
    if name == "var":
        out = record(VarBackward0, var, (input,), {"self": input}, attrs)
    else:
        out = record(StdBackward0, root, (input,), {"self": input}, attrs,
                     save_result="result")
    # ATen's kernel warns after autograd has read the input's grad_fn (which may raise);
    # its reduction factor is input numel / output numel, 0 when either is empty
    factor = data.size // var.size if var.size else 0
    if factor - used <= 0:
        warnings.warn(DOF_WARNINGS[name], UserWarning, stacklevel=3)
    return out


@edges_before_kernel_errors
def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return _variance("var", input, dim, unbiased, keepdim, correction)


@edges_before_kernel_errors
def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return _variance("std", input, dim, unbiased, keepdim, correction)

