"""Adafactor: PyTorch's single-tensor update (its default unless foreach=True, whose only
difference in value is the last step: the update scaled, then added), op for op on the arrays, each reduction in ATen's order
(engine/ops/_norm_lanes.py, _sum_cascade.py) and each in-place op rounded as ATen's
(`_pointwise`). A matrix (or batch of matrices) keeps factored row and column variances,
a vector a full one."""
from __future__ import annotations

import numpy as np

from engine.optim import _pointwise as P
from engine.optim.optimizer import Optimizer
from engine.tensor import Tensor


class Adafactor(Optimizer):
    def __init__(self, params, lr=1e-2, beta2_decay: float = -0.8, eps=(None, 1e-3),
                 d: float = 1.0, weight_decay: float = 0.0, *, foreach=None,
                 maximize: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 >= beta2_decay:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        super().__init__(params, {"lr": lr, "beta2_decay": beta2_decay, "eps": eps, "d": d,
                                  "weight_decay": weight_decay, "foreach": foreach,
                                  "maximize": maximize})

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("foreach", None)

    def step(self, closure=None):
        loss = self._run_closure(closure)
        for group in self.param_groups:
            with_grad = [p for p in group["params"] if p._grad is not None]
            for param in with_grad:
                self._state_for(param)
            eps1 = group["eps"][0]
            for param in with_grad:
                # PyTorch fills in epsilon1 from the first parameter's dtype and keeps it
                # for the rest of the group
                if eps1 is None:
                    eps1 = float(np.finfo(param._data.dtype).eps)
                before = self._before(param)
                self._update(param, group, eps1)
                self._changed(param, "add_", before)
        self._step_count += 1
        return loss

    def _state_for(self, param: Tensor) -> dict:
        state = self.state[param]
        if not state:
            grad = param._grad._data
            state["step"] = P.step_counter()
            if grad.ndim > 1:
                state["row_var"] = Tensor._make(np.zeros(grad.shape[:-1] + (1,), grad.dtype))
                state["col_var"] = Tensor._make(
                    np.zeros(grad.shape[:-2] + (1,) + grad.shape[-1:], grad.dtype))
            else:
                state["variance"] = Tensor._make(np.zeros_like(grad))
        return state

    def _update(self, param: Tensor, group: dict, eps1: float) -> None:
        state = self.state[param]
        data, dtype = param._data, param._data.dtype
        grad = P.gradient(param, group)
        lr, d, weight_decay = _number(group["lr"]), group["d"], group["weight_decay"]
        state["step"]._data += 1
        step = float(state["step"]._data)
        one_minus_beta2 = step ** group["beta2_decay"]
        rho = min(lr, 1 / (step ** 0.5))
        alpha = max(group["eps"][1], _norm(data) / (data.size ** 0.5)) * rho
        if weight_decay != 0:
            data *= P.scalar(1 - lr * weight_decay, dtype)
        if grad.ndim > 1:
            estimate = _factored_estimate(grad, state, one_minus_beta2, eps1)
        else:
            P.lerp_(state["variance"]._data, grad * grad, one_minus_beta2)
            estimate = state["variance"]._data.copy()
        update = 1 / np.sqrt(np.maximum(estimate, P.scalar(eps1 * eps1, dtype)))
        update = (update * grad).astype(dtype, copy=False)
        denom = max(1.0, _norm(update) / ((update.size ** 0.5) * d))
        if group["foreach"]:    # _foreach_mul_ then _foreach_add_: two roundings
            data += update * P.scalar(-alpha / denom, dtype)
        else:
            data[...] = P.add_scaled(data, update, -alpha / denom)


def _factored_estimate(grad: np.ndarray, state: dict, one_minus_beta2: float,
                       eps1: float) -> np.ndarray:
    """row_var @ col_var over the mean of row_var: the rank-one second-moment estimate."""
    dtype = grad.dtype
    row_var, col_var = state["row_var"]._data, state["col_var"]._data
    row_norm = _norm(grad, -1)
    P.lerp_(row_var, (row_norm * row_norm) / P.scalar(grad.shape[-1], dtype),
            one_minus_beta2)
    col_norm = _norm(grad, -2)
    P.lerp_(col_var, (col_norm * col_norm) / P.scalar(grad.shape[-2], dtype),
            one_minus_beta2)
    estimate = np.matmul(row_var, col_var)
    row_mean = _mean_over_rows(row_var)
    return estimate / np.maximum(row_mean, P.scalar(eps1, dtype))


def _norm(data: np.ndarray, dim=None):
    """torch.norm(data) (a float) or torch.norm(data, dim=dim, keepdim=True), as the
    engine's norm adds them."""
    from engine.ops._norm_lanes import two_norm_in_lanes
    dims = None if dim is None else (dim % data.ndim,)
    out = two_norm_in_lanes(data, dims, dims is not None)
    if out is None:
        out = np.sqrt((data * data).sum(axis=dims, keepdims=dims is not None)).astype(
            data.dtype)
    return float(out) if dim is None else np.asarray(out)


def _mean_over_rows(row_var: np.ndarray) -> np.ndarray:
    """row_var.mean(dim=-2, keepdim=True): ATen's sum, then divided by the count."""
    from engine.ops._sum_cascade import sum_in_aten_order
    dims = (row_var.ndim - 2,)
    total = sum_in_aten_order(row_var, dims, True)
    if total is None:
        total = row_var.sum(axis=dims, keepdims=True)
    return np.asarray(total) / P.scalar(row_var.shape[-2], row_var.dtype)


def _number(value) -> float:
    return value.item() if isinstance(value, Tensor) else value
