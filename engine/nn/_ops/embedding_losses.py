"""The losses ATen (or torch.nn.functional) composes of other ops, so their graphs are those
ops' nodes: margin_ranking_loss, hinge_embedding_loss, cosine_embedding_loss,
triplet_margin_loss (and _with_distance_loss), poisson_nll_loss, gaussian_nll_loss,
multilabel_soft_margin_loss. The argument checks and texts are torch's."""
from __future__ import annotations

import math

from engine.autograd.grad_mode import no_grad
from engine.nn._ops.activation import log_sigmoid
from engine.nn._ops._util import check_tensor_arguments
from engine.nn._ops.distance import pairwise_distance
from engine.nn._reduction import enum_of, legacy_get_string
from engine.ops import elementwise as E
from engine.ops.clamp_bounds import clamp_min
from engine.ops.unary_math import _minus   # ATen's sub.Scalar: SubBackward1
from engine.tensor import Tensor

_MEAN, _SUM = 1, 2
# torch.margin_ranking_loss and the other torch-level losses, called without a reduction,
# reduce nothing (torch 2.13's binding reads the schema's Mean default as 0).
_NONE_DEFAULT = 0
_EPSILON = 1e-12    # ATen's cosine_embedding_loss


def _reduced(losses: Tensor, enum: int) -> Tensor:
    """ATen's apply_loss_reduction."""
    if enum == _MEAN:
        return losses.mean()
    if enum == _SUM:
        return losses.sum()
    return losses


def _scalar_minus(value: float, t: Tensor) -> Tensor:
    """C++'s `scalar - tensor`: a tensor filled with the scalar, minus t (SubBackward0)."""
    import engine
    return engine.full_like(t, value).sub_(t)


def _zeros_like(t: Tensor) -> Tensor:
    import engine
    return engine.zeros_like(t)


# ---------------------------------------------------------------- margin_ranking_loss

def margin_ranking_loss(input1, input2, target, margin: float = 0, size_average=None,
                        reduce=None, reduction: str = "mean"):
    enum = enum_of(size_average, reduce, reduction)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError("margin_ranking_loss : All input tensors should have same dimension "
                           f"but got sizes: input1: {input1.size()}, input2: {input2.size()}, "
                           f"target: {target.size()} ")
    return aten_margin_ranking_loss(input1, input2, target, margin, enum)


def aten_margin_ranking_loss(input1, input2, target, margin: float = 0.0,
                             reduction: int = _NONE_DEFAULT):
    check_tensor_arguments("margin_ranking_loss", ("input1", input1), ("input2", input2),
                           ("target", target))
    unclamped = E.add_scalar(-target * (input1 - input2), margin)
    return _reduced(unclamped.clamp_min_(0), reduction)


# ---------------------------------------------------------------- hinge_embedding_loss

def hinge_embedding_loss(input, target, margin: float = 1.0, size_average=None, reduce=None,
                         reduction: str = "mean"):
    return aten_hinge_embedding_loss(input, target, margin,
                                     enum_of(size_average, reduce, reduction))


def aten_hinge_embedding_loss(input, target, margin: float = 1.0,
                              reduction: int = _NONE_DEFAULT):
    enum = reduction
    check_tensor_arguments("hinge_embedding_loss", ("input", input), ("target", target))
    zeros = _zeros_like(input)
    margin_clamp = _scalar_minus(margin, input).clamp_min_(0)
    output_margin = E.where(target != 1, margin_clamp, zeros)
    output_self = E.where(target != -1, input, zeros)
    return _reduced(output_margin + output_self, enum)


# ---------------------------------------------------------------- cosine_embedding_loss

def _check_cosine_embedding_dims(input1, input2, target) -> None:
    target_dim = target.dim()
    if target_dim not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    wanted = 2 if target_dim == 1 else 1
    if input1.dim() != wanted or input2.dim() != wanted:
        raise RuntimeError(f"{target_dim}D target tensor expects {wanted}D input tensors, but "
                           f"found inputs with sizes {list(input1.shape)} and "
                           f"{list(input2.shape)}.")


def cosine_embedding_loss(input1, input2, target, margin: float = 0, size_average=None,
                          reduce=None, reduction: str = "mean"):
    return aten_cosine_embedding_loss(input1, input2, target, margin,
                                      enum_of(size_average, reduce, reduction))


def aten_cosine_embedding_loss(input1, input2, target, margin: float = 0.0,
                               reduction: int = _NONE_DEFAULT):
    enum = reduction
    check_tensor_arguments("cosine_embedding_loss", ("input1", input1), ("input2", input2),
                           ("target", target))
    _check_cosine_embedding_dims(input1, input2, target)
    dim = target.dim()
    prod_sum = (input1 * input2).sum(dim)
    mag_square1 = E.add_scalar((input1 * input1).sum(dim), _EPSILON)
    mag_square2 = E.add_scalar((input2 * input2).sum(dim), _EPSILON)
    cos = prod_sum / (mag_square1 * mag_square2).sqrt_()
    zeros = _zeros_like(cos)
    positive = _scalar_minus(1, cos)
    negative = _minus(cos, margin).clamp_min_(0)
    output = E.where(target == 1, positive, zeros) + E.where(target == -1, negative, zeros)
    return _reduced(output, enum)


# ---------------------------------------------------------------- triplet losses

def _check_margin(margin: float) -> None:
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")


def _check_triplet_dims(anchor, positive, negative) -> None:
    dims = anchor.dim(), positive.dim(), negative.dim()
    if not dims[0] == dims[1] == dims[2]:
        raise RuntimeError("The anchor, positive, and negative tensors are expected to have the "
                           f"same number of dimensions, but got: anchor {dims[0]}D, positive "
                           f"{dims[1]}D, and negative {dims[2]}D inputs")


def triplet_margin_loss(anchor, positive, negative, margin: float = 1.0, p: float = 2,
                        eps: float = 1e-6, swap: bool = False, size_average=None, reduce=None,
                        reduction: str = "mean"):
    enum = enum_of(size_average, reduce, reduction)
    _check_margin(margin)
    return aten_triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap, enum)


def aten_triplet_margin_loss(anchor, positive, negative, margin: float = 1.0, p: float = 2,
                             eps: float = 1e-6, swap: bool = False,
                             reduction: int = _NONE_DEFAULT):
    enum = reduction
    check_tensor_arguments("triplet_margin_loss", ("anchor", anchor), ("positive", positive),
                           ("negative", negative))
    _check_triplet_dims(anchor, positive, negative)
    dist_pos = pairwise_distance(anchor, positive, p, eps)
    dist_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        dist_neg = E.minimum(dist_neg, pairwise_distance(positive, negative, p, eps))
    return _reduced(clamp_min(E.add_scalar(dist_pos, margin) - dist_neg, 0), enum)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None,
                                      margin: float = 1.0, swap: bool = False,
                                      reduction: str = "mean"):
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    _check_margin(margin)
    _check_triplet_dims(anchor, positive, negative)
    distance = pairwise_distance if distance_function is None else distance_function
    dist_pos = distance(anchor, positive)
    dist_neg = distance(anchor, negative)
    if swap:
        dist_neg = E.minimum(dist_neg, distance(positive, negative))
    # Python's `margin + dist_pos`: a wrapped number, so AddBackward0 as torch records it
    loss = clamp_min(margin + dist_pos - dist_neg, 0)
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.mean()
    return loss


# ---------------------------------------------------------------- poisson_nll_loss

def poisson_nll_loss(input, target, log_input: bool = True, full: bool = False,
                     size_average=None, eps: float = 1e-8, reduce=None, reduction: str = "mean"):
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not a valid value for reduction")
    return aten_poisson_nll_loss(input, target, log_input, full, eps,
                                 enum_of(None, None, reduction))


def aten_poisson_nll_loss(input, target, log_input: bool, full: bool, eps: float,
                          reduction: int):
    enum = reduction
    check_tensor_arguments("poisson_nll_loss", ("input", input), ("target", target))
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * E.add_scalar(input, eps).log()
    if full:
        stirling = target * target.log() - target \
            + E.mul_scalar(E.mul_scalar(target, 2 * math.pi).log(), 0.5)
        loss = loss.add_(stirling.masked_fill(target <= 1, 0))
    return _reduced(loss, enum)


# ---------------------------------------------------------------- gaussian_nll_loss

def _homoscedastic_var(input, var):
    """var checked against input's size, unsqueezed when it is input's size minus the last."""
    if var.size() == input.size():
        return var
    if input.size()[:-1] == var.size():
        return var.unsqueeze(-1)
    mismatched = sum(v for i, v in zip(input.size(), var.size()) if i != v)
    if input.ndim == var.ndim and mismatched == 1:
        return var
    raise ValueError("var is of incorrect size")


def gaussian_nll_loss(input, target, var, full: bool = False, eps: float = 1e-6,
                      reduction: str = "mean"):
    import engine
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = var * engine.ones_like(input)
    elif engine.any(var < 0):
        raise ValueError("var has negative entry/entries")
    var = _homoscedastic_var(input, var)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    var = var.clone()
    with no_grad():
        var.clamp_(min=eps)
    loss = 0.5 * (engine.log(var) + (input - target) ** 2 / var)
    if full:
        loss += 0.5 * math.log(2 * math.pi)
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


# ---------------------------------------------------------------- multilabel_soft_margin_loss

def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction: str = "mean"):
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    loss = -(target * log_sigmoid(input) + (1 - target) * log_sigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.dim() - 1
    loss = loss.sum(dim=class_dim) / input.size(class_dim)
    if reduction == "none":
        return loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    raise ValueError(reduction + " is not valid")
