"""More unary math (log1p, expm1, log2, log10, tan, asin, acos, atan, sinh, cosh, rsqrt,
erf, square), the rounding family (floor, ceil, round, trunc, frac) and atan2, with torch's
node names, saved values and backward formulas (tools/autograd/derivatives.yaml), written
with operators and methods so that under create_graph they record torch's nodes."""
from __future__ import annotations

import math

import numpy as np

from engine.autograd.node import node_class
from engine.ops import _float32_math as F32, _layout, elementwise as E
from engine.ops._core import record, reduce_to, result_dtype, zeros_grad
from engine.tensor import Tensor

_erf_of_double = np.frompyfunc(math.erf, 1, 1)


def _call(x, numpy_fn, method: str):
    """numpy_fn(x) on an array, x.method() on a Tensor (a differentiable backward)."""
    return numpy_fn(x) if isinstance(x, np.ndarray) else getattr(x, method)()


def _erf(data: np.ndarray) -> np.ndarray:
    return _erf_of_double(data.astype(np.float64)).astype(data.dtype)


def _rsqrt(data: np.ndarray) -> np.ndarray:
    return (1 / np.sqrt(data)).astype(data.dtype, copy=False)


def _plus(x, number: float):
    """x + number, as ATen's add.Scalar (AddBackward1) under create_graph."""
    return E.add_scalar(x, number) if isinstance(x, Tensor) else x + number


def _times(x, number: float):
    """x * number, as ATen's mul.Scalar (MulBackward1) under create_graph."""
    return E.mul_scalar(x, number) if isinstance(x, Tensor) else x * number


def _one_minus_square(x):
    return _plus(-x * x, 1)


def _self(n):
    return n.saved("self")


def _result(n):
    return n.saved("result")


Log1PBackward0, log1p = E._unary("Log1PBackward0", F32.log1p,
                                 lambda n, g: (g / _plus(_self(n), 1),), save="self")
Expm1Backward0, expm1 = E._unary("Expm1Backward0", F32.expm1,
                                 lambda n, g: (g * _plus(_result(n), 1),), save="result")
Log2Backward0, log2 = E._unary("Log2Backward0", np.log2,
                               lambda n, g: (g / _times(_self(n), math.log(2.0)),), save="self")
Log10Backward0, log10 = E._unary("Log10Backward0", np.log10,
                                 lambda n, g: (g / _times(_self(n), math.log(10.0)),), save="self")
TanBackward0, tan = E._unary("TanBackward0", np.tan,
                             lambda n, g: (g * _plus(_result(n) ** 2, 1),), save="result")
AsinBackward0, asin = E._unary(
    "AsinBackward0", np.arcsin,
    lambda n, g: (g * _call(_one_minus_square(_self(n)), _rsqrt, "rsqrt"),), save="self")
AcosBackward0, acos = E._unary(
    "AcosBackward0", np.arccos,
    lambda n, g: (g * -_call(_one_minus_square(_self(n)), _rsqrt, "rsqrt"),), save="self")
AtanBackward0, atan = E._unary("AtanBackward0", np.arctan,
                               lambda n, g: (g / _plus(_self(n) * _self(n), 1),), save="self")
SinhBackward0, sinh = E._unary("SinhBackward0", np.sinh,
                               lambda n, g: (g * _call(_self(n), np.cosh, "cosh"),),
                               save="self")
CoshBackward0, cosh = E._unary("CoshBackward0", np.cosh,
                               lambda n, g: (g * _call(_self(n), np.sinh, "sinh"),),
                               save="self")
RsqrtBackward0, rsqrt = E._unary("RsqrtBackward0", _rsqrt,
                                 lambda n, g: (_times(g, -0.5) * _result(n) ** 3,), save="result")
ErfBackward0, erf = E._unary(
    "ErfBackward0", _erf,
    lambda n, g: (_times(_call(-(_self(n) ** 2), np.exp, "exp"), 2.0 / math.sqrt(math.pi)) * g,),
    save="self")

arcsin, arccos, arctan = asin, acos, atan

def _rsqrt_of(x):
    return _call(x, _rsqrt, "rsqrt")


def _one_over(x):
    """ATen's `1 / tensor` (Scalar / Tensor): tensor.reciprocal() * 1."""
    return _times(x.reciprocal(), 1) if isinstance(x, Tensor) else 1 / x


AsinhBackward0, asinh = E._unary("AsinhBackward0", np.arcsinh,
                                 lambda n, g: (g * _rsqrt_of(_plus(_self(n) ** 2, 1)),),
                                 save="self")
SubBackward1 = node_class("SubBackward1", lambda n, g: (g,))


def _minus(x, number: float):
    """x - number, as ATen's sub.Scalar (SubBackward1) under create_graph."""
    if not isinstance(x, Tensor):
        return x - number
    return record(SubBackward1, x._data - x._data.dtype.type(number), (x,))


AcoshBackward0, acosh = E._unary("AcoshBackward0", np.arccosh,
                                 lambda n, g: (g * _rsqrt_of(_minus(_self(n) * _self(n), 1)),),
                                 save="self")
AtanhBackward0, atanh = E._unary("AtanhBackward0", np.arctanh,
                                 lambda n, g: (g * _one_over(_plus(-(_self(n) ** 2), 1)),),
                                 save="self")
Exp2Backward0, exp2 = E._unary("Exp2Backward0", np.exp2,
                               lambda n, g: (_times(g * _result(n), math.log(2.0)),),
                               save="result")
ErfcBackward0, erfc = E._unary(
    "ErfcBackward0", lambda data: 1 - _erf(data),
    lambda n, g: (_times(_call(-(_self(n) ** 2), np.exp, "exp"), -2.0 / math.sqrt(math.pi)) * g,),
    save="self")
_PI_180 = math.pi / 180


def _scaled(node_name: str, factor: float):
    """deg2rad / rad2deg: input * factor; integers become the default float dtype."""
    cls = node_class(node_name, lambda n, g: (_times(g, factor),))

    def op(input):
        data = input._data
        if data.dtype.kind not in "fc":
            from engine.dtypes import get_default_dtype
            data = data.astype(get_default_dtype().np_dtype)
        return record(cls, data * data.dtype.type(factor), (input,))
    return cls, op


Deg2RadBackward0, deg2rad = _scaled("Deg2RadBackward0", _PI_180)
Rad2DegBackward0, rad2deg = _scaled("Rad2DegBackward0", 180 / math.pi)


def _sinc(data):
    with np.errstate(all="ignore"):
        scaled = data * data.dtype.type(math.pi)
        return np.where(data == 0, 1, np.sin(scaled) / scaled).astype(data.dtype)


def _sinc_rule(n, g):
    """sinc_backward: ((pi x cos(pi x) - sin(pi x)) / (pi x^2)), 0 at x == 0."""
    x = _self(n)
    if isinstance(x, Tensor):
        scaled = _times(x, math.pi)
        out = (scaled * scaled.cos() - scaled.sin()) / (scaled * x)
        out.masked_fill_(x == 0, 0)
        return (g * out,)
    with np.errstate(all="ignore"):
        scaled = x * x.dtype.type(math.pi)
        out = np.where(x == 0, 0, (scaled * np.cos(scaled) - np.sin(scaled)) / (scaled * x))
    return (g * out.astype(g.dtype),)


SincBackward0, sinc = E._unary("SincBackward0", _sinc, _sinc_rule, save="self")


def _logit_rule(n, g):
    x, eps = _self(n), n._attrs["eps"]
    if isinstance(x, Tensor):
        outside = (x < 0) | (x > 1) if eps is None else (x < eps) | (x > 1 - eps)
        out = g / (x * _plus(-x, 1))
        return (out.masked_fill(outside, float("nan") if eps is None else 0),)
    low, high = (0, 1) if eps is None else (eps, 1 - eps)
    with np.errstate(all="ignore"):
        out = g / (x * (1 - x))
        return (np.where((x < low) | (x > high), np.nan if eps is None else 0, out)
                .astype(g.dtype),)


LogitBackward0 = node_class("LogitBackward0", _logit_rule)


def logit(input, eps=None):
    data = input._data
    if data.dtype.kind not in "fc":
        from engine.dtypes import get_default_dtype
        data = data.astype(get_default_dtype().np_dtype)
    clipped = data if eps is None else np.clip(data, eps, 1 - eps)
    with np.errstate(all="ignore"):
        out = np.log(clipped / (1 - clipped)).astype(data.dtype)
    return record(LogitBackward0, out, (input,), {"self": input}, {"eps": eps})



def square(input):
    return E.pow(input, 2)


# ---------------------------------------------------------------- the rounding family

def _zeros_rule(n, g):
    return (zeros_grad(g),)


def _rounding(node_name: str, forward, rule=_zeros_rule):
    """An op that keeps integer tensors as they are (torch returns them unchanged in value
    and dtype) and whose gradient is zero (frac's passes it through; frac has no integer
    kernel)."""
    cls = node_class(node_name, rule)

    def op(input):
        data = input._data
        if data.dtype.kind in "iub" and node_name == "FracBackward0":
            raise NotImplementedError("\"frac_cpu\" not implemented for "
                                      f"'{input.dtype.tensor_type[:-6]}'")
        out = data.copy() if data.dtype.kind in "iub" else forward(data)
        return record(cls, out, (input,))
    return cls, op


FloorBackward0, floor = _rounding("FloorBackward0", np.floor)
CeilBackward0, ceil = _rounding("CeilBackward0", np.ceil)
TruncBackward0, trunc = _rounding("TruncBackward0", np.trunc)
FracBackward0, frac = _rounding("FracBackward0", lambda d: d - np.trunc(d),
                                rule=lambda n, g: (g,))
RoundBackward0, _round_even = _rounding("RoundBackward0", np.rint)
RoundBackward1 = node_class("RoundBackward1", _zeros_rule)


def round(input, *, decimals: int = 0):
    if decimals == 0:
        return _round_even(input)
    data = input._data
    if data.dtype.kind in "iub":
        raise NotImplementedError('"round_cpu" not implemented for '
                                  f"'{input.dtype.tensor_type[:-6]}'")
    ten_pow = data.dtype.type(10.0 ** abs(decimals))
    if decimals > 0:
        out = np.rint(data * ten_pow) / ten_pow
    else:
        out = np.rint(data / ten_pow) * ten_pow
    return record(RoundBackward1, out.astype(data.dtype, copy=False), (input,),
                  attrs={"decimals": decimals})


# ---------------------------------------------------------------- atan2

def _atan2_rule(n, g):
    self, other = n.saved("self"), n.saved("other")
    reciprocal = _call(self * self + other * other, np.reciprocal, "reciprocal")
    return (reduce_to(g * other * reciprocal, n._in_shapes[0]) if n.needs(0) else None,
            reduce_to(g * -self * reciprocal, n._in_shapes[1]) if n.needs(1) else None)


Atan2Backward0 = node_class("Atan2Backward0", _atan2_rule)


def atan2(input, other):
    dtype = result_dtype(input, other)
    if np.dtype(dtype).kind not in "fc":
        from engine.dtypes import get_default_dtype
        dtype = get_default_dtype().np_dtype
    out = np.arctan2(input._data.astype(dtype, copy=False), other._data.astype(dtype, copy=False))
    out = _layout.iterated(out, [input._data, other._data])
    return record(Atan2Backward0, out, (input, other), {"self": input, "other": other})


arctan2 = atan2

arcsinh, arccosh, arctanh = asinh, acosh, atanh

__all__ = ["log1p", "expm1", "log2", "log10", "tan", "asin", "acos", "atan", "arcsin", "arccos",
           "arctan", "sinh", "cosh", "rsqrt", "erf", "square", "floor", "ceil", "trunc", "frac",
           "round", "atan2", "arctan2", "asinh", "acosh", "atanh", "arcsinh", "arccosh",
           "arctanh", "exp2", "erfc", "deg2rad", "rad2deg", "sinc", "logit"]
METHODS = {name: globals()[name] for name in __all__}


def _in_place_ops() -> dict:
    from engine.ops import inplace as I
    keeps_integers = ("floor", "ceil", "trunc", "frac")
    ops = {f"{name}_": I._unary_inplace(f"{name}_", METHODS[name], name not in keeps_integers)
           for name in __all__ if name not in ("round", "atan2", "arctan2", "square", "logit")}
    ops["logit_"] = lambda tensor, eps=None: I._inplace(tensor, "logit_", logit, eps)
    ops["round_"] = lambda tensor, *, decimals=0: I._inplace(tensor, "round_", round,
                                                             decimals=decimals)
    ops["square_"] = lambda tensor: I.pow_(tensor, 2)
    ops["atan2_"] = ops["arctan2_"] = lambda tensor, other: I._inplace(tensor, "atan2_",
                                                                       atan2, other)
    return ops


IN_PLACE = _in_place_ops()
