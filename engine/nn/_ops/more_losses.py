"""huber_loss (HuberLossBackward0) and kl_div (composed of elementwise ops, as PyTorch's
ATen composite builds it), with PyTorch's warnings and errors."""
from __future__ import annotations

import warnings

import numpy as np

from engine.autograd.node import node_class
from engine.nn._ops._util import array, reduction_enum
from engine.nn._ops.loss import _MEAN, _NONE, _SUM, _expand_grad, _reduce, _warn_size
from engine.nn._ops.smooth_l1 import pointwise_loss_double
from engine.nn._reduction import legacy_get_string
from engine.ops._core import record, result_dtype
from engine.tensor import Tensor

KL_MEAN_WARNING = (
    "reduction: 'mean' divides the total loss by both the batch size and the support size."
    "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
    "'mean' will be changed to behave the same as 'batchmean' in the next major release.")


# ---------------------------------------------------------------- huber_loss

def _huber_rule(n, g):
    g, delta = array(g), n._attrs["delta"]
    x, t = array(n.saved("self")), array(n.saved("target"))
    d = x - t
    slope = np.where(d < -delta, -delta, np.where(d > delta, delta, d)).astype(d.dtype)
    grad = slope * _expand_grad(g, n._attrs["reduction"], d.shape, d.size)
    return (grad.astype(x.dtype, copy=False) if n.needs(0) else None,
            (-grad).astype(t.dtype, copy=False) if n.needs(1) else None)


def _huber_slope(n, d):
    delta = n._attrs["delta"]
    return np.where(d < -delta, -delta, np.where(d > delta, delta, d)).astype(d.dtype)


def _huber_curvature(n, d):
    return (np.abs(d) < n._attrs["delta"]).astype(d.dtype)


HuberLossBackwardBackward0, _huber_double = pointwise_loss_double(
    "HuberLossBackwardBackward0", _huber_slope, _huber_curvature)
HuberLossBackward0 = node_class("HuberLossBackward0", _huber_rule, arrays=True,
                                double=_huber_double)


def _broadcast(input: Tensor, target: Tensor):
    shape = np.broadcast_shapes(input._data.shape, target._data.shape)
    return tuple(t if t._data.shape == shape else t.expand(shape) for t in (input, target))


def _huber_unreduced(input, target, delta: float, enum: int):
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    dtype = result_dtype(input, target)
    d = input._data.astype(dtype, copy=False) - target._data.astype(dtype, copy=False)
    z = np.abs(d)
    delta_ = np.asarray(delta, dtype)
    losses = np.where(z < delta_, np.asarray(0.5, dtype) * z * z,
                      delta_ * (z - np.asarray(0.5, dtype) * delta_)).astype(dtype, copy=False)
    out = _reduce(losses, enum, (input._data, target._data))
    return record(HuberLossBackward0, np.asarray(out), (input, target),
                  {"self": input, "target": target}, {"reduction": enum, "delta": delta})


def huber_loss(input, target, reduction: str = "mean", delta: float = 1.0, weight=None):
    _warn_size(input, target)
    input, target = _broadcast(input, target)
    if weight is None:
        return _huber_unreduced(input, target, delta, reduction_enum(reduction))
    if weight._data.shape != input._data.shape:
        raise ValueError("Weights and input must have the same size.")
    weighted = _huber_unreduced(input, target, delta, _NONE) * weight
    if reduction == "none":
        return weighted
    if reduction == "sum":
        return weighted.sum()
    if reduction == "mean":
        return weighted.mean()
    raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', "
                     "'sum'.")


# ---------------------------------------------------------------- kl_div

def _xlogy_constant(target: Tensor) -> Tensor:
    """xlogy(target, target) for a target that needs no gradient (0 where target is 0)."""
    if target._requires_grad:
        raise NotImplementedError("torch.nn.functional.kl_div with a target that requires "
                                  "grad (XlogyBackward0) is not supported by graphtui's engine")
    t = target._data
    with np.errstate(divide="ignore", invalid="ignore"):
        values = np.where(t == 0, np.zeros((), t.dtype), t * np.log(t))
    return Tensor._make(np.where(np.isnan(t), t, values).astype(t.dtype, copy=False))


def _kl_elements(input, target, log_target: bool):
    if log_target:
        return target.exp() * (target - input)
    return _xlogy_constant(target) - target * input


def _apply_reduction(losses, enum: int):
    if enum == _MEAN:
        return losses.mean()
    if enum == _SUM:
        return losses.sum()
    return losses


def kl_div(input, target, size_average=None, reduce=None, reduction: str = "mean",
           log_target: bool = False):
    if size_average is not None or reduce is not None:
        # the deprecated arguments choose the reduction; a 'batchmean' still divides
        enum = reduction_enum(legacy_get_string(size_average, reduce))
    else:
        if reduction == "mean":
            warnings.warn(KL_MEAN_WARNING, UserWarning, stacklevel=2)
        enum = reduction_enum("sum" if reduction == "batchmean" else reduction)
    reduced = _apply_reduction(_kl_elements(input, target, log_target), enum)
    if reduction == "batchmean" and input.dim() != 0:
        reduced = reduced / input.size()[0]
    return reduced
