"""Adam and AdamW (decoupled weight decay), PyTorch's single-tensor update."""
from __future__ import annotations

import numpy as np

from engine.optim.optimizer import Optimizer
from engine.tensor import Tensor


class Adam(Optimizer):
    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *, foreach=None,
                 maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False, fused=None,
                 decoupled_weight_decay: bool = False) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if eps < 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        for index in range(2):
            if not 0.0 <= betas[index] < 1.0:
                raise ValueError(f"Invalid beta parameter at index {index}: {betas[index]}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        super().__init__(params, {
            "lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay,
            "amsgrad": amsgrad, "maximize": maximize, "foreach": foreach,
            "capturable": capturable, "differentiable": differentiable, "fused": fused,
            "decoupled_weight_decay": decoupled_weight_decay})

    def step(self, closure=None):
        return self._step_each(closure)

    def _state_for(self, param: Tensor, amsgrad: bool) -> dict:
        state = self.state[param]
        if not state:
            state["step"] = Tensor._make(np.asarray(0.0, dtype=np.float32))
            state["exp_avg"] = Tensor._make(np.zeros_like(param._data))
            state["exp_avg_sq"] = Tensor._make(np.zeros_like(param._data))
            if amsgrad:
                state["max_exp_avg_sq"] = Tensor._make(np.zeros_like(param._data))
        return state

    def _update(self, param: Tensor, group: dict) -> None:
        data = param._data
        before = self._before(param)
        dtype = data.dtype
        grad = param._grad._data
        if group["maximize"]:
            grad = -grad
        lr, eps, weight_decay = group["lr"], group["eps"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        state = self._state_for(param, group["amsgrad"])
        state["step"]._data += 1
        step = float(state["step"]._data)
        if weight_decay != 0:
            if group["decoupled_weight_decay"]:
                data *= np.asarray(1 - lr * weight_decay, dtype)
            else:
                grad = grad + np.asarray(weight_decay, dtype) * data
        exp_avg, exp_avg_sq = state["exp_avg"]._data, state["exp_avg_sq"]._data
        exp_avg += np.asarray(1 - beta1, dtype) * (grad - exp_avg)
        exp_avg_sq *= np.asarray(beta2, dtype)
        exp_avg_sq += np.asarray(1 - beta2, dtype) * (grad * grad)
        step_size = lr / (1 - beta1 ** step)
        bias_correction2_sqrt = (1 - beta2 ** step) ** 0.5
        second = exp_avg_sq
        if group["amsgrad"]:
            second = state["max_exp_avg_sq"]._data
            np.maximum(second, exp_avg_sq, out=second)
        denom = np.sqrt(second) / np.asarray(bias_correction2_sqrt, dtype) + np.asarray(eps, dtype)
        data -= np.asarray(step_size, dtype) * (exp_avg / denom)
        self._changed(param, "addcdiv_", before)


class AdamW(Adam):
    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *, maximize: bool = False,
                 foreach=None, capturable: bool = False, differentiable: bool = False,
                 fused=None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)
