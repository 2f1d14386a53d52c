"""The ConvolutionBackward0 / ConvolutionBackwardBackward0 rules of the convolutions the
im2col path of engine.nn._ops.conv does not run itself: the transposed ones (1-, 2- and 3-D)
and the plain 3-D one, on engine.kernels.conv_nd."""
from __future__ import annotations

from engine.nn._ops._util import array, kernels

KN = kernels("conv_nd")


def is_general(n) -> bool:
    return n._attrs["transposed"] or len(n._attrs["stride"]) == 3


def padding_of(attrs) -> tuple:
    """The padding per spatial dim (for padding='valid' PyTorch saves just (0,))."""
    return attrs.get("_padding", attrs["padding"])


def _geometry(n) -> tuple:
    a = n._attrs
    return a["stride"], padding_of(a), a["dilation"], a["groups"]


def _forward(n, x, w, bias):
    """The node's own forward (without its checks) on other arrays."""
    a = n._attrs
    if a["transposed"]:
        return KN.transposed_forward(x, w, bias, a["stride"], a["padding"], a["output_padding"],
                                     a["dilation"], a["groups"])
    return KN.forward(x, w, bias, *_geometry(n))


def _grad_input(n, g, w, x_shape):
    if n._attrs["transposed"]:
        return KN.transposed_grad_input(g, w, x_shape, *_geometry(n))
    return KN.grad_input(g, w, x_shape, *_geometry(n))


def _grad_weight(n, g, x, w_shape):
    if n._attrs["transposed"]:
        return KN.transposed_grad_weight(g, x, w_shape, *_geometry(n))
    return KN.grad_weight(g, x, w_shape, *_geometry(n))


def general_rule(n, g):
    g = array(g)
    x, w = array(n.saved("input")), array(n.saved("weight"))
    grad_input = _grad_input(n, g, w, x.shape) if n.needs(0) else None
    grad_weight = _grad_weight(n, g, x, w.shape) if n.needs(1) else None
    grad_bias = KN.grad_bias(g) if n.needs(2) else None
    return grad_input, grad_weight, grad_bias


def general_double_rule(n, gg_input, gg_weight, gg_bias):
    """(grad_input, grad_weight, grad_bias) are each linear in grad_output and in one of
    input / weight, as for the plain 2-D convolution (engine.nn._ops.conv)."""
    gg_input, gg_weight, gg_bias = array(gg_input), array(gg_weight), array(gg_bias)
    grad_out = array(n.saved("grad_output"))
    x, w = array(n.saved("input")), array(n.saved("weight"))
    grad_grad_out = grad_x = grad_weight = None
    if n.needs(0):
        grad_grad_out = _forward(n, gg_input, w, gg_bias)
        grad_grad_out += _forward(n, x, gg_weight, None)
    if n.needs(1):
        grad_x = _grad_input(n, grad_out, gg_weight, x.shape)
    if n.needs(2):
        grad_weight = _grad_weight(n, grad_out, gg_input, w.shape)
    return grad_grad_out, grad_x, grad_weight
