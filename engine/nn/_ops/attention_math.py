"""scaled_dot_product_attention's math path: what torch composes when its CPU flash kernel
does not apply (inputs not 4-D, head sizes that differ, strided last dims, dropout, a mask
that requires grad or has another shape), op for op as ATen's
_scaled_dot_product_attention_math, so the graph has torch's nodes: MulBackward1 (q and k
scaled by sqrt(scale) each), TransposeBackward0, matmul's nodes, AddBackward0 (the mask,
added in place), SafeSoftmaxBackward0, dropout's MulBackward0, matmul's nodes."""
from __future__ import annotations

import math

import numpy as np

from engine.ops._core import as_saved, record, wrap_dim
from engine.ops.reductions import (SoftmaxBackwardDataBackward0, _shifted,
                                   _softmax_backward, _softmax_family_rule)
from engine.autograd.node import node_class
from engine.tensor import Tensor

SafeSoftmaxBackward0 = node_class("SafeSoftmaxBackward0",
                                  _softmax_family_rule(_softmax_backward,
                                                       SoftmaxBackwardDataBackward0))


def safe_softmax(input: Tensor, dim: int) -> Tensor:
    """at::_safe_softmax: softmax, with 0 for a row that is -inf everywhere."""
    data = input._data
    d = wrap_dim(dim, data.ndim)
    e = np.exp(_shifted(data, d))
    with np.errstate(invalid="ignore", divide="ignore"):
        out = e / e.sum(axis=d, keepdims=True)
    masked_rows = np.all(data == -np.inf, axis=d, keepdims=True)
    out = np.require(np.where(masked_rows, data.dtype.type(0), out), requirements="C")
    return record(SafeSoftmaxBackward0, out.astype(data.dtype, copy=False), (input,),
                  attrs={"dim": as_saved(dim), "_dim": d}, save_result="result")


def _additive(mask: Tensor, dtype) -> Tensor:
    """A boolean mask as the float mask torch adds: 0 where True, -inf where False."""
    if mask._data.dtype != np.bool_:
        return mask
    return Tensor._make(np.where(mask._data, 0.0, -np.inf).astype(dtype))


def _causal(length: int, source: int, dtype) -> Tensor:
    keep = np.tril(np.ones((length, source), dtype=bool))
    return Tensor._make(np.where(keep, 0.0, -np.inf).astype(dtype))


def attention_math(query, key, value, attn_mask, dropout_p: float, is_causal: bool, scale):
    from engine.nn.functional import dropout
    from engine.ops.elementwise import mul_scalar
    from engine.ops.inplace import add_
    from engine.ops.linalg import matmul
    from engine.ops.shape import transpose
    dtype = query._data.dtype
    mask = None if attn_mask is None else _additive(attn_mask, dtype)
    negative = scale is not None and scale < 0.0
    base = 1.0 / math.sqrt(query._data.shape[-1]) if scale is None else abs(scale)
    factor = math.sqrt(base)
    q = mul_scalar(query, 0.0 - factor if negative else factor)
    if is_causal:
        if mask is not None:
            raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not "
                               "be set when is_causal=True")
        mask = _causal(q._data.shape[-2], key._data.shape[-2], dtype)
    attn = matmul(q, mul_scalar(transpose(key, -2, -1), factor))
    if mask is not None:
        attn = add_(attn, mask)
    attn = safe_softmax(attn, -1)
    if dropout_p > 0.0:
        attn = dropout(attn, dropout_p, True)
    return matmul(attn, value)
