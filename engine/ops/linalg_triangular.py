"""Triangular solves and what uses them: linalg.solve_triangular, cholesky_solve,
cholesky_inverse, the deprecated torch.cholesky, and linalg.lstsq. NumPy has no triangular
solver: its LU solve on the triangle gives the same solution (to rounding), and a zero on
the diagonal gives PyTorch's infinities and NaNs by substitution."""
from __future__ import annotations

import numpy as np

from engine._cpp_warning import cpp_warning, warn_once
from engine.autograd.node import node_class
from engine.ops._core import record
from engine.ops.linalg_solve import (_bind_node, _cholesky_rule, _cholesky_values, column_major,
                                     _is_array, _is_vector_rhs, check_floating,
                                     check_matrices, check_square, lift, mT, return_type,
                                     sum_to, tril, unsqueeze)
from engine.tensor import Tensor

lstsq_result = return_type("linalg_lstsq", ("solution", "residuals", "rank", "singular_values"))


def _triangle(data: np.ndarray, upper: bool, unitriangular: bool = False) -> np.ndarray:
    part = np.triu(data) if upper else np.tril(data)
    if unitriangular:
        part = part - np.eye(data.shape[-1], dtype=data.dtype) * np.diagonal(
            part, 0, -2, -1)[..., None, :] + np.eye(data.shape[-1], dtype=data.dtype)
    return part


def _substitute(triangle: np.ndarray, rhs: np.ndarray, upper: bool) -> np.ndarray:
    """Solve by substitution, row by row (a zero pivot gives inf / NaN, as LAPACK's trsm)."""
    n = triangle.shape[-1]
    out = np.zeros(np.broadcast_shapes(triangle.shape[:-2], rhs.shape[:-2]) + rhs.shape[-2:],
                   dtype=rhs.dtype)
    rows = range(n - 1, -1, -1) if upper else range(n)
    with np.errstate(all="ignore"):
        for i in rows:
            known = triangle[..., i, :][..., None, :] @ out
            out[..., i, :] = (rhs[..., i, :] - known[..., 0, :]) / triangle[..., i, i][..., None]
    return out


def _solve_triangle(triangle: np.ndarray, rhs: np.ndarray, upper: bool) -> np.ndarray:
    try:
        return np.linalg.solve(triangle, rhs)
    except np.linalg.LinAlgError:
        return _substitute(triangle, rhs, upper)


def triangular_values(a: np.ndarray, b: np.ndarray, upper: bool, left: bool,
                      unitriangular: bool = False) -> np.ndarray:
    triangle = _triangle(a, upper, unitriangular)
    if left:
        return _solve_triangle(triangle, b, upper)
    return np.swapaxes(_solve_triangle(np.swapaxes(triangle, -1, -2), np.swapaxes(b, -1, -2),
                                       not upper), -1, -2)


# ---------------------------------------------------------------- solve_triangular

def _solve_triangular_rule(n, g):
    a = n._attrs
    upper, left, unit = a["upper"], a["left"], a["unitriangular"]
    g, A, X = lift(g, n.saved("self"), n.saved("result"))
    grad_B = solve_triangular_poly(mT(A), g, upper=not upper, left=left, unitriangular=unit)
    grad_A = None
    if n.needs(0):
        grad_A = -(grad_B @ mT(X)) if left else -(mT(X) @ grad_B)
        grad_A = _triu(grad_A, int(unit)) if upper else tril(grad_A, -int(unit))
        grad_A = sum_to(grad_A, a["_A_shape"])
    return grad_A, (sum_to(grad_B, a["_B_shape"]) if n.needs(1) else None)


def _triu(x, k: int):
    return np.triu(x, k) if _is_array(x) else x.triu(k)


def solve_triangular_poly(A, B, *, upper: bool, left: bool, unitriangular: bool = False):
    if _is_array(A):
        return triangular_values(A, B, upper, left, unitriangular)
    return solve_triangular(A, B, upper=upper, left=left, unitriangular=unitriangular)


LinalgSolveTriangularBackward0 = node_class("LinalgSolveTriangularBackward0",
                                            _solve_triangular_rule)


def solve_triangular(A, B, *, upper, left=True, unitriangular=False):
    fn = "linalg.solve_triangular"
    check_square(A, fn)
    if B._data.ndim < 2:
        raise RuntimeError(f"{fn}: The input tensor B must have at least 2 dimensions.")
    check_floating(A, fn)
    a, b = A._data, B._data
    inner = b.shape[-2] if left else b.shape[-1]
    if inner != a.shape[-1]:
        equation = "AX = B" if left else "XA = B"
        raise RuntimeError(f"{fn}: Incompatible shapes of A and B for the equation {equation} "
                           f"({a.shape[-2]}x{a.shape[-1]} and {b.shape[-2]}x{b.shape[-1]})")
    values = triangular_values(a, b, upper, left, unitriangular).astype(b.dtype)
    return record(LinalgSolveTriangularBackward0, column_major(values), (A, B),
                  {"self": A}, {"upper": upper, "left": left, "unitriangular": unitriangular,
                                "_A_shape": a.shape, "_B_shape": b.shape},
                  save_result="result")


# ---------------------------------------------------------------- cholesky_solve, cholesky_inverse

def _cholesky_solve_rule(n, g):
    """ATen's cholesky_solve_backward."""
    upper = n._attrs["upper"]
    g, L, X = lift(g, n.saved("input2"), n.saved("result"))
    grad_B = _cholesky_solve_poly(g, L, upper)
    grad_L = None
    if n.needs(1):
        common = grad_B @ mT(X)
        common = common + mT(common)
        grad_L = sum_to(-(L @ common) if upper else -(common @ L), n._attrs["_L_shape"])
    return (sum_to(grad_B, n._attrs["_B_shape"]) if n.needs(0) else None), grad_L


def _cholesky_solve_poly(B, L, upper: bool):
    if _is_array(B):
        return _cholesky_solve_values(B, L, upper)
    return cholesky_solve(B, L, upper)


def _cholesky_solve_values(b: np.ndarray, factor: np.ndarray, upper: bool) -> np.ndarray:
    """A^-1 b for A = L L^H (or U^H U): two triangular solves."""
    lower = np.swapaxes(factor, -1, -2) if upper else factor
    half = triangular_values(lower, b, upper=False, left=True)
    return triangular_values(np.swapaxes(lower, -1, -2), half, upper=True, left=True)


CholeskySolveBackward0 = node_class("CholeskySolveBackward0", _cholesky_solve_rule)


def cholesky_solve(input, input2, upper=False):
    b, factor = input._data, input2._data
    for name, data in (("b", b), ("u", factor)):
        if data.ndim < 2:
            raise RuntimeError(f"{name} should have at least 2 dimensions, but has {data.ndim} "
                               "dimensions instead")
    if b.dtype != factor.dtype:
        raise RuntimeError(f"Expected b and A to have the same dtype, but found b of type "
                           f"{input.dtype.tensor_type[:-6]} and A of type "
                           f"{input2.dtype.tensor_type[:-6]} instead.")
    if factor.shape[-1] != factor.shape[-2]:
        raise RuntimeError(f"A must be batches of square matrices, but they are "
                           f"{factor.shape[-2]} by {factor.shape[-1]} matrices")
    if factor.shape[-1] != b.shape[-2]:
        raise RuntimeError(f"Incompatible matrix sizes for cholesky_solve: each A matrix is "
                           f"{factor.shape[-2]} by {factor.shape[-1]} but each b matrix is "
                           f"{b.shape[-2]} by {b.shape[-1]}")
    values = _cholesky_solve_values(b, factor, upper).astype(b.dtype)
    return record(CholeskySolveBackward0, column_major(values), (input, input2),
                  {"self": input, "input2": input2},
                  {"upper": upper, "_B_shape": b.shape, "_L_shape": factor.shape},
                  save_result="result")


def _cholesky_inverse_rule(n, g):
    """ATen's cholesky_inverse_backward."""
    g, L, result = lift(g, n.saved("self"), n.saved("result"))
    common = result @ ((g + mT(g)) @ result)
    return (-(L @ common) if n._attrs["upper"] else -(common @ L),)


CholeskyInverseBackward0 = node_class("CholeskyInverseBackward0", _cholesky_inverse_rule)


def cholesky_inverse(input, upper=False):
    check_square(input, "cholesky_inverse")
    check_floating(input, "cholesky_inverse")
    factor = input._data
    identity = np.broadcast_to(np.eye(factor.shape[-1], dtype=factor.dtype), factor.shape)
    values = _cholesky_solve_values(identity, factor, upper).astype(factor.dtype)
    return record(CholeskyInverseBackward0, column_major(values), (input,),
                  {"self": input}, {"upper": upper}, save_result="result")


# ---------------------------------------------------------------- torch.cholesky

_CHOLESKY_WARNING = cpp_warning(
    "torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be removed in a "
    "future PyTorch release.\nL = torch.cholesky(A)\nshould be replaced with\n"
    "L = torch.linalg.cholesky(A)\nand\nU = torch.cholesky(A, upper=True)\nshould be replaced "
    "with\nU = torch.linalg.cholesky(A).mH\nThis transform will produce equivalent results "
    "for all valid (symmetric positive definite) inputs.",
    "aten/src/ATen/native/BatchLinearAlgebra.cpp:1765")


CholeskyBackward0 = node_class("CholeskyBackward0", _cholesky_rule)


def cholesky(input, upper=False):
    warn_once(_CHOLESKY_WARNING, stacklevel=3)
    values, _ = _cholesky_values(input, upper, "cholesky", True)
    return record(CholeskyBackward0, values, (input,), None, {"upper": upper},
                  save_result="result")


# ---------------------------------------------------------------- lstsq

def _lstsq_rule(n, g_solution, g_residuals):
    """The pseudo-inverse's gradients (ATen's linalg_lstsq_backward), and the residuals',
    2 (A X - B) g X^H for A and -2 (A X - B) g for B (X is optimal, so it does not move
    them to first order)."""
    from engine.ops.linalg_spectral import pinv_gradient
    a = n._attrs
    A, B, X = lift(n.saved("self"), n.saved("b"), n.saved("solution"))
    g_solution, g_residuals = lift(g_solution, g_residuals)
    if a["_vector"]:
        B, X = unsqueeze(B, -1), unsqueeze(X, -1)
        g_solution = None if g_solution is None else unsqueeze(g_solution, -1)
    grad_A = grad_B = None
    if g_solution is not None:
        pinv_A = _pinv_poly(A)
        if n.needs(0):
            grad_A = pinv_gradient(g_solution @ mT(B), pinv_A, A)
        grad_B = mT(pinv_A) @ g_solution
    if g_residuals is not None and g_residuals.shape[-1]:
        weighted = (A @ X - B) * (2 * _row(g_residuals))
        grad_A = _add(grad_A, weighted @ mT(X))
        grad_B = _add(grad_B, -weighted)
    if a["_vector"] and grad_B is not None:
        grad_B = grad_B[..., 0] if _is_array(grad_B) else grad_B.squeeze(-1)
    return (grad_A if n.needs(0) else None), (grad_B if n.needs(1) else None)


def _row(v):
    return v[..., None, :] if _is_array(v) else v.unsqueeze(-2)


def _add(total, part):
    return part if total is None else total + part


def _pinv_poly(A):
    if _is_array(A):
        from engine.ops.linalg_spectral import _pinv_values
        return _pinv_values(A, None, None, False).astype(A.dtype)
    from engine.ops.linalg_spectral import pinv
    return pinv(A)


LinalgLstsqBackward0 = node_class("LinalgLstsqBackward0", _lstsq_rule, num_outputs=2)
LinalgLstsqBackward0.keeps_undefined_grads = True  # its rule tells None from zeros

_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


def lstsq(A, B, rcond=None, *, driver=None):
    check_matrices(A, "torch.linalg.lstsq")
    check_floating(A, "torch.linalg.lstsq")
    a, b = A._data, B._data
    vector = _is_vector_rhs(a, b)
    rhs = b[..., None] if vector else b
    if a.shape[-2] != rhs.shape[-2]:
        raise RuntimeError("torch.linalg.lstsq: input.size(-2) should match other.size(-2)")
    driver = driver or "gelsy"
    if driver not in _DRIVERS:
        raise RuntimeError("torch.linalg.lstsq: parameter `driver` should be one of "
                           f"({', '.join(_DRIVERS)})")
    solution, residuals, rank, singular = _lstsq_values(a, rhs, rcond, driver)
    dtype = a.dtype
    outs = (Tensor._make(np.ascontiguousarray((solution[..., 0] if vector else solution)
                                              .astype(dtype))),
            Tensor._make(residuals.astype(dtype)))
    _bind_node(LinalgLstsqBackward0, outs, (A, B), {"self": A, "b": B},
               {"solution": outs[0]}, {"_vector": vector})
    return lstsq_result(outs[0], outs[1], Tensor._make(rank), Tensor._make(singular.astype(dtype)))


def _lstsq_values(a: np.ndarray, b: np.ndarray, rcond, driver: str):
    """The minimum-norm solution and what each LAPACK driver reports beside it: the rank
    (not gels), the singular values (gelsd, gelss), the squared residuals (m > n, every
    matrix of full rank, not gelsy)."""
    m, n = a.shape[-2:]
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a = np.broadcast_to(a, batch + a.shape[-2:])
    b = np.broadcast_to(b, batch + b.shape[-2:])
    if rcond is None:
        rcond = np.finfo(a.dtype).eps * max(m, n)
    singular = np.linalg.svd(a, compute_uv=False)
    largest = singular[..., :1] if singular.shape[-1] else np.zeros(batch + (1,), a.dtype)
    ranks = (singular > rcond * largest).sum(-1).astype(np.int64)
    from engine.ops.linalg_spectral import _pinv_values
    solution = _pinv_values(a, None, rcond, False) @ b
    residuals = np.zeros((0,), a.dtype)
    if m > n and driver != "gelsy" and np.all(ranks == n):
        residuals = np.sum((a @ solution - b) ** 2, axis=-2)
    rank = ranks if driver != "gels" else np.zeros((0,), np.int64)
    values = singular if driver in ("gelsd", "gelss") else np.zeros((0,), a.dtype)
    return solution, residuals, rank, values
