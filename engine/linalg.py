"""torch.linalg, the norms: vector_norm for every order, matrix_norm ('fro', 'nuc' is not
supported), norm, and vecdot. Each is one LinalgVectorNormBackward0 node as in PyTorch
(a Frobenius norm is a vector norm over two dims)."""
from __future__ import annotations

import math

import numpy as np

from engine.ops import reductions as R
from engine.ops._core import record
from engine.tensor import Tensor


def _reduced_dims(dim, ndim: int):
    if dim is None:
        return None
    return R._dims(dim, ndim)


def _norm_values(data: np.ndarray, ord: float, dims, keepdim: bool) -> np.ndarray:
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
    if A.dim() < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           "dimensions.")
    if ord != "fro":
        from engine._unsupported import NotSupportedError
        raise NotSupportedError(f"torch.linalg.matrix_norm with ord={ord!r} is not supported "
                                "by graphtui's engine (only 'fro')")
    return vector_norm(A, 2, dim, keepdim, dtype=dtype)


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    if isinstance(ord, str) or (ord is not None and dim is not None and
                                not isinstance(dim, int) and len(dim) == 2):
        return matrix_norm(A, "fro" if ord is None else ord, dim if dim is not None
                           else (-2, -1), keepdim, dtype=dtype)
    if ord is None:
        return vector_norm(A, 2, dim, keepdim, dtype=dtype)
    if dim is None and A.dim() == 2:
        from engine._unsupported import NotSupportedError
        raise NotSupportedError("torch.linalg.norm of a matrix with a numeric ord is not "
                                "supported by graphtui's engine")
    return vector_norm(A, ord, dim, keepdim, dtype=dtype)


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
        return (x.sgn() * g if tensor else np.sign(x) * g,)
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
    return (np.sign(x) * ((g / count) * mask)).astype(g.dtype)


# ---------------------------------------------------------------- inverses, solves, decompositions
from engine.ops.linalg_solve import (LinAlgError, cholesky, cholesky_ex, det, inv,  # noqa: E402
                                     inv_ex, matrix_power, slogdet, solve, solve_ex)


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    return A.diagonal(offset, dim1, dim2)
from engine.ops.linalg_spectral import (eigh, eigvalsh, matrix_rank, pinv, qr,  # noqa: E402
                                        svd, svdvals)
from engine.ops.linalg_products import linalg_cross as cross  # noqa: E402
from engine.ops.linalg_triangular import lstsq, solve_triangular  # noqa: E402
from engine.ops.linalg import matmul  # noqa: E402,F401  (torch.linalg.matmul is torch.matmul)
from engine._unsupported import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr("torch.linalg")
