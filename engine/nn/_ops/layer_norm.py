"""layer_norm: one NativeLayerNormBackward0 node (input, weight, bias), saving what PyTorch
saves: input, normalized_shape, weight, bias, result1 = the mean and result2 = the inverse
std, each shaped [*leading dims, 1, ..., 1]. Under create_graph its gradients are outputs of
NativeLayerNormBackwardBackward0 (layer_norm_double)."""
from __future__ import annotations

import os

import numpy as np

from engine.autograd.node import node_class
from engine.nn._ops.group_norm_backward import _fma, _reduce_all
from engine.nn._ops.layer_norm_double import layer_norm_double
from engine.nn._ops.moments import rowwise_moments
from engine.nn._ops._util import array, unpack_saved
from engine.ops._core import record
from engine.tensor import Tensor


def _optional(n, name: str):
    return array(n.saved(name)) if name in n._saved else None


def _fused_x_hat(x, mean, rstd):
    """x_hat as ATen's CPU backward forms it for grad_weight: fma(rstd, x, -rstd * mean), one
    rounding (so a row of one element gives rounding noise there, not torch's exact zero)."""
    shift = -(rstd * mean)
    return (rstd.astype(np.float64) * x + shift).astype(x.dtype, copy=False)


def _layer_norm_rule(n, g):
    unpack_saved(n)
    g, x = array(g), array(n.saved("input"))
    mean, rstd = array(n.saved("result1")), array(n.saved("result2"))
    weight = _optional(n, "weight")
    axes = tuple(range(x.ndim - len(n._attrs["normalized_shape"]), x.ndim))
    lead = tuple(range(x.ndim - len(axes)))
    count = int(np.prod([x.shape[a] for a in axes]))
    if x.dtype == np.float32 and g.dtype == np.float32 and x.size:
        return _float32_backward(n, g, x, mean, rstd, weight, count)
    x_hat = (x - mean) * rstd
    g_hat = g if weight is None else g * weight
    grad_input = grad_weight = grad_bias = None
    if n.needs(0):
        inner = (count * g_hat - g_hat.sum(axis=axes, keepdims=True)
                 - x_hat * (g_hat * x_hat).sum(axis=axes, keepdims=True))
        grad_input = (rstd / count * inner).astype(x.dtype, copy=False)
    if n.needs(1):
        grad_weight = (g * _fused_x_hat(x, mean, rstd)).sum(axis=lead).astype(x.dtype,
                                                                               copy=False)
    if n.needs(2):
        grad_bias = g.sum(axis=lead).astype(x.dtype, copy=False)
    return grad_input, grad_weight, grad_bias


def _float32_backward(n, g, x, mean, rstd, weight, count):
    """ATen's float32 order (layer_norm_backward_frame), rows in sequence: per row ds and db
    as 8-lane reductions, b = fma(db, mean, -ds) * a^3 / N, c = fma(-b, mean, -(db a / N)),
    dx = fma(b, x, a * dy * gamma) + c; dgamma and dbeta summed over the rows."""
    rows_x, rows_g = x.reshape(-1, count), np.ascontiguousarray(g).reshape(-1, count)
    a, m = rstd.reshape(-1, 1), mean.reshape(-1, 1)
    grad_input = grad_weight = grad_bias = None
    if n.needs(0):
        gamma = None if weight is None else weight.reshape(-1)
        scaled = rows_g if gamma is None else rows_g * gamma
        ds = _reduce_all(rows_g * rows_x if gamma is None else rows_g * rows_x * gamma)
        db = _reduce_all(scaled)[:, None]
        scale = np.float32(1) / np.float32(count)
        b = _fma(db, m, -ds[:, None]) * a * a * a * scale
        c = _fma(-b, m, -(db * a * scale))
        grad_input = (_fma(b, rows_x, a * scaled if gamma is None else a * rows_g * gamma)
                      + c).reshape(x.shape)
    if n.needs(1):
        x_hat = _fma(a, rows_x, -a * m)
        grad_weight = _column_sums(lambda row, acc: _fma(rows_g[row], x_hat[row], acc), rows_g)
        grad_weight = grad_weight.reshape(weight.shape)
    if n.needs(2):
        grad_bias = _column_sums(lambda row, acc: acc + rows_g[row], rows_g)
        grad_bias = grad_bias.reshape(n._attrs["normalized_shape"])
    return grad_input, grad_weight, grad_bias


# torch's intra-op threads: one per core unless set_num_threads says otherwise.
_ATEN_THREADS = os.cpu_count() or 1


def _column_sums(add_row, rows: np.ndarray) -> np.ndarray:
    """dgamma / dbeta as ATen sums them: at::parallel_for hands each thread a run of rows,
    which it adds (`add_row(row, buffer)`) into a buffer of its own; the buffers are then
    added to 0 in thread order."""
    count, size = len(rows), rows.shape[1]
    chunk = -(-count // max(1, min(_ATEN_THREADS, count)))
    total = np.zeros(size, np.float32)
    for start in range(0, count, chunk):
        buffer = np.zeros(size, np.float32)
        for row in range(start, min(count, start + chunk)):
            buffer = add_row(row, buffer)
        total = total + buffer
    return total


def _layer_norm_double(n, g):
    return layer_norm_double(n, g, _layer_norm_rule)


NativeLayerNormBackward0 = node_class("NativeLayerNormBackward0", _layer_norm_rule, arrays=True,
                                      double=_layer_norm_double)


def _check_shape(input, normalized_shape: tuple, weight, bias) -> None:
    if not normalized_shape:
        raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., "
                           "containing at least one element, but got normalized_shape = []")
    shape = tuple(input._data.shape)
    for param in (weight, bias):
        if param is not None and param._data.dtype != input._data.dtype:
            raise RuntimeError("mixed dtype (CPU): all inputs must share same datatype.")
    if weight is not None and tuple(weight._data.shape) != normalized_shape:
        raise RuntimeError(f"Expected weight to be of same shape as normalized_shape, but got "
                           f"weight of shape {list(weight._data.shape)} and normalized_shape = "
                           f"{list(normalized_shape)}")
    if len(shape) < len(normalized_shape) or shape[len(shape) - len(normalized_shape):] != \
            normalized_shape:
        raise RuntimeError(f"Given normalized_shape={list(normalized_shape)}, expected input "
                           f"with shape [*, {', '.join(map(str, normalized_shape))}], but got "
                           f"input of size{list(shape)}")


def _moments(x: np.ndarray, axes: tuple, eps: float) -> tuple:
    """Mean and 1 / sqrt(var + eps) in x's dtype; the sums in float64, the last steps in x's
    dtype as ATen's kernel does them (eps rounded to it)."""
    wide = x.astype(np.float64)
    count = int(np.prod([x.shape[a] for a in axes]))
    mean = wide.sum(axis=axes, keepdims=True) / max(count, 1)     # 0 over no elements
    var = (((wide - mean) ** 2).sum(axis=axes, keepdims=True) / max(count, 1)).astype(x.dtype)
    one = np.ones((), dtype=x.dtype)
    rstd = one / np.sqrt(np.maximum(var, 0) + x.dtype.type(eps))
    return mean.astype(x.dtype), rstd


def _float32_forward(x: np.ndarray, dims: int, eps: float, weight, bias) -> tuple:
    """ATen's float32 kernel to the bit: RowwiseMoments per row, rstd in float32, then
    (x - mean) * rstd, or fma((x - mean) * rstd, gamma, beta) with an affine."""
    lead = x.shape[:x.ndim - dims]
    rows = x.reshape(int(np.prod(lead)), -1)
    mean, var = rowwise_moments(rows)
    rstd = np.float32(1) / np.sqrt(var + np.float32(eps))
    normalized = (rows - mean[:, None]) * rstd[:, None]
    if weight is not None or bias is not None:
        gamma = np.ones(1, np.float32) if weight is None else weight._data.reshape(-1)
        beta = np.zeros(1, np.float32) if bias is None else bias._data.reshape(-1)
        normalized = (np.float64(1) * normalized * gamma + beta).astype(np.float32)
    keep = lead + (1,) * dims
    return mean.reshape(keep), rstd.reshape(keep), normalized.reshape(x.shape)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps: float = 1e-5):
    normalized_shape = (normalized_shape,) if isinstance(normalized_shape, int) else \
        tuple(int(s) for s in normalized_shape)
    _check_shape(input, normalized_shape, weight, bias)
    x = input._data
    axes = tuple(range(x.ndim - len(normalized_shape), x.ndim))
    if x.dtype == np.float32 and x.size:
        mean, rstd, out = _float32_forward(x, len(axes), eps, weight, bias)
    else:
        mean, rstd = _moments(x, axes, eps)
        out = x * rstd + -(rstd * mean)      # ATen's order: x * scale + bias, rounded each step
        if weight is not None:
            out = out * weight._data
        if bias is not None:
            out = out + bias._data
    saved = {"input": input, "result1": Tensor._make(mean), "result2": Tensor._make(rstd)}
    attrs = {"normalized_shape": normalized_shape}
    for name, value in (("weight", weight), ("bias", bias)):
        if value is None:
            attrs[name] = None
        else:
            saved[name] = value
    # ATen writes into a contiguous output whatever the input's layout (a permuted input
    # would otherwise lend NumPy's result its strides, and a Linear after it would not view).
    return record(NativeLayerNormBackward0, np.ascontiguousarray(out, dtype=x.dtype),
                  (input, weight, bias), saved, attrs)
