"""Distances and products of linear algebra: cdist, cross / linalg.cross, trace, kron,
multi_dot, vander, diag_embed.

cdist records what ATen records: one CdistBackward0 node (whose gradients PyTorch cannot
differentiate again), or for p=2 on more than 25 rows (or compute_mode
'use_mm_for_euclid_dist') the matrix-product form, an EuclideanDistBackward0 node viewed
to the output's shape.
"""
from __future__ import annotations

import math

import numpy as np

from engine._cpp_warning import cpp_warning, warn_once
from engine.autograd import node as _node
from engine.autograd.node import Node, node_class
from engine.ops._core import as_tensor, record, wrap_dim
from engine.ops.linalg_solve import _is_array, lift, mT, sum_to
from engine.ops.shape import diagonal_view
from engine.tensor import Tensor

_MODES = {"use_mm_for_euclid_dist_if_necessary": 0, "use_mm_for_euclid_dist": 1,
          "donot_use_mm_for_euclid_dist": 2}


# ---------------------------------------------------------------- cdist

def _pair_differences(x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
    return x1[..., :, None, :] - x2[..., None, :, :]


def _distances(diff: np.ndarray, p: float) -> np.ndarray:
    magnitudes = np.abs(diff)
    if p == 0:
        return np.sum(magnitudes != 0, axis=-1).astype(diff.dtype)
    if p == 1:
        return magnitudes.sum(-1)
    if p == 2:
        return np.sqrt(np.sum(diff * diff, axis=-1))
    if math.isinf(p):
        return magnitudes.max(-1) if diff.shape[-1] else np.zeros(diff.shape[:-1], diff.dtype)
    return np.sum(magnitudes ** diff.dtype.type(p), axis=-1) ** diff.dtype.type(1.0 / p)


def _pair_gradient(diff: np.ndarray, dist: np.ndarray, g: np.ndarray, p: float) -> np.ndarray:
    """ATen's _cdist_backward terms, one per pair and column: d dist_ij / d x1_i times g_ij."""
    dist, g = dist[..., None], g[..., None]
    with np.errstate(all="ignore"):
        if p == 0:
            return np.zeros_like(diff)
        if p == 1:
            return np.sign(diff) * g
        if p == 2:
            return np.where(dist == 0, 0, diff * g / dist)
        if math.isinf(p):
            return np.sign(diff) * (np.abs(diff) == dist) * g
        if p < 2:
            term = np.sign(diff) * np.abs(diff) ** (p - 1) * g / dist ** (p - 1)
            zero = (dist == 0) | ((diff == 0) & (p < 1))
            return np.where(zero, 0, term)
        return np.where(dist == 0, 0, diff * np.abs(diff) ** (p - 2) * g / dist ** (p - 1))


class CdistBackwardBackward0(Node):
    """The node of cdist's gradients under create_graph: ATen has no derivative for
    _cdist_backward, so differentiating them raises."""

    def name(self) -> str:
        return "CdistBackwardBackward0"

    def _apply(self, grads):
        raise NotImplementedError("the derivative for '_cdist_backward' is not implemented.")


def _cdist_rule(n, g):
    a = n._attrs
    g_data = g._data if isinstance(g, Tensor) else g
    x1, x2 = n.saved("x1"), n.saved("x2")
    x1_data = x1._data if isinstance(x1, Tensor) else x1
    x2_data = x2._data if isinstance(x2, Tensor) else x2
    result = n.saved("result")
    dist = result._data if isinstance(result, Tensor) else result
    terms = _pair_gradient(_pair_differences(x1_data, x2_data), dist, g_data, a["p"])
    grads = (sum_to(terms.sum(-2), x1_data.shape) if n.needs(0) else None,
             sum_to(-terms.sum(-3), x2_data.shape) if n.needs(1) else None)
    if not _node.graph_mode:
        return grads
    # ATen's _cdist_backward(grad, x1, x2, p, result) for x1, and for x2 the same with the
    # operands swapped and grad, result transposed: two nodes, each one gradient.
    from engine.ops._double import record_grads
    g, = lift(g)
    first = second = None
    if grads[0] is not None:
        first, = record_grads(CdistBackwardBackward0, grads[:1], (x1_data.shape,),
                              (g, x1, x2, result))
    if grads[1] is not None:
        second, = record_grads(CdistBackwardBackward0, grads[1:], (x2_data.shape,),
                               (mT(g).contiguous(), x2, x1, mT(result).contiguous()))
    return first, second


CdistBackward0 = node_class("CdistBackward0", _cdist_rule)


def _euclidean_rule(n, g):
    """ATen's _euclidean_dist_backward, differentiable as written."""
    g, x1, x2, result = lift(g, n.saved("x1"), n.saved("x2"), n.saved("result"))
    if _is_array(g):
        with np.errstate(all="ignore"):
            ratio = np.where(result == 0, 0, g / result).astype(g.dtype)
        return (x1 * ratio.sum(-1, keepdims=True) - ratio @ x2 if n.needs(0) else None,
                x2 * ratio.sum(-2)[..., None] - mT(ratio) @ x1 if n.needs(1) else None)
    ratio = (g / result).masked_fill(result == 0, 0)
    return (x1 * ratio.sum(-1, keepdim=True) - ratio @ x2 if n.needs(0) else None,
            x2 * ratio.sum(-2).unsqueeze(-1) - mT(ratio) @ x1 if n.needs(1) else None)


EuclideanDistBackward0 = node_class("EuclideanDistBackward0", _euclidean_rule)


def _euclidean_values(x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
    """ATen's _euclidean_dist: one matrix product of padded rows, [-2 x1, |x1|^2, 1] and
    [x2, 1, |x2|^2], clamped at 0 and square-rooted (so its rounding is PyTorch's)."""
    norms1 = np.sum(x1 * x1, axis=-1, keepdims=True)
    norms2 = np.sum(x2 * x2, axis=-1, keepdims=True)
    left = np.concatenate([x1 * x1.dtype.type(-2), norms1, np.ones_like(norms1)], -1)
    right = np.concatenate([x2, np.ones_like(norms2), norms2], -1)
    return np.sqrt(np.maximum(left @ np.swapaxes(right, -1, -2), 0))


def _euclidean_dist(x1: Tensor, x2: Tensor) -> Tensor:
    values = _euclidean_values(x1._data, x2._data)
    return record(EuclideanDistBackward0, values, (x1, x2), {"x1": x1, "x2": x2},
                  save_result="result")


def _check_cdist(x1: Tensor, x2: Tensor, p: float) -> tuple:
    for name, x in (("X1", x1), ("X2", x2)):
        if x._data.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: "
                               f"{x._data.ndim}D")
    if x1._data.shape[-1] != x2._data.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: "
                           f"{x1._data.shape[-1]} X2: {x2._data.shape[-1]}")
    for name, x in (("X1", x1), ("X2", x2)):
        if x._data.dtype.kind != "f":
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: "
                               f"{x.dtype.tensor_type[:-6]}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    try:
        batch = tuple(np.broadcast_shapes(x1._data.shape[:-2], x2._data.shape[:-2]))
    except ValueError:
        from engine.ops.elementwise import broadcast_error
        raise broadcast_error(x1._data.shape[:-2], x2._data.shape[:-2]) from None
    if x1._data.dtype != x2._data.dtype:
        from engine.ops.linalg import _SCALAR_NAMES
        raise RuntimeError(f"expected scalar type {_SCALAR_NAMES[x1._data.dtype.name]} but "
                           f"found {_SCALAR_NAMES[x2._data.dtype.name]}")
    return batch


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    if compute_mode not in _MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    mode = _MODES[compute_mode]
    batch = _check_cdist(x1, x2, p)
    r1, r2, columns = x1._data.shape[-2], x2._data.shape[-2], x1._data.shape[-1]
    uses_mm = p == 2 and (mode == 1 or (mode == 0 and (r1 > 25 or r2 > 25)))
    if x1._data.size and x2._data.size and columns and uses_mm:
        return _cdist_by_products(x1, x2, batch)
    diff = _pair_differences(x1._data, x2._data)
    values = _distances(diff, p) if columns else np.zeros(batch + (r1, r2), x1._data.dtype)
    return record(CdistBackward0, np.ascontiguousarray(values), (x1, x2),
                  {"x1": x1, "x2": x2}, {"p": float(p)}, save_result="result")


def _cdist_by_products(x1: Tensor, x2: Tensor, batch: tuple) -> Tensor:
    from engine.ops.shape import expand, reshape, view
    (r1, c), r2 = x1._data.shape[-2:], x2._data.shape[-2]
    count = int(np.prod(batch))
    if count == 1 and x1._data.ndim == 2 and x2._data.ndim == 2:
        result = _euclidean_dist(x1, x2)
    else:
        left = reshape(expand(x1, batch + (r1, c)), (count, r1, c))
        right = reshape(expand(x2, batch + (r2, c)), (count, r2, c))
        result = _euclidean_dist(left, right)
    return view(result, batch + (r1, r2))


# ---------------------------------------------------------------- cross

def _cross_rule(n, g):
    g, x, other = lift(g, n.saved("self"), n.saved("other"))
    dim = n._attrs["_dim"]
    return (sum_to(_cross(other, g, dim), x.shape) if n.needs(0) else None,
            sum_to(_cross(g, x, dim), other.shape) if n.needs(1) else None)


def _cross(a, b, dim: int):
    if _is_array(a) and _is_array(b):
        return np.cross(a, b, axis=dim)
    return linalg_cross(lift(a)[0], lift(b)[0], dim=dim)


LinalgCrossBackward0 = node_class("LinalgCrossBackward0", _cross_rule)


def linalg_cross(input, other, *, dim=-1):
    input, other = as_tensor(input), as_tensor(other)
    a, b = input._data, other._data
    if a.ndim != b.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    axis = wrap_dim(dim, a.ndim)
    if a.shape[axis] != 3 or b.shape[axis] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{a.shape[axis]} and {b.shape[axis]}")
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        from engine.ops.elementwise import broadcast_error
        raise broadcast_error(a.shape, b.shape) from None
    if a.dtype != b.dtype:
        from engine.ops.linalg import _SCALAR_NAMES
        raise RuntimeError(f"expected scalar type {_SCALAR_NAMES[a.dtype.name]} but found "
                           f"{_SCALAR_NAMES[b.dtype.name]}")
    values = np.cross(a, b, axis=axis).astype(a.dtype)
    return record(LinalgCrossBackward0, values, (input, other), {"self": input, "other": other},
                  {"dim": dim % 2**64, "_dim": axis})


_CROSS_DIM_WARNING = cpp_warning(
    "Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass the "
    "dim explicitly or simply use torch.linalg.cross.\nThe default value of dim will change to "
    "agree with that of linalg.cross in a future release.", "aten/src/ATen/native/Cross.cpp:63")


def cross(input, other, dim=None):
    """torch.cross: without dim, the first dim of length 3 (deprecated, warned once)."""
    if dim is None:
        warn_once(_CROSS_DIM_WARNING, stacklevel=3)
        shape = np.broadcast_shapes(input._data.shape, other._data.shape)
        dim = next((i for i, size in enumerate(shape) if size == 3), -1)
    return linalg_cross(input, other, dim=dim)


# ---------------------------------------------------------------- trace, kron

def _trace_rule(n, g):
    """ATen's trace_backward: zeros with g at every (cols + 1)-th place, viewed as the
    input (IndexFillBackward1 and ViewBackward0 under create_graph)."""
    rows, cols = n._attrs["self_sym_sizes"]
    if not isinstance(g, Tensor):
        return (np.asarray(g) * np.eye(rows, cols, dtype=g.dtype),)
    from engine.creation import arange, zeros
    flat = zeros(rows * cols, dtype=g.dtype)
    flat.index_fill_(0, arange(0, rows * cols, cols + 1), g)
    return (flat.view(rows, cols),)


TraceBackward0 = node_class("TraceBackward0", _trace_rule)


def trace(input):
    data = input._data
    if data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {data.ndim}")
    if data.dtype == np.bool_:
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    dtype = np.int64 if data.dtype.kind in "iu" else data.dtype
    value = np.asarray(np.trace(data, dtype=dtype))
    return record(TraceBackward0, value, (input,), None, {"self_sym_sizes": data.shape})


def kron(input, other):
    """ATen's kron: both operands viewed with interleaved unit dims, multiplied, and the
    product viewed as the result (UnsafeViewBackward0, MulBackward0, UnsafeViewBackward0)."""
    from engine.ops.elementwise import mul
    from engine.ops.linalg import _unsafe_view
    ndim = max(input._data.ndim, other._data.ndim)
    a_shape = (1,) * (ndim - input._data.ndim) + input._data.shape
    b_shape = (1,) * (ndim - other._data.ndim) + other._data.shape
    a_view = tuple(x for size in a_shape for x in (size, 1))
    b_view = tuple(x for size in b_shape for x in (1, size))
    result_shape = tuple(x * y for x, y in zip(a_shape, b_shape))
    product = mul(_unsafe_view(input, a_view), _unsafe_view(other, b_view))
    return _unsafe_view(product, result_shape)


# ---------------------------------------------------------------- multi_dot, vander

_C_TYPE_NAMES = {"float32": "float", "float64": "double", "int64": "long int", "int32": "int",
                 "float16": "c10::Half", "bool": "bool"}


def multi_dot(tensors):
    """ATen's linalg_multi_dot: vectors at the ends as a row / a column, the cheapest order
    of mm's (by the matrix-chain costs), and a view to the output's shape."""
    from engine.ops.linalg import mm
    n = len(tensors)
    if n < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {n}")
    matrices, out_shape = _chain_matrices(list(tensors))
    for i in range(1, n):
        _check_chain_link(tensors, matrices, i)
    if n == 2:
        result = mm(matrices[0], matrices[1])
    elif n == 3:
        a, b = matrices[0].shape[0], matrices[1].shape[0]
        c, d = matrices[2].shape
        if (a * c) * (b + d) > (b * d) * (a + c):
            result = mm(matrices[0], mm(matrices[1], matrices[2]))
        else:
            result = mm(mm(matrices[0], matrices[1]), matrices[2])
    else:
        result = _chain_product(matrices, _chain_order(matrices), 0, n - 1)
    return result.view(tuple(out_shape))


def _chain_matrices(tensors: list):
    from engine.ops.shape import unsqueeze
    first, last = tensors[0], tensors[-1]
    out_shape = []
    if first.dim() == 1:
        tensors[0] = unsqueeze(first, 0)
    elif first.dim() == 2:
        out_shape.append(first.shape[0])
    else:
        raise RuntimeError(f"multi_dot(): the first tensor must be 1D or 2D but got "
                           f"{first.dim()}D")
    if last.dim() == 1:
        tensors[-1] = unsqueeze(last, -1)
    elif last.dim() == 2:
        out_shape.append(last.shape[1])
    else:
        raise RuntimeError(f"multi_dot(): the last tensor must be 1D or 2D but got "
                           f"{last.dim()}D")
    for i in range(1, len(tensors) - 1):
        if tensors[i].dim() != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got "
                               f"{tensors[i].dim()}D")
    return tensors, out_shape


def _check_chain_link(given, matrices, i: int) -> None:
    first, this = matrices[0]._data.dtype, matrices[i]._data.dtype
    if this != first:
        raise RuntimeError(f"multi_dot(): all tensors must have be the same dtype but tensor 0 "
                           f"is {_C_TYPE_NAMES.get(first.name, first.name)} and tensor {i} "
                           f"{_C_TYPE_NAMES.get(this.name, this.name)}")
    if matrices[i - 1].shape[-1] != matrices[i].shape[0]:
        shapes = [f"[{', '.join(str(s) for s in given[j].shape)}]" for j in (i - 1, i)]
        raise RuntimeError(f"multi_dot(): tensors {i - 1} and {i} with shapes {shapes[0]} and "
                           f"{shapes[1]} cannot be multiplied")


def _chain_order(matrices) -> list:
    """The matrix-chain split points (the classic dynamic programme, ties to the first)."""
    n = len(matrices)
    dims = [m.shape[0] for m in matrices] + [matrices[-1].shape[1]]
    cost = [[0] * n for _ in range(n)]
    order = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = None
            for k in range(i, j):
                q = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if cost[i][j] is None or q < cost[i][j]:
                    cost[i][j], order[i][j] = q, k
    return order


def _chain_product(matrices, order, i: int, j: int):
    from engine.ops.linalg import mm
    if i == j:
        return matrices[i]
    split = order[i][j]
    return mm(_chain_product(matrices, order, i, split),
              _chain_product(matrices, order, split + 1, j))


def vander(x, *, N=None):
    """ATen's linalg_vander: a column of ones before the cumulative products of x."""
    from engine.ops.selective_reductions import cumprod
    from engine.ops.shape import cat
    if x._data.dtype.kind not in "fciu" or x._data.dtype.name == "float16":
        names = {"bool": "Bool", "float16": "Half"}
        raise RuntimeError(f"linalg.vander supports floating point, complex, and integer "
                           f"tensors, but got {names.get(x._data.dtype.name, x._data.dtype)}")
    column = x.unsqueeze(-1) if x.dim() == 0 else x
    n = column.shape[-1] if N is None else N
    if n <= 1:
        raise RuntimeError("N must be greater than 1.")
    shape = tuple(column.shape) + (n - 1,)
    powers = cumprod(column.unsqueeze(-1).expand(shape), -1)
    return cat([powers.new_ones(shape[:-1] + (1,)), powers], -1)


# ---------------------------------------------------------------- diag_embed

def _diag_embed_rule(n, g):
    a = n._attrs
    return (g.diagonal(a["_offset"], a["_dim1"], a["_dim2"]) if hasattr(g, "_data") else
            diagonal_view(g, a["_offset"], a["_dim1"], a["_dim2"]).copy(),)


DiagEmbedBackward0 = node_class("DiagEmbedBackward0", _diag_embed_rule)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """A batch of matrices with input's last dim on their diagonal at offset."""
    data = input._data
    ndim = data.ndim + 1
    d1, d2 = wrap_dim(dim1, ndim), wrap_dim(dim2, ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    size = data.shape[-1] + abs(offset) if data.ndim else abs(offset) + 1
    rest = iter(data.shape[:-1])
    shape = tuple(size if i in (d1, d2) else next(rest) for i in range(ndim))
    out = np.zeros(shape, dtype=data.dtype)
    diagonal_view(out, offset, d1, d2)[...] = data
    return record(DiagEmbedBackward0, out, (input,), None,
                  {"offset": offset % 2**64, "dim1": dim1 % 2**64, "dim2": dim2 % 2**64,
                   "_offset": offset, "_dim1": d1, "_dim2": d2})
