"""The margin losses ATen computes in one kernel each: soft_margin_loss
(SoftMarginLossBackward0, with its double backward), multi_margin_loss
(MultiMarginLossBackward0) and multilabel_margin_loss (MultilabelMarginLossBackward0), whose
gradients ATen cannot differentiate again."""
from __future__ import annotations

import numpy as np

from engine.autograd.node import node_class
from engine.nn._ops._util import array, check_tensor_arguments
from engine.nn._ops.loss import _reduce
from engine.nn._reduction import enum_of
from engine.ops import _float32_math as F32
from engine.ops._core import record
from engine.ops._double import NOT_IMPLEMENTED, record_grads
from engine.tensor import Tensor

_NONE, _MEAN, _SUM = 0, 1, 2


def _check_no_grad(fn: str, arg: str, t) -> None:
    if t is not None and t.requires_grad:
        import engine
        if engine.is_grad_enabled():
            raise RuntimeError(f"The function '{fn}' is not differentiable with respect to "
                               f"argument '{arg}'. This input cannot have requires_grad True.")


def _reduce_rows(losses: np.ndarray, enum: int, dtype) -> np.ndarray:
    """Accumulated in double, as ATen's CPU kernels do (their acc_type), rounded once."""
    if enum == _NONE:
        return losses.astype(dtype)
    total = losses.sum(dtype=np.float64)
    return np.asarray(total / losses.size if enum == _MEAN else total, dtype=dtype)


# ---------------------------------------------------------------- soft_margin_loss

def _soft_margin_grad(x: np.ndarray, t: np.ndarray, g, enum: int) -> np.ndarray:
    """ATen's soft_margin_loss_backward: target * z * -norm / (1 + z) * grad_output."""
    dtype = x.dtype
    norm = dtype.type(1.0 / x.size if enum == _MEAN else 1.0)
    z = F32.exp(-t * x)
    grad = ((t * z).astype(dtype, copy=False) * -norm) / (z + 1).astype(dtype, copy=False)
    return (grad * g).astype(dtype, copy=False)


def _soft_margin_rule(n, g):
    x, t = array(n.saved("self")), array(n.saved("target"))
    return (_soft_margin_grad(x, t, array(g), n._attrs["reduction"]),)


def _soft_margin_double_rule(n, gg):
    """ATen's soft_margin_loss_double_backward(_grad_output)."""
    gg = array(gg)
    x, t = array(n.saved("self")), array(n.saved("target"))
    enum, g = n._attrs["reduction"], array(n.saved("grad_output"))
    grad_grad_output = None
    if n.needs(0):
        if enum == _NONE:
            grad_grad_output = _soft_margin_grad(x, t, gg, enum)
        else:
            ones = np.ones_like(g)
            grad_grad_output = np.asarray((_soft_margin_grad(x, t, ones, enum) * gg).sum(),
                                          dtype=g.dtype)
    grad_x = None
    if n.needs(1):
        norm = 1.0 / x.size if enum == _MEAN else 1.0
        z = F32.exp(x * -t)
        curvature = t ** 2 * z / (z + 1) ** 2
        grad_x = (curvature * norm * (gg * g)).astype(x.dtype, copy=False)
    return grad_grad_output, grad_x


SoftMarginLossBackwardBackward0 = node_class("SoftMarginLossBackwardBackward0",
                                             _soft_margin_double_rule, arrays=True)


def _soft_margin_double(n, g):
    x, t = n.saved("self"), n.saved("target")
    grad = _soft_margin_grad(x._data, t._data, g._data, n._attrs["reduction"])
    return record_grads(SoftMarginLossBackwardBackward0, (grad,), (grad.shape,), (g, x),
                        {"grad_output": g, "self": x, "target": t}, dict(n._attrs))


SoftMarginLossBackward0 = node_class("SoftMarginLossBackward0", _soft_margin_rule, arrays=True,
                                     double=_soft_margin_double)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction: str = "mean"):
    enum = enum_of(size_average, reduce, reduction)
    check_tensor_arguments("soft_margin_loss", ("input", input), ("target", target))
    _check_no_grad("soft_margin_loss", "target", target)
    x, t = input._data, target._data
    if x.dtype.kind != "f":
        from engine.dtypes import from_numpy_dtype
        common = from_numpy_dtype(t.dtype if t.dtype.kind == "f" else np.float32)
        raise RuntimeError(f"result type {common.tensor_type[:-6]} "
                           f"can't be cast to the desired output type "
                           f"{input.dtype.tensor_type[:-6]}")
    if t.shape != x.shape:
        target = target.expand(x.shape)
        t = target._data
    losses = F32.log1p(F32.exp(((-x) * t).astype(x.dtype, copy=False)))
    out = _reduce(losses, enum, (x,))   # apply_loss_reduction: a float mean or sum
    return record(SoftMarginLossBackward0, out, (input,), {"self": input, "target": target},
                  {"reduction": enum})


# ---------------------------------------------------------------- shared checks

def _frames(input, name: str) -> tuple[int, int]:
    """(samples, classes) of a 0-, 1- or 2-dim input, as ATen's shape checks read them."""
    shape = tuple(input.shape)
    if not (len(shape) == 2 and shape[1] != 0 or len(shape) == 1 and shape[0] != 0
            or len(shape) == 0):
        raise RuntimeError("Expected non-empty vector or matrix with optional 0-dim batch "
                           f"size, but got: {list(shape)}")
    if len(shape) <= 1:
        return 1, shape[0] if shape else 1
    return shape


def _check_index_dtype(target, what: str = "Long") -> None:
    if target._data.dtype != np.int64:
        raise RuntimeError(f"expected scalar type Long but found {target.dtype.tensor_type[:-6]}")


def _check_float(input, kernel: str) -> None:
    if input._data.dtype.kind != "f":
        raise NotImplementedError(f"\"{kernel}\" not implemented for "
                                  f"'{input.dtype.tensor_type[:-6]}'")


# ---------------------------------------------------------------- multi_margin_loss

def _multi_margin_terms(x: np.ndarray, t: np.ndarray, p: int, margin: float, w):
    """Per (sample, class): z = margin - x[target] + x, and the mask of z > 0 off target."""
    rows = np.arange(x.shape[0])
    z = (x.dtype.type(margin) - x[rows, t][:, None]) + x
    active = z > 0
    active[rows, t] = False
    scale = None if w is None else w[t][:, None]
    return z, active, scale


def _multi_margin_forward(x, t, p, margin, w):
    z, active, scale = _multi_margin_terms(x, t, p, margin, w)
    h = np.where(active, z if p == 1 else z * z, 0).astype(x.dtype)
    if scale is not None:
        h = h * scale
    return h.sum(axis=1, dtype=np.float64) / x.shape[1]


def _multi_margin_rule(n, g):
    a = n._attrs
    x, t = array(n.saved("self")), array(n.saved("target"))
    w = array(n.saved("weight")) if "weight" in n._saved else None
    shape = x.shape
    x2, t1 = x.reshape(a["_frames"]), t.reshape(-1)
    frames, classes = a["_frames"]
    unit = x.dtype.type(1.0 / (frames * classes) if a["reduction"] == _MEAN else 1.0 / classes)
    z, active, scale = _multi_margin_terms(x2, t1, a["p"], a["margin"], w)
    h = np.where(active, unit if a["p"] == 1 else 2 * unit * z, 0).astype(x.dtype)
    if scale is not None:
        h = h * scale
    rows = np.arange(frames)
    h[rows, t1] = -h.sum(axis=1)
    g = np.asarray(array(g))
    factor = g.reshape(-1, 1) if a["reduction"] == _NONE and g.ndim else g
    return ((h * factor).astype(x.dtype, copy=False).reshape(shape),)


def _not_differentiable(grads: tuple, g: Tensor, x: Tensor, op: str):
    """The gradient as the output of torch's NotImplemented node, whose edges go to those of
    grad_output and self that require grad."""
    inputs = tuple(t for t in (g, x) if t.requires_grad)
    return record_grads(NOT_IMPLEMENTED, grads, (x.shape,), inputs, attrs={"_op": op})


def _multi_margin_double(n, g):
    return _not_differentiable(_multi_margin_rule(n, g._data), g, n.saved("self"),
                               "aten::multi_margin_loss_backward")


MultiMarginLossBackward0 = node_class("MultiMarginLossBackward0", _multi_margin_rule,
                                      arrays=True, double=_multi_margin_double)


def _check_multi_margin(input, target, weight, frames: int, classes: int) -> None:
    if target.dim() > 1 or target.numel() != frames:
        raise RuntimeError("multi_margin_loss: target tensor should be 1-D with size equal to "
                           "the number of input samples (batch size). Expected target size "
                           f"[{frames}], but got {list(target.shape)}. Input has shape "
                           f"{list(input.shape)}.")
    if weight is not None and (weight.dim() > 1 or weight.numel() != classes):
        raise RuntimeError(f"inconsistent weight size, expected {classes} but got "
                           f"{list(weight.shape)}")


def multi_margin_loss(input, target, p: int = 1, margin: float = 1.0, weight=None,
                      size_average=None, reduce=None, reduction: str = "mean"):
    enum = enum_of(size_average, reduce, reduction)
    if p != 1 and p != 2:
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    check_tensor_arguments("multi_margin_loss", ("input", input), ("target", target))
    _check_no_grad("multi_margin_loss", "weight", weight)
    frames, classes = _frames(input, "multi_margin_loss")
    _check_multi_margin(input, target, weight, frames, classes)
    _check_index_dtype(target)
    _check_float(input, "multi_margin_loss_cpu_kernel")
    x, t = input._data.reshape(frames, classes), target._data.reshape(-1)
    if t.size and (t.min() < 0 or t.max() >= classes):
        raise RuntimeError("target out of range")
    w = None if weight is None else weight._data.astype(x.dtype, copy=False)
    losses = _multi_margin_forward(x, t, p, margin, w)
    if enum == _NONE and target.dim() == 0:
        losses = losses.reshape(())
    saved = {"self": input, "target": target}
    if weight is not None:
        saved["weight"] = weight
    return record(MultiMarginLossBackward0, _reduce_rows(losses, enum, x.dtype), (input,),
                  saved, {"p": p, "margin": margin, "reduction": enum,
                          "_frames": (frames, classes)})


# ---------------------------------------------------------------- multilabel_margin_loss

def _label_masks(t: np.ndarray, classes: int):
    """(valid, is_target): which target entries come before the row's first -1, and which
    classes are targets."""
    valid = np.cumprod(t >= 0, axis=1).astype(bool)
    is_target = np.zeros(t.shape[:1] + (classes,), dtype=bool)
    rows = np.broadcast_to(np.arange(t.shape[0])[:, None], t.shape)
    is_target[rows[valid], t[valid]] = True
    return valid, is_target


def _multilabel_active(x: np.ndarray, t: np.ndarray, valid, is_target):
    """Per (sample, target entry, class): 1 - x[target] + x[class] > 0 for a valid entry and
    a class that is no target."""
    picked = np.take_along_axis(x, np.where(valid, t, 0), axis=1)
    z = (x.dtype.type(1) - picked)[:, :, None] + x[:, None, :]
    active = (z > 0) & valid[:, :, None] & ~is_target[:, None, :]
    return z, active


def _multilabel_rule(n, g):
    a = n._attrs
    x, t = array(n.saved("self")), array(n.saved("target"))
    frames, classes = a["_frames"]
    x2, t2 = x.reshape(frames, classes), t.reshape(frames, classes)
    valid, is_target = _label_masks(t2, classes)
    _, active = _multilabel_active(x2, t2, valid, is_target)
    unit = x.dtype.type(1.0 / (frames * classes) if a["reduction"] == _MEAN else 1.0 / classes)
    grad = active.sum(axis=1).astype(x.dtype) * unit
    np.add.at(grad, (np.broadcast_to(np.arange(frames)[:, None], t2.shape)[valid], t2[valid]),
              -active.sum(axis=2)[valid].astype(x.dtype) * unit)
    g = np.asarray(array(g))
    factor = g.reshape(-1, 1) if a["reduction"] == _NONE and g.ndim else g
    return ((grad * factor).astype(x.dtype, copy=False).reshape(x.shape),)


def _multilabel_double(n, g):
    return _not_differentiable(_multilabel_rule(n, g._data), g, n.saved("self"),
                               "aten::multilabel_margin_loss_backward")


MultilabelMarginLossBackward0 = node_class("MultilabelMarginLossBackward0", _multilabel_rule,
                                           arrays=True, double=_multilabel_double)


def _check_multilabel_target(input, target, frames: int, classes: int) -> None:
    if input.dim() <= 1:
        fits = target.dim() <= 1 and target.numel() == classes
    else:
        fits = target.dim() == 2 and tuple(target.shape) == (frames, classes)
    if not fits:
        raise RuntimeError(f"inconsistent target size: {list(target.shape)} for input of size: "
                           f"{list(input.shape)}")


def multilabel_margin_loss(input, target, size_average=None, reduce=None,
                           reduction: str = "mean"):
    enum = enum_of(size_average, reduce, reduction)
    check_tensor_arguments("multilabel_margin_loss", ("input", input), ("target", target))
    frames, classes = _frames(input, "multilabel_margin_loss")
    _check_multilabel_target(input, target, frames, classes)
    _check_index_dtype(target)
    _check_float(input, "multilabel_margin_loss_forward_out_frame")
    x, t = input._data.reshape(frames, classes), target._data.reshape(frames, classes)
    if t.size and (t.min() < -1 or t.max() >= classes):
        raise RuntimeError("argument #2 'target' is out of range")
    valid, is_target = _label_masks(t, classes)
    z, active = _multilabel_active(x, t, valid, is_target)
    losses = np.where(active, z, 0).sum(axis=(1, 2), dtype=np.float64) / classes
    if enum == _NONE and input.dim() <= 1:
        losses = losses.reshape(())
    is_target_tensor = Tensor._make(is_target.astype(x.dtype).reshape(input._data.shape))
    return record(MultilabelMarginLossBackward0, _reduce_rows(losses, enum, x.dtype), (input,),
                  {"self": input, "target": target, "is_target": is_target_tensor},
                  {"reduction": enum, "_frames": (frames, classes)})
