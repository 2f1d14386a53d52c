"""batch_norm: one NativeBatchNormBackward0 node (input, weight, bias).

Saves what PyTorch saves: input, weight, running stats, result1 = the batch mean and
result2 = the inverse std (empty in eval mode), training, eps.
"""
from __future__ import annotations

import numpy as np

from engine.autograd.node import node_class
from engine.nn._ops._util import array
from engine.ops._core import record
from engine.tensor import Tensor


def _axes(ndim: int) -> tuple:
    return (0,) + tuple(range(2, ndim))


def _per_channel(v, ndim: int):
    return v.reshape((1, -1) + (1,) * (ndim - 2))


def _batch_norm_rule(n, g):
    g = array(g)
    a = n._attrs
    x = array(n.saved("input"))
    axes = _axes(x.ndim)
    weight = n._saved["weight"].unpack(n) if "weight" in n._saved else None
    if a["training"]:
        mean, invstd = array(n.saved("result1")), array(n.saved("result2"))
    else:
        mean = array(n.saved("running_mean"))
        invstd = 1.0 / np.sqrt(array(n.saved("running_var")) + a["eps"])
    xhat = (x - _per_channel(mean, x.ndim)) * _per_channel(invstd, x.ndim)
    scale = invstd if weight is None else invstd * array(weight)
    grad_input = grad_weight = grad_bias = None
    if n.needs(0):
        if a["training"]:
            count = x.size // x.shape[1]
            sum_g = g.sum(axis=axes, keepdims=True)
            sum_g_xhat = (g * xhat).sum(axis=axes, keepdims=True)
            grad_input = (g - sum_g / count - xhat * (sum_g_xhat / count)) * \
                _per_channel(scale, x.ndim)
        else:
            grad_input = g * _per_channel(scale, x.ndim)
        grad_input = grad_input.astype(x.dtype, copy=False)
    if n.needs(1):
        grad_weight = (g * xhat).sum(axis=axes).astype(x.dtype, copy=False)
    if n.needs(2):
        grad_bias = g.sum(axis=axes)
    return grad_input, grad_weight, grad_bias


NativeBatchNormBackward0 = node_class("NativeBatchNormBackward0", _batch_norm_rule)


def _update_running(running_mean, running_var, mean, var_unbiased, momentum) -> None:
    for running, value in ((running_mean, mean), (running_var, var_unbiased)):
        if running is None:
            continue
        running._data *= 1 - momentum
        running._data += momentum * value.astype(running._data.dtype)
        running._vc[0] += 1


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    x = input._data
    if x.ndim < 2:
        raise ValueError(f"Expected 2D or more input (got {x.ndim}D input)")
    axes = _axes(x.ndim)
    count = x.size // x.shape[1]
    if training:
        if count <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input "
                             f"size {list(x.shape)}")
        mean = x.mean(axis=axes, dtype=np.float64)
        var = x.var(axis=axes, dtype=np.float64)
        _update_running(running_mean, running_var, mean, var * count / (count - 1), momentum)
        invstd = 1.0 / np.sqrt(var + eps)
        saved_mean, saved_invstd = mean.astype(x.dtype), invstd.astype(x.dtype)
    else:
        mean = running_mean._data.astype(np.float64)
        invstd = 1.0 / np.sqrt(running_var._data.astype(np.float64) + eps)
        saved_mean = saved_invstd = np.empty((0,), dtype=x.dtype)
    scale = invstd if weight is None else invstd * weight._data
    shift = -mean * scale if bias is None else bias._data - mean * scale
    out = (x * _per_channel(scale.astype(x.dtype), x.ndim) +
           _per_channel(shift.astype(x.dtype), x.ndim))
    saved = {"input": input, "result1": Tensor._make(saved_mean),
             "result2": Tensor._make(saved_invstd)}
    attrs = {"training": training, "eps": eps}
    for name, value in (("weight", weight), ("running_mean", running_mean),
                        ("running_var", running_var)):
        if value is None:
            attrs[name] = None
        else:
            saved[name] = value
    return record(NativeBatchNormBackward0, out, (input, weight, bias), saved, attrs)
