"""The dropouts beyond dropout/dropout2d (dropout1d, dropout3d, alpha_dropout,
feature_alpha_dropout) and rrelu: ATen's compositions, drawing from the generator in
torch's order so a seed gives torch's masks and slopes."""
from __future__ import annotations

import warnings

import numpy as np

from engine import random as _random
from engine.autograd.node import node_class
from engine.nn._ops._util import array
from engine.nn._ops.activation import _leaky_relu_backward
from engine.nn._ops.more_activations import _float_input
from engine.ops import elementwise as E
from engine.ops import inplace as I
from engine.ops._core import record
from engine.ops._double import record_grads
from engine.tensor import Tensor

_SELU_ALPHA = 1.7580993408473766        # -selu's negative saturation: scale * alpha


def _check_p(p) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


# ---------------------------------------------------------------- ATen's _dropout_impl

def _bernoulli_keep(input: Tensor, p: float, feature: bool) -> np.ndarray:
    """1/0 in input's dtype, Bernoulli(1 - p), one per element or one per (N, C)."""
    data = input._data
    if feature and data.ndim < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    shape = data.shape[:2] + (1,) * (data.ndim - 2) if feature else data.shape
    like = np.empty(shape, data.dtype)
    return _random.bernoulli(_random.default_generator, like, 1.0 - p).astype(data.dtype)


def _dropout_impl(input, p, training, inplace, feature, alpha):
    """ATen's _dropout_impl: input * noise (plus b for the alpha dropouts)."""
    if p == 0 or not training or input._data.size == 0:
        return input
    multiply = I.mul_ if inplace else E.mul
    if p == 1:
        return multiply(input, Tensor._make(np.zeros((), input._data.dtype)))
    keep = _bernoulli_keep(input, p, feature)
    dtype = keep.dtype.type
    if not alpha:
        return multiply(input, Tensor._make(keep / dtype(1 - p)))
    a = 1.0 / np.sqrt((_SELU_ALPHA * _SELU_ALPHA * p + 1) * (1 - p))
    shift = (keep - dtype(1)) * dtype(_SELU_ALPHA * a) + dtype(_SELU_ALPHA * a * p)
    scaled = multiply(input, Tensor._make(keep * dtype(a)))
    return I.add_(scaled, Tensor._make(shift))


def alpha_dropout(input, p: float = 0.5, training: bool = False, inplace: bool = False):
    _check_p(p)
    return _dropout_impl(input, p, training, inplace, feature=False, alpha=True)


def feature_alpha_dropout(input, p: float = 0.5, training: bool = False,
                          inplace: bool = False):
    _check_p(p)
    return _dropout_impl(input, p, training, inplace, feature=True, alpha=True)


def feature_dropout(input, p: float = 0.5, training: bool = True, inplace: bool = False):
    """ATen's feature_dropout: one draw per (N, C), at least 2-D."""
    _check_p(p)
    return _dropout_impl(input, p, training, inplace, feature=True, alpha=False)


def _channel_dropout(input, p, training, inplace, batched: bool):
    """feature dropout, an unbatched input given a batch of one (unsqueeze, squeeze)."""
    if batched:
        return _dropout_impl(input, p, training, inplace, feature=True, alpha=False)
    input = input.unsqueeze_(0) if inplace else input.unsqueeze(0)
    result = _dropout_impl(input, p, training, inplace, feature=True, alpha=False)
    return result.squeeze_(0) if inplace else result.squeeze(0)


def dropout1d(input, p: float = 0.5, training: bool = True, inplace: bool = False):
    _check_p(p)
    ndim = input.dim()
    if ndim not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {ndim}D input. Note that "
            "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial "
            "dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D "
            "inputs).")
    return _channel_dropout(input, p, training, inplace, batched=ndim == 3)


def dropout3d(input, p: float = 0.5, training: bool = True, inplace: bool = False):
    _check_p(p)
    ndim = input.dim()
    if ndim not in (4, 5):
        warnings.warn(
            f"dropout3d: Received a {ndim}-D input to dropout3d, which is deprecated and will "
            "result in an error in a future release. To retain the behavior and silence this "
            "warning, please use dropout instead. Note that dropout3d exists to provide "
            "channel-wise dropout on inputs with 3 spatial dimensions, a channel dimension, "
            "and an optional batch dimension (i.e. 4D or 5D inputs).", stacklevel=2)
    return _channel_dropout(input, p, training, inplace, batched=ndim == 5)


# ---------------------------------------------------------------- rrelu

def _rrelu_grad(g: np.ndarray, x_or_result: np.ndarray, noise: np.ndarray, attrs) -> np.ndarray:
    """rrelu_with_noise_backward: noise * grad in training, else leaky_relu_backward."""
    if attrs["training"]:
        return noise * g
    return _leaky_relu_backward(g, x_or_result, (attrs["lower"] + attrs["upper"]) / 2)


def _rrelu_rule(saved_name):
    def rule(n, g):
        return (_rrelu_grad(array(g), array(n.saved(saved_name)), array(n.saved("noise")),
                            n._attrs),)
    return rule


def _rrelu_double_rule(n, gg):
    gg, x = array(gg), array(n.saved("self"))
    return (_rrelu_grad(gg, x, array(n.saved("noise")), n._attrs) if n.needs(0) else None,
            np.zeros_like(x) if n.needs(1) else None)


RreluWithNoiseBackwardBackward0 = node_class("RreluWithNoiseBackwardBackward0",
                                             _rrelu_double_rule, arrays=True)


def _rrelu_double(saved_name):
    def double(n, g):
        x, noise = n.saved(saved_name), n.saved("noise")
        first = _rrelu_rule(saved_name)(n, g)
        attrs = {k: n._attrs[k] for k in ("lower", "upper", "training")}
        return record_grads(RreluWithNoiseBackwardBackward0, first, (x.shape,), (g, x),
                            {"self": x, "noise": noise}, attrs)
    return double


RreluWithNoiseBackward0 = node_class("RreluWithNoiseBackward0", _rrelu_rule("self"),
                                     arrays=True, double=_rrelu_double("self"))
RreluWithNoiseBackward1 = node_class("RreluWithNoiseBackward1", _rrelu_rule("result"),
                                     arrays=True, double=_rrelu_double("result"))


def _check_rrelu(input, lower, upper) -> None:
    _float_input(input, "rrelu_with_noise_out")
    if float(lower) > float(upper):
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")


def _rrelu_values(x: np.ndarray, lower, upper, training: bool):
    """(output, noise). In training each x <= 0, in memory order, gets a slope drawn
    uniformly from [lower, upper) out of one 53-bit draw; in eval the mean slope."""
    dtype = x.dtype.type
    if not training:
        return np.where(x > 0, x, x * dtype((lower + upper) / 2)), np.empty_like(x)
    flat = np.ascontiguousarray(x).reshape(-1)
    negative = flat <= 0
    words = np.empty(int(negative.sum()), np.uint64)
    from engine.kernels import mt19937
    gen = _random.default_generator
    mt19937.draw_u64(gen._words, gen._position, words)
    low, high = float(dtype(lower)), float(dtype(upper))
    unit = (words & np.uint64((1 << 53) - 1)).astype(np.float64) * 2.0 ** -53
    noise = np.ones_like(flat)
    noise[negative] = (unit * (high - low) + low).astype(x.dtype)
    out = np.where(negative, flat * noise, flat)
    return out.reshape(x.shape), noise.reshape(x.shape)


def _rrelu_attrs(lower, upper, training) -> dict:
    return {"lower": lower, "upper": upper, "training": training}


def rrelu(input, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
          inplace: bool = False):
    if inplace:
        return rrelu_(input, lower, upper, training)
    _check_rrelu(input, lower, upper)
    out, noise = _rrelu_values(input._data, lower, upper, training)
    return record(RreluWithNoiseBackward0, out, (input,),
                  {"self": input, "noise": Tensor._make(noise)},
                  _rrelu_attrs(lower, upper, training))


def rrelu_(input, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False):
    _check_rrelu(input, lower, upper)

    def saving_result(before):
        out, noise = _rrelu_values(before._data, lower, upper, training)
        return record(RreluWithNoiseBackward1, out, (before,), {"noise": Tensor._make(noise)},
                      _rrelu_attrs(lower, upper, training), save_result="result")
    return I._inplace(input, "rrelu_", saving_result)


# ---------------------------------------------------------------- torch-level names

def celu_(input, alpha: float = 1.0):
    from engine.nn._ops.shrink_and_gate import celu
    return celu(input, alpha, inplace=True)


def selu_(input):
    from engine.nn._ops.shrink_and_gate import selu
    return selu(input, inplace=True)


def rrelu_at_torch_level(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    return rrelu(input, lower, upper, training)


def _aten_dropout(function, inplace: bool):
    """torch.alpha_dropout(input, p, train) and the others: train is required, and ATen's
    check of p raises a RuntimeError."""
    def call(input, p, train):
        if not 0 <= p <= 1:
            raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {p}")
        return function(input, p, train, inplace)
    call.__name__ = function.__name__ + ("_" if inplace else "")
    return call


alpha_dropout_at_torch_level = _aten_dropout(alpha_dropout, False)
alpha_dropout_ = _aten_dropout(alpha_dropout, True)
feature_alpha_dropout_at_torch_level = _aten_dropout(feature_alpha_dropout, False)
feature_alpha_dropout_ = _aten_dropout(feature_alpha_dropout, True)
feature_dropout_at_torch_level = _aten_dropout(feature_dropout, False)
feature_dropout_ = _aten_dropout(feature_dropout, True)
