"""gelu, leaky_relu, logsigmoid and logit (relu, sigmoid, tanh, softmax live in engine.ops)."""
from __future__ import annotations

import numpy as np

from engine.autograd.node import node_class
from engine.nn._ops._util import array, kernels
from engine.ops._double import record_grads
from engine.ops import _float32_math as F32, _layout, elementwise as E
from engine.ops import _poly as P
from engine.ops._core import record
from engine.tensor import Tensor

K = kernels("nn_extra")

_INV_SQRT_2PI = 0.3989422804014327
_SQRT_2_OVER_PI = 0.7978845608028654
_TANH_COEFF = 0.044715


def _gelu_rule(n, g):
    return (K.gelu_backward(array(g), array(n.saved("self")), n._attrs["approximate"]),)


def _gelu_second_derivative(x: np.ndarray, approximate: str) -> np.ndarray:
    if approximate == "none":
        return _INV_SQRT_2PI * np.exp(-0.5 * x * x) * (2.0 - x * x)
    inner_slope = _SQRT_2_OVER_PI * (1.0 + 3.0 * _TANH_COEFF * x * x)
    inner_curvature = _SQRT_2_OVER_PI * 6.0 * _TANH_COEFF * x
    t = np.tanh(_SQRT_2_OVER_PI * (x + _TANH_COEFF * x * x * x))
    return (1.0 - t * t) * (inner_slope - x * t * inner_slope ** 2 + 0.5 * x * inner_curvature)


def _gelu_double_rule(n, gg):
    gg, x = array(gg), array(n.saved("self"))
    approximate = n._attrs["approximate"]
    grad_grad_out = K.gelu_backward(gg, x, approximate) if n.needs(0) else None
    grad_x = None
    if n.needs(1):
        grad_out = array(n.saved("grad_output"))
        grad_x = (gg * grad_out * _gelu_second_derivative(x, approximate)).astype(x.dtype)
    return grad_grad_out, grad_x


GeluBackwardBackward0 = node_class("GeluBackwardBackward0", _gelu_double_rule, arrays=True)


def _gelu_double(n, g):
    x = n.saved("self")
    return record_grads(GeluBackwardBackward0, _gelu_rule(n, g), (x.shape,), (g, x),
                        {"grad_output": g, "self": x}, {"approximate": n._attrs["approximate"]})


GeluBackward0 = node_class("GeluBackward0", _gelu_rule, arrays=True, double=_gelu_double)


def gelu(input, approximate: str = "none"):
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    out = _layout.iterated(K.gelu_forward(input._data, approximate), [input._data])
    return record(GeluBackward0, out, (input,), {"self": input}, {"approximate": approximate})


def _leaky_relu_backward(g: np.ndarray, x: np.ndarray, slope: float) -> np.ndarray:
    return np.where(x > 0, g, g * np.asarray(slope, dtype=g.dtype))


def _leaky_relu_rule(n, g):
    return (_leaky_relu_backward(array(g), array(n.saved("self")), n._attrs["negative_slope"]),)


def _leaky_relu_double_rule(n, gg):
    """grad_input is linear in grad_output and piecewise constant in self."""
    gg, x = array(gg), array(n.saved("self"))
    return (_leaky_relu_backward(gg, x, n._attrs["negative_slope"]) if n.needs(0) else None,
            np.zeros_like(x) if n.needs(1) else None)


LeakyReluBackwardBackward0 = node_class("LeakyReluBackwardBackward0", _leaky_relu_double_rule,
                                        arrays=True)


def _leaky_relu_double(n, g):
    x = n.saved("self")
    return record_grads(LeakyReluBackwardBackward0, _leaky_relu_rule(n, g), (x.shape,), (g, x),
                        {"self": x}, {"negative_slope": n._attrs["negative_slope"]})


LeakyReluBackward0 = node_class("LeakyReluBackward0", _leaky_relu_rule,
                                arrays=True, double=_leaky_relu_double)


def _leaky_relu_values(x: np.ndarray, negative_slope) -> np.ndarray:
    return np.where(x > 0, x, x * np.asarray(negative_slope, dtype=x.dtype))


def leaky_relu(input, negative_slope: float = 0.01, inplace: bool = False):
    if inplace:
        return leaky_relu_(input, negative_slope)
    out = _leaky_relu_values(input._data, negative_slope)
    return record(LeakyReluBackward0, out, (input,), {"self": input},
                  {"negative_slope": negative_slope})


def _leaky_relu_of_result_rule(n, g):
    """leaky_relu_backward(grad, result, slope, self_is_result=True)."""
    slope = n._attrs["negative_slope"]
    if slope < 0:
        raise RuntimeError(
            "In-place leakyReLu backward calculation is triggered with a negative slope which "
            "is not supported. This is caused by calling in-place forward function with a "
            "negative slope, please call out-of-place version instead. File an issue at "
            "https://github.com/pytorch/pytorch if you do require supporting in-place leakRelu "
            "backward calculation with negative slope")
    return (_leaky_relu_backward(array(g), array(n.saved("result")), slope),)


def _leaky_relu_of_result_double(n, g):
    """Under create_graph the same LeakyReluBackwardBackward0 as the out-of-place op's, its
    self the result (nn seed 1116185: the gradient had no graph)."""
    result = n.saved("result")
    return record_grads(LeakyReluBackwardBackward0, _leaky_relu_of_result_rule(n, g),
                        (result.shape,), (g, result), {"self": result},
                        {"negative_slope": n._attrs["negative_slope"]})


LeakyReluBackward1 = node_class("LeakyReluBackward1", _leaky_relu_of_result_rule,
                                arrays=True, double=_leaky_relu_of_result_double)


def _leaky_relu_saving_result(input, negative_slope):
    out = _leaky_relu_values(input._data, negative_slope)
    return record(LeakyReluBackward1, out, (input,), attrs={"negative_slope": negative_slope},
                  save_result="result")


def leaky_relu_(input, negative_slope: float = 0.01):
    """In place: LeakyReluBackward1, saving the result (torch's leaky_relu_)."""
    from engine.ops.inplace import _inplace
    return _inplace(input, "leaky_relu_", _leaky_relu_saving_result, negative_slope)


def _log_sigmoid_backward(g: np.ndarray, x: np.ndarray, buffer: np.ndarray) -> np.ndarray:
    """g * sigmoid(-x) from the saved buffer exp(-|x|), in ATen's CPU kernel's order."""
    one = np.ones((), dtype=g.dtype)
    ratio = buffer / (one + buffer)
    return np.where(x < 0, one - ratio, ratio) * g


def _log_sigmoid_rule(n, g):
    return (_log_sigmoid_backward(array(g), array(n.saved("self")), array(n.saved("buffer"))),)


def _log_sigmoid_double_rule(n, gg):
    """ATen: grad_output gets log_sigmoid_backward(gg, self, buffer); self gets
    log_sigmoid_double_backward(gg * grad_output, self) = gg * grad_output * (z - 1) * z."""
    gg, x = array(gg), array(n.saved("self"))
    grad_grad_out = _log_sigmoid_backward(gg, x, array(n.saved("buffer"))) if n.needs(0) \
        else None
    grad_x = None
    if n.needs(1):
        z = 1 / (1 + np.exp(-x))
        grad_x = (gg * array(n.saved("grad_output")) * (z - 1) * z).astype(x.dtype, copy=False)
    return grad_grad_out, grad_x


LogSigmoidBackwardBackward0 = node_class("LogSigmoidBackwardBackward0", _log_sigmoid_double_rule,
                                         arrays=True)


def _log_sigmoid_double(n, g):
    x, buffer = n.saved("self"), n.saved("buffer")
    return record_grads(LogSigmoidBackwardBackward0, _log_sigmoid_rule(n, g), (x.shape,),
                        (g, x), {"buffer": buffer, "grad_output": g, "self": x})


LogSigmoidBackward0 = node_class("LogSigmoidBackward0", _log_sigmoid_rule, arrays=True,
                                 double=_log_sigmoid_double)


def log_sigmoid(input):
    """log(sigmoid(x)), stable for large |x|; saves buffer = exp(-|x|) as ATen does."""
    x = input._data
    buffer = F32.exp(-np.abs(x))
    out = (np.minimum(x, 0) - F32.log1p(buffer)).astype(x.dtype, copy=False)
    return record(LogSigmoidBackward0, out, (input,),
                  {"self": input, "buffer": Tensor._make(buffer)})


# torch.logit (LogitBackward0) lives with the unary math; BCE's double backward uses it.
from engine.ops.unary_math import LogitBackward0, logit  # noqa: E402,F401
