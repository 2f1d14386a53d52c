"""LU factorization with partial pivoting, LAPACK getrf's algorithm step for step, of a batch
of square matrices: what linalg's nodes save as PyTorch's do (LU and pivots), and the info
of a singular matrix. The pivot is the first of the largest magnitudes (idamax's choice)."""

import numpy as np

from engine.kernels._jit import check_float, kernel


@kernel
def _factor(lu, pivots):
    batch, n = lu.shape[0], lu.shape[1]
    for b in range(batch):
        for k in range(n):
            p = k
            best = abs(lu[b, k, k])
            for i in range(k + 1, n):
                if abs(lu[b, i, k]) > best:
                    best = abs(lu[b, i, k])
                    p = i
            pivots[b, k] = p + 1
            if lu[b, p, k] == 0:
                continue
            if p != k:
                for j in range(n):
                    lu[b, k, j], lu[b, p, j] = lu[b, p, j], lu[b, k, j]
            for i in range(k + 1, n):
                lu[b, i, k] /= lu[b, k, k]
                factor = lu[b, i, k]
                for j in range(k + 1, n):
                    lu[b, i, j] -= factor * lu[b, k, j]


def lu_factor(matrices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(..., n, n) -> the packed LU (unit L below the diagonal, U on and above it) and the
    1-based row interchanges (int32), as getrf returns them."""
    check_float("matrices", matrices)
    shape = matrices.shape
    lu = np.array(matrices.reshape((-1,) + shape[-2:]), order="C")
    pivots = np.empty(lu.shape[:2], dtype=np.int32)
    _factor(lu, pivots)
    return lu.reshape(shape), pivots.reshape(shape[:-1])


def infos(lu: np.ndarray) -> np.ndarray:
    """getrf's info per matrix: the 1-based index of the first zero on U's diagonal, or 0."""
    zero = np.diagonal(lu, 0, -2, -1) == 0
    return np.where(zero.any(-1), zero.argmax(-1) + 1, 0).astype(np.int32)
