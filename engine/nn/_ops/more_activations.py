"""silu, mish, elu, softplus and hardtanh (relu6 is hardtanh(0, 6)), as PyTorch's: node
names, saved attributes and formulas (ATen's activation kernels and their backward).

Each rule computes on arrays, and on Tensors under create_graph=True (with engine ops), so
second derivatives work. The elu family (elu, celu, selu) and hardtanh have PyTorch's
EluBackwardBackward0 / HardtanhBackwardBackward0 there.
"""
from __future__ import annotations

import types

import numpy as np

from engine.autograd.node import node_class
from engine.ops import _float32_math as F32, elementwise as E
from engine.ops._core import record
from engine.ops._double import record_grads
from engine.tensor import Tensor

_ARRAYS = types.SimpleNamespace(
    exp=F32.exp, tanh=F32.tanh, log1p=F32.log1p, sigmoid=F32.sigmoid,
    where=lambda cond, a, b: np.where(cond, a, b).astype(np.result_type(a, b), copy=False))
_TENSORS = types.SimpleNamespace(
    exp=E.exp, tanh=E.tanh, sigmoid=E.sigmoid,
    log1p=lambda x: E.log(x + 1),
    where=lambda cond, a, b: E.where(cond if isinstance(cond, Tensor) else Tensor._make(cond),
                                     a, b))


def _math(*values):
    return _TENSORS if any(isinstance(v, Tensor) for v in values) else _ARRAYS


def _data(value):
    return value._data if isinstance(value, Tensor) else value


def _float_input(input: Tensor, name: str) -> np.ndarray:
    data = input._data
    if data.dtype.kind != "f":
        raise NotImplementedError(f'"{name}_cpu" not implemented for '
                                  f"'{input.dtype.tensor_type.replace('Tensor', '')}'")
    return data


def _in_place(name: str, op, input, *args):
    """torch's `name`: op's node on a copy of the input (so a rule reading self reads the
    values before the write), the values written back, the version bumped."""
    from engine.ops.inplace import _inplace
    return _inplace(input, name, op, *args)


# ---------------------------------------------------------------- silu, mish

def _silu_rule(n, g):
    x = n.saved("self")
    m = _math(x, g)
    s = m.sigmoid(x)
    if m is _ARRAYS:        # ATen's kernel: (dy * s) * fma(x, 1 - s, 1)
        return ((g * s) * F32.multiply_add(x, 1 - s, 1),)
    return (g * (s * (1 + x * (1 - s))),)


def _mish_rule(n, g):
    x = n.saved("self")
    m = _math(x, g)
    t = m.tanh(m.log1p(m.exp(x)))
    if m is _ARRAYS:        # ATen's kernel, its multiply-adds fused
        return (g * F32.multiply_add(x * m.sigmoid(x), F32.multiply_add(-t, t, 1), t),)
    return (g * (t + x * m.sigmoid(x) * (1 - t * t)),)


SiluBackward0 = node_class("SiluBackward0", _silu_rule)
MishBackward0 = node_class("MishBackward0", _mish_rule)


def silu(input, inplace: bool = False):
    if inplace:
        return _in_place("silu_", silu, input)
    data = _float_input(input, "silu")
    with np.errstate(over="ignore"):
        out = data / (1 + F32.exp(-data))
    return record(SiluBackward0, out.astype(data.dtype, copy=False), (input,), {"self": input})


def mish(input, inplace: bool = False):
    if inplace:
        return _in_place("mish_", mish, input)
    data = _float_input(input, "mish")
    with np.errstate(over="ignore"):
        out = data * F32.tanh(F32.log1p(F32.exp(data)))
    return record(MishBackward0, out.astype(data.dtype, copy=False), (input,), {"self": input})


# ---------------------------------------------------------------- softplus

def _softplus_forward(x, beta, threshold, m):
    scaled = x * beta
    return m.where(_data(scaled) > threshold, x, m.log1p(m.exp(scaled)) / beta)


def _softplus_rule(n, g):
    x, a = n.saved("self"), n._attrs
    m = _math(x, g)
    z = m.exp(x * a["beta"])
    return (m.where(_data(x * a["beta"]) > a["threshold"], g, g * z / (z + 1)),)


SoftplusBackward0 = node_class("SoftplusBackward0", _softplus_rule)


def softplus(input, beta: float = 1.0, threshold: float = 20.0):
    data = _float_input(input, "softplus")
    with np.errstate(over="ignore"):
        out = _softplus_forward(data, beta, threshold, _ARRAYS)
    return record(SoftplusBackward0, out.astype(data.dtype, copy=False), (input,),
                  {"self": input}, {"beta": beta, "threshold": threshold})


# ---------------------------------------------------------------- elu

def _elu_rule(n, g):
    x, a = n.saved("self"), n._attrs
    m = _math(x, g)
    negative = g * a["input_scale"] * (a["alpha"] * a["scale"]) * m.exp(x * a["input_scale"])
    return (m.where(_data(x) <= 0, negative, g * a["scale"]),)


def _elu_double_rule(n, gg):
    """EluBackwardBackward0: elu_backward is linear in grad_output (its gradient is
    elu_backward of gg) and, in self_or_result, ATen's elu_double_backward."""
    a = n._attrs
    x, grad_output, gg = _data(n.saved("self_or_result")), _data(n.saved("grad_output")), \
        _data(gg)
    view = _ArgumentsView(a, x)
    rule = _elu_of_result_rule if a["is_result"] else _elu_rule
    grad_grad_output = rule(view, gg)[0] if n.needs(0) else None
    grad_self = None
    if n.needs(1):
        negative = (x < 0).astype(gg.dtype)
        product = gg * grad_output * gg.dtype.type(a["input_scale"])
        grad_self = product * negative if a["is_result"] else rule(view, product)[0] * negative
    return grad_grad_output, grad_self


class _ArgumentsView:
    """elu_backward's arguments as a node the elu rules read."""

    def __init__(self, attrs: dict, self_or_result) -> None:
        self._attrs = attrs
        self._value = self_or_result

    def saved(self, name):
        return self._value


EluBackwardBackward0 = node_class("EluBackwardBackward0", _elu_double_rule, arrays=True)


def elu_double(rule, is_result: bool, attrs_of=lambda n: n._attrs):
    """The create_graph form of an elu-family node's rule: its gradient as the output of one
    EluBackwardBackward0 connected to grad_output and to self (or the result)."""
    def double(n, g):
        x = n.saved("result" if is_result else "self")
        a = attrs_of(n)
        attrs = {"alpha": a["alpha"], "scale": a["scale"], "input_scale": a["input_scale"],
                 "is_result": is_result}
        return record_grads(EluBackwardBackward0, rule(n, _data(g)), (x.shape,), (g, x),
                            {"grad_output": g, "self_or_result": x}, attrs)
    return double


EluBackward0 = node_class("EluBackward0", _elu_rule, arrays=True,
                          double=elu_double(_elu_rule, False))


def _elu_values(data: np.ndarray, alpha) -> np.ndarray:
    with np.errstate(over="ignore"):
        out = np.where(data <= 0, F32.expm1(data) * np.asarray(alpha, data.dtype), data)
    return out.astype(data.dtype, copy=False)


def elu(input, alpha: float = 1.0, inplace: bool = False):
    if inplace:
        return elu_(input, alpha)
    data = _float_input(input, "elu")
    return record(EluBackward0, _elu_values(data, alpha), (input,), {"self": input},
                  {"alpha": alpha, "scale": 1, "input_scale": 1})


def _elu_of_result_rule(n, g):
    """elu_backward(grad, alpha, scale, input_scale, is_result=True, result)."""
    a = n._attrs
    if a["alpha"] < 0:
        raise RuntimeError("In-place elu backward calculation is triggered with a negative "
                           "slope which is not supported. This is caused by calling in-place "
                           "forward function with a negative slope, please call out-of-place "
                           "version instead.")
    result = n.saved("result")
    m = _math(result, g)
    negative = g * a["input_scale"] * (result + a["alpha"] * a["scale"])
    return (m.where(_data(result) <= 0, negative, g * a["scale"]),)


EluBackward1 = node_class("EluBackward1", _elu_of_result_rule, arrays=True,
                          double=elu_double(_elu_of_result_rule, True))


def _elu_saving_result(input, alpha):
    data = _float_input(input, "elu")
    return record(EluBackward1, _elu_values(data, alpha), (input,),
                  attrs={"alpha": alpha, "scale": 1, "input_scale": 1}, save_result="result")


def elu_(input, alpha: float = 1.0):
    """In place: EluBackward1, saving the result (torch's elu_)."""
    return _in_place("elu_", _elu_saving_result, input, alpha)


# ---------------------------------------------------------------- hardtanh, relu6

def _hardtanh_backward(g: np.ndarray, x: np.ndarray, min_val, max_val) -> np.ndarray:
    return np.where((x <= min_val) | (x >= max_val), np.zeros((), g.dtype), g)


def _hardtanh_rule(n, g):
    a = n._attrs
    return (_hardtanh_backward(_data(g), _data(n.saved("self")), a["min_val"], a["max_val"]),)


def _hardtanh_double_rule(n, gg):
    """hardtanh_backward is linear in grad_output and flat in self (a zero gradient)."""
    x, a = _data(n.saved("self")), n._attrs
    return (_hardtanh_backward(_data(gg), x, a["min_val"], a["max_val"]) if n.needs(0)
            else None, np.zeros_like(x) if n.needs(1) else None)


HardtanhBackwardBackward0 = node_class("HardtanhBackwardBackward0", _hardtanh_double_rule,
                                       arrays=True)


def _hardtanh_double(n, g):
    """Under create_graph one HardtanhBackwardBackward0, connected to grad and self."""
    x, a = n.saved("self"), n._attrs
    return record_grads(HardtanhBackwardBackward0, _hardtanh_rule(n, g), (x.shape,), (g, x),
                        {"self": x}, {"min_val": a["min_val"], "max_val": a["max_val"]})


HardtanhBackward0 = node_class("HardtanhBackward0", _hardtanh_rule, arrays=True,
                               double=_hardtanh_double)


def hardtanh(input, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False):
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if inplace:
        return _in_place("hardtanh_", hardtanh, input, min_val, max_val)
    data = input._data
    out = np.clip(data, min_val, max_val).astype(data.dtype, copy=False)
    return record(HardtanhBackward0, out, (input,), {"self": input},
                  {"min_val": min_val, "max_val": max_val})


def hardtanh_(input, min_val: float = -1.0, max_val: float = 1.0):
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input, inplace: bool = False):
    return hardtanh(input, 0, 6, inplace)
