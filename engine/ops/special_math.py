"""The gamma family (lgamma, digamma, polygamma, mvlgamma), erfinv, i0 (and special.i1),
logaddexp2, logcumsumexp, ldexp, frexp, nextafter, heaviside, float_power, gcd/lcm, dist
and renorm, with torch's node names, saved values and backward formulas
(tools/autograd/derivatives.yaml); the special functions' values come from
engine/kernels/special.py (issue #11)."""
from __future__ import annotations

import math

import numpy as np

from engine.autograd.node import node_class
from engine.ops import _layout
from engine.ops import elementwise as E
from engine.ops import inplace as I
from engine.ops._core import as_saved, as_tensor, cast, data_of, record, reduce_to, \
    result_dtype, wrap_dim, zeros_grad
from engine.ops.reductions import _return_type
from engine.ops.structural import tensor_rule
from engine.ops.unary_math import _call, _plus, _times
from engine.tensor import Tensor


def _special_kernels():
    """engine.kernels.special, imported on the first call: importing the kernels brings
    Numba (~0.3 s and ~70 MB), which a process that never computes lgamma or erfinv (the
    debugger, a plain script) must not pay for at `import torch`."""
    from engine.kernels import special
    return special

_TYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
               "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
               "bool": "Bool"}


def _special(name: str, n: int = 0):
    return lambda data: _special_kernels().apply(name, data, n)


def _self(n):
    return n.saved("self")


def _float_data(input) -> np.ndarray:
    data = input._data
    if data.dtype.kind not in "fc":
        from engine.dtypes import get_default_dtype
        data = data.astype(get_default_dtype().np_dtype)
    return data


# ---------------------------------------------------------------- the gamma family

def _polygamma_of(x, order: int):
    if isinstance(x, Tensor):
        return polygamma(order, x)
    return _special_kernels().apply("polygamma", x, order)


LgammaBackward0, lgamma = E._unary(
    "LgammaBackward0", _special("lgamma"),
    lambda n, g: (g * _call(_self(n), _special("digamma"), "digamma"),), save="self")
DigammaBackward0, digamma = E._unary(
    "DigammaBackward0", _special("digamma"),
    lambda n, g: (g * _polygamma_of(_self(n), 1),), save="self")
def _polygamma_rule(n, g):
    return (g * _polygamma_of(_self(n), n._attrs["n"] + 1),)


PolygammaBackward0 = node_class("PolygammaBackward0", _polygamma_rule)
# polygamma_ (the in-place method) records this one
PolygammaBackward1 = node_class("PolygammaBackward1", _polygamma_rule)


def polygamma(n: int, input, *, _node=PolygammaBackward0):
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    data = _float_data(input)
    out = _layout.iterated(_special_kernels().apply("polygamma", data, n), [data])
    return record(_node, out, (input,), {"self": input}, {"n": n})


def _mvlgamma_rule(n, g):
    p = n._attrs["p"]
    x = _self(n)
    offsets = np.arange(-p * 0.5 + 0.5, 0.5, 0.5)
    if isinstance(x, Tensor):
        from engine.ops.reductions import sum as _sum
        args = x.unsqueeze(-1) + Tensor._make(offsets.astype(x._data.dtype))
        return (g * _sum(digamma(args), -1),)
    args = x[..., None] + offsets.astype(x.dtype)
    return (g * _special_kernels().apply("digamma", args).sum(-1),)


MvlgammaBackward0 = node_class("MvlgammaBackward0", _mvlgamma_rule)


def mvlgamma(input, p: int):
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    data = _float_data(input)
    offsets = np.arange(-p * 0.5 + 0.5, 0.5, 0.5)
    args = data[..., None] + offsets.astype(data.dtype)
    constant = p * (p - 1) * math.log(math.pi) / 4
    out = (_special_kernels().apply("lgamma", args).sum(-1) + data.dtype.type(constant)).astype(data.dtype)
    return record(MvlgammaBackward0, out, (input,), {"self": input}, {"p": p})


# ---------------------------------------------------------------- erfinv, i0, i1

def _erfinv_rule(n, g):
    x = _self(n)
    if isinstance(x, Tensor):
        return (_times(erfinv(x).pow(2).exp(), 0.5 * math.sqrt(math.pi)) * g,)
    inverse = _special_kernels().apply("erfinv", x)
    return (g * (np.exp(inverse * inverse) * x.dtype.type(0.5 * math.sqrt(math.pi))),)


ErfinvBackward0, erfinv = E._unary("ErfinvBackward0", _special("erfinv"), _erfinv_rule,
                                   save="self")


def _i1_rule(n, g):
    """i1'(x) = i0(x) - i1(x) / x, 0.5 at 0."""
    x, result = _self(n), n.saved("result")
    if isinstance(x, Tensor):
        slope = i0(x) - result / x
        return (g * slope.masked_fill(x == 0, 0.5),)
    with np.errstate(all="ignore"):
        slope = _special_kernels().apply("i0", x) - result / x
    return (g * np.where(x == 0, x.dtype.type(0.5), slope).astype(x.dtype),)


SpecialI1Backward0 = node_class("SpecialI1Backward0", _i1_rule)


def i1(input):
    data = _float_data(input)
    out = _layout.iterated(_special_kernels().apply("i1", data), [data])
    return record(SpecialI1Backward0, out, (input,), {"self": input}, save_result="result")


I0Backward0, i0 = E._unary(
    "I0Backward0", _special("i0"),
    lambda n, g: (g * (i1(_self(n)) if isinstance(_self(n), Tensor) else
                       _special_kernels().apply("i1", _self(n))),), save="self")


# ---------------------------------------------------------------- logaddexp2, logcumsumexp

def _check_float_kernel(dtype: np.dtype, kernel: str) -> None:
    if dtype.kind not in "fc":
        raise NotImplementedError(f'"{kernel}" not implemented for '
                                  f"'{_TYPE_NAMES.get(dtype.name, dtype.name)}'")


def _logaddexp2_rule(n, g):
    a, b = n.saved("self"), n.saved("other")
    grads = []
    for index, (first, second) in enumerate(((b, a), (a, b))):
        if not n.needs(index):
            grads.append(None)
            continue
        if isinstance(g, Tensor):
            share = g / _plus(E.pow(2, first - second), 1)
        else:
            with np.errstate(all="ignore"):
                share = g / (1 + np.exp2(first - second))
        grads.append(reduce_to(share, n._in_shapes[index]))
    return tuple(grads)


Logaddexp2Backward0 = node_class("Logaddexp2Backward0", _logaddexp2_rule)


def logaddexp2(input, other):
    dtype = result_dtype(input, other)
    _check_float_kernel(dtype, "logaddexp2_cpu")
    a, b = cast(input._data, dtype), cast(other._data, dtype)
    with np.errstate(all="ignore"):
        out = E._binary(np.logaddexp2, a, b, (input, other))
    return record(Logaddexp2Backward0, np.asarray(out, dtype=dtype), (input, other),
                  {"self": input, "other": other})


def _reverse_logcumsumexp(x: Tensor, dim: int) -> Tensor:
    from engine.ops.ordering import flip
    return flip(logcumsumexp(flip(x, dim), dim), dim)


@tensor_rule
def _logcumsumexp_rule(n, g, saved):
    """Gradient of log(cumsum(exp(x))): sum over j >= i of g_j exp(x_i - result_j), taken
    in log space for the positive and the negative parts of g apart."""
    x, result, dim = saved("self"), saved("result"), n._attrs["_dim"]
    if x._data.ndim == 0:
        return (g,)
    lowest = np.finfo(g._data.dtype).min
    log_abs = g.abs().log()
    positive = E.where(g > 0, log_abs, Tensor._make(np.asarray(lowest, dtype=g._data.dtype)))
    negative = E.where(g < 0, log_abs, Tensor._make(np.asarray(lowest, dtype=g._data.dtype)))
    out_positive = (_reverse_logcumsumexp(positive - result, dim) + x).exp()
    out_negative = (_reverse_logcumsumexp(negative - result, dim) + x).exp()
    return (out_positive - out_negative,)


LogcumsumexpBackward0 = node_class("LogcumsumexpBackward0", _logcumsumexp_rule)


def logcumsumexp(input, dim):
    data = input._data
    _check_float_kernel(data.dtype, "logcumsumexp_out_cpu")
    d = wrap_dim(dim, max(data.ndim, 1))
    with np.errstate(all="ignore"):
        out = data.copy() if data.ndim == 0 else np.logaddexp.accumulate(data, axis=d)
    return record(LogcumsumexpBackward0, _layout.contiguous(out.astype(data.dtype, copy=False)),
                  (input,), {"self": input}, {"dim": as_saved(dim), "_dim": d},
                  save_result="result")


# ---------------------------------------------------------------- ldexp, frexp, nextafter

def _power_of_two(other):
    """ATen's pow(2, other): in other's dtype, so an integer exponent below 0 gives 0."""
    data = data_of(other)
    if data.dtype.kind in "iub":
        powers = np.where(data < 0, 0, np.left_shift(1, np.clip(data, 0, 62).astype(np.int64)))
        powers = powers.astype(data.dtype)
        return Tensor._make(powers) if isinstance(other, Tensor) else powers
    return E.pow(2.0, other) if isinstance(other, Tensor) else np.exp2(data)


def _ldexp_rule(n, g):
    other, result = n.saved("other"), n.saved("result")
    grad_self = grad_other = None
    if n.needs(0):
        scale = _power_of_two(other)
        if not isinstance(g, Tensor):
            scale = scale.astype(g.dtype)
        grad_self = reduce_to(g * scale, n._in_shapes[0])
    if n.needs(1):
        grad_other = reduce_to(_times(g * result, math.log(2.0)), n._in_shapes[1])
    return grad_self, grad_other


LdexpBackward0 = node_class("LdexpBackward0", _ldexp_rule)


def ldexp(input, other):
    dtype = result_dtype(input, other)
    if dtype.kind not in "fc":
        from engine.dtypes import get_default_dtype
        dtype = get_default_dtype().np_dtype
    a, b = cast(input._data, dtype), cast(other._data, dtype)
    with np.errstate(all="ignore"):
        out = np.asarray(E._binary(lambda x, y: x * np.exp2(y), a, b, (input, other)),
                         dtype=dtype)
    return record(LdexpBackward0, out, (input, other), {"other": other},
                  save_result="result")


def _frexp_rule(n, g):
    exponent = n.saved("exponent")
    if isinstance(g, Tensor):
        return (g / E.pow(2.0, exponent),)
    return (g / np.exp2(exponent).astype(g.dtype),)


FrexpBackward0 = node_class("FrexpBackward0", _frexp_rule)
_frexp_result = _return_type("frexp", ("mantissa", "exponent"))


def frexp(input):
    data = input._data
    if data.dtype.kind != "f":
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    mantissa, exponent = np.frexp(data)
    exponent = Tensor._make(np.asarray(exponent, dtype=np.int32))
    out = record(FrexpBackward0, np.asarray(mantissa, dtype=data.dtype), (input,),
                 {"exponent": exponent})
    return _frexp_result(out, exponent)


NextafterBackward0 = node_class("NextafterBackward0", lambda n, g: (
    reduce_to(g, n._in_shapes[0]) if n.needs(0) else None,
    zeros_grad(g, n._in_shapes[1]) if n.needs(1) else None))


def nextafter(input, other):
    dtype = result_dtype(input, other)
    _check_float_kernel(dtype, "nextafter_cpu")
    out = E._binary(np.nextafter, cast(input._data, dtype), cast(other._data, dtype),
                    (input, other))
    return record(NextafterBackward0, np.asarray(out, dtype=dtype), (input, other),
                  {"self": input, "other": other})


# ---------------------------------------------------------------- heaviside, gcd, lcm

def heaviside(input, values):
    if input._data.dtype != values._data.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different "
                           "dtypes.")
    data = input._data
    out = E._binary(lambda x, v: np.where(x == 0, v, x > 0), data, values._data,
                    (input, values))
    out = np.asarray(out, dtype=data.dtype)
    if out.dtype.kind not in "fc":
        return Tensor._make(out)
    from engine.ops.aliases import _not_implemented
    return _not_implemented("aten::heaviside", out, (input, values))


def _integer_binary(np_fn, kernel: str):
    def op(input, other):
        input = input if isinstance(input, Tensor) else as_tensor(input)
        dtype = result_dtype(input, other)
        if dtype.kind not in "iub":
            raise NotImplementedError(f'"{kernel}_cpu" not implemented for '
                                      f"'{_TYPE_NAMES.get(dtype.name, dtype.name)}'")
        b = cast(data_of(other), dtype) if isinstance(other, Tensor) else \
            np.asarray(other, dtype=dtype)
        out = E._binary(np_fn, cast(input._data, dtype), b, (input, other))
        return Tensor._make(np.asarray(out, dtype=dtype))
    op.__name__ = kernel
    return op


gcd = _integer_binary(np.gcd, "gcd")
lcm = _integer_binary(np.lcm, "lcm")


# ---------------------------------------------------------------- float_power

def _to_double(value):
    if isinstance(value, Tensor):
        return E.to_dtype(value, np.dtype(np.float64))
    return value


def float_power(input, exponent):
    if not isinstance(input, Tensor):
        return E.pow(float(input), _to_double(exponent))
    exponent = float(exponent) if not isinstance(exponent, Tensor) else _to_double(exponent)
    return E.pow(_to_double(input), exponent)


def float_power_(tensor, exponent):
    if tensor._data.dtype != np.float64:
        name = _TYPE_NAMES.get(tensor._data.dtype.name)
        raise RuntimeError(f"the base given to float_power_ has dtype {name} but the "
                           "operation's result requires dtype Double")
    exponent = float(exponent) if not isinstance(exponent, Tensor) else _to_double(exponent)
    return I.pow_(tensor, exponent)


# ---------------------------------------------------------------- dist, renorm

def _norm_backward(g, x, p, norm):
    """ATen's norm_backward for a whole-tensor p-norm, on Tensors, op for op."""
    zero = lambda t: t.masked_fill(norm == 0, 0)       # noqa: E731
    if p == 0:
        return Tensor._make(np.zeros(x._data.shape, dtype=x._data.dtype))
    if p == 1:
        return x.sgn() * g
    if p == 2:
        return g * zero(x / norm)
    if math.isinf(p):
        mask = (x.abs() == norm).to(x.dtype)
        return x.sgn() * ((g / mask.sum()) * mask)
    if p < 1:
        return x.sgn() * x.abs().pow(p - 1).masked_fill(x == 0, 0) * g * norm.pow(1 - p)
    if p < 2:
        return x.sgn() * x.abs().pow(p - 1) * zero(g / norm.pow(p - 1))
    return x * x.abs().pow(p - 2) * zero(g / norm.pow(p - 1))


@tensor_rule
def _dist_rule(n, g, saved):
    p = n._attrs["_p"]
    if p == 0:          # ATen's norm_backward gives an undefined gradient: none flows
        return None, None
    x = saved("self") - saved("other")
    grad = _norm_backward(g, x, p, saved("result"))
    return (reduce_to(grad, n._in_shapes[0]) if n.needs(0) else None,
            reduce_to(-grad, n._in_shapes[1]) if n.needs(1) else None)


DistBackward0 = node_class("DistBackward0", _dist_rule)


def dist(input, other, p=2):
    dtype = result_dtype(input, other)
    if dtype.kind not in "fc":
        raise RuntimeError("norm(): input dtype should be either floating point or complex. "
                           f"Got {_TYPE_NAMES.get(dtype.name)} instead.")
    diff = np.abs(E._binary(np.subtract, cast(input._data, dtype), cast(other._data, dtype),
                            (input, other))).astype(dtype).reshape(-1)
    p = float(p)
    if p == 0:
        value = np.count_nonzero(diff)
    elif math.isinf(p):
        value = (diff.max() if p > 0 else diff.min()) if diff.size else 0.0
    elif p == 2:
        value = np.sqrt(np.dot(diff.astype(np.float64), diff.astype(np.float64)))
    else:
        value = np.sum(diff.astype(np.float64) ** p) ** (1 / p)
    out = np.asarray(value, dtype=dtype)
    return record(DistBackward0, out, (input, other), {"self": input, "other": other},
                  {"p": p, "_p": p}, save_result="result")


@tensor_rule
def _renorm_rule(n, g, saved):
    """renorm_backward: each slice scaled by maxnorm / norm when its norm is above maxnorm,
    differentiated through the norm."""
    x = saved("self")
    a = n._attrs
    p, dim, maxnorm = a["_p"], a["_dim"], a["maxnorm"]
    dims = tuple(d for d in range(x._data.ndim) if d != dim)
    from engine.linalg import vector_norm
    norm = vector_norm(x, p, dims, keepdim=True)
    above = norm > maxnorm
    scale = E.where(above, maxnorm / (_plus(norm, 1e-7)), Tensor._make(
        np.ones((), dtype=x._data.dtype)))
    from engine.ops.reductions import sum as _sum
    if not above._data.any():
        return (g * scale,)
    inner = _sum(g * x, dims, keepdim=True)
    norm_grad = _norm_backward_keepdim(inner, x, p, norm, dims)
    correction = -maxnorm / (_plus(norm, 1e-7)) ** 2 * norm_grad
    return (g * scale + E.where(above, correction, Tensor._make(np.zeros((), x._data.dtype))),)


def _norm_backward_keepdim(inner, x, p, norm, dims):
    """d norm / d x, times `inner` (per slice), for the p-norm over `dims`."""
    if p == 2:
        return x * (inner / norm).masked_fill(norm == 0, 0)
    if math.isinf(p):
        mask = (x.abs() == norm).to(x.dtype)
        from engine.ops.reductions import sum as _sum
        return x.sgn() * mask * (inner / _sum(mask, dims, keepdim=True))
    if p == 1:
        return x.sgn() * inner
    return x.sgn() * x.abs().pow(p - 1) * (inner / norm.pow(p - 1)).masked_fill(norm == 0, 0)


RenormBackward0 = node_class("RenormBackward0", _renorm_rule)


def renorm(input, p, dim, maxnorm):
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    data = input._data
    if data.ndim < 2:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {data.ndim} "
                           "dimensions")
    d = wrap_dim(dim, data.ndim)
    dims = tuple(k for k in range(data.ndim) if k != d)
    magnitude = np.abs(data.astype(np.float64))
    if math.isinf(p):
        norm = magnitude.max(axis=dims, keepdims=True)
    else:
        norm = (magnitude ** p).sum(axis=dims, keepdims=True) ** (1 / p)
    norm = norm.astype(data.dtype)
    factor = np.where(norm > maxnorm, data.dtype.type(maxnorm) / (norm + data.dtype.type(1e-7)),
                      data.dtype.type(1))
    out = (data * factor).astype(data.dtype)
    return record(RenormBackward0, out, (input,), {"self": input},
                  {"dim": as_saved(dim), "maxnorm": maxnorm, "p": p, "_p": p, "_dim": d})


# ---------------------------------------------------------------- tables

def _in_place(name: str, op, float_result: bool = True):
    if float_result:
        return I._unary_inplace(name, op)
    return lambda tensor, *args: I._inplace(tensor, name, op, *args)


__all__ = ["lgamma", "digamma", "polygamma", "mvlgamma", "erfinv", "i0", "logaddexp2",
           "logcumsumexp", "ldexp", "frexp", "nextafter", "heaviside", "gcd", "lcm",
           "float_power", "dist", "renorm"]
FUNCTIONS = {name: globals()[name] for name in __all__}
METHODS = {**FUNCTIONS, "polygamma": lambda self, n: polygamma(n, self)}
IN_PLACE = {
    "lgamma_": _in_place("lgamma_", lgamma), "digamma_": _in_place("digamma_", digamma),
    "erfinv_": _in_place("erfinv_", erfinv), "i0_": _in_place("i0_", i0),
    "polygamma_": lambda tensor, n: I._inplace(tensor, "polygamma_", polygamma_method, n),
    "mvlgamma_": lambda tensor, p: I._inplace(tensor, "mvlgamma_", mvlgamma, p),
    "ldexp_": lambda tensor, other: I._inplace(tensor, "ldexp_", ldexp, other),
    "nextafter_": lambda tensor, other: I._inplace(tensor, "nextafter_", nextafter, other),
    "heaviside_": lambda tensor, values: I._inplace(tensor, "heaviside_", heaviside, values),
    "gcd_": lambda tensor, other: I._inplace(tensor, "gcd_", gcd, other),
    "lcm_": lambda tensor, other: I._inplace(tensor, "lcm_", lcm, other),
    "float_power_": float_power_,
    "renorm_": lambda tensor, p, dim, maxnorm: I._inplace(tensor, "renorm_", renorm, p, dim,
                                                          maxnorm),
}


def polygamma_method(input, n):
    return polygamma(n, input, _node=PolygammaBackward1)


FUNCTIONS.update({"i0_": IN_PLACE["i0_"], "gcd_": IN_PLACE["gcd_"],
                  "lcm_": IN_PLACE["lcm_"], "ldexp_": IN_PLACE["ldexp_"]})
