"""embedding_bag: sums, means or maxes of bags of embedding rows, as ATen's CPU kernels
compute them, with one EmbeddingBagBackward0 node (edges to weight and
per_sample_weights) saving what ATen saves, including its three index outputs.

ATen's quirks kept on purpose: float32 sums with per_sample_weights are fused
multiply-adds (fbgemm's), float64 ones are not; the weight gradient adds each occurrence
of an index with a fused multiply-add (BLAS axpy), the occurrences in the order ATen's
unstable sort of the indices leaves them (engine/kernels/introsort.py); scale_grad_by_freq
divides by the count of the i-th smallest index for the i-th distinct one (ATen indexes
its counts that way); the float32 sum without padding_idx returns an empty offset2bag; a
bag past the last offset with include_last_offset runs to the end of the input. Not kept:
per_sample_weights' gradient is one dot product per sample, in NumPy's order where ATen
calls BLAS (an ulp apart at times), and decreasing offsets raise for every mode (ATen's
max mode reads past them)."""
from __future__ import annotations

import warnings

import numpy as np

from engine.autograd.node import Node, node_class
from engine.nn._ops._util import array, as_uint64, kernels, unpack_saved
from engine.nn._ops.sparse import SPARSE_MESSAGE, renorm_in_place
from engine.ops._core import record
from engine.ops._double import NOT_IMPLEMENTED, record_grads
from engine.tensor import Tensor

SUM, MEAN, MAX = 0, 1, 2
_MODES = {"sum": SUM, "mean": MEAN, "max": MAX}
_UNCLEAR = "  (Could this error message be improved?  If so, please report an enhancement " \
           "request to PyTorch.)"


# ---------------------------------------------------------------- F.embedding_bag

def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2,
                  scale_grad_by_freq=False, mode="mean", sparse=False,
                  per_sample_weights=None, include_last_offset=False, padding_idx=None):
    if weight.dtype.tensor_type == "LongTensor" and input.is_floating_point():
        warnings.warn("Argument order of nn.functional.embedding_bag was changed. Usage "
                      "`embedding_bag(weight, input, ...)` is deprecated, and should now be "
                      "`embedding_bag(input, weight, ...)`.", stacklevel=2)
        weight, input = input, weight
    if per_sample_weights is not None and input.size() != per_sample_weights.size():
        raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) "
                         "is not None, then it must have the same shape as the input "
                         f"({input.shape})")
    if weight.dim() != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension "
                         f"{weight.dim()}")
    input, offsets, per_sample_weights, include_last_offset = _as_bags(
        input, offsets, per_sample_weights, include_last_offset)
    mode_enum = _mode_enum(mode, scale_grad_by_freq, sparse)
    if max_norm is not None:
        renorm_in_place(weight, input._data, max_norm, norm_type)
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError("embedding_bag: per_sample_weights was not None. "
                                  "per_sample_weights is only supported for mode='sum' "
                                  f"(got mode='{mode}'). Please open a feature request on "
                                  "GitHub.")
    return aten_embedding_bag(weight, input, offsets, scale_grad_by_freq, mode_enum, sparse,
                              per_sample_weights, include_last_offset, padding_idx)[0]


def _as_bags(input, offsets, per_sample_weights, include_last_offset):
    """F.embedding_bag's forms: 2-D input as fixed-length bags, 1-D input with offsets."""
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated "
                             "is a mini-batch of fixed length sequences. However, found "
                             f"offsets of type {_type_str(offsets)}")
        from engine.creation import arange
        offsets = arange(0, input.numel(), input.size(1), dtype=input.dtype)
        input = input.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
        return input, offsets, per_sample_weights, False
    if input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        return input, offsets, per_sample_weights, include_last_offset
    raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension "
                     f"{input.dim()}")


def _type_str(value) -> str:
    return "<class 'torch.Tensor'>" if isinstance(value, Tensor) else str(type(value))


def _mode_enum(mode: str, scale_grad_by_freq: bool, sparse: bool) -> int:
    if mode not in _MODES:
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max":
        if scale_grad_by_freq:
            raise ValueError("max mode does not support scaling the gradient by the frequency")
        if sparse:
            raise ValueError("max mode does not support sparse weights")
    return _MODES[mode]


# ---------------------------------------------------------------- torch.embedding_bag

def aten_embedding_bag(weight, indices, offsets, scale_grad_by_freq=False, mode=0,
                       sparse=False, per_sample_weights=None, include_last_offset=False,
                       padding_idx=None):
    """torch.embedding_bag: (output, offset2bag, bag_size, max_indices)."""
    rows = weight._data.shape[0]
    padding_idx = _padding_index(padding_idx, rows)
    index_dtype = _index_dtype(indices, offsets)
    _check_weight(weight, per_sample_weights)
    if mode not in (SUM, MEAN, MAX):
        raise RuntimeError("`mode` must be sum, mean, or max.")
    if per_sample_weights is not None:
        _check_per_sample_weights(per_sample_weights, indices, mode)
    if offsets._data.ndim != 1:
        raise RuntimeError(f"offsets has to be a 1D Tensor, but got Tensor of dimension "
                           f"{offsets._data.ndim}")
    if sparse:
        raise NotImplementedError(SPARSE_MESSAGE)
    flat = indices._data.reshape(-1).astype(np.int64)
    starts = _bag_starts(offsets._data.astype(np.int64), flat.size, include_last_offset,
                         offsets.dtype.tensor_type)
    _check_indices(flat, rows, padding_idx)
    bags = _Bags(flat, starts, padding_idx)
    psw = None if per_sample_weights is None else per_sample_weights._data
    out, max_indices = _forward(weight._data, bags, mode, psw)
    aux = _aux_outputs(bags, mode, max_indices, weight, offsets._data.size, padding_idx,
                       index_dtype)
    result = _record(out, weight, indices, offsets, per_sample_weights, aux, mode,
                     scale_grad_by_freq, sparse, padding_idx, rows)
    return (result,) + aux


def _padding_index(padding_idx, rows: int) -> int:
    if padding_idx is None:
        return -1
    if not -rows <= padding_idx < rows:
        raise RuntimeError(f"padding_idx must be within the number of embeddings, -{rows} "
                           f"through {rows - 1}, but got {padding_idx}")
    return padding_idx + rows if padding_idx < 0 else padding_idx


def _index_dtype(indices, offsets):
    """ATen promotes indices and offsets to one type, then checks it."""
    from engine.ops.namespace import promote_types
    dtype = promote_types(indices.dtype, offsets.dtype)
    if dtype.tensor_type not in ("LongTensor", "IntTensor"):
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the "
                           "following scalar types: Long, Int; but got "
                           f"torch.{dtype.tensor_type} instead (while checking arguments for "
                           "embedding_bag)")
    return dtype


def _check_weight(weight, per_sample_weights) -> None:
    if weight._data.dtype.kind != "f":
        raise RuntimeError("Expected tensor for argument #1 'weight' to have one of the "
                           "following scalar types: Half, BFloat16, Float, Double; but got "
                           f"torch.{weight.dtype.tensor_type} instead (while checking "
                           "arguments for embedding_bag)")
    if per_sample_weights is not None and per_sample_weights.dtype != weight.dtype:
        raise RuntimeError("Expected tensor for argument #1 'weight' to have the same type as "
                           "tensor for argument #1 'per_sample_weights'; but type "
                           f"torch.{weight.dtype.tensor_type} does not equal "
                           f"torch.{per_sample_weights.dtype.tensor_type} (while checking "
                           "arguments for embedding_bag)")


def _check_per_sample_weights(per_sample_weights, indices, mode: int) -> None:
    if mode != SUM:
        raise RuntimeError("embedding_bag: per_sample_weights only supported with mode='sum'")
    if per_sample_weights._data.ndim != 1:
        raise RuntimeError("Expected per_sample_weights.value().dim() == 1 to be true, but "
                           "got false." + _UNCLEAR)
    if per_sample_weights._data.size != indices._data.size:
        raise RuntimeError("Expected per_sample_weights.value().numel() == indices.numel() "
                           "to be true, but got false." + _UNCLEAR)


def _bag_starts(offsets: np.ndarray, length: int, include_last_offset: bool,
                type_name: str) -> np.ndarray:
    if include_last_offset:
        if offsets.size < 1:
            raise RuntimeError("include_last_offset: number of offset should be at least 1")
    if offsets.size and offsets[0] != 0:
        raise RuntimeError("offsets[0] has to be 0, i.e., the first sequence in the "
                           "mini-batch has to start from position 0. However, got "
                           f"{offsets[0]}\n[ torch.{type_name}{{}} ]")
    if offsets.size and offsets[-1] > length:
        raise RuntimeError(f"offsets[-1] can not be greater than input's length {length} but "
                           f"got offsets[-1] of {offsets[-1]}")
    if np.any(np.diff(offsets) < 0):
        raise RuntimeError("Expected i < index_size to be true, but got false." + _UNCLEAR)
    return offsets[:-1] if include_last_offset else offsets


def _check_indices(flat: np.ndarray, rows: int, padding_idx: int) -> None:
    bad = np.flatnonzero((flat < 0) | (flat >= rows))
    if bad.size:
        at = bad[0]
        raise RuntimeError(f"Index {at} of input takes value {flat[at]} which is not in the "
                           f"valid range [0, {rows})")


class _Bags:
    """Which bag each position falls in, the positions that count (not padding_idx) and
    each bag's count of them."""

    def __init__(self, flat: np.ndarray, starts: np.ndarray, padding_idx: int) -> None:
        self.indices, self.count = flat, starts.size
        self.of_position = np.searchsorted(starts, np.arange(flat.size), side="right") - 1
        self.kept = np.flatnonzero(flat != padding_idx) if padding_idx >= 0 \
            else np.arange(flat.size)
        kept_bags = self.of_position[self.kept]
        self.sizes = np.bincount(kept_bags, minlength=self.count)[:self.count] \
            if self.count else np.zeros(0, np.int64)


_K = kernels("embedding_bag")


def _forward(weight: np.ndarray, bags: _Bags, mode: int, psw):
    out = np.zeros((bags.count, weight.shape[1]), weight.dtype)
    max_indices = None
    if mode == MAX:
        max_indices = np.zeros(out.shape, np.int64)
        _K.bag_maxes(weight, bags.indices, bags.of_position, bags.kept, out, max_indices)
    elif psw is not None:
        _K.weighted_bag_sums(weight, bags.indices, bags.of_position, bags.kept, psw,
                             weight.dtype == np.float32, out)
    else:
        _K.bag_sums(weight, bags.indices, bags.of_position, bags.kept, out)
    if mode == MEAN:
        out /= np.maximum(bags.sizes, 1).astype(weight.dtype)[:, None]
    return out, max_indices


def _aux_outputs(bags: _Bags, mode: int, max_indices, weight, offsets_size: int,
                 padding_idx: int, index_dtype) -> tuple:
    """offset2bag, bag_size and max_indices as ATen returns them for each path."""
    numpy_type = np.int32 if index_dtype.tensor_type == "IntTensor" else np.int64
    fast_sum = mode == SUM and padding_idx < 0 and weight._data.dtype == np.float32
    offset2bag = np.zeros(0, numpy_type) if fast_sum else bags.of_position.astype(numpy_type)
    if mode == SUM:
        size = bags.count if weight.requires_grad else offsets_size
        bag_size = np.zeros(size, numpy_type)
    else:
        bag_size = bags.sizes.astype(numpy_type)
    max_out = bag_size.copy() if mode != MAX else max_indices.astype(numpy_type)
    return tuple(Tensor._make(a) for a in (offset2bag, bag_size, max_out))


def _record(out, weight, indices, offsets, per_sample_weights, aux, mode,
            scale_grad_by_freq, sparse, padding_idx, rows):
    psw_needs_grad = per_sample_weights is not None and per_sample_weights.requires_grad
    saved = {"indices": indices, "offsets": offsets, "result1": aux[0], "result2": aux[1],
             "result3": aux[2]}
    attrs = {"mode": mode, "padding_idx": as_uint64(padding_idx),
             "scale_grad_by_freq": scale_grad_by_freq, "sparse": sparse,
             "weight_sym_argsize_0": rows}
    if per_sample_weights is not None:
        saved["per_sample_weights"] = per_sample_weights
    else:
        attrs["per_sample_weights"] = None
    if psw_needs_grad:
        saved["weight"] = weight
    else:
        attrs["weight"] = None
    return record(EmbeddingBagBackward0, out, (weight, per_sample_weights), saved, attrs)


# ---------------------------------------------------------------- backward

def _embedding_bag_rule(n, g):
    unpack_saved(n)
    g = array(g)
    a = n._attrs
    indices = array(n.saved("indices")).reshape(-1).astype(np.int64)
    bag_size = array(n.saved("result2")).astype(np.int64)
    of_position = _positions_bags(n, indices.size)
    padding_idx = a["padding_idx"] if a["padding_idx"] < 2 ** 63 else -1
    weight_grad = psw_grad = None
    if n.needs(0):
        if a["mode"] == MAX:
            weight_grad = _max_grad(g, array(n.saved("result3")), bag_size,
                                    a["weight_sym_argsize_0"])
        else:
            psw = array(n.saved("per_sample_weights")) if "per_sample_weights" in n._saved \
                else None
            weight_grad = _sum_mean_grad(g, indices, of_position, bag_size, psw, a,
                                         padding_idx)
    if n.needs(1):
        weight = array(n.saved("weight"))
        psw_grad = np.einsum("ij,ij->i", g[of_position], weight[indices])
        psw_grad[indices == padding_idx] = 0
    return weight_grad, psw_grad


def _positions_bags(n, length: int) -> np.ndarray:
    """offset2bag, rebuilt from the offsets when the forward returned it empty."""
    offset2bag = array(n.saved("result1"))
    if offset2bag.size == length:
        return offset2bag.astype(np.int64)
    starts = array(n.saved("offsets")).astype(np.int64)
    return np.searchsorted(starts, np.arange(length), side="right") - 1


def _sum_mean_grad(g, indices, of_position, bag_size, psw, a, padding_idx) -> np.ndarray:
    """_embedding_bag_dense_backward_cpu_sum_mean: each occurrence's gradient row times a
    scale (its per-sample weight or 1, over the count, over the bag size: in double, then
    rounded to the dtype), added with a fused multiply-add, by sorted index."""
    grad = np.zeros((a["weight_sym_argsize_0"], g.shape[1]), g.dtype)
    if indices.size == 0:           # no bag holds an index: nothing to add
        return grad
    order = _sort_order(indices)
    sorted_indices = indices[order]
    # the number of each occurrence's group of equal indices (ATen's counts[indices[i]])
    group = np.cumsum(np.r_[False, sorted_indices[1:] != sorted_indices[:-1]])
    scale = np.ones(indices.size) if psw is None else psw[order].astype(np.float64)
    if a["scale_grad_by_freq"]:
        counts = np.bincount(indices)
        scale /= counts[sorted_indices[group]]
    bags = of_position[order]
    if a["mode"] == MEAN:
        sizes = bag_size[bags]
        scale = np.where(sizes != 0, scale / np.maximum(sizes, 1), scale)
    scale = scale.astype(g.dtype)
    kept = sorted_indices != padding_idx
    _K.scaled_row_sums(g, sorted_indices[kept], bags[kept], scale[kept], grad)
    return grad


_RADIX_SORT_SIZE = 32768       # ATen's GRAIN_SIZE: from here on, fbgemm's radix sort


def _sort_order(indices: np.ndarray) -> np.ndarray:
    """The order of ATen's indices.sort(): std::sort's (introsort, equal indices in the
    order it leaves them) below the radix-sort size, a stable one from there on."""
    if indices.size >= _RADIX_SORT_SIZE:
        return np.argsort(indices, kind="stable")
    return kernels("introsort").unstable_argsort(indices)


def _max_grad(g, max_indices, bag_size, rows: int) -> np.ndarray:
    grad = np.zeros((rows, g.shape[1]), g.dtype)
    filled = np.flatnonzero(bag_size != 0)
    columns = np.broadcast_to(np.arange(g.shape[1]), (filled.size, g.shape[1]))
    np.add.at(grad, (max_indices[filled].astype(np.int64), columns), g[filled])
    return grad


class EmbeddingBagBackwardBackward0(Node):
    """The node of the weight's gradient under create_graph: ATen has no derivative for
    _embedding_bag_backward, so differentiating it raises."""

    def name(self) -> str:
        return "EmbeddingBagBackwardBackward0"

    def _apply(self, grads):
        raise NotImplementedError("the derivative for '_embedding_bag_backward' is not "
                                  "implemented.")


def _embedding_bag_double(n, g):
    weight_grad, psw_grad = _embedding_bag_rule(n, g)
    psw = n.saved("per_sample_weights") if "per_sample_weights" in n._saved else None
    weight_out = psw_out = None
    if weight_grad is not None:
        weight_out, = record_grads(EmbeddingBagBackwardBackward0, (weight_grad,),
                                   (weight_grad.shape,), (g, psw))
    if psw_grad is not None:
        psw_out, = record_grads(NOT_IMPLEMENTED, (psw_grad,), (psw_grad.shape,),
                                (g, n.saved("weight")),
                                attrs={"_op": "aten::_embedding_bag_per_sample_weights_"
                                              "backward"})
    return weight_out, psw_out


EmbeddingBagBackward0 = node_class("EmbeddingBagBackward0", _embedding_bag_rule,
                                   arrays=True, double=_embedding_bag_double)
