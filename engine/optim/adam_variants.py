"""NAdam, RAdam and Adamax: PyTorch's single-tensor updates (the CPU default), op for op
(see `_pointwise` for how each op rounds)."""
from __future__ import annotations

import numpy as np

from engine.optim import _pointwise as P
from engine.optim.optimizer import Optimizer
from engine.tensor import Tensor


def _zeros(param: Tensor) -> Tensor:
    return Tensor._make(np.zeros_like(param._data))


class _AdamLike(Optimizer):
    """Per-parameter state made on the first step: step, exp_avg and the `_second` buffer."""
    _second = "exp_avg_sq"

    def step(self, closure=None):
        return self._step_each(closure)

    def _state_for(self, param: Tensor) -> dict:
        state = self.state[param]
        if not state:
            state["step"] = P.step_counter()
            self._extra_state(state)
            state["exp_avg"] = _zeros(param)
            state[self._second] = _zeros(param)
        return state

    def _extra_state(self, state: dict) -> None:
        pass

    def _update(self, param: Tensor, group: dict) -> None:
        before = self._before(param)
        state = self._state_for(param)
        state["step"]._data += 1
        self._apply(param._data, P.gradient(param, group), state, group,
                    float(state["step"]._data))
        self._changed(param, "addcdiv_", before)

    @staticmethod
    def _decay(data: np.ndarray, grad: np.ndarray, group: dict) -> np.ndarray:
        """Weight decay as NAdam and RAdam apply it: on the parameter (decoupled) or on the
        gradient."""
        weight_decay = group["weight_decay"]
        if weight_decay == 0:
            return grad
        if group["decoupled_weight_decay"]:
            data *= P.scalar(1 - group["lr"] * weight_decay, data.dtype)
            return grad
        return P.add_scaled(grad, data, weight_decay)

    @staticmethod
    def _moments(grad: np.ndarray, state: dict, beta1: float, beta2: float) -> None:
        exp_avg_sq = state["exp_avg_sq"]._data
        P.lerp_(state["exp_avg"]._data, grad, 1 - beta1)
        exp_avg_sq *= P.scalar(beta2, exp_avg_sq.dtype)
        exp_avg_sq[...] = P.addcmul(exp_avg_sq, grad, grad, 1 - beta2)


class NAdam(_AdamLike):
    def __init__(self, params, lr: float = 2e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach=None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False) -> None:
        P.check_betas(lr, eps, betas, weight_decay)
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        super().__init__(params, {
            "lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
            "momentum_decay": momentum_decay, "decoupled_weight_decay": decoupled_weight_decay,
            "maximize": maximize, "foreach": foreach, "capturable": capturable,
            "differentiable": differentiable})

    def _extra_state(self, state: dict) -> None:
        state["mu_product"] = P.step_counter(1.0)

    def _apply(self, data, grad, state, group, step) -> None:
        lr, eps, momentum_decay = group["lr"], group["eps"], group["momentum_decay"]
        beta1, beta2 = group["betas"]
        dtype = data.dtype
        bias_correction2 = 1 - beta2 ** step
        grad = self._decay(data, grad, group)
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
        mu_product = state["mu_product"]._data
        mu_product *= mu
        self._moments(grad, state, beta1, beta2)
        denom = np.sqrt(state["exp_avg_sq"]._data / P.scalar(bias_correction2, dtype))
        denom += P.scalar(eps, dtype)
        product = float(mu_product)
        product_next = product * mu_next
        data += P.scalar(-lr * (1.0 - mu) / (1.0 - product), dtype) * grad / denom
        data += P.scalar((-lr * mu_next) / (1.0 - product_next), dtype) * \
            state["exp_avg"]._data / denom


class RAdam(_AdamLike):
    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, decoupled_weight_decay: bool = False, *,
                 foreach=None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        P.check_betas(lr, eps, betas, weight_decay)
        super().__init__(params, {
            "lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
            "maximize": maximize, "foreach": foreach, "capturable": capturable,
            "decoupled_weight_decay": decoupled_weight_decay,
            "differentiable": differentiable})

    def _apply(self, data, grad, state, group, step) -> None:
        lr, eps = group["lr"], group["eps"]
        beta1, beta2 = group["betas"]
        dtype = data.dtype
        grad = self._decay(data, grad, group)
        self._moments(grad, state, beta1, beta2)
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        corrected = state["exp_avg"]._data / P.scalar(bias_correction1, dtype)
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
        update = corrected * P.scalar(lr, dtype)
        if rho_t > 5.0:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                    / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            root = np.sqrt(state["exp_avg_sq"]._data) + P.scalar(eps, dtype)
            adaptive = np.reciprocal(root) * P.scalar(bias_correction2 ** 0.5, dtype)
            update = update * adaptive * P.scalar(rect, dtype)
        data -= update


class Adamax(_AdamLike):
    _second = "exp_inf"

    def __init__(self, params, lr: float = 2e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, foreach=None, *, maximize: bool = False,
                 differentiable: bool = False, capturable: bool = False) -> None:
        P.check_betas(lr, eps, betas, weight_decay)
        super().__init__(params, {
            "lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
            "foreach": foreach, "maximize": maximize, "differentiable": differentiable,
            "capturable": capturable})

    def _apply(self, data, grad, state, group, step) -> None:
        beta1, beta2 = group["betas"]
        dtype = data.dtype
        grad = P.with_weight_decay(grad, data, group["weight_decay"])
        P.lerp_(state["exp_avg"]._data, grad, 1 - beta1)
        exp_inf = state["exp_inf"]._data
        exp_inf *= P.scalar(beta2, dtype)
        np.maximum(exp_inf, np.abs(grad) + P.scalar(group["eps"], dtype), out=exp_inf)
        clr = group["lr"] / (1 - beta1 ** step)
        data += P.scalar(-clr, dtype) * state["exp_avg"]._data / exp_inf
