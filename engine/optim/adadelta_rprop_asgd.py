"""Adadelta, Rprop and ASGD: PyTorch's single-tensor updates (the CPU default), op for op
(see `_pointwise` for how each op rounds)."""
from __future__ import annotations

import numpy as np

from engine.optim import _pointwise as P
from engine.optim.optimizer import Optimizer
from engine.tensor import Tensor


def _check_lr(lr) -> None:
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")


def _like(param: Tensor, value: float = 0.0) -> Tensor:
    return Tensor._make(np.full_like(param._data, value))


class _EachParam(Optimizer):
    def step(self, closure=None):
        return self._step_each(closure)

    def _update(self, param: Tensor, group: dict) -> None:
        before = self._before(param)
        state = self.state[param]
        if not state:
            self._fresh_state(state, param, group)
        state["step"]._data += 1
        self._apply(param._data, P.gradient(param, group), state, group)
        self._changed(param, self._op, before)


class Adadelta(_EachParam):
    _op = "add_"

    def __init__(self, params, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, foreach=None, *, capturable: bool = False,
                 maximize: bool = False, differentiable: bool = False) -> None:
        _check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        super().__init__(params, {
            "lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay,
            "maximize": maximize, "capturable": capturable, "foreach": foreach,
            "differentiable": differentiable})

    @staticmethod
    def _fresh_state(state: dict, param: Tensor, group: dict) -> None:
        state["step"] = P.step_counter()
        state["square_avg"] = _like(param)
        state["acc_delta"] = _like(param)

    @staticmethod
    def _apply(data, grad, state, group) -> None:
        rho, eps, dtype = group["rho"], P.scalar(group["eps"], data.dtype), data.dtype
        grad = P.with_weight_decay(grad, data, group["weight_decay"])
        square_avg, acc_delta = state["square_avg"]._data, state["acc_delta"]._data
        square_avg *= P.scalar(rho, dtype)
        square_avg[...] = P.addcmul(square_avg, grad, grad, 1 - rho)
        std = np.sqrt(square_avg + eps)
        delta = np.sqrt(acc_delta + eps) / std * grad
        acc_delta *= P.scalar(rho, dtype)
        acc_delta[...] = P.addcmul(acc_delta, delta, delta, 1 - rho)
        data[...] = P.add_scaled(data, delta, -group["lr"])


class Rprop(_EachParam):
    _op = "addcmul_"

    def __init__(self, params, lr: float = 1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
                 capturable: bool = False, foreach=None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        _check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        super().__init__(params, {
            "lr": lr, "etas": etas, "step_sizes": step_sizes, "foreach": foreach,
            "maximize": maximize, "differentiable": differentiable, "capturable": capturable})

    @staticmethod
    def _fresh_state(state: dict, param: Tensor, group: dict) -> None:
        state["step"] = P.step_counter()
        state["prev"] = _like(param)
        state["step_size"] = _like(param, float(group["lr"]))

    @staticmethod
    def _apply(data, grad, state, group) -> None:
        etaminus, etaplus = group["etas"]
        smallest, largest = group["step_sizes"]
        prev, step_size = state["prev"]._data, state["step_size"]._data
        factor = np.sign(grad * prev)
        factor[factor > 0] = etaplus
        factor[factor < 0] = etaminus
        factor[factor == 0] = 1
        step_size *= factor
        np.clip(step_size, smallest, largest, out=step_size)
        grad = grad.copy()
        grad[factor == etaminus] = 0
        data[...] = P.addcmul(data, np.sign(grad), step_size, -1)
        prev[...] = grad


class ASGD(_EachParam):
    _op = "add_"

    def __init__(self, params, lr: float = 1e-2, lambd: float = 1e-4, alpha: float = 0.75,
                 t0: float = 1e6, weight_decay: float = 0, foreach=None,
                 maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:
        _check_lr(lr)
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        super().__init__(params, {
            "lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0, "weight_decay": weight_decay,
            "foreach": foreach, "maximize": maximize, "differentiable": differentiable,
            "capturable": capturable})

    @staticmethod
    def _fresh_state(state: dict, param: Tensor, group: dict) -> None:
        state["step"] = P.step_counter()
        state["eta"] = P.step_counter(float(group["lr"]))
        state["mu"] = P.step_counter(1.0)
        state["ax"] = _like(param)

    @staticmethod
    def _apply(data, grad, state, group) -> None:
        lr, lambd, dtype = group["lr"], group["lambd"], data.dtype
        grad = P.with_weight_decay(grad, data, group["weight_decay"])
        eta = float(state["eta"]._data)
        data *= P.scalar(1 - lambd * eta, dtype)
        data[...] = P.add_scaled(data, grad, -eta)
        ax, mu = state["ax"]._data, state["mu"]._data
        if float(mu) != 1:
            ax += (data - ax) * mu.astype(dtype)
        else:
            ax[...] = data
        step = float(state["step"]._data)
        state["eta"]._data[...] = lr / ((1 + lambd * lr * step) ** group["alpha"])
        state["mu"]._data[...] = 1 / max(1, step - group["t0"])
