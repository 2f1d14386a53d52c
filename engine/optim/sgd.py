"""SGD with momentum, dampening, Nesterov and weight decay (PyTorch's update, step by step)."""
from __future__ import annotations

import numpy as np

from engine.optim.optimizer import Optimizer
from engine.tensor import Tensor


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
            for param in group["params"]:
                if param._grad is not None:
                    self._update(param, group)
        self._step_count += 1
        return loss

    def _update(self, param: Tensor, group: dict) -> None:
        data = param._data
        grad = param._grad._data
        if group["maximize"]:
            grad = -grad
        if group["weight_decay"] != 0:
            grad = grad + np.asarray(group["weight_decay"], data.dtype) * data
        momentum = group["momentum"]
        if momentum != 0:
            grad = self._momentum(param, grad, group)
        data -= np.asarray(group["lr"], data.dtype) * grad
        self._changed(param, "add_")

    def _momentum(self, param: Tensor, grad: np.ndarray, group: dict) -> np.ndarray:
        state = self.state[param]
        buffer = state.get("momentum_buffer")
        momentum = np.asarray(group["momentum"], grad.dtype)
        if buffer is None:
            buffer = state["momentum_buffer"] = Tensor._make(np.array(grad, copy=True))
        else:
            buffer._data *= momentum
            buffer._data += np.asarray(1 - group["dampening"], grad.dtype) * grad
        if group["nesterov"]:
            return grad + momentum * buffer._data
        return buffer._data
