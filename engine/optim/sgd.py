"""SGD with momentum, dampening, Nesterov and weight decay (PyTorch's update, step by step)."""
from __future__ import annotations

import numpy as np

from engine import trace
from engine.nn._ops._util import kernels
from engine.optim.optimizer import Optimizer
from engine.tensor import Tensor

_kernels = kernels("nn_extra")


class SGD(Optimizer):
    def __init__(self, params, lr: float = 1e-3, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0, nesterov: bool = False, *, maximize: bool = False,
                 foreach=None, differentiable: bool = False, fused=None) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, {"lr": lr, "momentum": momentum, "dampening": dampening,
                                  "weight_decay": weight_decay, "nesterov": nesterov,
                                  "maximize": maximize, "foreach": foreach,
                                  "differentiable": differentiable, "fused": fused})

    def step(self, closure=None):
        loss = self._run_closure(closure)
        for group in self.param_groups:
            with_grads = [p for p in group["params"] if p._grad is not None]
            if with_grads:
                self._update_group(with_grads, group)
        self._step_count += 1
        return loss

    def _update_group(self, params: list, group: dict) -> None:
        lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
        weight_decay, nesterov, maximize = (group["weight_decay"], group["nesterov"],
                                            group["maximize"])
        state = self.state
        update = _kernels.sgd_update
        flags = (_kernels.SGD_NESTEROV if nesterov else 0) | \
            (_kernels.SGD_MAXIMIZE if maximize else 0)
        scalars_of = {}                                # dtype -> the kernel's scalars
        for param in params:
            data, grad = param._data, param._grad._data
            before = self._before(param)
            buffer, first_step = data, False           # the buffer is unused without momentum
            if momentum != 0:
                buffer, first_step = _momentum_buffer(state[param], data)
            if grad.shape == data.shape and data.flags.c_contiguous and \
                    grad.flags.c_contiguous and buffer.flags.c_contiguous:
                scalars = scalars_of.get(data.dtype)
                if scalars is None:
                    scalars = scalars_of[data.dtype] = _kernels.sgd_scalars(
                        data.dtype, lr, momentum, dampening, weight_decay)
                update(data, grad, buffer, scalars,
                       flags | _kernels.SGD_FIRST_STEP if first_step else flags)
            else:
                _numpy_sgd(data, grad, buffer, lr, momentum, dampening, weight_decay, nesterov,
                           maximize, first_step)
            if trace.active:
                self._changed(param, "add_", before)
            else:
                param._vc[0] += 1                      # what _changed does, one call less


def _momentum_buffer(param_state: dict, data: np.ndarray) -> tuple:
    """(the parameter's momentum buffer array, whether this is its first step)."""
    buffer = param_state.get("momentum_buffer")
    if buffer is None:
        buffer = param_state["momentum_buffer"] = Tensor._make(np.empty_like(data))
        return buffer._data, True
    return buffer._data, False


def _numpy_sgd(data, grad, buffer, lr, momentum, dampening, weight_decay, nesterov, maximize,
               first_step) -> None:
    """The same update as the kernel, for parameters whose arrays are not contiguous.

    Python floats are weak scalars to NumPy: the arithmetic stays in the parameter's dtype.
    """
    if maximize:
        grad = -grad
    if weight_decay != 0:
        grad = grad + weight_decay * data
    if momentum != 0:
        if first_step:
            buffer[...] = grad
        else:
            buffer *= momentum
            buffer += grad if dampening == 0 else (1 - dampening) * grad
        grad = grad + momentum * buffer if nesterov else buffer
    data -= lr * grad
