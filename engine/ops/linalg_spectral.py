"""torch.linalg's factorizations on NumPy's LAPACK: qr, svd, svdvals, eigh, eigvalsh, and
what is built on them: pinv, matrix_rank. Real matrices only.

Each is one node as in PyTorch (LinalgQrBackward0, LinalgSvdBackward0, LinalgEighBackward0,
LinalgPinvBackward0); svdvals and eigvalsh record the same node as svd and eigh, with the
singular or eigenvectors its outputs though not returned. The rules follow ATen's formulas
(FunctionsManual.cpp), written on arrays or, under create_graph, on Tensors.

Singular vectors and eigenvectors are unique up to sign only: LAPACK builds may choose
differently from PyTorch's, as two PyTorch builds may.
"""
from __future__ import annotations

import numpy as np

from engine.autograd.node import node_class
from engine.ops._core import record
from engine.ops.linalg_solve import (_bind_node, _is_array, check_floating, check_matrices,
                                     check_square, column_major, diag_embed, half, lift, mT,
                                     return_type)
from engine.ops.shape import diagonal_view
from engine.tensor import Tensor

qr_result = return_type("linalg_qr", ("Q", "R"))
svd_result = return_type("linalg_svd", ("U", "S", "Vh"))
eigh_result = return_type("linalg_eigh", ("eigenvalues", "eigenvectors"))


def _gaps(values):
    """values_j - values_i, with 1 on the diagonal (filled in place, as ATen fills it)."""
    gaps = _row(values) - _column(values)
    _on_diagonal(gaps, "fill", 1.0)
    return gaps


def _on_diagonal(x, how: str, value) -> None:
    """x's diagonal filled with, multiplied by or copied from `value`, in place (a CopySlices
    node under create_graph, as ATen's in-place writes)."""
    if _is_array(x):
        diagonal = diagonal_view(x, 0, x.ndim - 2, x.ndim - 1)
        if how == "mul":
            diagonal *= value
        else:
            diagonal[...] = value
        return
    diagonal = x.diagonal(0, -2, -1)
    if how == "mul":        # ATen's mul_.Scalar: the number is not an operand of the graph
        from engine.ops.elementwise import mul_scalar
        from engine.ops.inplace import _inplace
        _inplace(diagonal, "mul_", mul_scalar, value)
    else:
        {"fill": diagonal.fill_, "copy": diagonal.copy_}[how](value)


def _zeros_like(x):
    if _is_array(x):
        return np.zeros_like(x)
    from engine.creation import zeros_like
    return zeros_like(x)


def _cat(parts, dim: int):
    if _is_array(parts[0]):
        return np.concatenate(parts, axis=dim)
    from engine.ops.shape import cat
    return cat(parts, dim)


# ---------------------------------------------------------------- eigh, eigvalsh

def _eigh_rule(n, g_values, g_vectors):
    """ATen's linalg_eig_backward for a Hermitian A:
    gA = V (skew(V^H gV) / E + diag(gL)) V^H, E_ij = L_j - L_i (1 on the diagonal)."""
    values, vectors = lift(n.saved("eigenvalues"), n.saved("eigenvectors"))
    g_values, g_vectors = lift(g_values, g_vectors)
    if g_vectors is None:
        return ((vectors * _row(g_values)) @ mT(vectors),)
    product = mT(vectors) @ g_vectors
    product = half(product - mT(product))
    inner = product / _gaps(values)
    if g_values is not None:
        _on_diagonal(inner, "copy", g_values)
    return (vectors @ (inner @ mT(vectors)),)


def _row(v):
    return v[..., None, :] if _is_array(v) else v.unsqueeze(-2)


def _column(v):
    return v[..., :, None] if _is_array(v) else v.unsqueeze(-1)


LinalgEighBackward0 = node_class("LinalgEighBackward0", _eigh_rule, num_outputs=2)
LinalgEighBackward0.keeps_undefined_grads = True  # its rule tells None from zeros


def _eigh_values(A, UPLO: str, fn: str):
    check_square(A, fn)
    if A._data.dtype.kind not in "fc":
        raise NotImplementedError(f"\"linalg_eigh_cpu\" not implemented for "
                                  f"'{A.dtype.tensor_type[:-6]}'")
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    values, vectors = np.linalg.eigh(A._data, UPLO=UPLO)
    return values.astype(A._data.dtype), vectors.astype(A._data.dtype)


def eigh(A, UPLO="L"):
    values, vectors = _eigh_values(A, UPLO, "linalg.eigh")
    outs = (Tensor._make(values), Tensor._make(column_major(vectors)))
    _bind_node(LinalgEighBackward0, outs, (A,), {},
               {"eigenvalues": outs[0], "eigenvectors": outs[1]})
    return eigh_result(*outs)


def eigvalsh(A, UPLO="L"):
    """The eigenvalues of eigh's node, whose eigenvectors output is kept only as a saved
    value (so that second derivatives go through it, as in PyTorch)."""
    return eigh(A, UPLO).eigenvalues


# ---------------------------------------------------------------- svd, svdvals

def _svd_rule(n, g_U, g_S, g_Vh):
    """ATen's svd_backward (real case)."""
    U, S, Vh = lift(n.saved("U"), n.saved("S"), n.saved("Vh"))
    g_U, g_S, g_Vh = lift(g_U, g_S, g_Vh)
    k = S.shape[-1]
    if n._attrs["full_matrices"]:
        U, Vh = U[..., :, :k], Vh[..., :k, :]
        g_U = None if g_U is None else g_U[..., :, :k]
        g_Vh = None if g_Vh is None else g_Vh[..., :k, :]
    m, cols = U.shape[-2], Vh.shape[-1]
    if g_U is None and g_Vh is None:
        if g_S is None:
            return (None,)
        return (U @ (_column(g_S) * Vh) if m >= cols else (U * _row(g_S)) @ Vh,)
    return (_svd_vectors_grad(U, S, Vh, g_U, g_S, g_Vh),)


def _svd_vectors_grad(U, S, Vh, g_U, g_S, g_Vh):
    m, cols = U.shape[-2], Vh.shape[-1]
    squares = S * S
    gaps = _gaps(squares)
    if g_U is not None:
        UhgU = mT(U) @ g_U
        UhgU = UhgU - mT(UhgU)
    if g_Vh is not None:
        VhgV = Vh @ mT(g_Vh)
        VhgV = VhgV - mT(VhgV)
    if g_U is not None and g_Vh is not None:
        inner = (UhgU * _row(S) + _column(S) * VhgV) / gaps
    elif g_U is not None:
        inner = (UhgU / gaps) * _row(S)
    else:
        inner = _column(S) * (VhgV / gaps)
    if g_S is not None:
        inner = inner + diag_embed(g_S)
    if m > cols and g_U is not None:
        grad = U @ inner
        scaled = g_U / _row(S)
        grad = (grad + scaled - U @ (mT(U) @ scaled)) @ Vh
    elif m < cols and g_Vh is not None:
        grad = inner @ Vh
        scaled = g_Vh / _column(S)
        grad = U @ (grad + scaled - (scaled @ mT(Vh)) @ Vh)
    else:
        grad = U @ (inner @ Vh) if m >= cols else (U @ inner) @ Vh
    return grad


LinalgSvdBackward0 = node_class("LinalgSvdBackward0", _svd_rule, num_outputs=3)
LinalgSvdBackward0.keeps_undefined_grads = True  # its rule tells None from zeros


def _svd_values(A, full_matrices: bool):
    check_matrices(A, "linalg.svd")
    check_floating(A, "linalg.svd")
    U, S, Vh = np.linalg.svd(A._data, full_matrices=full_matrices)
    dtype = A._data.dtype
    return column_major(U.astype(dtype)), S.astype(dtype), column_major(Vh.astype(dtype))


def svd(A, full_matrices=True, *, driver=None):
    U, S, Vh = (Tensor._make(v) for v in _svd_values(A, full_matrices))
    _bind_node(LinalgSvdBackward0, (U, S, Vh), (A,), {}, {"U": U, "S": S, "Vh": Vh},
               {"full_matrices": full_matrices})
    return svd_result(U, S, Vh)


def svdvals(A, *, driver=None):
    """S of svd's node (U and Vh only saved, so that second derivatives go through them)."""
    return svd(A, full_matrices=False).S


# ---------------------------------------------------------------- qr

def _qr_rule(n, g_Q, g_R):
    mode = n._attrs["mode"]
    if mode == "r":
        raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed "
                           "when mode='r'. Please use linalg.qr(A, mode='reduced') if you are "
                           "going to differentiate through linalg.qr.")
    Q, R = lift(n.saved("Q"), n.saved("R"))
    g_Q, g_R = lift(g_Q, g_R)
    m, cols = Q.shape[-2], R.shape[-1]
    if mode == "complete" and m > cols:
        raise RuntimeError("The QR decomposition is not differentiable when mode='complete' "
                           "and nrows > ncols.")
    if g_Q is None and g_R is None:
        return (None,)
    if m >= cols:
        return (_qr_tall_grad(Q, R, g_Q, g_R),)
    # A = Q [X | Y]: X = Q R1 square; R2 = Q^T Y feeds both Q's gradient and Y's.
    g_Q = _zeros_like(Q) if g_Q is None else g_Q
    g_R = _zeros_like(R) if g_R is None else g_R
    R1, R2 = R[..., :, :m], R[..., :, m:]
    g_R1, g_R2 = g_R[..., :, :m], g_R[..., :, m:]
    Y = Q @ R2
    g_X = _qr_tall_grad(Q, R1, g_Q + Y @ mT(g_R2), g_R1)
    return (_cat([g_X, Q @ g_R2], -1),)


def _qr_tall_grad(Q, R, g_Q, g_R):
    """ATen's linalg_qr_backward for m >= n:
    gA = (gQ + Q syminvadj(triu(gR R^H - Q^H gQ))) R^-H, syminvadj(X) = X + X^H with the
    diagonal halved."""
    from engine.ops.linalg_triangular import solve_triangular_poly
    if g_Q is None:
        grad = g_R @ mT(R)
    elif g_R is None:
        grad = -(mT(Q) @ g_Q)
    else:
        grad = g_R @ mT(R) - mT(Q) @ g_Q
    grad = _triu(grad)
    grad = grad + mT(grad)
    _on_diagonal(grad, "mul", 0.5)
    grad = Q @ grad
    if g_Q is not None:
        grad = grad + g_Q
    return solve_triangular_poly(mT(R), grad, upper=False, left=False)


def _triu(x):
    return np.triu(x) if _is_array(x) else x.triu()


LinalgQrBackward0 = node_class("LinalgQrBackward0", _qr_rule, num_outputs=2)
LinalgQrBackward0.keeps_undefined_grads = True  # its rule tells None from zeros


def qr(A, mode="reduced"):
    if mode not in ("reduced", "r", "complete"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    check_matrices(A, "linalg.qr")
    check_floating(A, "linalg.qr")
    Q, R = np.linalg.qr(A._data, mode="complete" if mode == "complete" else "reduced")
    dtype = A._data.dtype
    if mode == "r":
        Q = np.zeros((0,), dtype=dtype)
    outs = (Tensor._make(column_major(Q.astype(dtype)) if Q.ndim > 1 else Q),
            Tensor._make(column_major(R.astype(dtype))))
    _bind_node(LinalgQrBackward0, outs, (A,), {}, {"Q": outs[0], "R": outs[1]},
               {"mode": mode})
    return qr_result(*outs)


# ---------------------------------------------------------------- pinv, matrix_rank

def _pinv_rule(n, g):
    g, pinv_A, A = lift(g, n.saved("result"), n.saved("self"))
    return (pinv_gradient(g, pinv_A, A),)


def pinv_gradient(g, pinv_A, A):
    """ATen's pinv_backward."""
    m, cols = A.shape[-2], A.shape[-1]
    pinv_At, g_t = mT(pinv_A), mT(g)
    if m <= cols:
        K = g_t @ pinv_A
        K_pinv_At = K @ pinv_At
        return (-mT(pinv_A @ K) + K_pinv_At - (A @ pinv_A) @ K_pinv_At
                + (pinv_At @ pinv_A) @ (g_t - K @ A))
    K = pinv_A @ g_t
    pinv_At_K = pinv_At @ K
    return (-mT(K @ pinv_A) + ((g_t - A @ K) @ pinv_A) @ pinv_At + pinv_At_K
            - (pinv_At_K @ pinv_A) @ A)


LinalgPinvBackward0 = node_class("LinalgPinvBackward0", _pinv_rule)


def _cutoff(values: np.ndarray, shape: tuple, atol, rtol, dtype) -> np.ndarray:
    """max(atol, rtol * the largest singular value); rtol is eps * max(m, n) unless atol > 0
    was given alone."""
    if rtol is None:
        rtol = 0.0 if atol is not None and atol > 0 else np.finfo(dtype).eps * max(shape[-2:])
    largest = values.max(axis=-1, keepdims=True) if values.shape[-1] else \
        np.zeros(values.shape[:-1] + (1,), dtype)
    return np.maximum(0.0 if atol is None else atol, rtol * largest)


def _pinv_values(data: np.ndarray, atol, rtol, hermitian: bool) -> np.ndarray:
    if hermitian:
        values, vectors = np.linalg.eigh(data)
        keep = np.abs(values) > _cutoff(np.abs(values), data.shape, atol, rtol, data.dtype)
        inverted = np.where(keep, 1 / np.where(keep, values, 1), 0)
        return (vectors * inverted[..., None, :]) @ np.swapaxes(vectors, -1, -2)
    U, S, Vh = np.linalg.svd(data, full_matrices=False)
    keep = S > _cutoff(S, data.shape, atol, rtol, data.dtype)
    inverted = np.where(keep, 1 / np.where(keep, S, 1), 0)
    return np.swapaxes(Vh, -1, -2) @ (inverted[..., :, None] * np.swapaxes(U, -1, -2))


def pinv(A, rcond=None, hermitian=False, *, atol=None, rtol=None):
    if A._data.ndim < 2 or A._data.dtype.kind not in "fc":
        shape = ", ".join(str(s) for s in A._data.shape)
        raise RuntimeError(f"linalg.pinv({A.dtype.tensor_type[:-6]}{{[{shape}]}}): expected "
                           "a tensor with 2 or more dimensions of float, double, cfloat or "
                           "cdouble types")
    if rcond is not None:
        rtol = rcond
    values = _pinv_values(A._data, atol, rtol, hermitian).astype(A._data.dtype)
    return record(LinalgPinvBackward0, np.ascontiguousarray(values), (A,), {"self": A},
                  save_result="result")


def matrix_rank(A, tol=None, hermitian=False, *, atol=None, rtol=None):
    check_matrices(A, "linalg.matrix_rank")
    check_floating(A, "linalg.matrix_rank")
    if tol is not None:
        atol, rtol = tol, 0.0
    data = A._data
    values = np.abs(np.linalg.eigvalsh(data)) if hermitian else \
        np.linalg.svd(data, compute_uv=False)
    rank = (values > _cutoff(values, data.shape, atol, rtol, data.dtype)).sum(axis=-1)
    return Tensor._make(np.asarray(rank, dtype=np.int64))
