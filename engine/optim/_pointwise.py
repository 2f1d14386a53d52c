"""The in-place updates PyTorch's single-tensor optimizers are made of, rounded as ATen's CPU
kernels round them (measured against torch 2.13): `add(other, alpha)` and `addcmul` are one
fused multiply-add (`_fma`), `lerp` is one too on either side of weight 0.5, `addcdiv` is
self + (value * t1) / t2, a Python number over a 0-dim tensor is reciprocal then multiply.
float32 `sqrt` is NumPy's correctly rounded one; PyTorch's is an ulp off for about 1 input
in 5, so updates that divide by a square root agree to float32 precision, not bit for bit."""
from __future__ import annotations

import numpy as np

from engine import dtypes as _dt
from engine.optim._fma import fma as _fma
from engine.tensor import Tensor


def scalar(value: float, dtype) -> np.ndarray:
    return np.asarray(value, dtype)


def add_scaled(data: np.ndarray, other: np.ndarray, alpha: float) -> np.ndarray:
    """data + alpha * other, one rounding (ATen's add with alpha)."""
    return _fma(other, scalar(alpha, data.dtype), data, data.dtype)


def addcmul(data: np.ndarray, first: np.ndarray, second: np.ndarray, value: float) -> np.ndarray:
    return _fma(scalar(value, data.dtype) * first, second, data, data.dtype)


def lerp_(start: np.ndarray, end: np.ndarray, weight: float) -> None:
    """start moves weight of the way to end, in place (ATen's lerp_)."""
    dtype = start.dtype
    w = scalar(weight, dtype)
    gap = end - start
    if abs(w) < 0.5:
        start[...] = _fma(w, gap, start, dtype)
    else:
        start[...] = _fma(-gap, scalar(1, dtype) - w, end, dtype)


def step_counter(value: float = 0.0) -> Tensor:
    """A 0-dim state tensor in the optimizers' scalar dtype (float64 only when that is the
    default dtype, as PyTorch's _get_scalar_dtype)."""
    dtype = np.float64 if _dt.get_default_dtype().np_dtype == np.float64 else np.float32
    return Tensor._make(np.asarray(value, dtype))


def gradient(param: Tensor, group: dict) -> np.ndarray:
    grad = param._grad._data
    return -grad if group["maximize"] else grad


def with_weight_decay(grad: np.ndarray, data: np.ndarray, weight_decay: float) -> np.ndarray:
    return add_scaled(grad, data, weight_decay) if weight_decay != 0 else grad


def check_betas(lr: float, eps: float, betas, weight_decay: float) -> None:
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")
    if not 0.0 <= eps:
        raise ValueError(f"Invalid epsilon value: {eps}")
    for index in range(2):
        if not 0.0 <= betas[index] < 1.0:
            raise ValueError(f"Invalid beta parameter at index {index}: {betas[index]}")
    if not 0.0 <= weight_decay:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")
