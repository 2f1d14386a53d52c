"""Gradient clipping, as torch.nn.utils.clip_grad: the total norm is the norm of the
per-gradient norms (as if all gradients were one vector), and the gradients are scaled in
place by min(max_norm / (total_norm + 1e-6), 1)."""
from __future__ import annotations

import math
import types
import warnings

import engine
from engine.autograd.grad_mode import no_grad
from engine.tensor import Tensor

_DEPRECATED = ("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
               "`torch.nn.utils.clip_grad_norm_`.")


def _as_list(tensors) -> list:
    return [tensors] if isinstance(tensors, Tensor) else list(tensors)


def _grads(parameters) -> list:
    return [p.grad for p in parameters if p.grad is not None]


def get_total_norm(tensors, norm_type: float = 2.0, error_if_nonfinite: bool = False,
                   foreach=None) -> Tensor:
    tensors = _as_list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return engine.tensor(0.0)
    total = _vector_norm(engine.stack([_vector_norm(t, norm_type) for t in tensors]), norm_type)
    if error_if_nonfinite and not math.isfinite(total.item()):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the "
            "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`")
    return total


def _vector_norm(tensor: Tensor, order: float) -> Tensor:
    """torch.linalg.vector_norm(tensor, order) of a whole tensor, in engine ops."""
    if order == 2.0:
        return tensor.norm()
    size = tensor.abs()
    if order == math.inf:
        return size.max()
    if order == -math.inf:
        return size.min()
    if order == 0.0:
        return (size != 0).sum().to(tensor.dtype)
    return size.pow(order).sum().pow(1.0 / order)


@no_grad()
def clip_grads_with_norm_(parameters, max_norm: float, total_norm: Tensor,
                          foreach=None) -> None:
    grads = _grads(_as_list(parameters))
    if not grads:
        return
    scale = (float(max_norm) / (total_norm + 1e-6)).clamp(max=1.0)
    for grad in grads:
        grad.mul_(scale)


@no_grad()
def clip_grad_norm_(parameters, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach=None) -> Tensor:
    if not isinstance(parameters, Tensor):
        was_generator = isinstance(parameters, types.GeneratorType)
        parameters = list(parameters)
        if was_generator and not parameters:
            warnings.warn("`parameters` is an empty generator, no gradient clipping will "
                          "occur.", stacklevel=3)
    total = get_total_norm(_grads(_as_list(parameters)), norm_type, error_if_nonfinite)
    clip_grads_with_norm_(parameters, max_norm, total)
    return total


def clip_grad_norm(parameters, max_norm: float, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach=None) -> Tensor:
    warnings.warn(_DEPRECATED, FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


@no_grad()
def clip_grad_value_(parameters, clip_value: float, foreach=None) -> None:
    clip_value = float(clip_value)
    for grad in _grads(_as_list(parameters)):
        grad.clamp_(min=-clip_value, max=clip_value)
