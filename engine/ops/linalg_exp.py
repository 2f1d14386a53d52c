"""torch.linalg.matrix_exp: scaling and squaring with the [13/13] Pade approximant (Higham,
2005), computed in float64 (so float32 results are rounded from it). PyTorch uses Taylor
polynomials of other degrees; both are accurate to the dtype's rounding, so values agree to
it rather than bit for bit.

The gradient is ATen's: the upper-right block of the exponential of [[A^T, G], [0, A^T]],
written into zeros in place under create_graph as ATen writes it (so the graph has its
CopySlices nodes, and is differentiable again).
"""
from __future__ import annotations

import math

import numpy as np

from engine.autograd.node import node_class
from engine.ops._core import record
from engine.ops.linalg_solve import _is_array, check_floating, check_square, lift, mT

_PADE_13 = (64764752532480000.0, 32382376266240000.0, 7771770303897600.0,
            1187353796428800.0, 129060195264000.0, 10559470521600.0, 670442572800.0,
            33522128640.0, 1323241920.0, 40840800.0, 960960.0, 16380.0, 182.0, 1.0)
_THETA_13 = 5.371920351148152


def _expm(matrix: np.ndarray) -> np.ndarray:
    """exp of one float64 matrix."""
    n = matrix.shape[-1]
    norm = np.abs(matrix).sum(axis=0).max()
    squarings = max(0, math.ceil(math.log2(norm / _THETA_13))) if norm > 0 else 0
    a = matrix / 2.0 ** squarings
    b, identity = _PADE_13, np.eye(n)
    a2 = a @ a
    a4 = a2 @ a2
    a6 = a4 @ a2
    u = a @ (a6 @ (b[13] * a6 + b[11] * a4 + b[9] * a2) + b[7] * a6 + b[5] * a4 + b[3] * a2
             + b[1] * identity)
    v = a6 @ (b[12] * a6 + b[10] * a4 + b[8] * a2) + b[6] * a6 + b[4] * a4 + b[2] * a2 + \
        b[0] * identity
    result = np.linalg.solve(v - u, v + u)
    for _ in range(squarings):
        result = result @ result
    return result


def matrix_exp_values(data: np.ndarray) -> np.ndarray:
    if data.size == 0:
        return data.copy()
    flat = data.reshape((-1,) + data.shape[-2:]).astype(np.float64)
    return np.stack([_expm(m) for m in flat]).reshape(data.shape).astype(data.dtype)


def _matrix_exp_rule(n, g):
    g, A = lift(g, n.saved("self"))
    size = A.shape[-1]
    if _is_array(A):
        zeros = np.zeros_like(A)
        block = np.concatenate([np.concatenate([mT(A), g], -1),
                                np.concatenate([zeros, mT(A)], -1)], -2)
        return (matrix_exp_values(block)[..., :size, size:],)
    block = A.new_zeros(tuple(A.shape[:-2]) + (2 * size, 2 * size))
    transposed = mT(A)
    block.narrow(-2, 0, size).narrow(-1, 0, size).copy_(transposed)
    block.narrow(-2, size, size).narrow(-1, size, size).copy_(transposed)
    block.narrow(-2, 0, size).narrow(-1, size, size).copy_(g)
    return (matrix_exp(block).narrow(-2, 0, size).narrow(-1, size, size),)


LinalgMatrixExpBackward0 = node_class("LinalgMatrixExpBackward0", _matrix_exp_rule)


def matrix_exp(A):
    check_square(A, "linalg.matrix_exp")
    check_floating(A, "linalg.matrix_exp")
    return record(LinalgMatrixExpBackward0, matrix_exp_values(A._data), (A,), {"self": A})
