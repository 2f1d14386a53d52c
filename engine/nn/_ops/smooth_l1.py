"""smooth_l1_loss: SmoothL1LossBackward0, saving self, target, reduction and beta.

Per element, with d = input - target: 0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta.
beta == 0 is l1_loss, which PyTorch records op by op (MeanBackward0 of AbsBackward0 ...).
"""
from __future__ import annotations

import numpy as np

from engine.autograd.node import node_class
from engine.nn._ops._util import array, reduction_enum
from engine.nn._ops.loss import _MEAN, _NONE, _expand_grad, _reduce, _warn_size, l1_loss
from engine.nn._reduction import legacy_or
from engine.ops._double import record_grads
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


def pointwise_loss_double(name: str, slope, curvature):
    """The double backward of a loss whose gradient is slope(self - target) * grad_output
    (smooth_l1, huber), as ATen's *_loss_double_backward formulas: one `name` node per
    first-order gradient, with edges (grad_output, self, target); target's swaps self and
    target. Returns the `double` hook for the first-order node."""
    def rule(n, gg):
        gg, grad_out = array(gg), array(n.saved("grad_output"))
        x, t = array(n.saved("self")), array(n.saved("target"))
        reduction, d = n._attrs["reduction"], x - t
        per_element = slope(n, d) / (d.size if reduction == _MEAN else 1)
        grad_grad_out = None
        if n.needs(0):
            grad_grad_out = per_element * gg if reduction == _NONE else \
                np.asarray((per_element * gg).sum())
            grad_grad_out = grad_grad_out.astype(x.dtype, copy=False)
        grad_x = gg * grad_out * curvature(n, d) / (d.size if reduction == _MEAN else 1)
        grad_x = grad_x.astype(x.dtype, copy=False)
        return grad_grad_out, grad_x if n.needs(1) else None, -grad_x if n.needs(2) else None

    double_node = node_class(name, rule, arrays=True)

    def gradient_node(g, x, t, n):
        grad = slope(n, x._data - t._data) * _expand_grad(
            array(g), n._attrs["reduction"], x._data.shape, x._data.size)
        grad = grad.astype(x._data.dtype, copy=False)
        return record_grads(double_node, (grad,), (grad.shape,), (g, x, t),
                            {"grad_output": g, "self": x, "target": t}, dict(n._attrs))[0]

    def double(n, g):
        x, t = n.saved("self"), n.saved("target")
        return (gradient_node(g, x, t, n) if n.needs(0) else None,
                gradient_node(g, t, x, n) if n.needs(1) else None)
    return double_node, double


def _slope(n, d):
    beta = n._attrs["beta"]
    return np.where(np.abs(d) < beta, d / beta, np.sign(d))


def _curvature(n, d):
    return (np.abs(d) < n._attrs["beta"]) / np.asarray(n._attrs["beta"], d.dtype)


SmoothL1LossBackwardBackward0, _smooth_l1_double = pointwise_loss_double(
    "SmoothL1LossBackwardBackward0", _slope, _curvature)
SmoothL1LossBackward0 = node_class("SmoothL1LossBackward0", _smooth_l1_rule, arrays=True,
                                   double=_smooth_l1_double)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction: str = "mean",
                   beta: float = 1.0):
    reduction = legacy_or(size_average, reduce, reduction)
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
    out = _reduce(losses.astype(dtype, copy=False), enum, (input._data, target._data))
    return record(SmoothL1LossBackward0, np.asarray(out), (input, target),
                  {"self": input, "target": target}, {"reduction": enum, "beta": beta})
