"""RMSprop and Adagrad, PyTorch's single-tensor updates (the CPU default), evaluated as
ATen's CPU kernels do: `add(other, alpha)` and `addcmul` are fused multiply-adds
(fma(other, alpha, self), fma(value * t1, t2, self)), `addcdiv` is self + value * t1 / t2.
NumPy has no fma: `_fma` (engine/optim/_fma.py) rounds once, exactly."""
from __future__ import annotations

import numpy as np

from engine.optim._fma import fma as _fma
from engine.optim.optimizer import Optimizer
from engine.tensor import Tensor


def _check(name: str, value: float, label: str | None = None) -> None:
    if not 0.0 <= value:
        raise ValueError(f"Invalid {label or name} value: {value}")


def _step_counter() -> Tensor:
    return Tensor._make(np.asarray(0.0, dtype=np.float32))


def _scalar(value: float, dtype) -> np.ndarray:
    return np.asarray(value, dtype)


class RMSprop(Optimizer):
    def __init__(self, params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False,
                 capturable: bool = False, foreach=None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        _check("epsilon", eps)
        _check("momentum", momentum)
        _check("weight_decay", weight_decay)
        _check("alpha", alpha)
        super().__init__(params, {
            "lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps, "centered": centered,
            "weight_decay": weight_decay, "capturable": capturable, "foreach": foreach,
            "maximize": maximize, "differentiable": differentiable})

    def step(self, closure=None):
        return self._step_each(closure)

    def _state_for(self, param: Tensor, group: dict) -> dict:
        state = self.state[param]
        if not state:
            state["step"] = _step_counter()
            state["square_avg"] = Tensor._make(np.zeros_like(param._data))
            if group["momentum"] > 0:
                state["momentum_buffer"] = Tensor._make(np.zeros_like(param._data))
            if group["centered"]:
                state["grad_avg"] = Tensor._make(np.zeros_like(param._data))
        return state

    def _update(self, param: Tensor, group: dict) -> None:
        data = param._data
        before = self._before(param)
        dtype = data.dtype
        grad = -param._grad._data if group["maximize"] else param._grad._data
        state = self._state_for(param, group)
        state["step"]._data += 1
        alpha, momentum = group["alpha"], group["momentum"]
        if group["weight_decay"] != 0:
            grad = _fma(data, _scalar(group["weight_decay"], dtype), grad, dtype)
        square_avg = state["square_avg"]._data
        square_avg *= _scalar(alpha, dtype)
        square_avg[...] = _fma(_scalar(1 - alpha, dtype) * grad, grad, square_avg, dtype)
        if group["centered"]:
            grad_avg = state["grad_avg"]._data
            grad_avg += _scalar(1 - alpha, dtype) * (grad - grad_avg)
            avg = np.sqrt(_fma(_scalar(-1, dtype) * grad_avg, grad_avg, square_avg, dtype))
        else:
            avg = np.sqrt(square_avg)
        avg += _scalar(group["eps"], dtype)
        if momentum > 0:
            buffer = state["momentum_buffer"]._data
            buffer *= _scalar(momentum, dtype)
            buffer += grad / avg
            data[...] = _fma(buffer, _scalar(-group["lr"], dtype), data, dtype)
        else:
            data += _scalar(-group["lr"], dtype) * grad / avg
        self._changed(param, "addcdiv_" if momentum <= 0 else "add_", before)


class Adagrad(Optimizer):
    def __init__(self, params, lr: float = 1e-2, lr_decay: float = 0, weight_decay: float = 0,
                 initial_accumulator_value: float = 0, eps: float = 1e-10, foreach=None, *,
                 maximize: bool = False, differentiable: bool = False, fused=None) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        _check("lr_decay", lr_decay)
        _check("weight_decay", weight_decay)
        _check("initial_accumulator_value", initial_accumulator_value)
        _check("epsilon", eps)
        super().__init__(params, {
            "lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value, "foreach": foreach,
            "maximize": maximize, "differentiable": differentiable, "fused": fused})
        for group in self.param_groups:
            for param in group["params"]:
                self._fresh_state(param)

    def _fresh_state(self, param: Tensor) -> dict:
        state = self.state[param]
        state["step"] = _step_counter()
        state["sum"] = Tensor._make(np.full_like(param._data,
                                                 self.defaults["initial_accumulator_value"]))
        return state

    def step(self, closure=None):
        return self._step_each(closure)

    def _update(self, param: Tensor, group: dict) -> None:
        data = param._data
        before = self._before(param)
        dtype = data.dtype
        grad = -param._grad._data if group["maximize"] else param._grad._data
        state = self.state[param] or self._fresh_state(param)
        state["step"]._data += 1
        step = float(state["step"]._data)
        if group["weight_decay"] != 0:
            grad = _fma(data, _scalar(group["weight_decay"], dtype), grad, dtype)
        clr = group["lr"] / (1 + (step - 1) * group["lr_decay"])
        total = state["sum"]._data
        total[...] = _fma(grad, grad, total, dtype)
        std = np.sqrt(total) + _scalar(group["eps"], dtype)
        data += _scalar(-clr, dtype) * grad / std
        self._changed(param, "addcdiv_", before)
