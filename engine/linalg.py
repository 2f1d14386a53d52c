"""torch.linalg: the norms (vector_norm for every order, matrix_norm for every order, norm,
cond) and vecdot here; the inverses, solves and factorizations from engine/ops/linalg_*.py.
A vector norm is one LinalgVectorNormBackward0 node as in PyTorch (a Frobenius norm is a
vector norm over two dims); the other matrix norms are composed as ATen composes them."""
from __future__ import annotations

import math

import numpy as np

from engine.ops import _poly as P
from engine.ops import reductions as R
from engine.ops._norm_lanes import p_norm_in_order, two_norm_in_lanes
from engine.ops._core import record
from engine.tensor import Tensor


def _reduced_dims(dim, ndim: int):
    if dim is None:
        return None
    return R._dims(dim, ndim)


def _norm_values(data: np.ndarray, ord: float, dims, keepdim: bool) -> np.ndarray:
    if ord not in (0, 2) and not math.isinf(ord):
        in_order = p_norm_in_order(data, ord, dims, keepdim)
        if in_order is not None:
            return in_order
    magnitudes = np.abs(data)
    axis = dims if dims is None else tuple(dims)
    with np.errstate(all="ignore"):
        if ord == math.inf:
            return np.max(magnitudes, axis=axis, keepdims=keepdim, initial=0)
        if ord == -math.inf:
            return np.min(magnitudes, axis=axis, keepdims=keepdim)
        if ord == 0:
            return np.sum(magnitudes != 0, axis=axis, keepdims=keepdim).astype(data.dtype)
        if ord == 1:
            return np.sum(magnitudes, axis=axis, keepdims=keepdim)
        if ord == 2:
            in_lanes = two_norm_in_lanes(data, dims, keepdim)
            if in_lanes is not None:
                return in_lanes
            return np.sqrt(np.sum(data * data, axis=axis, keepdims=keepdim))
        powered = np.sum(magnitudes ** data.dtype.type(ord), axis=axis, keepdims=keepdim)
        return powered ** data.dtype.type(1.0 / ord)


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    if not isinstance(x, Tensor):
        raise TypeError(f"linalg_vector_norm(): argument 'input' (position 1) must be Tensor, "
                        f"not {type(x).__name__}")
    data = x._data if dtype is None else x._data.astype(dtype.np_dtype)
    if data.dtype.kind not in "fc":
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {x.dtype.tensor_type[:-6]}")
    dims = _reduced_dims(dim, data.ndim)
    if data.size == 0 and ord < 0:
        raise RuntimeError("linalg.vector_norm cannot compute the "
                           f"{ord} norm on an empty tensor because the operation does not have "
                           "an identity")
    out = np.asarray(_norm_values(data, ord, dims, keepdim), dtype=data.dtype)
    source = x if dtype is None else x.to(dtype)
    return record(R.LinalgVectorNormBackward0, out, (source,), {"self": source},
                  {"ord": ord, "dim": None if dims is None else R._saved_dims(dim),
                   "_dims": dims, "keepdim": keepdim, "_self_sizes": data.shape},
                  save_result="result")


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """ATen's linalg_matrix_norm: 'fro' a vector norm, 'nuc' and +-2 through svdvals (of A
    with the two dims moved last), +-1 and +-inf a vector 1-norm and a max / min."""
    if isinstance(ord, str):
        if ord not in ("fro", "nuc"):
            raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    elif abs(ord) not in (1, 2, math.inf):
        raise RuntimeError(f"linalg.matrix_norm: Order {float(ord):g} not supported.")
    dims = _matrix_norm_dims(A, dim)
    if ord == "fro":
        return vector_norm(A, 2, dim, keepdim, dtype=dtype)
    source = A if dtype is None else A.to(dtype)
    if ord == "nuc" or abs(ord) == 2:
        order = [d for d in range(A.dim()) if d not in dims] + list(dims)
        values = svdvals(source.permute(*order))
        if ord == "nuc":
            result = values.sum(-1, keepdim)
        else:
            result = values.amax(-1, keepdim) if ord > 0 else values.amin(-1, keepdim)
        if keepdim:
            result = result.unsqueeze(-1).permute(*[order.index(d) for d in range(A.dim())])
        return result
    first, second = dims if abs(ord) == 1 else dims[::-1]
    if not keepdim and first < second:
        second -= 1
    sums = vector_norm(A, 1.0, (first,), keepdim, dtype=dtype)
    return sums.amax(second, keepdim) if ord > 0 else sums.amin(second, keepdim)


def _matrix_norm_dims(A, dim) -> tuple[int, int]:
    if A.dim() < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           "dimensions.")
    if A._data.dtype.kind not in "fc":
        raise RuntimeError("linalg.matrix_norm: Expected a floating point or complex tensor "
                           f"as input. Got {A.dtype.tensor_type[:-6]}")
    dim = tuple(dim)
    if len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got "
                           f"{' '.join(str(d) for d in dim)}")
    wrapped = tuple(d % A.dim() if -A.dim() <= d < A.dim() else d for d in dim)
    if wrapped[0] == wrapped[1]:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({wrapped[0]}, "
                           f"{wrapped[1]})")
    return wrapped


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    """ATen's linalg_norm: a matrix norm for an ord with two dims (or a 2-D input without
    dim), else a vector norm (2 when ord is None)."""
    if isinstance(dim, int):
        dim = (dim,)
    if dim is not None and len(dim) not in (1, 2):
        raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. "
                           f"Got [{', '.join(str(d) for d in dim)}]")
    if dim is None and ord is not None and A.dim() not in (1, 2):
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must "
                           f"be 1D or 2D. Got {A.dim()}D.")
    if ord is not None and (isinstance(ord, str) or (dim is not None and len(dim) == 2) or
                            (dim is None and A.dim() == 2)):
        return matrix_norm(A, ord, (0, 1) if dim is None else dim, keepdim, dtype=dtype)
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)


def _to_string(order) -> str:
    """The order as C++'s std::to_string prints it in cond's messages."""
    if isinstance(order, float):
        return f"{order:.6f}" if math.isfinite(order) else str(order)
    return str(order)


def cond(A, p=None):
    """ATen's linalg_cond: the ratio of extreme singular values for p None or +-2, else
    ||A|| ||A^-1|| (infinite for a singular A)."""
    if A.dim() < 2:
        raise RuntimeError("linalg.cond: The input tensor must have at least 2 dimensions.")
    order = 2 if p is None else p
    if not (order in ("fro", "nuc") or (not isinstance(order, str) and
                                          abs(order) in (1, 2, math.inf))):
        raise RuntimeError(f"linalg.cond got an invalid norm type: {order}")
    if order not in ("fro", "nuc") and abs(order) == 2:
        values = svdvals(A)
        largest, smallest = values.narrow(-1, 0, 1), values.narrow(-1, -1, 1)
        ratio = smallest / largest if order == -2 else largest / smallest
        return ratio.squeeze(-1)
    check_square(A, f"linalg.cond(ord={_to_string(order)})")
    if order == "nuc":      # ATen's: the definition (matrix_norm refuses the inverse's inf)
        values = svdvals(A)
        return values.sum(-1) * values.reciprocal().sum(-1)
    inverse, info = inv_ex(A)
    # In place, as ATen does: so the inverse inv_ex saved has changed, and backward refuses.
    inverse.masked_fill_((info > 0).unsqueeze(-1).unsqueeze(-1), math.inf)
    return matrix_norm(A, order) * matrix_norm(inverse, order)


def vecdot(x, y, *, dim=-1):
    return (x * y).sum(dim)


def other_order_grad(n, g):
    """norm_backward for an order other than 2 (ATen's formulas)."""
    a = n._attrs
    ord = a["ord"]
    x, result = n.saved("self"), n.saved("result")
    if a["_dims"] is not None and not a["keepdim"] and len(a["_self_sizes"]):
        g, result = R._unsqueeze_dims(g, a["_dims"]), R._unsqueeze_dims(result, a["_dims"])
    tensor = isinstance(g, Tensor)
    if ord == 0:
        return (None,)          # ATen gives no gradient at all (an undefined tensor)
    if ord == 1:
        return (x.sgn() * g if tensor else P.sgn(x) * g,)      # sgn(nan) is 0
    if math.isinf(ord):
        return (_inf_order_grad(x, result, g, a["_dims"], tensor),)
    if tensor:
        out = x * x.abs().pow(ord - 2) * g / result.pow(ord - 1)
        return (out.masked_fill(result == 0, 0),)
    with np.errstate(all="ignore"):
        out = x * np.abs(x) ** (ord - 2) * g / result ** (ord - 1)
        return (np.where(result == 0, 0, out).astype(g.dtype),)


def _inf_order_grad(x, result, g, dims, tensor: bool):
    """self.sgn() * ((grad / mask.sum(dims, keepdim)) * mask), mask = |self| == norm or NaN."""
    if tensor:
        magnitude = x.abs()
        mask = (magnitude == result).logical_or(magnitude.isnan())
        count = mask.sum(dims, keepdim=True) if dims is not None else mask.sum()
        return x.sgn() * ((g / count) * mask)
    magnitude = np.abs(x)
    mask = (magnitude == result) | np.isnan(magnitude)
    count = mask.sum(axis=dims, keepdims=True)
    return (P.sgn(x) * ((g / count) * mask)).astype(g.dtype)


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    return A.diagonal(offset, dim1, dim2)


# ---------------------------------------------------------------- the rest of torch.linalg
# (inverses, solves, factorizations and products: engine/ops/linalg_*.py)
from engine.ops.linalg import matmul  # noqa: E402,F401  (torch.linalg.matmul is torch.matmul)
from engine.ops.linalg_compat import tensorinv, tensorsolve  # noqa: E402,F401
from engine.ops.linalg_exp import matrix_exp  # noqa: E402,F401
from engine.ops.linalg_products import linalg_cross as cross  # noqa: E402,F401
from engine.ops.linalg_products import multi_dot, vander  # noqa: E402,F401
from engine.ops.linalg_solve import (LinAlgError, check_square, cholesky,  # noqa: E402,F401
                                     cholesky_ex, det, inv, inv_ex, matrix_power, slogdet,
                                     solve, solve_ex)
from engine.ops.linalg_spectral import (eigh, eigvalsh, matrix_rank, pinv, qr,  # noqa: E402,F401
                                        svd, svdvals)
from engine.ops.linalg_triangular import lstsq, solve_triangular  # noqa: E402,F401
from engine._unsupported import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr("torch.linalg")
