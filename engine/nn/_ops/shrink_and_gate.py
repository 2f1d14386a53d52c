"""The remaining activations of torch.nn.functional: hardswish, hardsigmoid, selu, celu,
threshold, softshrink, hardshrink (piecewise ones with their own nodes), glu and prelu
(gates with a second operand), and softsign, tanhshrink, softmin (composites of other ops,
as ATen builds them). Node names, saved values and formulas are ATen's.

Rules compute on arrays, and on Tensors under create_graph=True with engine ops (their
second-derivative graphs are elementwise nodes where PyTorch has *BackwardBackward0)."""
from __future__ import annotations

import numpy as np

from engine.autograd.node import node_class
from engine.nn._ops._util import array
from engine.nn._ops.more_activations import (EluBackward0, EluBackward1, _elu_of_result_rule,
                                             _elu_rule, _float_input, _in_place, _math,
                                             elu_double)
from engine.ops import elementwise as E
from engine.ops import reductions as R
from engine.ops._core import record, reduce_to, wrap_dim
from engine.ops._double import NOT_IMPLEMENTED, record_grads
from engine.tensor import Tensor

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


# ---------------------------------------------------------------- hardswish, hardsigmoid

def _hardswish_slope(x: np.ndarray) -> np.ndarray:
    """ATen's: 0 up to -3 included, x / 3 + 1/2 inside, 1 from 3 on."""
    return np.where(x <= -3, 0, np.where(x < 3, x / 3 + 0.5, 1)).astype(x.dtype)


def _hardswish_rule(n, g):
    return (array(g) * _hardswish_slope(array(n.saved("self"))),)


def _hardswish_double_rule(n, gg):
    """hardswish_backward's derivatives: linear in grad_output; for self, gg * grad / 3
    inside (-3, 3)."""
    gg, x = array(gg), array(n.saved("self"))
    inside = ((x > -3) & (x < 3)).astype(gg.dtype)
    return (gg * _hardswish_slope(x) if n.needs(0) else None,
            gg * array(n.saved("grad_output")) * inside / 3 if n.needs(1) else None)


HardswishBackwardBackward0 = node_class("HardswishBackwardBackward0", _hardswish_double_rule,
                                        arrays=True)


def _hardswish_double(n, g):
    x = n.saved("self")
    return record_grads(HardswishBackwardBackward0, _hardswish_rule(n, g), (x.shape,), (g, x),
                        {"self": x, "grad_output": g})


def _hardsigmoid_rule(n, g):
    x = array(n.saved("self"))
    g = array(g)
    # ATen's kernel multiplies by one_sixth = 1.0f / 6.0f, a float even for doubles.
    one_sixth = g.dtype.type(np.float32(1.0) / np.float32(6.0))
    return (g * ((x > -3) & (x < 3)).astype(g.dtype) * one_sixth,)


def _hardsigmoid_double(n, g):
    """ATen has no derivative for hardsigmoid_backward: differentiating the gradient fails."""
    x = n.saved("self")
    return record_grads(NOT_IMPLEMENTED, _hardsigmoid_rule(n, g), (x.shape,), (x,),
                        attrs={"_op": "aten::hardsigmoid_backward"})


HardswishBackward0 = node_class("HardswishBackward0", _hardswish_rule, arrays=True,
                                double=_hardswish_double)
HardsigmoidBackward0 = node_class("HardsigmoidBackward0", _hardsigmoid_rule, arrays=True,
                                  double=_hardsigmoid_double)


def _relu6_of_shift(data: np.ndarray) -> np.ndarray:
    three, zero, six = (data.dtype.type(v) for v in (3, 0, 6))
    return np.minimum(np.maximum(data + three, zero), six)


def hardswish(input, inplace: bool = False):
    if inplace:
        return _in_place("hardswish_", hardswish, input)
    data = _float_input(input, "hardswish")
    out = data * _relu6_of_shift(data) / data.dtype.type(6)
    return record(HardswishBackward0, out, (input,), {"self": input})


def hardsigmoid(input, inplace: bool = False):
    if inplace:
        return _in_place("hardsigmoid_", hardsigmoid, input)
    data = _float_input(input, "hardsigmoid")
    out = _relu6_of_shift(data) / data.dtype.type(6)
    return record(HardsigmoidBackward0, out, (input,), {"self": input})


# ---------------------------------------------------------------- selu, celu

def _scaled_elu(data: np.ndarray, alpha: float, scale: float, input_scale: float):
    dtype = data.dtype.type
    negative = np.expm1(data * dtype(input_scale)) * dtype(alpha * scale)
    return np.where(data <= 0, negative, data * dtype(scale)).astype(data.dtype, copy=False)


_SELU_ATTRS = {"alpha": SELU_ALPHA, "scale": SELU_SCALE, "input_scale": 1}


def _selu_values(input) -> np.ndarray:
    data = _float_input(input, "elu")
    with np.errstate(over="ignore"):
        return _scaled_elu(data, SELU_ALPHA, SELU_SCALE, 1)


def _selu_saving_result(input):
    return record(EluBackward1, _selu_values(input), (input,), attrs=dict(_SELU_ATTRS),
                  save_result="result")


def selu(input, inplace: bool = False):
    """In place, EluBackward1 saving the result, as torch's selu_."""
    if inplace:
        return _in_place("selu_", _selu_saving_result, input)
    return record(EluBackward0, _selu_values(input), (input,), {"self": input},
                  dict(_SELU_ATTRS))


def _celu_rule(n, g):
    return _elu_rule(_CeluView(n), g)


def _celu_of_result_rule(n, g):
    return _elu_of_result_rule(_CeluView(n), g)


def _celu_attrs(n) -> dict:
    return _CeluView(n)._attrs


CeluBackward0 = node_class("CeluBackward0", _celu_rule, arrays=True,
                           double=elu_double(_celu_rule, False, _celu_attrs))
CeluBackward1 = node_class("CeluBackward1", _celu_of_result_rule, arrays=True,
                           double=elu_double(_celu_of_result_rule, True, _celu_attrs))


class _CeluView:
    """celu's node seen as elu_backward's arguments: scale 1, input_scale 1 / alpha."""

    def __init__(self, node) -> None:
        alpha = node._attrs["alpha"]
        self._node = node
        # ATen's 1.0 / alpha.toFloat(): alpha rounded to float32 first
        self._attrs = {"alpha": alpha, "scale": 1, "input_scale": 1.0 / float(np.float32(alpha))}

    def saved(self, name):
        return self._node.saved(name)


def _celu_values(input, alpha: float) -> np.ndarray:
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    data = _float_input(input, "elu")
    with np.errstate(over="ignore"):
        return _scaled_elu(data, alpha, 1, 1.0 / alpha)


def _celu_saving_result(input, alpha: float):
    return record(CeluBackward1, _celu_values(input, alpha), (input,), attrs={"alpha": alpha},
                  save_result="result")


def celu(input, alpha: float = 1.0, inplace: bool = False):
    """In place, CeluBackward1 saving the result, as torch's celu_."""
    if inplace:
        return _in_place("celu_", _celu_saving_result, input, alpha)
    return record(CeluBackward0, _celu_values(input, alpha), (input,), {"self": input},
                  {"alpha": alpha})


# ---------------------------------------------------------------- threshold, shrinks

def _masked_nodes(name: str, keep):
    """A node whose gradient is grad where keep(self, attrs) holds, else 0; and its
    derivative's node (linear in grad_output, zero for self), as ATen has for each."""
    def rule(n, g):
        g = array(g)
        return (g * keep(array(n.saved("self")), n._attrs).astype(g.dtype),)

    def double_rule(n, gg):
        gg, x = array(gg), array(n.saved("self"))
        return (gg * keep(x, n._attrs).astype(gg.dtype) if n.needs(0) else None,
                np.zeros_like(x) if n.needs(1) else None)

    double_cls = node_class(f"{name}BackwardBackward0", double_rule, arrays=True)

    def double(n, g):
        x = n.saved("self")
        return record_grads(double_cls, rule(n, g), (x.shape,), (g, x), {"self": x}, n._attrs)
    return node_class(f"{name}Backward0", rule, arrays=True, double=double)


SoftshrinkBackward0 = _masked_nodes("Softshrink", lambda x, a: np.abs(x) > a["lambd"])
HardshrinkBackward0 = _masked_nodes("Hardshrink", lambda x, a: np.abs(x) > a["lambd"])


def _threshold_rule(n, g):
    """ATen's threshold_backward: 0 where self <= threshold, else grad (NaN passes)."""
    g = array(g)
    return (np.where(array(n.saved("self")) <= n._attrs["threshold"], g.dtype.type(0), g),)


ThresholdBackward0 = node_class(
    "ThresholdBackward0", _threshold_rule, arrays=True,
    double=lambda n, g: (E.threshold_backward(g, n.saved("self"), n._attrs["threshold"]),))


# In place, ATen keeps a copy of the input's values (original_self) under the same name.
ThresholdBackward1 = node_class(
    "ThresholdBackward1", _threshold_rule, arrays=True,
    double=lambda n, g: (E.threshold_backward(g, n.saved("self"), n._attrs["threshold"]),))


def _thresholded(data: np.ndarray, threshold, value) -> np.ndarray:
    """ATen's: value where x <= threshold, else x (a NaN stays)."""
    return np.where(data <= threshold, data.dtype.type(value), data).astype(data.dtype)


def _threshold_in_place(input, threshold, value):
    """`input` is the in-place op's copy of the tensor's values before the write."""
    return record(ThresholdBackward1, _thresholded(input._data, threshold, value), (input,),
                  {"self": input}, {"threshold": threshold})


def threshold(input, threshold, value, inplace: bool = False):
    if inplace:
        return _in_place("threshold_", _threshold_in_place, input, threshold, value)
    return record(ThresholdBackward0, _thresholded(input._data, threshold, value), (input,),
                  {"self": input}, {"threshold": threshold})


def threshold_(input, threshold, value):
    return globals()["threshold"](input, threshold, value, inplace=True)


def softshrink(input, lambd: float = 0.5):
    data = _float_input(input, "softshrink")
    if lambd < 0:
        names = {"float32": "Float", "float64": "Double"}
        raise RuntimeError(f"lambda must be in range [0, {np.finfo(data.dtype).max:g}] for "
                           f"input dtype {names.get(data.dtype.name, data.dtype.name)}, but "
                           f"found {lambd:g}")
    lam = data.dtype.type(lambd)
    out = np.where(data > lam, data - lam, np.where(data < -lam, data + lam, 0))
    return record(SoftshrinkBackward0, out.astype(data.dtype), (input,), {"self": input},
                  {"lambd": lambd})


def hardshrink(input, lambd: float = 0.5):
    data = _float_input(input, "hardshrink")
    out = np.where(np.abs(data) > data.dtype.type(lambd), data, 0).astype(data.dtype)
    return record(HardshrinkBackward0, out, (input,), {"self": input}, {"lambd": lambd})


# ---------------------------------------------------------------- glu, prelu

def _halves(x, dim: int):
    size = x.shape[dim] // 2
    if isinstance(x, Tensor):
        from engine.ops.indexing import slice_dim
        return slice_dim(x, dim, 0, size), slice_dim(x, dim, size, 2 * size)
    return np.split(x, 2, axis=dim)


def _glu_rule(n, g):
    dim = n._attrs["_dim"]
    first, second = _halves(n.saved("self"), dim)
    m = _math(first, g)
    gate = m.sigmoid(second)
    grads = [g * gate, g * first * gate * (1 - gate)]
    if isinstance(g, Tensor):
        from engine.ops.shape import cat
        return (cat(grads, dim),)
    return (np.concatenate(grads, axis=dim),)


GluBackward0 = node_class("GluBackward0", _glu_rule)


def glu(input, dim: int = -1):
    data = input._data
    if data.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = wrap_dim(dim, data.ndim)
    if data.shape[d] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size "
                           f"{data.shape[d]}")
    first, second = np.split(data, 2, axis=d)
    with np.errstate(over="ignore"):
        out = first / (1 + np.exp(-second))
    return record(GluBackward0, out.astype(data.dtype, copy=False), (input,), {"self": input},
                  {"dim": dim % 2**64, "_dim": d})


def _prelu_grads(g, x, w, wanted: tuple) -> tuple:
    negative = (x <= 0).astype(g.dtype)
    grad_self = g * (1 - negative + negative * w) if wanted[0] else None
    grad_weight = reduce_to(g * x * negative, w.shape) if wanted[1] else None
    return grad_self, grad_weight


def _prelu_rule(n, g):
    return _prelu_grads(array(g), array(n.saved("self")), array(n.saved("weight")),
                        (n.needs(0), n.needs(1)))


def _prelu_double_rule(n, gg_self, gg_weight):
    """_prelu_kernel_backward's derivatives: grad_input = g * (pos + neg * w) and
    grad_weight = sum(g * x * neg) are linear in g; x enters grad_weight, w grad_input."""
    x, w, g = (array(n.saved(name)) for name in ("self", "weight", "grad_output"))
    dtype = x.dtype
    gg_self = np.zeros(x.shape, dtype) if gg_self is None else array(gg_self)
    gg_weight = np.zeros(w.shape, dtype) if gg_weight is None else array(gg_weight)
    negative = (x <= 0).astype(dtype)
    return (gg_self * (1 - negative + negative * w) + gg_weight * x * negative
            if n.needs(0) else None,
            gg_weight * g * negative if n.needs(1) else None,
            reduce_to(gg_self * g * negative, w.shape) if n.needs(2) else None)


PreluKernelBackwardBackward0 = node_class("PreluKernelBackwardBackward0", _prelu_double_rule,
                                          arrays=True)


def _prelu_double(n, g):
    x, w = n.saved("self"), n.saved("weight")
    return record_grads(PreluKernelBackwardBackward0, _prelu_rule(n, g), (x.shape, w.shape),
                        (g, x, w), {"self": x, "weight": w, "grad_output": g})


PreluKernelBackward0 = node_class("PreluKernelBackward0", _prelu_rule, arrays=True,
                                  double=_prelu_double)


def prelu(input, weight):
    channels = weight.numel()
    ndim = input.dim()
    if channels != 1:
        if ndim == 0:
            raise RuntimeError("Not allow zero-dim input tensor.")
        if ndim < 2 or input.shape[1] != channels:
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found "
                               f"parameter numbers = {channels} and channel size = "
                               f"{input.shape[1] if ndim >= 2 else 1}.")
    shape = [1] * ndim
    if ndim >= 2:
        shape[1] = channels
    from engine.ops.shape import view
    w = view(weight, shape) if ndim else weight
    data, w_data = input._data, w._data
    out = np.where(data > 0, data, w_data * data).astype(data.dtype)
    return record(PreluKernelBackward0, out, (input, w), {"self": input, "weight": w})


# ---------------------------------------------------------------- composites

def softsign(input):
    return E.div(input, E.add(E.abs(input), 1))


def tanhshrink(input):
    return E.sub(input, E.tanh(input))


def softmin(input, dim=None, _stacklevel: int = 3, dtype=None):
    dim = R._implicit_dim(dim, input.dim(), "softmin")
    return R.softmax(E.neg(input), dim, dtype)
