"""scaled_dot_product_attention on 4-D inputs: one ScaledDotProductFlashAttentionForCpuBackward0
node (query, key, value), saving what PyTorch's CPU flash kernel saves (output, logsumexp,
the mask as an additive float mask, dropout_p, is_causal, scale)."""
from __future__ import annotations

import math

import numpy as np

from engine.autograd.node import node_class
from engine.nn._ops._util import array
from engine.ops._core import record
from engine.ops._double import NOT_IMPLEMENTED, record_grads
from engine.tensor import Tensor


def _scale(scale, head_dim: int) -> float:
    return 1.0 / math.sqrt(head_dim) if scale is None else scale


def _float_mask(attn_mask, dtype):
    """The user's mask as added to the scores (0 or -inf for a boolean mask)."""
    if attn_mask is None:
        return None
    data = attn_mask._data
    return np.where(data, 0.0, -np.inf).astype(dtype) if data.dtype == np.bool_ else \
        data.astype(dtype)


def _with_causal(mask, is_causal: bool, length: int, source: int, dtype):
    if is_causal:
        causal = np.where(np.tril(np.ones((length, source), dtype=bool)), 0.0, -np.inf)
        mask = causal.astype(dtype) if mask is None else mask + causal.astype(dtype)
    return mask


def _probabilities(scores: np.ndarray, nan_skipping_max: bool = False):
    """Softmax over the last dim, and logsumexp, as torch's flash kernel gives them: a row
    with no maximum above -inf (masked everywhere) is 0, a NaN in a row that has one makes
    it NaN. ``nan_skipping_max``: the kernel's row maximum skips NaN (its scalar loop, see
    _takes_scalar_max), so a row NaN wherever it is not masked is 0 too."""
    if nan_skipping_max:
        top = np.fmax.reduce(scores, axis=-1, keepdims=True)
        dead = ~(top > -np.inf)
    else:
        top = scores.max(axis=-1, keepdims=True)
        dead = top == -np.inf
    top = np.where(dead, 0, top)
    with np.errstate(invalid="ignore"):
        exp = np.where(dead, 0, np.exp(scores - top))
    total = exp.sum(axis=-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        probabilities = np.where(total == 0, 0, exp / total)
        logsumexp = (np.log(total) + top)[..., 0]
    return probabilities.astype(scores.dtype, copy=False), logsumexp


# Lanes of torch's vectorised row maximum (AVX-512) per dtype: a row of fewer keys is
# reduced by its scalar loop, whose std::max skips NaN.
_MAX_LANES = {np.dtype(np.float32): 16, np.dtype(np.float64): 8}


def _takes_scalar_max(q, k, user_mask) -> bool:
    """Whether torch's flash kernel takes each row's maximum in its scalar loop: no mask of
    the caller's (the mask's own fused loop propagates NaN) and fewer keys than lanes."""
    return user_mask is None and k.shape[-2] < _MAX_LANES.get(q.dtype, 0)


def _attention(q, k, v, mask, scale: float, nan_skipping_max: bool = False):
    scores = (q @ np.swapaxes(k, -1, -2)) * np.asarray(scale, dtype=q.dtype)
    if mask is not None:
        scores = scores + mask
    probabilities, logsumexp = _probabilities(scores, nan_skipping_max)
    if v.shape[-2] == 1:
        # One key: torch's product is probability * value, so a row masked everywhere has
        # 0 * value, -0.0 where the value is negative (a sum of several gives +0.0).
        return probabilities * v, probabilities, logsumexp
    return probabilities @ v, probabilities, logsumexp


def _nan_where_scores_are(p, q, k, mask, scale: float):
    """torch's backward recomputes each probability from its score: a NaN score (a row the
    forward zeroed, having no maximum) gives a NaN probability, which spreads through every
    gradient it enters."""
    scores = (q @ np.swapaxes(k, -1, -2)) * np.asarray(scale, dtype=q.dtype)
    if mask is not None:
        scores = scores + mask
    return np.where(np.isnan(scores), np.nan, p).astype(p.dtype, copy=False)


def _attention_rule(n, g):
    q, k, v = (array(n.saved(name)) for name in ("query", "key", "value"))
    mask = array(n.saved("attn_mask")) if "attn_mask" in n._saved else None
    mask = _with_causal(mask, n._attrs["is_causal"], q.shape[-2], k.shape[-2], q.dtype)
    scale = _scale(n._attrs["scale"], q.shape[-1])
    out, p, _ = _attention(q, k, v, mask, scale)
    if not (np.isfinite(q).all() and np.isfinite(k).all()):
        p = _nan_where_scores_are(p, q, k, mask, scale)
    g = array(g)
    grad_v = np.swapaxes(p, -1, -2) @ g
    grad_p = g @ np.swapaxes(v, -1, -2)
    grad_scores = p * (grad_p - (g * out).sum(axis=-1, keepdims=True))
    grad_q = (grad_scores @ k) * np.asarray(scale, dtype=q.dtype)
    grad_k = (np.swapaxes(grad_scores, -1, -2) @ q) * np.asarray(scale, dtype=q.dtype)
    return tuple(grad.astype(q.dtype, copy=False) if n.needs(i) else None
                 for i, grad in enumerate((grad_q, grad_k, grad_v)))


def _attention_double(n, g):
    """Under create_graph: the gradients as outputs of a NotImplemented node, as in torch."""
    grads = _attention_rule(n, g)
    tensors = (g, n.saved("query"), n.saved("key"), n.saved("value"), n.saved("output"))
    inputs = tuple(t for t in tensors if t._requires_grad)
    shapes = tuple(t._data.shape for t in tensors[1:4])
    return record_grads(NOT_IMPLEMENTED, grads, shapes, inputs, attrs={
        "_op": "aten::_scaled_dot_product_flash_attention_for_cpu_backward"})


ScaledDotProductFlashAttentionForCpuBackward0 = node_class(
    "ScaledDotProductFlashAttentionForCpuBackward0", _attention_rule, arrays=True,
    double=_attention_double)


_C_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "bool": "bool"}


def _check_dtypes(query, key, value, attn_mask) -> None:
    """ATen's validate_sdpa_input, before any path is chosen."""
    names = [_C_NAMES.get(t._data.dtype.name, t._data.dtype.name) for t in (query, key, value)]
    if len(set(names)) > 1:
        raise RuntimeError(f"Expected query, key, and value to have the same dtype, but got "
                           f"query.dtype: {names[0]} key.dtype: {names[1]} and value.dtype: "
                           f"{names[2]} instead.")
    if attn_mask is not None:
        mask = attn_mask._data.dtype
        if mask != np.bool_ and mask != query._data.dtype and mask != np.float32:
            raise RuntimeError(f"Expected attn_mask dtype to be bool or float or to match query "
                               f"dtype, but got attn_mask.dtype: "
                               f"{_C_NAMES.get(mask.name, mask.name)} and  query.dtype: "
                               f"{names[0]} instead.")


def _flash_applies(query, key, value, attn_mask, dropout_p: float) -> bool:
    """ATen's use_flash_attention_cpp gates, in its order; otherwise torch composes the
    math path (attention_math.py)."""
    arrays = (query._data, key._data, value._data)
    if dropout_p > 0.0 or any(a.ndim != 4 for a in arrays):
        return False
    if len({a.shape[0] for a in arrays}) > 1 or len({a.shape[1] for a in arrays}) > 1:
        return False
    if attn_mask is not None and not _mask_fits(attn_mask, query._data.shape,
                                                key._data.shape[2]):
        return False
    if len({a.shape[-1] for a in arrays}) > 1:
        return False
    return all(a.strides[-1] == a.itemsize for a in arrays)


def _mask_fits(attn_mask, query_shape: tuple, source: int) -> bool:
    if attn_mask.requires_grad:
        return False
    shape = attn_mask._data.shape
    if len(shape) < 2:
        from engine.ops._core import wrap_dim
        wrap_dim(-2, len(shape))            # torch's IndexError, as its size(-2) raises
    if shape[-2] not in (query_shape[2], 1) or shape[-1] not in (source, 1):
        return False
    if len(shape) == 2:
        return True
    return len(shape) == 4 and shape[0] in (1, query_shape[0]) and shape[1] in (1, query_shape[1])


def _empty_attention(query, key, value):
    """ATen's answer when an input has no elements, before any path or mask check: zeros
    shaped like the output plus (sum of the inputs) * 0, so every input gets a gradient."""
    from engine.creation import zeros
    from engine.ops.elementwise import add, mul_scalar
    from engine.ops.reductions import sum as sum_
    shape = tuple(query._data.shape[:-1]) + (value._data.shape[-1],)
    total = add(add(sum_(query), sum_(key)), sum_(value))
    return add(zeros(shape, dtype=query.dtype), mul_scalar(total, 0))


def _laid_out_like(query: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The output in query's memory order, as ATen's empty_like(query) gives it (so a view
    of multi-head attention's heads gets an output its reshape can view)."""
    order = sorted(range(query.ndim), key=lambda d: -query.strides[d])
    out = np.empty([query.shape[d] for d in order], dtype=query.dtype)
    out = out.transpose(np.argsort(order))
    out[...] = values
    return out


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale=None, enable_gqa: bool = False):
    _check_dtypes(query, key, value, attn_mask)
    if query._data.size == 0 or key._data.size == 0 or value._data.size == 0:
        return _empty_attention(query, key, value)
    if enable_gqa:
        from engine._unsupported import NotSupportedError
        raise NotSupportedError("torch.nn.functional.scaled_dot_product_attention with "
                                "enable_gqa=True is not supported by graphtui's engine")
    if not _flash_applies(query, key, value, attn_mask, dropout_p):
        from engine.nn._ops.attention_math import attention_math
        return attention_math(query, key, value, attn_mask, dropout_p, is_causal, scale)
    q = query._data
    user_mask = _float_mask(attn_mask, q.dtype)
    mask = _with_causal(user_mask, is_causal, q.shape[-2], key._data.shape[-2], q.dtype)
    out, _, logsumexp = _attention(q, key._data, value._data, mask, _scale(scale, q.shape[-1]),
                                   _takes_scalar_max(q, key._data, user_mask))
    saved = {"query": query, "key": key, "value": value,
             "logsumexp": Tensor._make(logsumexp.astype(q.dtype))}
    attrs = {"dropout_p": dropout_p, "is_causal": is_causal, "scale": scale}
    if user_mask is None:
        attrs["attn_mask"] = None
    else:
        saved["attn_mask"] = Tensor._make(user_mask)
    return record(ScaledDotProductFlashAttentionForCpuBackward0, _laid_out_like(q, out),
                  (query, key, value), saved, attrs, save_result="output")
