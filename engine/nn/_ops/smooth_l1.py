"""smooth_l1_loss: SmoothL1LossBackward0, saving self, target, reduction and beta.

Per element, with d = input - target: 0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta.
beta == 0 is l1_loss, which PyTorch records op by op (MeanBackward0 of AbsBackward0 ...).
"""
from __future__ import annotations

import numpy as np

from engine.autograd.node import node_class
from engine.nn._ops._util import array, reduction_enum
from engine.nn._ops.loss import _expand_grad, _reduce, _warn_size, l1_loss
from engine.ops._core import record, result_dtype


def _diff(n) -> np.ndarray:
    x, t = array(n.saved("self")), array(n.saved("target"))
    dtype = np.result_type(x.dtype, t.dtype) if t.dtype.kind == "f" else x.dtype
    return x.astype(dtype, copy=False) - t.astype(dtype, copy=False)


def _smooth_l1_rule(n, g):
    g, beta = array(g), n._attrs["beta"]
    d = _diff(n)
    slope = np.where(np.abs(d) < beta, d / beta, np.sign(d))
    grad = slope * _expand_grad(g, n._attrs["reduction"], d.shape, d.size)
    x_dtype = array(n.saved("self")).dtype
    return (grad.astype(x_dtype, copy=False) if n.needs(0) else None,
            -grad if n.needs(1) else None)


SmoothL1LossBackward0 = node_class("SmoothL1LossBackward0", _smooth_l1_rule, arrays=True)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction: str = "mean",
                   beta: float = 1.0):
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0.0:
        return l1_loss(input, target, reduction=reduction)
    _warn_size(input, target)
    enum = reduction_enum(reduction)
    dtype = result_dtype(input, target)
    d = input._data.astype(dtype, copy=False) - target._data.astype(dtype, copy=False)
    magnitude = np.abs(d)
    losses = np.where(magnitude < beta, 0.5 * d * d / beta, magnitude - 0.5 * beta)
    out = _reduce(losses.astype(dtype, copy=False), enum)
    return record(SmoothL1LossBackward0, np.asarray(out), (input, target),
                  {"self": input, "target": target}, {"reduction": enum, "beta": beta})
