"""Losses: nll_loss (NllLossBackward0 / NllLoss2DBackward0), cross_entropy (log_softmax +
nll_loss, as PyTorch records it), mse_loss, l1_loss, binary_cross_entropy(_with_logits)."""
from __future__ import annotations

import warnings

import numpy as np


from engine.autograd.node import node_class
from engine.nn._ops import activation as A
from engine.nn._ops._util import (array, as_uint64, kernels, private, reduction_enum, stash,
                                  unpack_saved)
from engine.nn._reduction import legacy_or
from engine.ops._sum_cascade import sum_in_aten_order
from engine.ops._double import record_grads
from engine.ops import _layout
from engine.ops import elementwise as E
from engine.ops import reductions as R
from engine.ops import shape as S
from engine.ops._core import needs_grad, record, result_dtype
from engine.tensor import Tensor

_NONE, _MEAN, _SUM = 0, 1, 2
_extra = kernels("nn_extra")
_aten_order = kernels("aten_order")


def _reduce(losses: np.ndarray, reduction: int, operands: tuple = ()) -> np.ndarray:
    """ATen's apply_loss_reduction of the unreduced losses: its float sum (and the mean
    that divides it), in its order where known (engine/ops/_sum_cascade.py). Unreduced
    elementwise losses take the layout TensorIterator gives them from ``operands`` (the
    op's input arrays, in order), when given."""
    if reduction == _NONE:
        return _layout.iterated(losses, list(operands)) if operands else losses
    total = sum_in_aten_order(losses, None, False)
    if total is not None:
        dtype = losses.dtype.type
        return np.asarray(total / dtype(losses.size) if reduction == _MEAN else total)
    total = losses.sum(dtype=np.float64)
    return np.asarray(total / losses.size if reduction == _MEAN else total, dtype=losses.dtype)


def _expand_grad(g, reduction: int, shape: tuple, count: int):
    """The incoming gradient spread over every element of the unreduced loss."""
    if reduction == _NONE:
        return g
    return np.broadcast_to(g / count if reduction == _MEAN else g, shape)


# ---------------------------------------------------------------- nll_loss

def _ncp_shape(shape: tuple) -> tuple:
    """[N, C, ...] or [C] as [N, C, P]."""
    if len(shape) == 1:
        return (1, shape[0], 1)
    positions = 1
    for size in shape[2:]:
        positions *= size
    return (shape[0], shape[1], positions)


def _picked_positions(target: np.ndarray, ncp: tuple) -> tuple:
    """Index of (sample, target class, position) in an [N, C, P] array. Ignored targets are
    clamped into range: their weight is 0, so what is read or written there is a zero."""
    safe_target = np.minimum(np.maximum(target, 0), ncp[1] - 1)
    return np.arange(ncp[0])[:, None], safe_target, np.arange(ncp[2])


def _nll_rule(n, g):
    unpack_saved(n)
    g = array(g)
    a = private(n)
    shape = n._in_shapes[0]
    weights = a["picked_weights"]                       # [N, P], 0 where ignored
    reduction = n._attrs["reduction"]
    factor = g / a["total"] if reduction == _MEAN else g
    if g.dtype == weights.dtype:
        # One fused kernel call: at batch 1 NumPy's index arrays cost more than the loss.
        return (_extra.nll_grad(a["target"], weights, factor, _ncp_shape(shape),
                                a["ignore_index"]).reshape(shape),)
    scale = -weights * (factor if reduction != _NONE else factor.reshape(weights.shape))
    scale[a["target"] == a["ignore_index"]] = 0       # not -0 * inf: PyTorch skips them
    grad = np.zeros(_ncp_shape(shape), dtype=g.dtype)
    # One target per (sample, position): a plain scatter, no duplicates to add up.
    grad[_picked_positions(a["target"], grad.shape)] = scale
    return (grad.reshape(shape),)


def _nll_double_rule(n, gg):
    """grad_input is linear in grad_output and does not depend on self: the derivative for
    grad_output is nll_loss of gg (same targets, weights and reduction), self's is zero."""
    gg = array(gg)
    a = private(n)
    grad_grad_out = None
    if n.needs(0):
        ncp = _ncp_shape(gg.shape)
        picked = gg.reshape(ncp)[_picked_positions(a["target"], ncp)]
        losses = -a["picked_weights"] * picked
        reduction = n._attrs["reduction"]
        if reduction == _NONE:
            grad_grad_out = losses.reshape(a["out_shape"])
        else:
            total = losses.sum()
            grad_grad_out = np.asarray(total / a["total"] if reduction == _MEAN else total,
                                       dtype=gg.dtype)
    return grad_grad_out, (np.zeros_like(gg) if n.needs(1) else None)


NllLossBackwardBackward0 = node_class("NllLossBackwardBackward0", _nll_double_rule, arrays=True)
NllLoss2DBackwardBackward0 = node_class("NllLoss2DBackwardBackward0", _nll_double_rule,
                                        arrays=True)


def _nll_double(node_cls):
    def double(n, g):
        x = n.saved("self")
        saved = {"target": n.saved("target")}
        attrs = {k: n._attrs[k] for k in ("ignore_index", "reduction")}
        if "weight" in n._saved:
            saved["weight"] = n.saved("weight")
        else:
            attrs["weight"] = None
        grads = record_grads(node_cls, _nll_rule(n, g), (x.shape,), (g, x), saved, attrs)
        stash(grads[0], **private(n), out_shape=g.shape)
        return grads
    return double


NllLossBackward0 = node_class("NllLossBackward0", _nll_rule,
                              arrays=True, double=_nll_double(NllLossBackwardBackward0))
NllLoss2DBackward0 = node_class("NllLoss2DBackward0", _nll_rule,
                                arrays=True, double=_nll_double(NllLoss2DBackwardBackward0))


def _check_target(input: Tensor, target: Tensor) -> None:
    if target._data.dtype.kind not in "iu":
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got "
                           f"{target.dtype.tensor_type[:-6]}")
    x, t = input._data, target._data
    if x.ndim >= 2 and (t.ndim == 0 or t.shape[0] != x.shape[0]):
        raise ValueError(f"Expected input batch_size ({x.shape[0]}) to match target batch_size "
                         f"({t.shape[0] if t.ndim else 0}).")


def _check_weight_needs_no_grad(weight, function: str) -> None:
    if weight is not None and needs_grad(weight):
        raise RuntimeError(f"The function '{function}' is not differentiable with respect to "
                           "argument 'weight'. This input cannot have requires_grad True.")


def _check_spatial_target(x_shape: tuple, t_shape: tuple) -> None:
    """nll_loss2d's checks on a [N, H, W] target for [N, C, H, W] log-probabilities."""
    if len(t_shape) != 3:
        raise RuntimeError("only batches of spatial targets supported (3D tensors) but got "
                           f"targets of dimension: {len(t_shape)}")
    if (x_shape[0], x_shape[2], x_shape[3]) != tuple(t_shape):
        raise RuntimeError(f"size mismatch (got input: {list(x_shape)} , target: "
                           f"{list(t_shape)}")


def _nll_loss_nd(input, target, weight, ignore_index, reduction):
    """ATen's nll_loss_nd for [N, C, d1] and [N, C, d1, d2, d3, ...]: the 2-D loss on an
    [N, C, 1, d1*d2*...] view (ViewBackward0 under NllLoss2DBackward0), viewed back to the
    target's shape when not reduced."""
    x_shape, t_shape = input._data.shape, target._data.shape
    batch, classes = x_shape[0], x_shape[1]
    out_size = (batch,) + tuple(x_shape[2:])
    if tuple(t_shape[1:]) != tuple(x_shape[2:]):
        raise RuntimeError(f"Expected target size {list(out_size)}, got {list(t_shape)}")
    planes = S.view(S.contiguous(input), (batch, classes, 1, -1) if input._data.size
                    else (batch, classes, 0, 0))
    targets = S.view(S.contiguous(target), (batch, 1, -1) if target._data.size
                     else (batch, 0, 0))
    loss = nll_loss(planes, targets, weight, ignore_index=ignore_index, reduction=reduction)
    return S.view(loss, out_size) if reduction == "none" else loss


_SCALAR_TYPES = {"float32": "Float", "float64": "Double", "float16": "Half"}


def _check_weight_dtype(input, weight) -> None:
    if weight is not None and weight._data.dtype != input._data.dtype:
        raise RuntimeError(f"expected scalar type {_SCALAR_TYPES[input._data.dtype.name]} but "
                           f"found {_SCALAR_TYPES[weight._data.dtype.name]}")


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    reduction = legacy_or(size_average, reduce, reduction)
    _check_target(input, target)
    _check_weight_dtype(input, weight)
    ndim = input._data.ndim
    if ndim == 3 or ndim > 4:
        return _nll_loss_nd(input, target, weight, ignore_index, reduction)
    _check_weight_needs_no_grad(
        weight, "nll_loss2d_forward" if ndim == 4 else "nll_loss_forward")
    if ndim == 4:
        _check_spatial_target(input._data.shape, target._data.shape)
    enum = reduction_enum(reduction)
    x = input._data
    ncp = _ncp_shape(x.shape)
    target_np = target._data.astype(np.int64, copy=False).reshape(ncp[0], ncp[2])
    losses, picked, loss_sum, total = _extra.nll_picked(
        x.reshape(ncp), target_np, None if weight is None else weight._data, ignore_index)
    if enum == _NONE:
        out = losses.reshape(target._data.shape)
        total_weight = np.asarray(0, dtype=x.dtype)
    else:
        if ncp[2] == 1:     # [N, C] or [C]: ATen's cascade, in the input's dtype
            loss_sum, total = _aten_order.nll_totals(x.reshape(ncp[:2]), target_np[:, 0],
                                                     None if weight is None else weight._data,
                                                     ignore_index)
        value = loss_sum
        if enum == _MEAN:
            with np.errstate(invalid="ignore", divide="ignore"):
                value = loss_sum / total if total != 0 else np.nan
        out = np.asarray(value, dtype=x.dtype)
        total_weight = np.asarray(total, dtype=x.dtype)
    node_cls = NllLoss2DBackward0 if x.ndim == 4 else NllLossBackward0
    saved = {"self": input, "target": target, "total_weight": Tensor._make(total_weight)}
    attrs = {"reduction": enum, "ignore_index": as_uint64(ignore_index)}
    if weight is None:
        attrs["weight"] = None
    else:
        saved["weight"] = weight
    result = record(node_cls, out, (input,), saved, attrs)
    stash(result, total=total, picked_weights=picked, target=target_np,
          ignore_index=ignore_index)
    return result


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100,
                  reduce=None, reduction="mean", label_smoothing=0.0):
    """ATen's cross_entropy_loss, node for node: log_softmax then nll_loss; with
    label_smoothing, a smoothing term (MaskedFillBackward0 for ignored targets) mixed in by
    mul.Scalar (MulBackward1); with class probabilities as the target,
    -(log_probs * target).sum() / (numel / classes) by div.Scalar (DivBackward1)."""
    reduction = legacy_or(size_average, reduce, reduction)
    enum = reduction_enum(reduction)
    label_smoothing = float(label_smoothing)
    class_dim = 0 if input._data.ndim == 1 else 1
    soft_target = target._data.shape == input._data.shape
    if soft_target:
        _check_probability_target(target, ignore_index)
    if label_smoothing > 1.0:
        raise RuntimeError("label_smoothing must be between 0.0 and 1.0. Got: "
                           f"{label_smoothing:g}")
    log_probs = R.log_softmax(input, class_dim)
    if soft_target:
        return _soft_target_loss(log_probs, target, weight, enum, label_smoothing, class_dim)
    loss = nll_loss(log_probs, target, weight, ignore_index=ignore_index, reduction=reduction)
    if label_smoothing <= 0.0:
        return loss
    return _smoothed(loss, log_probs, target, weight, ignore_index, enum, label_smoothing,
                     class_dim)


def _check_probability_target(target, ignore_index) -> None:
    if target._data.dtype.kind != "f":
        raise RuntimeError("Expected floating point type for target with class probabilities, "
                           f"got {target.dtype.tensor_type[:-6]}")
    if ignore_index >= 0:
        raise RuntimeError("ignore_index is not supported for floating point target")


def _smoothed(loss, log_probs, target, weight, ignore_index, enum, smoothing, class_dim):
    per_class = log_probs
    if weight is not None:
        per_class = E.mul(log_probs, _class_shaped(weight, log_probs, class_dim))
    ignored = Tensor._make(np.asarray(target._data == ignore_index))
    smooth = E.masked_fill(E.neg(R.sum(per_class, class_dim)), ignored, 0.0)
    if enum == _MEAN:
        smooth = E.div(R.sum(smooth), _kept_weight(target, weight, ignored._data))
    elif enum == _SUM:
        smooth = R.sum(smooth)
    classes = log_probs._data.shape[class_dim]
    return E.add(E.mul_scalar(loss, 1.0 - smoothing), E.mul_scalar(smooth, smoothing / classes))


def _kept_weight(target, weight, ignored: np.ndarray) -> Tensor:
    """What the mean divides by: the count of kept targets (int64), or their weights' sum."""
    kept = ~ignored
    if weight is None:
        return Tensor._make(np.asarray(kept.sum()))
    return Tensor._make(np.asarray(weight._data[target._data[kept]].sum()))


def _class_shaped(weight, like, class_dim):
    shape = [1] * like._data.ndim
    shape[class_dim] = -1
    return weight.view(shape)


def _soft_target_loss(log_probs, target, weight, enum, smoothing, class_dim):
    classes = log_probs._data.shape[class_dim]
    if smoothing > 0.0:
        target = E.add_scalar(E.mul_scalar(target, 1.0 - smoothing), smoothing / classes)
    products = E.mul(log_probs, target)
    if weight is not None:
        weight = _class_shaped(weight, log_probs, class_dim) if log_probs._data.ndim > 1 \
            else weight
        products = E.mul(products, weight)
    if enum == _NONE:
        return E.neg(R.sum(products, class_dim))
    total = E.neg(R.sum(products))
    if enum == _SUM:
        return total
    return E.div_scalar(total, log_probs._data.size // classes)


# ---------------------------------------------------------------- mse, l1

def _warn_size(input: Tensor, target: Tensor) -> None:
    if target._data.shape != input._data.shape:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input "
                      f"size ({input.shape}). This will likely lead to incorrect results due to "
                      "broadcasting. Please ensure they have the same size.", UserWarning,
                      stacklevel=3)


def _mse_backward(grad_out: np.ndarray, x: np.ndarray, t: np.ndarray, reduction: int):
    diff = x - t
    grad = 2 * diff * _expand_grad(grad_out, reduction, diff.shape, diff.size)
    return grad.astype(x.dtype, copy=False)


def _mse_rule(n, g):
    grad = _mse_backward(array(g), array(n.saved("self")), array(n.saved("target")),
                         n._attrs["reduction"])
    return (grad if n.needs(0) else None, -grad if n.needs(1) else None)


def _mse_double_rule(n, gg):
    """Differentiates mse_loss_backward(grad_output, self, target) = 2 (self - target)
    grad_output / count: linear in grad_output and in self - target."""
    gg, grad_out = array(gg), array(n.saved("grad_output"))
    x, t = array(n.saved("self")), array(n.saved("target"))
    reduction = n._attrs["reduction"]
    grad_grad_out = None
    if n.needs(0):
        grad_grad_out = _reduce((2 * (x - t) * gg).astype(x.dtype, copy=False), reduction)
    # d/dself of <gg, 2 (self - target) grad_output / count>: 2 gg grad_output / count.
    grad_x = _mse_backward(grad_out, gg, 0, reduction) if n.needs(1) or n.needs(2) else None
    return (grad_grad_out, grad_x if n.needs(1) else None,
            -grad_x if n.needs(2) else None)


MseLossBackwardBackward0 = node_class("MseLossBackwardBackward0", _mse_double_rule, arrays=True)


def _mse_double(n, g):
    """As torch: self's gradient is mse_loss_backward(grad, self, target) and target's is
    mse_loss_backward(grad, target, self), each the output of its own node."""
    x, t = n.saved("self"), n.saved("target")
    return (_mse_grad_node(g, x, t, n._attrs) if n.needs(0) else None,
            _mse_grad_node(g, t, x, n._attrs) if n.needs(1) else None)


def _mse_grad_node(g, x, t, attrs):
    grad = _mse_backward(array(g), x._data, t._data, attrs["reduction"])
    return record_grads(MseLossBackwardBackward0, (grad,), (grad.shape,), (g, x, t),
                        {"grad_output": g, "self": x, "target": t},
                        {"reduction": attrs["reduction"]})[0]


MseLossBackward0 = node_class("MseLossBackward0", _mse_rule, arrays=True, double=_mse_double)


def _broadcast_pair(input: Tensor, target: Tensor) -> tuple:
    """torch.broadcast_tensors: each expanded (ExpandBackward0) only where its shape differs."""
    from engine.ops.elementwise import broadcast_error
    from engine.ops.shape import expand
    try:
        shape = np.broadcast_shapes(input._data.shape, target._data.shape)
    except ValueError:
        raise broadcast_error(input._data.shape, target._data.shape) from None
    return tuple(t if t._data.shape == shape else expand(t, shape) for t in (input, target))


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    _warn_size(input, target)
    reduction = legacy_or(size_average, reduce, reduction)
    input, target = _broadcast_pair(input, target)
    enum = reduction_enum(reduction)
    dtype = result_dtype(input, target)         # float32 input, int64 target: float32
    diff = input._data.astype(dtype, copy=False) - target._data.astype(dtype, copy=False)
    out = _reduce(diff * diff, enum, (input._data, target._data))
    return record(MseLossBackward0, np.asarray(out), (input, target),
                  {"self": input, "target": target}, {"reduction": enum})


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    _warn_size(input, target)
    reduction = legacy_or(size_average, reduce, reduction)
    reduction_enum(reduction)
    input, target = _broadcast_pair(input, target)
    losses = E.abs(E.sub(input, target))
    if reduction == "none":
        return losses
    return R.mean(losses) if reduction == "mean" else R.sum(losses)


# ---------------------------------------------------------------- binary cross-entropy

_BCE_EPS = 1e-12


def _optional_saved(n, name: str):
    return n.saved(name) if name in n._saved else None


def _bce_input_factor(x: np.ndarray, t: np.ndarray) -> np.ndarray:
    """d loss / d input per element, before weight and reduction (ATen's clamped form)."""
    return (x - t) / np.maximum((1 - x) * x, _BCE_EPS)


def _bce_rule(n, g):
    g = array(g)
    x, t = array(n.saved("self")), array(n.saved("target"))
    weight = array(_optional_saved(n, "weight"))
    spread = _expand_grad(g, n._attrs["reduction"], x.shape, x.size)
    if weight is not None:
        spread = spread * weight
    grad_x = grad_t = None
    if n.needs(0):
        grad_x = (_bce_input_factor(x, t) * spread).astype(x.dtype, copy=False)
    if n.needs(1):
        with np.errstate(divide="ignore"):
            grad_t = (-(np.log(x) - np.log1p(-x)) * spread).astype(x.dtype, copy=False)
    return grad_x, grad_t


def _bce_double_rule(n, gg):
    """Differentiates binary_cross_entropy_backward(grad_output, self, target, weight)."""
    gg, grad_out = array(gg), array(n.saved("grad_output"))
    x, t = array(n.saved("self")), array(n.saved("target"))
    weight = array(_optional_saved(n, "weight"))
    reduction = n._attrs["reduction"]
    weighted = gg if weight is None else gg * weight
    grad_grad_out = grad_x = grad_t = None
    if n.needs(0):
        grad_grad_out = _reduce((weighted * _bce_input_factor(x, t)).astype(x.dtype), reduction)
    spread = _expand_grad(grad_out, reduction, x.shape, x.size) * weighted
    denominator = np.maximum((1 - x) * x, _BCE_EPS)
    if n.needs(1):
        grad_x = ((x * x - 2 * x * t + t) / denominator ** 2 * spread).astype(x.dtype)
    if n.needs(2):
        grad_t = (-spread / denominator).astype(x.dtype)
    return grad_grad_out, grad_x, grad_t


BinaryCrossEntropyBackwardBackward0 = node_class("BinaryCrossEntropyBackwardBackward0",
                                                 _bce_double_rule, arrays=True)


def _scaled_grad(factor: Tensor, g: Tensor, weight, reduction: int, count: int) -> Tensor:
    """factor * grad [* weight] [/ count], as ATen's composite loss backwards record it."""
    grad = E.mul(factor, g)
    if weight is not None:
        grad = E.mul(grad, weight)
    return E.div_scalar(grad, count) if reduction == _MEAN else grad


def _bce_double(n, g):
    """self's gradient is a BinaryCrossEntropyBackwardBackward0 node; target's is ATen's
    composite -logit(self) * grad [* weight] [/ numel]."""
    x, t = n.saved("self"), n.saved("target")
    weight = _optional_saved(n, "weight")
    reduction = n._attrs["reduction"]
    grad_x = grad_t = None
    if n.needs(0):
        (grad_x,) = record_grads(
            BinaryCrossEntropyBackwardBackward0, _bce_rule(n, g)[:1], (x.shape,), (g, x, t),
            {"grad_output": g, "self": x, "target": t, "weight": weight},
            {"reduction": reduction, **({"weight": None} if weight is None else {})})
    if n.needs(1):
        grad_t = _scaled_grad(E.neg(A.logit(x)), g, weight, reduction, x._data.size)
    return grad_x, grad_t


BinaryCrossEntropyBackward0 = node_class("BinaryCrossEntropyBackward0", _bce_rule,
                                         arrays=True, double=_bce_double)


def _check_same_size(input, target) -> None:
    if target._data.shape != input._data.shape:
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input "
                         f"size ({input.shape}) is deprecated. Please ensure they have the same "
                         "size.")


def _check_unit_interval(x: np.ndarray, t: np.ndarray) -> None:
    """ATen checks element by element, input before target (NaN fails)."""
    bad_x, bad_t = ~((x >= 0) & (x <= 1)), ~((t >= 0) & (t <= 1))
    bad = np.flatnonzero(np.broadcast_to(bad_x | bad_t, np.broadcast_shapes(x.shape, t.shape)))
    if bad.size:
        first = np.unravel_index(bad[0], np.broadcast_shapes(x.shape, t.shape))
        name = "input" if np.broadcast_to(bad_x, np.broadcast_shapes(x.shape, t.shape))[first] \
            else "target"
        raise RuntimeError(f"all elements of {name} should be between 0 and 1")


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    reduction = legacy_or(size_average, reduce, reduction)
    _check_same_size(input, target)
    enum = reduction_enum(reduction)
    _check_weight_needs_no_grad(weight, "binary_cross_entropy")
    x, t = input._data, target._data
    if t.dtype != x.dtype:
        names = {"float32": "Float", "float64": "Double"}
        raise RuntimeError(f"Found dtype {names.get(t.dtype.name)} but expected "
                           f"{names.get(x.dtype.name)}")
    _check_unit_interval(x, t)
    with np.errstate(divide="ignore"):
        log_x = np.maximum(np.log(x), -100)
        log_1mx = np.maximum(np.log1p(-x), -100)
    losses = -(t * log_x + (1 - t) * log_1mx)
    if weight is not None:
        losses = losses * weight._data
    # ATen writes into empty_like(input): the input's layout
    out = _reduce(losses.astype(x.dtype, copy=False), enum, (x,))
    saved = {"self": input, "target": target}
    attrs = {"reduction": enum}
    if weight is None:
        attrs["weight"] = None
    else:
        saved["weight"] = weight
    return record(BinaryCrossEntropyBackward0, np.asarray(out), (input, target), saved, attrs)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _softplus_neg(x):
    """log(1 + exp(-x)), stable for large |x|."""
    return np.log1p(np.exp(-np.abs(x))) + np.maximum(-x, 0)


def _bce_logits_rule(n, g):
    g = array(g)
    x, t = array(n.saved("self")), array(n.saved("target"))
    a = n._attrs
    weight = array(n.saved("weight")) if "weight" in n._saved else None
    pos_weight = array(n.saved("pos_weight")) if "pos_weight" in n._saved else None
    spread = _expand_grad(g, a["reduction"], x.shape, x.size)
    if pos_weight is None:
        grad_x, grad_t = _sigmoid(x) - t, -x
    else:
        log_weight = (pos_weight - 1) * t + 1
        grad_x = (1 - t) + log_weight * (_sigmoid(x) - 1)
        grad_t = -x + (pos_weight - 1) * _softplus_neg(x)
    if weight is not None:
        grad_x, grad_t = grad_x * weight, grad_t * weight
    return ((grad_x * spread).astype(x.dtype, copy=False) if n.needs(0) else None,
            (grad_t * spread).astype(x.dtype, copy=False) if n.needs(1) else None)


def _logits_input_factor(x: Tensor, t: Tensor, pos_weight) -> Tensor:
    if pos_weight is None:
        return E.sub(E.sigmoid(x), t)
    weighted_target = E.mul(pos_weight, t)
    return E.sub(E.mul(E.sub(E.add_scalar(weighted_target, 1), t), E.sigmoid(x)),
                 weighted_target)


def _logits_target_factor(x: Tensor, pos_weight) -> Tensor:
    """-x, or log_sigmoid(-x) - log_sigmoid(x) * pos_weight."""
    if pos_weight is None:
        return E.neg(x)
    return E.sub(A.log_sigmoid(E.neg(x)), E.mul(A.log_sigmoid(x), pos_weight))


def _bce_logits_double(n, g):
    """ATen's backward here is composite (sigmoid, sub, mul, div): under create_graph it is
    recorded op by op, as torch records it."""
    x, t = n.saved("self"), n.saved("target")
    weight, pos_weight = _optional_saved(n, "weight"), _optional_saved(n, "pos_weight")
    reduction, count = n._attrs["reduction"], x._data.size
    return (_scaled_grad(_logits_input_factor(x, t, pos_weight), g, weight, reduction, count)
            if n.needs(0) else None,
            _scaled_grad(_logits_target_factor(x, pos_weight), g, weight, reduction, count)
            if n.needs(1) else None)


BinaryCrossEntropyWithLogitsBackward0 = node_class(
    "BinaryCrossEntropyWithLogitsBackward0", _bce_logits_rule, arrays=True,
    double=_bce_logits_double)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None,
                                     reduce=None, reduction="mean", pos_weight=None):
    reduction = legacy_or(size_average, reduce, reduction)
    _check_same_size(input, target)
    enum = reduction_enum(reduction)
    x, t = input._data, target._data
    if pos_weight is None:
        losses = (1 - t) * x + _softplus_neg(x)
    else:
        losses = (1 - t) * x + ((pos_weight._data - 1) * t + 1) * _softplus_neg(x)
    if weight is not None:
        losses = losses * weight._data
    # ATen computes it in place on (1 - target): the loss has the target's dtype.
    out = _reduce(losses.astype(t.dtype, copy=False), enum)
    saved = {"self": input, "target": target}
    attrs = {"reduction": enum}
    for name, value in (("weight", weight), ("pos_weight", pos_weight)):
        if value is None:
            attrs[name] = None
        else:
            saved[name] = value
    return record(BinaryCrossEntropyWithLogitsBackward0, np.asarray(out), (input, target),
                  saved, attrs)
