"""More unary math (log1p, expm1, log2, log10, tan, asin, acos, atan, sinh, cosh, rsqrt,
erf, square), the rounding family (floor, ceil, round, trunc, frac) and atan2, with torch's
node names, saved values and backward formulas (tools/autograd/derivatives.yaml), written
with operators and methods so that under create_graph they record torch's nodes."""
from __future__ import annotations

import math

import numpy as np

from engine.autograd.node import node_class
from engine.ops import _layout, elementwise as E
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


Log1PBackward0, log1p = E._unary("Log1PBackward0", np.log1p,
                                 lambda n, g: (g / _plus(_self(n), 1),), save="self")
Expm1Backward0, expm1 = E._unary("Expm1Backward0", np.expm1,
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

__all__ = ["log1p", "expm1", "log2", "log10", "tan", "asin", "acos", "atan", "arcsin", "arccos",
           "arctan", "sinh", "cosh", "rsqrt", "erf", "square", "floor", "ceil", "trunc", "frac",
           "round", "atan2", "arctan2"]
METHODS = {name: globals()[name] for name in __all__}


def _in_place_ops() -> dict:
    from engine.ops import inplace as I
    keeps_integers = ("floor", "ceil", "trunc", "frac")
    ops = {f"{name}_": I._unary_inplace(f"{name}_", METHODS[name], name not in keeps_integers)
           for name in __all__ if name not in ("round", "atan2", "arctan2", "square")}
    ops["round_"] = lambda tensor, *, decimals=0: I._inplace(tensor, "round_", round,
                                                             decimals=decimals)
    ops["square_"] = lambda tensor: I.pow_(tensor, 2)
    ops["atan2_"] = ops["arctan2_"] = lambda tensor, other: I._inplace(tensor, "atan2_",
                                                                       atan2, other)
    return ops


IN_PLACE = _in_place_ops()
