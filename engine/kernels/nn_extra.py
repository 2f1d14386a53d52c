"""Kernels engine.nn needs beyond conv and pooling: GELU (NumPy has no erf) and a fused
NLL loss forward/backward over class-index targets.

GELU 'none' is x * Phi(x) with Phi the standard normal CDF; 'tanh' is PyTorch's tanh
approximation 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
"""
import math

import numpy as np

from engine.kernels._jit import check_float, kernel

_SQRT_HALF = 0.7071067811865476
_INV_SQRT_2PI = 0.3989422804014327
_SQRT_2_OVER_PI = 0.7978845608028654
_TANH_COEFF = 0.044715


@kernel
def _gelu(x, tanh_approx, out):
    flat, result = x.reshape(-1), out.reshape(-1)
    for i in range(flat.size):
        v = flat[i]
        if tanh_approx:
            inner = _SQRT_2_OVER_PI * (v + _TANH_COEFF * v * v * v)
            result[i] = 0.5 * v * (1.0 + math.tanh(inner))
        else:
            result[i] = 0.5 * v * (1.0 + math.erf(v * _SQRT_HALF))


@kernel
def _gelu_grad(grad, x, tanh_approx, out):
    flat_g, flat_x, result = grad.reshape(-1), x.reshape(-1), out.reshape(-1)
    for i in range(flat_x.size):
        v = flat_x[i]
        if tanh_approx:
            inner = _SQRT_2_OVER_PI * (v + _TANH_COEFF * v * v * v)
            t = math.tanh(inner)
            d_inner = _SQRT_2_OVER_PI * (1.0 + 3.0 * _TANH_COEFF * v * v)
            derivative = 0.5 * (1.0 + t) + 0.5 * v * (1.0 - t * t) * d_inner
        else:
            cdf = 0.5 * (1.0 + math.erf(v * _SQRT_HALF))
            derivative = cdf + v * _INV_SQRT_2PI * math.exp(-0.5 * v * v)
        result[i] = flat_g[i] * derivative


def gelu_forward(x, approximate="none"):
    """GELU of x (float32/float64, any shape)."""
    check_float("x", x)
    x = np.ascontiguousarray(x)
    out = np.empty_like(x)
    _gelu(x, approximate == "tanh", out)
    return out


def gelu_backward(grad, x, approximate="none"):
    """grad * GELU'(x)."""
    check_float("x", x)
    x = np.ascontiguousarray(x)
    grad = np.ascontiguousarray(np.broadcast_to(grad, x.shape), dtype=x.dtype)
    out = np.empty_like(x)
    _gelu_grad(grad, x, approximate == "tanh", out)
    return out


@kernel
def _nll_picked(log_probs, target, weight, ignore_index, losses, weights):
    # log_probs[N, C, P] (P = spatial positions, 1 for [N, C]); losses, weights [N, P].
    batch, classes, positions = log_probs.shape
    for n in range(batch):
        for p in range(positions):
            t = target[n, p]
            if t == ignore_index:
                losses[n, p] = 0.0
                weights[n, p] = 0.0
                continue
            if t < 0 or t >= classes:
                return t
            w = weight[t]
            losses[n, p] = -log_probs[n, t, p] * w
            weights[n, p] = w
    return -1


def nll_picked(log_probs, target, weight, ignore_index):
    """Per-sample losses -w[t] * log_probs[n, t] and weights w[t] (0 where ignored).

    log_probs[N, C, P], target[N, P] int64, weight[C]. Raises IndexError for a target
    outside [0, C) that is not ignore_index, naming it.
    """
    check_float("log_probs", log_probs)
    batch, _, positions = log_probs.shape
    losses = np.empty((batch, positions), dtype=log_probs.dtype)
    weights = np.empty((batch, positions), dtype=log_probs.dtype)
    bad = _nll_picked(np.ascontiguousarray(log_probs), np.ascontiguousarray(target),
                      np.ascontiguousarray(weight, dtype=log_probs.dtype), ignore_index,
                      losses, weights)
    if bad != -1:
        raise IndexError(f"Target {bad} is out of bounds.")
    return losses, weights


@kernel
def _sgd(param, grad, buffer, lr, momentum, dampening, weight_decay, nesterov, maximize,
         first_step):
    # PyTorch's single-tensor SGD, one element at a time, in the parameter's dtype.
    for i in range(param.size):
        g = -grad[i] if maximize else grad[i]
        if weight_decay != 0:
            g = g + weight_decay * param[i]
        if momentum != 0:
            if first_step:
                buffer[i] = g
            else:
                buffer[i] = buffer[i] * momentum + (1 - dampening) * g
            g = g + momentum * buffer[i] if nesterov else buffer[i]
        param[i] = param[i] - lr * g


def sgd_update(param, grad, buffer, lr, momentum, dampening, weight_decay, nesterov, maximize,
               first_step):
    """One SGD step in place on contiguous param (and momentum buffer) arrays.

    buffer is ignored when momentum is 0; first_step fills it with the gradient, as PyTorch
    initialises its momentum buffer. Scalars are cast to the parameter's dtype.
    """
    cast = param.dtype.type
    _sgd(param.reshape(-1), grad.reshape(-1), buffer.reshape(-1), cast(lr), cast(momentum),
         cast(dampening), cast(weight_decay), nesterov, maximize, first_step)
