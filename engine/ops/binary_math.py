"""More pointwise ops of two or three operands: fmod, remainder, addcmul, addcdiv, lerp,
hypot, logaddexp, xlogy, fmax, fmin, copysign; nan_to_num; and the predicates that give
bool tensors (isinf, isposinf, isneginf, signbit, logical_xor). Node names, saved values
and backward formulas are ATen's (tools/autograd/derivatives.yaml), written with operators
so that under create_graph they record a differentiable graph."""
from __future__ import annotations

import numpy as np

from engine.autograd.node import node_class
from engine.ops import elementwise as E
from engine.ops._core import as_tensor, cast, data_of, record, reduce_to, result_dtype
from engine.ops.unary_math import _plus, _times
from engine.tensor import Tensor, _c_type


def _float_dtype(*operands) -> np.dtype:
    dtype = result_dtype(*operands)
    if dtype.kind not in "fc":
        from engine.dtypes import get_default_dtype
        return get_default_dtype().np_dtype
    return dtype


def _pointwise(np_fn, dtype, input, other):
    """np_fn on the two operands in `dtype` (a Python number stays a number)."""
    a, b = (cast(data_of(op), dtype) if isinstance(op, Tensor) else op for op in (input, other))
    with np.errstate(all="ignore"):
        return cast(E._binary(np_fn, a, b), dtype)


def _grad_for(n, index: int, value):
    return reduce_to(value, n._in_shapes[index]) if n.needs(index) else None


def _is_tensor(value) -> bool:
    return isinstance(value, Tensor)


# ---------------------------------------------------------------- fmod, remainder

def _quotient_rule(rounding: str):
    """other's gradient: -grad * self.div(other, rounding_mode=rounding)."""
    def rule(n, g):
        self, other = n.saved("self"), n.saved("other")
        grad_other = None
        if n.needs(1):
            if _is_tensor(self):
                quotient = E.div(self, other, rounding_mode=rounding)
            else:
                with np.errstate(all="ignore"):
                    quotient = np.floor_divide(self, other) if rounding == "floor" \
                        else np.trunc(self / other)
            grad_other = reduce_to(-g * quotient, n._in_shapes[1])
        return _grad_for(n, 0, g), grad_other
    return rule


FmodBackward0 = node_class("FmodBackward0", lambda n, g: (g,))
FmodBackward1 = node_class("FmodBackward1", _quotient_rule("trunc"))
RemainderBackward0 = node_class("RemainderBackward0", lambda n, g: (g,))
RemainderBackward1 = node_class("RemainderBackward1", _quotient_rule("floor"))


def _modulo(np_fn, scalar_node, tensor_node, input, other):
    input = E._operand(input)
    if not isinstance(other, Tensor) and not isinstance(other, np.ndarray):
        out = _pointwise(np_fn, result_dtype(input, other), input, other)
        return record(scalar_node, out, (input,))
    other = as_tensor(other)
    dtype = result_dtype(input, other)
    if dtype.kind in "iu" and not np.all(other._data):
        raise RuntimeError("ZeroDivisionError")
    out = _pointwise(np_fn, dtype, input, other)
    return record(tensor_node, out, (input, other), {"self": input, "other": other})


def fmod(input, other):
    return _modulo(np.fmod, FmodBackward0, FmodBackward1, input, other)


def remainder(input, other):
    if not isinstance(input, Tensor):       # remainder(number, tensor)
        return _modulo(np.remainder, RemainderBackward0, RemainderBackward1,
                       as_tensor(input), other)
    return _modulo(np.remainder, RemainderBackward0, RemainderBackward1, input, other)


# ---------------------------------------------------------------- addcmul, addcdiv

def _addcmul_rule(n, g):
    value = n._attrs["value"]
    return (_grad_for(n, 0, g),
            _grad_for(n, 1, g * _times(n.saved("tensor2"), value)) if n.needs(1) else None,
            _grad_for(n, 2, g * _times(n.saved("tensor1"), value)) if n.needs(2) else None)


def _scalar_over(value, tensor):
    """`value / tensor2` in addcdiv's formula: a div of a wrapped number (DivBackward0)."""
    return E.div(value, tensor) if _is_tensor(tensor) else value / tensor


def _addcdiv_rule(n, g):
    value = n._attrs["value"]
    grad_1 = grad_2 = None
    if n.needs(1):
        grad_1 = reduce_to(g * _scalar_over(value, n.saved("tensor2")), n._in_shapes[1])
    if n.needs(2):
        t1, t2 = n.saved("tensor1"), n.saved("tensor2")
        grad_2 = reduce_to(-g * (_times(t1, value) / (t2 * t2)), n._in_shapes[2])
    return _grad_for(n, 0, g), grad_1, grad_2


AddcmulBackward0 = node_class("AddcmulBackward0", _addcmul_rule)
AddcdivBackward0 = node_class("AddcdivBackward0", _addcdiv_rule)


def _saved_factors(tensor1, tensor2) -> dict:
    """Each factor is saved only when the other one's gradient needs it."""
    saved = {}
    if tensor2._requires_grad or tensor2._base is not None and tensor2.requires_grad:
        saved["tensor1"] = tensor1
    if tensor1._requires_grad or tensor1._base is not None and tensor1.requires_grad:
        saved["tensor2"] = tensor2
    return saved


def addcmul(input, tensor1, tensor2, *, value=1):
    dtype = result_dtype(input, tensor1, tensor2)
    with E._broadcast_errors(input, tensor1, tensor2):
        out = cast(input._data + value * tensor1._data * tensor2._data, dtype)
    return record(AddcmulBackward0, out, (input, tensor1, tensor2),
                  _saved_factors(tensor1, tensor2), {"value": value})


def addcdiv(input, tensor1, tensor2, *, value=1):
    dtype = result_dtype(input, tensor1, tensor2)
    if dtype.kind in "iub":
        raise RuntimeError("Integer division with addcdiv is no longer supported, and in a "
                           "future  release addcdiv will perform a true division of tensor1 "
                           "and tensor2. The historic addcdiv behavior can be implemented as "
                           "(input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) "
                           "for integer inputs and as (input + value * tensor1 / tensor2) for "
                           "float inputs. The future addcdiv behavior is just the latter "
                           "implementation: (input + value * tensor1 / tensor2), for all "
                           "dtypes.")
    saved = {"tensor2": tensor2}
    if tensor2.requires_grad:
        saved["tensor1"] = tensor1
    with E._broadcast_errors(input, tensor1, tensor2), np.errstate(all="ignore"):
        out = cast(input._data + value * tensor1._data / tensor2._data, dtype)
    return record(AddcdivBackward0, out, (input, tensor1, tensor2), saved, {"value": value})


# ---------------------------------------------------------------- lerp

def _lerp_scalar_rule(n, g):
    weight = n._attrs["weight"]
    return (_grad_for(n, 0, _times(g, 1 - weight)) if n.needs(0) else None,
            _grad_for(n, 1, _times(g, weight)) if n.needs(1) else None)


def _lerp_tensor_rule(n, g):
    weight = n.saved("weight")
    one_minus = E.sub(1, weight) if _is_tensor(weight) else 1 - weight
    return (_grad_for(n, 0, g * one_minus) if n.needs(0) else None,
            _grad_for(n, 1, g * weight) if n.needs(1) else None,
            _grad_for(n, 2, g * (n.saved("end") - n.saved("self"))) if n.needs(2) else None)


LerpBackward0 = node_class("LerpBackward0", _lerp_scalar_rule)
LerpBackward1 = node_class("LerpBackward1", _lerp_tensor_rule)


def _lerp_values(start, end, weight):
    """ATen's lerp: from start for weight < 0.5, from end otherwise (exact at both ends);
    float32/float64 with one rounding per branch, as its vectorised kernel's fmadd."""
    dtype = np.result_type(start, end)
    with np.errstate(all="ignore"):
        if dtype in (np.float32, np.float64):
            from engine.optim._fma import fma
            start, end, weight = np.broadcast_arrays(start, end, np.asarray(weight, dtype))
            gap = (end - start).astype(dtype, copy=False)
            return np.where(np.abs(weight) < 0.5, fma(weight, gap, start, dtype),
                            fma(-gap, dtype.type(1) - weight, end, dtype))
        return np.where(np.abs(weight) < 0.5, start + weight * (end - start),
                        end - (end - start) * (1 - weight))


def lerp(input, end, weight):
    dtype = input._data.dtype
    if end._data.dtype != dtype:
        raise RuntimeError(f"expected dtype {_c_type(input)} for `end` but got dtype "
                           f"{_c_type(end)}")
    if not isinstance(weight, Tensor):
        with E._broadcast_errors(input, end):
            out = cast(_lerp_values(input._data, end._data, dtype.type(weight)), dtype)
        return record(LerpBackward0, out, (input, end), attrs={"weight": weight})
    with E._broadcast_errors(input, end, weight):
        out = cast(_lerp_values(input._data, end._data, weight._data), dtype)
    return record(LerpBackward1, out, (input, end, weight),
                  {"self": input, "end": end, "weight": weight})


# ---------------------------------------------------------------- hypot, logaddexp, xlogy

def _hypot_rule(n, g):
    result = n.saved("result")
    return (_grad_for(n, 0, g * n.saved("self") / result) if n.needs(0) else None,
            _grad_for(n, 1, g * n.saved("other") / result) if n.needs(1) else None)


def _exp(x):
    return x.exp() if _is_tensor(x) else np.exp(x)


def _logaddexp_rule(n, g):
    a, b = n.saved("self"), n.saved("other")
    return (_grad_for(n, 0, g / _plus(_exp(b - a), 1)) if n.needs(0) else None,
            _grad_for(n, 1, g / _plus(_exp(a - b), 1)) if n.needs(1) else None)


def _xlogy_values(x, y):
    with np.errstate(all="ignore"):
        return np.where(np.isnan(y), np.nan, np.where(x == 0, 0.0, x * np.log(y)))


def _xlogy_self_grad(g, x, y):
    """xlogy(grad, other).masked_fill((self == 0) & (other <= 0), 0)."""
    zeroed = (x == 0) & (y <= 0)
    if _is_tensor(g):
        return xlogy(g, y).masked_fill(zeroed, 0)
    return np.where(zeroed, 0, _xlogy_values(g, y)).astype(g.dtype)


def _xlogy_rule(n, g):
    x, y = n.saved("self"), n.saved("other")
    return (_grad_for(n, 0, _xlogy_self_grad(g, x, y)) if n.needs(0) else None,
            _grad_for(n, 1, g * x / y) if n.needs(1) else None)


HypotBackward0 = node_class("HypotBackward0", _hypot_rule)
LogaddexpBackward0 = node_class("LogaddexpBackward0", _logaddexp_rule)
XlogyBackward0 = node_class("XlogyBackward0", _xlogy_rule)
XlogyBackward1 = node_class("XlogyBackward1", lambda n, g: (
    g * n._attrs["self"] / n.saved("other"),))
XlogyBackward2 = node_class("XlogyBackward2", lambda n, g: (
    _xlogy_self_grad(g, n.saved("self"), n._attrs["other"]),))


def hypot(input, other):
    out = _pointwise(np.hypot, _float_dtype(input, other), input, other)
    return record(HypotBackward0, out, (input, other), {"self": input, "other": other},
                  save_result="result")


def logaddexp(input, other):
    out = _pointwise(np.logaddexp, _float_dtype(input, other), input, other)
    return record(LogaddexpBackward0, out, (input, other), {"self": input, "other": other})


def xlogy(input, other):
    dtype = _float_dtype(input, other)
    out = _pointwise(_xlogy_values, dtype, input, other)
    if not isinstance(input, Tensor):
        return record(XlogyBackward1, out, (other,), {"other": other}, {"self": input})
    if not isinstance(other, Tensor):
        return record(XlogyBackward2, out, (input,), {"self": input}, {"other": other})
    return record(XlogyBackward0, out, (input, other), {"self": input, "other": other})


# ---------------------------------------------------------------- fmax, fmin, copysign

def _fmax_rule(n, g, *, is_max: bool):
    a, b = n.saved("self"), n.saved("other")
    keeps_self = (a >= b) if is_max else (a <= b)
    keeps_self = keeps_self | (b != b)       # a NaN `other` leaves `self`
    if _is_tensor(g):
        return (_grad_for(n, 0, E.masked_fill(g, E.logical_not(keeps_self), 0))
                if n.needs(0) else None,
                _grad_for(n, 1, E.masked_fill(g, keeps_self, 0)) if n.needs(1) else None)
    return (_grad_for(n, 0, np.where(keeps_self, g, 0).astype(g.dtype)) if n.needs(0) else None,
            _grad_for(n, 1, np.where(keeps_self, 0, g).astype(g.dtype)) if n.needs(1) else None)


FmaxBackward0 = node_class("FmaxBackward0", lambda n, g: _fmax_rule(n, g, is_max=True))
FminBackward0 = node_class("FminBackward0", lambda n, g: _fmax_rule(n, g, is_max=False))


def fmax(input, other):
    out = _pointwise(np.fmax, result_dtype(input, other), input, other)
    return record(FmaxBackward0, out, (input, other), {"self": input, "other": other})


def fmin(input, other):
    out = _pointwise(np.fmin, result_dtype(input, other), input, other)
    return record(FminBackward0, out, (input, other), {"self": input, "other": other})


def _copysign_self_grad(n, g):
    """copysign_tensor_self_backward: grad * (result / self), 0 where self is 0."""
    x, result = n.saved("self"), n.saved("result")
    if _is_tensor(g):
        ratio = result / x
        ratio.masked_fill_(x == 0, 0)
    else:
        with np.errstate(all="ignore"):
            ratio = np.where(x == 0, 0, result / x).astype(g.dtype)
    return reduce_to(g * ratio, n._in_shapes[0])


def _copysign_rule(n, g):
    return (_copysign_self_grad(n, g) if n.needs(0) else None,
            _zeros(g, n._in_shapes[1]) if n.needs(1) else None)


def _zeros(g, shape):
    zeros = np.zeros(shape, dtype=(g._data if _is_tensor(g) else g).dtype)
    return Tensor._make(zeros) if _is_tensor(g) else zeros


CopysignBackward0 = node_class("CopysignBackward0", _copysign_rule)
CopysignBackward1 = node_class("CopysignBackward1", lambda n, g: (_copysign_self_grad(n, g),))


def copysign(input, other):
    out = _pointwise(np.copysign, _float_dtype(input, other), input, other)
    if not isinstance(other, Tensor):
        return record(CopysignBackward1, out, (input,), {"self": input},
                      save_result="result")
    return record(CopysignBackward0, out, (input, other), {"self": input},
                  save_result="result")


# ---------------------------------------------------------------- nan_to_num

NanToNumBackward0 = node_class("NanToNumBackward0", lambda n, g: (
    g * (n.saved("self").isfinite() if _is_tensor(g) else np.isfinite(n.saved("self"))),))


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    data = input._data
    if data.dtype.kind not in "fc":
        return record(NanToNumBackward0, data.copy(), (input,), {"self": input})
    info = np.finfo(data.dtype)
    out = np.nan_to_num(data, nan=0.0 if nan is None else nan,
                        posinf=info.max if posinf is None else posinf,
                        neginf=info.min if neginf is None else neginf)
    return record(NanToNumBackward0, cast(out, data.dtype), (input,), {"self": input})


# ---------------------------------------------------------------- predicates (bool)

def _predicate(np_fn, integers):
    def op(input):
        data = as_tensor(input)._data
        if data.dtype.kind in "iub":
            return Tensor._make(integers(data))
        return Tensor._make(np.asarray(np_fn(data)))
    return op


_all_false = lambda data: np.zeros(data.shape, np.bool_)   # noqa: E731
isinf = _predicate(np.isinf, _all_false)
isposinf = _predicate(np.isposinf, _all_false)
isneginf = _predicate(np.isneginf, _all_false)
signbit = _predicate(np.signbit, lambda data: np.asarray(np.signbit(data)))


def logical_xor(input, other):
    return Tensor._make(np.asarray(E._binary(np.logical_xor, data_of(input), data_of(other))))


__all__ = ["fmod", "remainder", "addcmul", "addcdiv", "lerp", "hypot", "logaddexp", "xlogy",
           "fmax", "fmin", "copysign", "nan_to_num", "isinf", "isposinf", "isneginf",
           "signbit", "logical_xor"]
METHODS = {name: globals()[name] for name in __all__}


def _in_place_ops() -> dict:
    from engine.ops import inplace as I
    names = ("fmod", "remainder", "addcmul", "addcdiv", "lerp", "hypot", "xlogy", "copysign",
             "nan_to_num", "logical_xor")
    return {f"{name}_": _in_place(I, name) for name in names}


def _in_place(I, name):
    op = METHODS[name]
    return lambda tensor, *args, **kwargs: I._inplace(tensor, f"{name}_", op, *args, **kwargs)


IN_PLACE = _in_place_ops()
OPERATORS = {"__mod__": remainder, "__rmod__": lambda self, other: remainder(other, self)}
