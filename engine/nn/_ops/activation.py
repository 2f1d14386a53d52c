"""gelu and leaky_relu (relu, sigmoid, tanh, softmax live in engine.ops)."""
from __future__ import annotations

import numpy as np

from engine.nn._ops._util import array, kernels, nn_node
from engine.ops._core import record

K = kernels("nn_extra")


def _gelu_rule(n, g):
    return (K.gelu_backward(array(g), array(n.saved("self")), n._attrs["approximate"]),)


GeluBackward0 = nn_node("GeluBackward0", _gelu_rule)


def gelu(input, approximate: str = "none"):
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    out = K.gelu_forward(input._data, approximate)
    return record(GeluBackward0, out, (input,), {"self": input}, {"approximate": approximate})


def _leaky_relu_rule(n, g):
    g = array(g)
    slope = n._attrs["negative_slope"]
    x = array(n.saved("self"))
    return (np.where(x > 0, g, g * np.asarray(slope, dtype=g.dtype)),)


LeakyReluBackward0 = nn_node("LeakyReluBackward0", _leaky_relu_rule)


def leaky_relu(input, negative_slope: float = 0.01):
    x = input._data
    out = np.where(x > 0, x, x * np.asarray(negative_slope, dtype=x.dtype))
    return record(LeakyReluBackward0, out, (input,), {"self": input},
                  {"negative_slope": negative_slope})
