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
    """GELU of x (float32/float64, any shape, 0-d included)."""
    check_float("x", x)
    shape = x.shape                  # ascontiguousarray makes a 0-d array 1-d
    x = np.ascontiguousarray(x)
    out = np.empty_like(x)
    _gelu(x, approximate == "tanh", out)
    return out.reshape(shape)


def gelu_backward(grad, x, approximate="none"):
    """grad * GELU'(x), in x's shape."""
    check_float("x", x)
    shape = x.shape
    x = np.ascontiguousarray(x)
    grad = np.ascontiguousarray(np.broadcast_to(grad, x.shape), dtype=x.dtype)
    out = np.empty_like(x)
    _gelu_grad(grad, x, approximate == "tanh", out)
    return out.reshape(shape)


@kernel
def _nll_picked(log_probs, target, weight, has_weight, ignore_index, losses, weights, sums):
    # log_probs[N, C, P] (P = spatial positions, 1 for [N, C]); losses, weights [N, P];
    # sums[0] = total loss, sums[1] = total weight, both accumulated in float64.
    # Returns (whether a target is out of range, that target): any int64 can be a target.
    batch, classes, positions = log_probs.shape
    loss_sum, weight_sum = 0.0, 0.0
    for n in range(batch):
        for p in range(positions):
            t = target[n, p]
            if t == ignore_index:
                losses[n, p] = 0.0
                weights[n, p] = 0.0
                continue
            if t < 0 or t >= classes:
                return True, t
            w = weight[t] if has_weight else 1.0
            loss = -log_probs[n, t, p] * w
            losses[n, p] = loss
            weights[n, p] = w
            loss_sum += loss
            weight_sum += w
    sums[0] = loss_sum
    sums[1] = weight_sum
    return False, 0


_NO_WEIGHT = {}


def nll_picked(log_probs, target, weight, ignore_index):
    """(losses[N, P], weights[N, P], loss_sum, weight_sum) for NLL over class indices.

    losses are -w[t] * log_probs[n, t, p], weights w[t] (0 where target == ignore_index);
    the sums are float64. log_probs[N, C, P]; target[N, P] int64; weight[C] or None (all 1).
    Raises IndexError for a target outside [0, C) that is not ignore_index, naming it.
    """
    check_float("log_probs", log_probs)
    batch, _, positions = log_probs.shape
    dtype = log_probs.dtype
    losses = np.empty((batch, positions), dtype=dtype)
    weights = np.empty((batch, positions), dtype=dtype)
    sums = np.empty(2, dtype=np.float64)
    if weight is None:
        weight = _NO_WEIGHT.get(dtype)
        if weight is None:
            weight = _NO_WEIGHT[dtype] = np.ones(1, dtype=dtype)
        has_weight = False
    else:
        weight, has_weight = np.ascontiguousarray(weight, dtype=dtype), True
    out_of_range, bad = _nll_picked(np.ascontiguousarray(log_probs),
                                    np.ascontiguousarray(target), weight, has_weight,
                                    ignore_index, losses, weights, sums)
    if out_of_range:
        raise IndexError(f"Target {bad} is out of bounds.")
    return losses, weights, sums[0], sums[1]


@kernel
def _nll_grad(target, ignore_index, weights, factor, grad):
    # grad[N, C, P] zeros; one target per (sample, position), so a plain scatter. factor is
    # flat: one value for a reduced loss, or one per (n, p). Ignored targets keep their zero
    # (PyTorch skips them: no -0 * inf = nan when every target is ignored).
    batch, classes, positions = grad.shape
    per_element = factor.size > 1
    for n in range(batch):
        for p in range(positions):
            t = target[n, p]
            if t == ignore_index:
                continue
            t = min(max(t, 0), classes - 1)    # nll_picked rejected others; memory stays safe
            f = factor[n * positions + p] if per_element else factor[0]
            grad[n, t, p] = -weights[n, p] * f


def nll_grad(target, weights, factor, ncp, ignore_index=-100):
    """NLL's gradient as an [N, C, P] array: -weights[n, p] * factor at each target class,
    zero where the target is ignore_index.

    target[N, P] int64, weights[N, P] (from nll_picked), factor a scalar array or [N, P] of
    weights' dtype."""
    grad = np.zeros(ncp, dtype=weights.dtype)
    _nll_grad(target, ignore_index, weights,
              np.ascontiguousarray(factor, dtype=weights.dtype).reshape(-1), grad)
    return grad


SGD_NESTEROV, SGD_MAXIMIZE, SGD_FIRST_STEP = 1, 2, 4     # sgd_update's flags


@kernel
def sgd_update(param, grad, buffer, scalars, flags):
    """One SGD step in place on C-contiguous param, grad (and momentum buffer) arrays of one
    shape: PyTorch's single-tensor SGD, one element at a time, in the parameter's dtype.

    scalars: `sgd_scalars(param.dtype, ...)`; flags: SGD_NESTEROV | SGD_MAXIMIZE |
    SGD_FIRST_STEP. buffer is ignored when momentum is 0; on the first step it is filled with
    the gradient, as PyTorch initialises its momentum buffer. Arrays and an int, not ten
    scalars: Numba resolves their types for each call, several times faster.
    """
    lr, momentum, dampening, weight_decay = scalars[0], scalars[1], scalars[2], scalars[3]
    nesterov = flags & 1 != 0
    maximize = flags & 2 != 0
    first_step = flags & 4 != 0
    p, d, b = param.reshape(-1), grad.reshape(-1), buffer.reshape(-1)
    for i in range(p.size):
        g = -d[i] if maximize else d[i]
        if weight_decay != 0:
            g = g + weight_decay * p[i]
        if momentum != 0:
            if first_step:
                b[i] = g
            else:
                b[i] = b[i] * momentum + (1 - dampening) * g
            g = g + momentum * b[i] if nesterov else b[i]
        p[i] = p[i] - lr * g


def sgd_scalars(dtype, lr, momentum, dampening, weight_decay):
    """[lr, momentum, dampening, weight_decay] in the parameters' dtype, as the kernel
    computes: cast once per step and dtype, not once per parameter."""
    return np.array([lr, momentum, dampening, weight_decay], dtype=dtype)
