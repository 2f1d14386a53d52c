"""The older torch names built on torch.linalg (torch.svd, torch.qr, torch.pinverse) and
linalg's tensor forms (tensorinv, tensorsolve), composed as ATen composes them."""
from __future__ import annotations

import math

from engine._cpp_warning import cpp_warning, warn_once
from engine.ops.linalg_solve import _LinAlgError, inv_ex, return_type, solve
from engine.ops.linalg_spectral import pinv, qr, svd as linalg_svd, svdvals

svd_result = return_type("svd", ("U", "S", "V"))
qr_result = return_type("qr", ("Q", "R"))


def svd(input, some=True, compute_uv=True):
    """torch.svd: V rather than Vh (Vh.mH, a TransposeBackward0); without compute_uv, zeros
    of the full U's and V's shapes."""
    if not compute_uv:
        from engine.creation import zeros
        m, n = input.shape[-2:]
        batch = tuple(input.shape[:-2])
        S = svdvals(input)
        return svd_result(zeros(batch + (m, m), dtype=input.dtype), S,
                          zeros(batch + (n, n), dtype=input.dtype))
    U, S, Vh = linalg_svd(input, full_matrices=not some)
    return svd_result(U, S, Vh.mT)


def pinverse(input, rcond=1e-15):
    return pinv(input, rcond=rcond)


_QR_WARNING = cpp_warning(
    "torch.qr is deprecated in favor of torch.linalg.qr and will be removed in a future "
    "PyTorch release.\nThe boolean parameter 'some' has been replaced with a string parameter "
    "'mode'.\nQ, R = torch.qr(A, some)\nshould be replaced with\nQ, R = torch.linalg.qr(A, "
    "'reduced' if some else 'complete')", "aten/src/ATen/native/BatchLinearAlgebra.cpp:2505")


def torch_qr(input, some=True):
    warn_once(_QR_WARNING, stacklevel=3)
    return qr_result(*qr(input, "reduced" if some else "complete"))


def tensorinv(A, ind=2):
    """The inverse of A viewed as a square matrix of its first ind dims by the others."""
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    end, start = tuple(A.shape[ind:]), tuple(A.shape[:ind])
    rows, cols = math.prod(end), math.prod(start)
    if rows != cols:
        raise RuntimeError("Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {rows} != {cols}")
    inverse, info = inv_ex(A.reshape(rows, rows))
    if int(info.item()):
        raise _LinAlgError(f"inv: The diagonal element {int(info.item())} is zero, the "
                           "inversion could not be completed because the input matrix is "
                           "singular.")
    return inverse.reshape(end + start)


def tensorsolve(A, B, dims=None):
    """X with tensordot(A, X, X.ndim) == B: A's dims in `dims` moved last, one solve."""
    ndim = A.dim()
    if dims is not None:
        A = A.movedim(tuple(dims), tuple(range(ndim - len(dims), ndim)))
    result_shape = tuple(A.shape[B.dim():])
    size, other_size = math.prod(result_shape), math.prod(tuple(B.shape))
    if size != other_size:
        raise RuntimeError("Expected self to satisfy the requirement prod(self.shape[other.ndim"
                           ":]) == prod(self.shape[:other.ndim]), but got "
                           f"{size} != {other_size}")
    return solve(A.reshape(size, size), B.flatten()).reshape(result_shape)
