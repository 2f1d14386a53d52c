"""group_norm's gradients when they must be differentiable (create_graph=True) or when the
mean or the inverse std got a gradient: ATen's infinitely_differentiable_native_group_norm_
backward, op for op on Tensors, so the gradient's graph has torch's nodes (ViewBackward0,
SumBackward1, UnsqueezeBackward1 of its in-place unsqueeze_, ...) and reaches the saved mean
and rstd as outputs 1 and 2 of NativeGroupNormBackward0. A Python number in ATen's C++ is a
Scalar argument (mul.Scalar: MulBackward1), hence mul_scalar where torch's Python would
record MulBackward0."""
from __future__ import annotations

import numpy as np

from engine.autograd import node as _node
from engine.ops.elementwise import div_scalar, mul_scalar
from engine.ops.unary_math import _minus
from engine.tensor import Tensor


def _tensor(value):
    return value if value is None or isinstance(value, Tensor) else Tensor._make(
        np.asarray(value))


def group_norm_composite(n, dY, dmean, drstd) -> tuple:
    """(grad_input, grad_weight, grad_bias); None where not wanted. Outside create_graph the
    saved values are arrays: wrapped, computed without a graph, given back as arrays."""
    dY, dmean, drstd = _tensor(dY), _tensor(dmean), _tensor(drstd)
    saved = {name: _tensor(n.saved(name)) for name in n._saved}
    grads = _composite(n, saved, dY, dmean, drstd)
    if _node.graph_mode:
        return grads
    return tuple(None if g is None else g._data for g in grads)


def _composite(n, saved: dict, dY, dmean, drstd) -> tuple:
    a = n._attrs
    N, C, hxw, G, eps = a["N"], a["C"], a["HxW"], a["group"], a["eps"]
    D = C // G
    s = 1.0 / (D * hxw)
    X, gamma = saved["input"], saved.get("weight")
    X_t = X.reshape(N, G, D, hxw)
    mean_t = saved["result1"].reshape(N, G, 1, 1)
    rstd_t = saved["result2"].reshape(N, G, 1, 1)
    dY_t = ds = db = None
    if dY is not None:
        dY_t = dY.reshape(N, G, D, hxw)
        ds = (dY_t * X_t).sum(3).unsqueeze_(-1)
        db = dY_t.sum(3).unsqueeze_(-1)
    dX = dgamma = dbeta = None
    if n.needs(0):
        dX = _grad_input(X, X_t, mean_t, rstd_t, gamma, dY_t, ds, db, dmean, drstd,
                         (N, G, D, s, eps))
    if n.needs(1) and dY is not None:
        dgamma = ((ds - db * mean_t) * rstd_t).sum(0).reshape_as(gamma)
    if n.needs(2) and dY is not None:
        dbeta = db.sum(0)
        if gamma is None:       # ATen reshapes it as an undefined gamma: a lone bias
            raise RuntimeError(f"shape '[0]' is invalid for input of size {dbeta.numel()}")
        dbeta = dbeta.reshape_as(gamma)
    return dX, dgamma, dbeta


def _grad_input(X, X_t, mean_t, rstd_t, gamma, dY_t, ds, db, dmean, drstd, sizes):
    N, G, D, s, eps = sizes
    gamma_t = None if gamma is None else gamma.reshape(1, G, D, 1)
    _minus((rstd_t * rstd_t).reciprocal_(), eps).clamp_min(0)    # ATen's unused var
    rstd_cube = rstd_t * rstd_t * rstd_t
    dvar = None if drstd is None else mul_scalar(rstd_cube, -0.5) * drstd.view(N, G, 1, 1)
    both = dmean is not None and drstd is not None
    if dY_t is None:
        if not both:
            return None
        return _var_mean_backward(dvar, dmean.view(N, G, 1, 1), X_t).reshape_as(X)
    a = rstd_t if gamma_t is None else rstd_t * gamma_t
    b = (ds.sum(2) if gamma_t is None else (ds * gamma_t).sum(2)).unsqueeze_(-2)
    c = (db.sum(2) if gamma_t is None else (db * gamma_t).sum(2)).unsqueeze_(-2)
    b = mul_scalar((c * mean_t - b) * rstd_cube, s)
    c = -b * mean_t - mul_scalar(c * rstd_t, s)
    dX = a * dY_t + b * X_t + c
    if both:
        dX += _var_mean_backward(dvar, dmean.view(N, G, 1, 1), X_t)
    return dX.reshape_as(X)


def _var_mean_backward(dvar, dmean, X_t):
    """ATen's var_mean_backward over dims (2, 3), correction 0, keepdim."""
    count = X_t.shape[2] * X_t.shape[3]
    grad = mul_scalar(dvar, 2.0 / count) * (X_t - X_t.mean((2, 3), keepdim=True))
    return grad + div_scalar(dmean.expand(X_t.shape), count)
