"""cosine_similarity and pairwise_distance as ATen composes them, and pdist (PdistBackward0)."""
from __future__ import annotations

import math

import numpy as np

from engine.autograd import node as _node
from engine.autograd.node import Node, node_class
from engine.autograd.grad_mode import no_grad
from engine.nn._ops._util import check_tensor_arguments
from engine.linalg import _norm_values
from engine.ops import _float32_math as F32
from engine.ops import elementwise as E
from engine.ops import reductions as R
from engine.ops._core import record, result_dtype
from engine.ops.linalg_products import _pair_gradient
from engine.tensor import Tensor


# ---------------------------------------------------------------- cosine_similarity

def _floating_common(x1: Tensor, x2: Tensor):
    from engine.dtypes import from_numpy_dtype
    common = from_numpy_dtype(result_dtype(x1, x2))
    if common.np_dtype.kind != "f":
        raise RuntimeError("expected common dtype to be floating point, yet common dtype is "
                           f"{common.tensor_type[:-6]}")
    return tuple(x if x.is_floating_point() else x.to(common) for x in (x1, x2))


def _expand_outplace(x1: Tensor, x2: Tensor):
    if x1.shape == x2.shape:
        return x1, x2
    try:
        shape = np.broadcast_shapes(tuple(x1.shape), tuple(x2.shape))
    except ValueError:
        raise E.broadcast_error(tuple(x1.shape), tuple(x2.shape)) from None
    return x1.expand(shape), x2.expand(shape)      # both, as ATen's expand_outplace


def cosine_similarity(x1, x2, dim: int = 1, eps: float = 1e-8):
    """Each input over its clamped norm (a clone, clamped in place without grad), their
    product summed over dim: ATen's composite, node for node."""
    from engine.linalg import vector_norm
    check_tensor_arguments("cosine_similarity", ("x1", x1), ("x2", x2))
    x1, x2 = _expand_outplace(*_floating_common(x1, x2))
    norm1 = vector_norm(x1, 2, dim=dim, keepdim=True).clone()
    norm2 = vector_norm(x2, 2, dim=dim, keepdim=True).clone()
    with no_grad():
        norm1.clamp_min_(eps)
        norm2.clamp_min_(eps)
    # ATen's `(*x1 / x1_norm) * (*x2 / x2_norm)`: its compiler evaluates the operands of
    # the product right to left, so the second quotient is recorded first.
    second = x2 / norm2
    return ((x1 / norm1) * second).sum(dim)


# ---------------------------------------------------------------- pairwise_distance

class _AsVectorNorm:
    """A NormBackward1 node seen as the LinalgVectorNormBackward0 rule reads one (its order
    is saved as p, not ord)."""

    def __init__(self, n) -> None:
        self._attrs = {**n._attrs, "ord": n._attrs["p"]}
        self.saved = n.saved


def _norm1_rule(n, g):
    """ATen's norm_backward, the same as for linalg_vector_norm."""
    return R._norm_rule(_AsVectorNorm(n), g)


NormBackward1 = node_class("NormBackward1", _norm1_rule)


def aten_norm(input: Tensor, p: float, dim: int, keepdim: bool) -> Tensor:
    """at::norm(self, p, dim, keepdim): one NormBackward1 node."""
    data = input._data
    dims = R._dims(dim, data.ndim)
    out = np.asarray(_norm_values(data, p, dims, keepdim), dtype=data.dtype)
    return record(NormBackward1, out, (input,), {"self": input},
                  {"p": p, "dim": R._saved_dims(dim), "keepdim": keepdim,
                   "_dims": dims, "_self_sizes": data.shape}, save_result="result")


def pairwise_distance(x1, x2, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False):
    check_tensor_arguments("pairwise_distance", ("x1", x1), ("x2", x2))
    innermost = max(x1.dim(), x2.dim()) - 1
    return aten_norm(E.add_scalar(x1 - x2, eps), float(p), innermost, keepdim)


# ---------------------------------------------------------------- pdist

class PdistBackwardBackward0(Node):
    """pdist's gradient under create_graph: ATen has no derivative for _pdist_backward."""

    def name(self) -> str:
        return "PdistBackwardBackward0"

    def _apply(self, grads):
        raise NotImplementedError("the derivative for '_pdist_backward' is not implemented.")


def _pairs(n_rows: int):
    return np.triu_indices(n_rows, 1)


def _pdist_rule(n, g):
    x, result = n.saved("self"), n.saved("result")
    x_data = x._data if isinstance(x, Tensor) else x
    g_data = g._data if isinstance(g, Tensor) else g
    dist = result._data if isinstance(result, Tensor) else result
    rows, cols = _pairs(x_data.shape[0])
    terms = _pair_gradient(x_data[rows] - x_data[cols], dist, g_data, n._attrs["p"])
    grad = np.zeros_like(x_data)
    np.add.at(grad, rows, terms)
    np.add.at(grad, cols, -terms)
    grad = grad.astype(x_data.dtype, copy=False)
    if not _node.graph_mode:
        return (grad,)
    from engine.ops._double import record_grads
    g = g if isinstance(g, Tensor) else Tensor._make(g)
    return record_grads(PdistBackwardBackward0, (grad,), (x_data.shape,), (g, x, result))


PdistBackward0 = node_class("PdistBackward0", _pdist_rule)


def _fold_lanes(acc: np.ndarray) -> np.ndarray:
    """ATen's vec_reduce_all: float32's 8 lanes folded in halves, float64's 4 in order."""
    if acc.dtype == np.float32:
        while acc.shape[1] > 1:
            half = acc.shape[1] // 2
            acc = acc[:, :half] + acc[:, half:]
        return acc[:, 0]
    total = acc[:, 0]
    for lane in range(1, acc.shape[1]):
        total = total + acc[:, lane]
    return total


def _lane_sum(terms: np.ndarray) -> np.ndarray:
    """ATen's map2_reduce_all over each row: a vector of lanes accumulated block by block,
    the leftover block into the first lanes, then folded; a row shorter than a vector is
    added in order."""
    lanes = 32 // terms.dtype.itemsize
    count = terms.shape[1]
    if count < lanes:
        total = terms[:, 0]
        for k in range(1, count):
            total = total + terms[:, k]
        return total
    full = count - count % lanes
    acc = np.add.reduce(terms[:, :full].reshape(len(terms), -1, lanes), axis=1)
    acc[:, :count - full] += terms[:, full:]
    return _fold_lanes(acc)


def _pdist_values(diff: np.ndarray, p: float) -> np.ndarray:
    """Each pair's p-norm as ATen's pdist kernel adds it (0 and inf: any order is exact)."""
    if p == 0 or math.isinf(p) or diff.shape[1] == 0 or diff.shape[0] == 0:
        return _norm_values(diff, p, (1,), False)
    magnitudes = np.abs(diff)
    if p == 1:
        return _lane_sum(magnitudes)
    if p == 2:
        return np.sqrt(_lane_sum(diff * diff))
    if diff.dtype == np.float32:        # Sleef's pow, as near as NumPy gets
        return F32.in_double(np.power, _lane_sum(F32.in_double(np.power, magnitudes, p)),
                             1.0 / p)
    return _lane_sum(magnitudes ** p) ** (1.0 / p)


def pdist(input, p: float = 2):
    check_tensor_arguments("pdist", ("input", input))
    data = input._data
    if data.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {data.ndim}D")
    if data.dtype.kind != "f":
        raise RuntimeError("pdist only supports floating-point dtypes")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    from engine.ops.shape import contiguous            # ATen's _pdist_forward(input.contiguous())
    input = contiguous(input)
    data = input._data
    rows, cols = _pairs(data.shape[0])
    diff = data[rows] - data[cols]
    out = np.asarray(_pdist_values(diff, float(p)), dtype=data.dtype)
    return record(PdistBackward0, out, (input,), {"self": input}, {"p": float(p)},
                  save_result="result")
