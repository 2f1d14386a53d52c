"""embedding: EmbeddingBackward0 (one edge, to the weight)."""
from __future__ import annotations

import numpy as np

from engine.autograd.node import node_class
from engine.nn._ops._util import (array, as_uint64, linear_double_node, private, stash,
                                  unpack_saved)
from engine.ops._double import record_grads
from engine.ops._core import record


def _weight_shape(n, g) -> tuple:
    return (n._attrs["weight_sym_argsize_0"],) + tuple(g.shape[n._attrs["_indices"].ndim:])


def _embedding_rule(n, g):
    unpack_saved(n)
    g = array(g)
    a = n._attrs
    indices = n._attrs["_indices"]
    grad = np.zeros(_weight_shape(n, g), dtype=g.dtype)
    flat_indices = indices.reshape(-1)
    flat_grad = g.reshape((flat_indices.size,) + grad.shape[1:])
    if a["scale_grad_by_freq"]:
        counts = np.bincount(flat_indices, minlength=grad.shape[0])
        flat_grad = flat_grad / counts[flat_indices].reshape((-1,) + (1,) * (grad.ndim - 1))
    np.add.at(grad, flat_indices, flat_grad)
    if n._attrs["_padding_idx"] is not None:
        grad[n._attrs["_padding_idx"]] = 0
    return (grad,)


def _rows_at_indices(n, gg):
    """embedding_dense_double_backward: gg's rows at the indices, zero at padding_idx. Like
    torch, it does not scale by frequency (so with scale_grad_by_freq=True the second
    derivative is torch's, not the finite-difference one)."""
    indices = n._attrs["_indices"]
    rows = gg[indices]
    if n._attrs["_padding_idx"] is not None:
        rows[indices == n._attrs["_padding_idx"]] = 0
    return rows


EmbeddingDenseBackwardBackward0 = linear_double_node("EmbeddingDenseBackwardBackward0",
                                                     _rows_at_indices)


def _embedding_double(n, g):
    grads = record_grads(EmbeddingDenseBackwardBackward0, _embedding_rule(n, g),
                         (_weight_shape(n, g),), (g,), {"indices": n.saved("indices")},
                         {"padding_idx": n._attrs["padding_idx"]})
    stash(grads[0], **private(n))
    return grads


EmbeddingBackward0 = node_class("EmbeddingBackward0", _embedding_rule,
                                arrays=True, double=_embedding_double)


SPARSE_MESSAGE = ("engine: sparse=True asks for a sparse gradient, but engine has no sparse "
                  "tensors; use sparse=False (the weight then gets a dense gradient with the "
                  "same values)")


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    if sparse:
        raise NotImplementedError(SPARSE_MESSAGE)
    indices = input._data
    if indices.dtype.kind not in "iu":
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the "
                           "following scalar types: Long, Int; but got "
                           f"torch.{input.dtype.tensor_type} instead (while checking arguments "
                           "for embedding)")
    rows = weight._data.shape[0]
    if indices.size and (indices.min() < 0 or indices.max() >= rows):
        raise IndexError("index out of range in self")
    if padding_idx is not None and padding_idx < 0:
        padding_idx += rows
    if max_norm is not None:
        renorm_in_place(weight, indices, max_norm, norm_type)
    out = weight._data[indices]
    result = record(EmbeddingBackward0, out, (weight,), {"indices": input}, {
        "padding_idx": as_uint64(-1 if padding_idx is None else padding_idx),
        "scale_grad_by_freq": scale_grad_by_freq, "sparse": sparse,
        "weight_sym_argsize_0": rows})
    stash(result, indices=indices, padding_idx=padding_idx)
    return result


def _renorm_rows(weight: np.ndarray, rows, max_norm: float, norm_type: float) -> None:
    """In place, as PyTorch's embedding_renorm_: a row whose norm (added in ATen's order,
    read as a double) is above max_norm is multiplied by max_norm / (norm + 1e-7), computed
    in double and rounded to the dtype."""
    picked = np.ascontiguousarray(weight[rows])
    norms = _row_norms(picked, norm_type).astype(np.float64)
    over = norms > max_norm
    scale = (max_norm / (norms[over] + 1e-7)).astype(weight.dtype)
    weight[np.asarray(rows)[over]] = picked[over] * scale[:, None]


def _row_norms(rows: np.ndarray, norm_type: float) -> np.ndarray:
    from engine.ops._norm_lanes import p_norm_in_order, two_norm_in_lanes
    norms = None
    if norm_type == 2:
        norms = two_norm_in_lanes(rows, (1,), False)
    elif norm_type not in (0, float("inf"), -float("inf")):
        norms = p_norm_in_order(rows, norm_type, (1,), False)
    if norms is None:
        norms = np.linalg.norm(rows, ord=norm_type, axis=1)
    return np.asarray(norms)


def renorm_in_place(weight, indices: np.ndarray, max_norm: float, norm_type: float) -> None:
    """torch.embedding_renorm_ under no_grad: the rows at `indices` renormed, the weight's
    version moved (a value saved from it earlier is then stale, as in PyTorch) and a watcher
    told."""
    from engine import trace
    _renorm_rows(weight._data, np.unique(indices), max_norm, norm_type)
    weight._vc[0] += 1
    if trace.active:
        node = weight._grad_fn
        trace.emit(trace.TensorModified(trace.tensor_id(weight), "embedding_renorm_",
                                        weight._vc[0], None if node is None else node._id,
                                        trace.summarize(weight), weight._requires_grad))


def aten_embedding(weight, indices, padding_idx: int = -1, scale_grad_by_freq: bool = False,
                   sparse: bool = False):
    """torch.embedding: ATen's argument order; a negative padding_idx matches no row (only
    F.embedding counts it from the end) and is saved as given."""
    out = embedding(indices, weight, padding_idx if padding_idx >= 0 else None, None, 2.0,
                    scale_grad_by_freq, sparse)
    if padding_idx < -1 and out._grad_fn is not None:
        out._grad_fn._attrs["padding_idx"] = as_uint64(padding_idx)
    return out


def embedding_renorm_(input, indices, max_norm: float, norm_type: float):
    from engine.ops.inplace import _check_leaf
    _check_leaf(input)
    renorm_in_place(input, indices._data, max_norm, norm_type)
    return input
