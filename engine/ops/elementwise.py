"""Elementwise ops and their backward rules.

Each op: a forward on arrays, what it saves (as PyTorch saves it), and a rule
`rule(node, grad) -> one gradient per edge` registered under PyTorch's node name.
"""
from __future__ import annotations

import numpy as np

from engine.autograd.node import node_class
from engine.ops import _float32_math as F32, _layout, _poly as P
from engine.ops._core import (as_tensor, cast, collect_edges, data_of, is_scalar, record, reduce_to,
                              result_dtype, zeros_grad)
from engine.dtypes import from_numpy_dtype
from engine.tensor import Tensor, _c_type


def _operand(value):
    if isinstance(value, Tensor) or is_scalar(value):
        return value
    return as_tensor(value)


class _broadcast_errors:
    """Turn NumPy's broadcast ValueError into PyTorch's text."""

    def __init__(self, *operands) -> None:
        self.operands = operands

    def __enter__(self) -> None:
        pass

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is ValueError and "broadcast" in str(exc):
            shapes = [op._data.shape for op in self.operands if isinstance(op, Tensor)]
            raise _first_broadcast_error(shapes) from None
        return False


def _first_broadcast_error(shapes: list) -> RuntimeError:
    """The error for the first operand that does not broadcast with those before it."""
    so_far = shapes[0]
    for shape in shapes[1:]:
        try:
            so_far = np.broadcast_shapes(so_far, shape)
        except ValueError:
            return broadcast_error(so_far, shape)
    return broadcast_error(*shapes[:2])


def broadcast_error(a: tuple, b: tuple) -> RuntimeError:
    ndim = max(len(a), len(b))
    a_full, b_full = (1,) * (ndim - len(a)) + a, (1,) * (ndim - len(b)) + b
    for dim in range(ndim - 1, -1, -1):
        if a_full[dim] != b_full[dim] and 1 not in (a_full[dim], b_full[dim]):
            return RuntimeError(f"The size of tensor a ({a_full[dim]}) must match the size of "
                                f"tensor b ({b_full[dim]}) at non-singleton dimension {dim}")
    return RuntimeError(f"shapes {a} and {b} cannot be broadcast together")


def _binary(np_fn, a, b, operands: tuple = ()):
    """np_fn(a, b) with PyTorch's error for shapes that don't broadcast, laid out as
    TensorIterator lays it out; `operands`: the op's inputs, whose grad_fns autograd reads
    before the kernel checks shapes."""
    try:
        return _layout.iterated(np_fn(a, b), [a, b])
    except ValueError as error:
        if "broadcast" not in str(error):
            raise
        collect_edges(operands)
        raise broadcast_error(np.shape(a), np.shape(b)) from None


def _tensor_or_none(value):
    return value if isinstance(value, Tensor) else None


def _save_if(wanted: bool, saved: dict, attrs: dict, name: str, value) -> None:
    """Save an operand (a Python number is saved too, as PyTorch saves a wrapped number);
    a value that is not needed reads back as None, as in PyTorch."""
    if wanted:
        saved[name] = value
    else:
        attrs[name] = None


def _requires_grad(value) -> bool:
    """Whether the node gets an edge for `value`: ATen saves what a formula reads only for the
    inputs that get a gradient (a view made under no_grad requires grad yet has no edge)."""
    if not isinstance(value, Tensor):
        return False
    from engine.autograd import grad_mode
    from engine.ops._core import has_edge
    if not grad_mode.state.enabled:
        return value._requires_grad
    return has_edge(value)


def _float_result(dtype: np.dtype) -> np.dtype:
    from engine.dtypes import get_default_dtype
    return dtype if dtype.kind in "fc" else get_default_dtype().np_dtype


# ---------------------------------------------------------------- add, sub, rsub

def _times_alpha(g, alpha):
    """ATen's maybe_multiply(grad, alpha): a mul.Scalar (MulBackward1) under create_graph."""
    if alpha == 1:
        return g
    return mul_scalar(g, alpha) if isinstance(g, Tensor) else g * alpha


def _add_rule(n, g):
    alpha = n._attrs["alpha"]
    return (reduce_to(g, n._in_shapes[0]) if n.needs(0) else None,
            reduce_to(_times_alpha(g, alpha), n._in_shapes[1]) if n.needs(1) else None)


def _sub_rule(n, g):
    alpha = n._attrs["alpha"]
    return (reduce_to(g, n._in_shapes[0]) if n.needs(0) else None,
            reduce_to(_times_alpha(-g, alpha), n._in_shapes[1]) if n.needs(1) else None)


AddBackward0 = node_class("AddBackward0", _add_rule)
SubBackward0 = node_class("SubBackward0", _sub_rule)
RsubBackward0 = node_class("RsubBackward0", lambda n, g: (
    reduce_to(_times_alpha(-g, n._attrs["alpha"]), n._in_shapes[0]) if n.needs(0) else None,
    reduce_to(g, n._in_shapes[1]) if n.needs(1) else None))
RsubBackward1 = node_class("RsubBackward1", lambda n, g: (
    reduce_to(_times_alpha(-g, n._attrs["alpha"]), n._in_shapes[0]),))


def add(input, other, *, alpha=1):
    input, other = _operand(input), _operand(other)
    a, b = data_of(input), data_of(other)
    out = cast(_binary(np.add, a, b if alpha == 1 else b * alpha, (input, other)), result_dtype(input, other))
    return record(AddBackward0, out, (_tensor_or_none(input), _tensor_or_none(other)),
                  attrs={"alpha": alpha})


def sub(input, other, *, alpha=1):
    input, other = _operand(input), _operand(other)
    return record(SubBackward0, _difference(input, other, alpha),
                  (_tensor_or_none(input), _tensor_or_none(other)), attrs={"alpha": alpha})


def _difference(input, other, alpha) -> np.ndarray:
    """input - alpha * other, with sub's checks."""
    a, b = data_of(input), data_of(other)
    dtype = result_dtype(input, other)
    if dtype.kind == "b":
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    return cast(_binary(np.subtract, a, b if alpha == 1 else b * alpha, (input, other)), dtype)


def rsub(input, other, *, alpha=1):
    """other - alpha * input: RsubBackward0 (input, other) for a tensor `other`, RsubBackward1
    for a scalar."""
    input = _operand(input)
    if isinstance(other, Tensor):
        return record(RsubBackward0, _difference(other, input, alpha), (input, other),
                      attrs={"alpha": alpha})
    a = data_of(input)
    out = cast(other - (a if alpha == 1 else a * alpha), result_dtype(input, other))
    return record(RsubBackward1, out, (input,), attrs={"alpha": alpha})


# ---------------------------------------------------------------- mul, div

def _mul_rule(n, g):
    return (reduce_to(g * n.get("other"), n._in_shapes[0]) if n.needs(0) else None,
            reduce_to(g * n.get("self"), n._in_shapes[1]) if n.needs(1) else None)


def _div_rule(n, g):
    other = n.get("other")
    grad_self = reduce_to(g / other, n._in_shapes[0]) if n.needs(0) else None
    grad_other = None
    if n.needs(1):
        # ATen's div_tensor_other_backward: -grad * ((self / other) / other)
        grad_other = reduce_to(-g * ((n.get("self") / other) / other), n._in_shapes[1])
    return grad_self, grad_other


MulBackward0 = node_class("MulBackward0", _mul_rule)
DivBackward0 = node_class("DivBackward0", _div_rule)
# div with a rounding mode: a step function, zero gradients (with no graph of their own).
DivBackward2 = node_class("DivBackward2", lambda n, g: tuple(
    zeros_grad(g, shape) if shape is not None and n.needs(index) else None
    for index, shape in enumerate(n._in_shapes)))


def mul(input, other):
    input, other = _operand(input), _operand(other)
    out = cast(_binary(np.multiply, data_of(input), data_of(other), (input, other)), result_dtype(input, other))
    saved, attrs = {}, {}
    _save_if(_requires_grad(input), saved, attrs, "other", other)
    _save_if(_requires_grad(other), saved, attrs, "self", input)
    return record(MulBackward0, out, (_tensor_or_none(input), _tensor_or_none(other)),
                  saved, attrs)


def div(input, other, *, rounding_mode=None):
    input, other = _operand(input), _operand(other)
    dtype = result_dtype(input, other)
    a, b = data_of(input), data_of(other)
    if rounding_mode is not None:
        return record(DivBackward2, rounded_quotient(a, b, rounding_mode, dtype),
                      (_tensor_or_none(input), _tensor_or_none(other)),
                      {"self": input, "other": other}, {"rounding_mode": rounding_mode})
    out = cast(_binary(np.true_divide, a, b, (input, other)), _float_result(dtype))
    saved, attrs = {}, {}
    # ATen's DivBackward0 unpacks other before self (a check of both names other first)
    _save_if(_requires_grad(input) or _requires_grad(other), saved, attrs, "other", other)
    _save_if(_requires_grad(other), saved, attrs, "self", input)
    return record(DivBackward0, out, (_tensor_or_none(input), _tensor_or_none(other)),
                  saved, attrs)


def rounded_quotient(a, b, rounding_mode: str, dtype) -> np.ndarray:
    quotient = np.floor_divide(a, b) if rounding_mode == "floor" else np.trunc(np.true_divide(a, b))
    return cast(quotient, dtype)


def floor_divide(input, other):
    """input // other: torch records no derivative for it (a NotImplemented node), so the
    result here has none."""
    input, other = _operand(input), _operand(other)
    quotient = rounded_quotient(data_of(input), data_of(other), "floor",
                                result_dtype(input, other))
    return Tensor._make(quotient)


# ATen's add.Scalar / mul.Scalar / div.Scalar, as PyTorch's C++ code calls them (inside
# cross_entropy, say): they keep the Python number as a plain `_saved_other`. A tensor and a
# Python number in user code go through add / mul / div above (AddBackward0, MulBackward0).

AddBackward1 = node_class("AddBackward1", lambda n, g: (g,))
MulBackward1 = node_class("MulBackward1", lambda n, g: (  # mul.Scalar again under create_graph
    mul_scalar(g, n._attrs["other"]) if isinstance(g, Tensor) else g * n._attrs["other"],))
DivBackward1 = node_class("DivBackward1", lambda n, g: (g / n._attrs["other"],))


def add_scalar(input: Tensor, other) -> Tensor:
    out = cast(input._data + other, result_dtype(input, other))
    return record(AddBackward1, out, (input,))


def mul_scalar(input: Tensor, other) -> Tensor:
    out = cast(input._data * other, result_dtype(input, other))
    return record(MulBackward1, out, (input,), attrs={"other": other})


def div_scalar(input: Tensor, other) -> Tensor:
    out = cast(input._data / other, _float_result(result_dtype(input, other)))
    return record(DivBackward1, out, (input,), attrs={"other": other})


def rdiv(input, other):
    """other / input for a scalar `other`: PyTorch records reciprocal then mul."""
    if isinstance(other, Tensor):
        return div(other, input)
    return mul(reciprocal(input), other)


# ---------------------------------------------------------------- pow

def _pow_scalar_rule(n, g):
    exponent = n._attrs["exponent"]
    base = n.saved("self")      # unpacked first, as ATen's node does: raises once freed
    if exponent == 0:
        return (P.zeros(n._in_shapes[0], g),)
    powered = (_power(base, exponent - 1) if isinstance(base, np.ndarray)
               else base ** (exponent - 1))
    # ATen's pow_backward: grad * (exponent * self.pow(exponent - 1)), a mul.Scalar
    # (MulBackward1) under create_graph.
    scaled = mul_scalar(powered, exponent) if isinstance(powered, Tensor) else powered * exponent
    return (g * scaled,)


def _pow_tensor_rule(n, g):
    base, exponent = n.get("self"), n.get("exponent")
    grad_base = grad_exp = None
    if n.needs(0):
        grad_base = reduce_to(g * exponent * base ** (exponent - 1), n._in_shapes[0])
    if n.needs(1):
        grad_exp = reduce_to(g * n.saved("result") * _log_base(base, exponent), n._in_shapes[1])
    return grad_base, grad_exp


def _pow_scalar_base_rule(n, g):
    """ATen's grad * (result * log(self)): a mul.Scalar (MulBackward1) under create_graph; the
    log is a Python float, so it keeps a float32 gradient float32."""
    factor = float(np.log(n._attrs["self"]))
    result = n.saved("result")
    scaled = mul_scalar(result, factor) if isinstance(result, Tensor) else result * factor
    return (g * scaled,)


def _log_base(base, exponent):
    """log(base), but 0 where base == 0 and exponent >= 0 (as PyTorch masks it)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = P.log(base)
    return P.where((base == 0) & (exponent >= 0), P.zeros(tuple(logs.shape), logs), logs)


def _power(base, exponent):
    """np.power, with ATen's special cases and float32 results (see _float32_math.power)."""
    number = isinstance(exponent, (int, float)) and not isinstance(exponent, bool)
    dtype = getattr(base, "dtype", None)
    if dtype != np.float32:
        special = F32.scalar_power(base, exponent) if number and dtype == np.float64 \
            else None
        return np.power(base, exponent) if special is None else special
    if number:
        return F32.power(base, exponent)
    if getattr(exponent, "dtype", None) == np.float32:
        return np.power(base, exponent, dtype=np.float64).astype(np.float32)
    return np.power(base, exponent)


PowBackward0 = node_class("PowBackward0", _pow_scalar_rule)
PowBackward1 = node_class("PowBackward1", _pow_tensor_rule)
PowBackward2 = node_class("PowBackward2", _pow_scalar_base_rule)


def pow(input, exponent):
    input, exponent = _operand(input), _operand(exponent)
    if not isinstance(input, Tensor):
        return _pow_scalar_base(input, exponent)
    dtype = result_dtype(input, exponent)
    out = cast(_binary(_power, input._data, data_of(exponent), (input, exponent)), dtype)
    if not isinstance(exponent, Tensor):
        return record(PowBackward0, out, (input,), {"self": input}, {"exponent": exponent})
    return record(PowBackward1, out, (input, exponent), {"self": input, "exponent": exponent},
                  save_result="result")


def _pow_scalar_base(base, exponent: Tensor):
    dtype = result_dtype(base, exponent)
    out = cast(np.power(base, exponent._data), _float_result(dtype) if isinstance(base, float) else dtype)
    out = _layout.contiguous(out)      # ATen fills a new tensor with the base, then pow_
    return record(PowBackward2, out, (exponent,), {"exponent": exponent}, {"self": base},
                  save_result="result")


# ---------------------------------------------------------------- unary math

def _unary(node_name: str, forward, rule, *, save: str):
    """Declare a float unary op: forward on arrays; saves "self" or "result"."""
    cls = node_class(node_name, rule)

    def op(input):
        input = _operand(input)
        data = input._data
        if data.dtype.kind not in "fc":
            from engine.dtypes import get_default_dtype
            data = data.astype(get_default_dtype().np_dtype)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            out = _layout.iterated(forward(data), [data])
        if save == "self":
            return record(cls, out, (input,), {"self": input})
        return record(cls, out, (input,), save_result="result")
    return cls, op


ExpBackward0, exp = _unary("ExpBackward0", F32.exp, lambda n, g: (g * n.saved("result"),),
                           save="result")
LogBackward0, log = _unary("LogBackward0", F32.log, lambda n, g: (g / n.saved("self"),),
                           save="self")
def _sqrt_rule(n, g):
    result = n.saved("result")
    # ATen's grad / (2 * result): a mul.Scalar (MulBackward1) under create_graph
    doubled = mul_scalar(result, 2) if isinstance(result, Tensor) else 2 * result
    return (g / doubled,)


SqrtBackward0, sqrt = _unary("SqrtBackward0", np.sqrt, _sqrt_rule, save="result")
SinBackward0, sin = _unary("SinBackward0", F32.sin,
                           lambda n, g: (g * P.cos(n.saved("self")),), save="self")
CosBackward0, cos = _unary("CosBackward0", F32.cos,
                           lambda n, g: (g * -P.sin(n.saved("self")),), save="self")
def _tanh_rule(n, g):
    result = n.saved("result")
    if isinstance(g, Tensor):           # create_graph: ATen's differentiable tanh_backward
        return (tanh_backward(g, result),)
    return (g * F32.one_minus_square(result),)


def _tanh_backward_backward_rule(n, gg):
    """d tanh_backward(g, y): by g, tanh_backward(gg, y); by y, -2 * y * g * gg."""
    g, y = n.get("grad_output"), n.get("output")
    return (tanh_backward(gg, y) if isinstance(gg, Tensor) else gg * F32.one_minus_square(y),
            gg * g * y * -2 if n.needs(1) else None)


TanhBackwardBackward0 = node_class("TanhBackwardBackward0", _tanh_backward_backward_rule)


def tanh_backward(grad: Tensor, output: Tensor) -> Tensor:
    y = output._data
    return record(TanhBackwardBackward0, grad._data * F32.one_minus_square(y), (grad, output),
                  {"grad_output": grad, "output": output})


TanhBackward0, tanh = _unary("TanhBackward0", F32.tanh, _tanh_rule, save="result")


def _sigmoid_rule(n, g):
    result = n.saved("result")
    if isinstance(g, Tensor):           # create_graph: ATen's differentiable sigmoid_backward
        return (sigmoid_backward(g, result),)
    return (g * (1 - result) * result,)     # the CPU kernel's order of products


def _sigmoid_backward_backward_rule(n, gg):
    """d sigmoid_backward(g, y): by g, sigmoid_backward(gg, y); by y, gg * g * (1 - 2y)."""
    g, y = n.get("grad_output"), n.get("output")
    return (sigmoid_backward(gg, y) if isinstance(gg, Tensor) else gg * (1 - y) * y,
            gg * g * _one_minus_twice(y) if n.needs(1) else None)


def _one_minus_twice(y):
    """ATen's (-2 * output + 1): mul.Scalar then add.Scalar (MulBackward1, AddBackward1)."""
    return add_scalar(mul_scalar(y, -2), 1) if isinstance(y, Tensor) else -2 * y + 1


SigmoidBackwardBackward0 = node_class("SigmoidBackwardBackward0", _sigmoid_backward_backward_rule)


def sigmoid_backward(grad: Tensor, output: Tensor) -> Tensor:
    y = output._data
    return record(SigmoidBackwardBackward0, grad._data * (1 - y) * y, (grad, output),
                  {"grad_output": grad, "output": output})


SigmoidBackward0, sigmoid = _unary("SigmoidBackward0", F32.sigmoid, _sigmoid_rule,
                                   save="result")
ReciprocalBackward0, reciprocal = _unary("ReciprocalBackward0", np.reciprocal, lambda n, g: (
    -g * (n.saved("result") * n.saved("result")),), save="result")


# From this many elements on, relu runs as one fused Numba pass (4-5x faster than NumPy's
# temporaries at SimpleNet's batch 64). Smaller arrays stay on NumPy, which is as fast there
# and keeps Numba (~0.5 s to load) out of programs that never need it. The backward's
# np.where pays off sooner: at SimpleNet's batch 1 (5760 and 1280 elements) the kernel
# takes 2-3 µs against NumPy's 4-9.
_RELU_KERNEL_MIN = 4096
_RELU_BACKWARD_KERNEL_MIN = 1024


_ZEROS: dict = {}


def _zero_of(dtype):
    """A 0-d zero of `dtype`: NumPy resolves a Python 0 against an array more slowly."""
    zero = _ZEROS.get(dtype)
    if zero is None:
        zero = _ZEROS[dtype] = np.zeros((), dtype)
    return zero


def _relu_kernels(array, minimum: int = _RELU_KERNEL_MIN):
    """engine.kernels.elementwise when `array` is a large float array, else None."""
    if array.size < minimum or array.dtype.kind != "f":
        return None
    from engine.kernels import elementwise
    return elementwise


def _relu_rule(n, g):
    result = n.saved("result")
    if isinstance(g, Tensor):                        # create_graph: ATen's threshold_backward
        return (threshold_backward(g, result, 0),)
    if type(g) is not np.ndarray:
        return (P.where(result <= 0, 0, g),)
    kernels = _relu_kernels(g, _RELU_BACKWARD_KERNEL_MIN)
    if kernels is not None and g.dtype == result.dtype:
        return (kernels.relu_backward(g, result),)
    return (_threshold_backward(g, result),)


def _threshold_backward(g, result):
    # PyTorch's threshold_backward: a select, not a product, so a negative gradient blocked
    # by relu is +0; a NaN output passes its gradient.
    return np.where(result <= 0, _zero_of(g.dtype), g)


ReluBackward0 = node_class("ReluBackward0", _relu_rule)


def threshold_backward(grad: Tensor, self: Tensor, threshold) -> Tensor:
    """grad where self > threshold, else 0: relu's gradient as a differentiable op
    (ThresholdBackwardBackward0, whose edges go to grad and self)."""
    data = np.where(self._data <= threshold, _zero_of(grad._data.dtype), grad._data)
    return record(ThresholdBackwardBackward0, data, (grad, self), {"self": self},
                  {"threshold": threshold})


def _threshold_backward_backward_rule(n, gg):
    self, threshold = n.saved("self"), n._attrs["threshold"]
    grad_grad = None
    if n.needs(0):
        grad_grad = threshold_backward(gg, self, threshold) if isinstance(gg, Tensor) else \
            np.where(self <= threshold, _zero_of(gg.dtype), gg)
    return grad_grad, (P.zeros(n._in_shapes[1], gg) if n.needs(1) else None)


ThresholdBackwardBackward0 = node_class("ThresholdBackwardBackward0",
                                        _threshold_backward_backward_rule)


def relu(input):
    input = _operand(input)
    x = input._data
    kernels = _relu_kernels(x)
    # maximum(0, x), not (x, 0): NaN and -0.0 pass through, as in torch.relu and the kernel.
    out = kernels.relu_forward(x) if kernels is not None else \
        np.maximum(_zero_of(x.dtype), x).astype(x.dtype, copy=False)
    return record(ReluBackward0, _layout.iterated(out, [x]), (input,), save_result="result")


AbsBackward0 = node_class("AbsBackward0", lambda n, g: (g * P.sgn(n.saved("self")),))
NegBackward0 = node_class("NegBackward0", lambda n, g: (-g,))


def abs(input):
    input = _operand(input)
    return record(AbsBackward0, np.abs(input._data), (input,), {"self": input})


def neg(input):
    input = _operand(input)
    if input._data.dtype.kind == "b":
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or "
                           "`logical_not()` operator instead.")
    return record(NegBackward0, -input._data, (input,))


SignBackward0 = node_class("SignBackward0", lambda n, g: (P.zeros(n._in_shapes[0], g),))


def _signs(data: np.ndarray) -> np.ndarray:
    if data.dtype.kind == "b":
        return data.copy()
    signs = np.sign(data)
    if data.dtype.kind == "f":
        signs = np.where(np.isnan(data), 0, signs).astype(data.dtype)    # sign(nan) is 0
    return signs


def sign(input):
    input = _operand(input)
    return record(SignBackward0, _signs(input._data), (input,))


# sgn is sign extended to complex numbers; for real ones its gradient is zeros too, but it is
# the op ATen's abs and l1 backward rules call, so their double-backward graphs show it.
SgnBackward0 = node_class("SgnBackward0", lambda n, g: (P.zeros(n._in_shapes[0], g),))


def sgn(input):
    input = _operand(input)
    return record(SgnBackward0, _signs(input._data), (input,), {"self": input},
                  save_result="result")


# ---------------------------------------------------------------- maximum, minimum

def _extremum_rule(n, g, *, is_max: bool):
    """The larger (smaller) operand takes the gradient; a tie splits it in halves."""
    a, b = n.get("self"), n.get("other")
    a_loses, b_loses = (a < b, a > b) if is_max else (a > b, a < b)
    if isinstance(g, Tensor):
        # ATen's where(self == other, grad / 2, grad).masked_fill_(self < other, 0), each
        # side computing its own where (WhereBackward0 <- DivBackward1 under MaskedFill).
        def side(loses, index):
            shared = where(a == b, div_scalar(g, 2), g)
            return reduce_to(masked_fill(shared, loses, 0), n._in_shapes[index])
        return (side(a_loses, 0) if n.needs(0) else None,
                side(b_loses, 1) if n.needs(1) else None)
    shared = P.where(a == b, g / 2, g)
    return (reduce_to(P.where(a_loses, 0, shared), n._in_shapes[0]) if n.needs(0) else None,
            reduce_to(P.where(b_loses, 0, shared), n._in_shapes[1]) if n.needs(1) else None)


MaximumBackward0 = node_class("MaximumBackward0",
                              lambda n, g: _extremum_rule(n, g, is_max=True))
MinimumBackward0 = node_class("MinimumBackward0",
                              lambda n, g: _extremum_rule(n, g, is_max=False))


def _extremum(node_cls, np_fn, input, other):
    input, other = as_tensor(input), as_tensor(other)
    dtype = result_dtype(input, other)
    out = cast(_binary(np_fn, input._data, other._data, (input, other)), dtype)
    return record(node_cls, out, (input, other), {"self": input, "other": other})


def maximum(input, other):
    return _extremum(MaximumBackward0, np.maximum, input, other)


def minimum(input, other):
    return _extremum(MinimumBackward0, np.minimum, input, other)


def _clamp_rule(n, g):
    x = n.saved("self")
    low, high = n._attrs["min"], n._attrs["max"]
    keep = None if low is None else x >= low
    if high is not None:
        keep = (x <= high) if keep is None else keep & (x <= high)
    return (P.where(keep, g, 0),)


ClampBackward1 = node_class("ClampBackward1", _clamp_rule)


def clamp(input, min=None, max=None):
    input = _operand(input)
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    out = input._data
    if min is not None:
        out = np.maximum(out, min)
    if max is not None:
        out = np.minimum(out, max)
    out = cast(out, input._data.dtype)
    return record(ClampBackward1, out, (input,), {"self": input}, {"min": min, "max": max})


clip = clamp


# ---------------------------------------------------------------- where

def _where_rule(n, g):
    cond = n.saved("condition")
    zeros = P.zeros(tuple(g.shape), g)
    return (reduce_to(P.where(cond, g, zeros), n._in_shapes[0]) if n.needs(0) else None,
            reduce_to(P.where(cond, zeros, g), n._in_shapes[1]) if n.needs(1) else None)


WhereBackward0 = node_class("WhereBackward0", _where_rule)


def where(condition, input, other):
    condition = as_tensor(condition) if not isinstance(condition, Tensor) else condition
    input, other = _operand(input), _operand(other)
    with _broadcast_errors(condition, input, other):
        out = np.where(condition._data, data_of(input), data_of(other))
    out = _layout.iterated(out, [condition._data, data_of(input), data_of(other)])
    out = cast(out, result_dtype(input, other))
    return record(WhereBackward0, out, (_tensor_or_none(input), _tensor_or_none(other)),
                  {"condition": condition})


# ---------------------------------------------------------------- masked_fill

def _masked_fill_rule(n, g):
    mask = n.saved("mask")
    grad_self = None
    if n.needs(0):
        grad_self = reduce_to(_zero_where(g, mask), n._in_shapes[0])
    grad_value = None
    if len(n._next) > 1 and n.needs(1):
        grad_value = _sum_where(g, mask, n._attrs["_value_dtype"])
    return (grad_self,) if len(n._next) == 1 else (grad_self, grad_value)


def _zero_where(g, mask):
    if isinstance(g, Tensor):
        return masked_fill(g, as_tensor(mask), 0)
    return np.where(mask, 0, g)


def _sum_where(g, mask, dtype):
    if isinstance(g, Tensor):
        from engine.ops.reductions import sum as _sum
        return _sum(masked_fill(g, logical_not(mask), 0)).to(dtype=from_numpy_dtype(dtype))
    return np.asarray(np.where(mask, g, 0).sum(), dtype=dtype)


MaskedFillBackward0 = node_class("MaskedFillBackward0", _masked_fill_rule)
MaskedFillBackward1 = node_class("MaskedFillBackward1", _masked_fill_rule)


def check_fill_types(mask, value, op: str, function: bool) -> None:
    """PyTorch's argument-parser error for a mask that is not a Tensor or a value that is
    neither a Tensor nor a number (raised before any other check)."""
    if not isinstance(mask, Tensor) or not (isinstance(value, Tensor) or is_scalar(value)):
        raise _fill_type_error(value, op, function)


def _fill_type_error(value, op: str, function: bool) -> TypeError:
    got = type(value).__name__
    tensors = "Tensor, Tensor" if function else "Tensor"
    param = "Tensor input, Tensor mask" if function else "Tensor mask"
    return TypeError(
        f"{op}() received an invalid combination of arguments - got ({tensors}, {got}), "
        "but expected one of:\n"
        f" * ({param}, Tensor value)\n"
        f"      didn't match because some of the arguments have invalid types: ({tensors}, "
        f"!{got}!)\n"
        f" * ({param}, Number value)\n"
        f"      didn't match because some of the arguments have invalid types: ({tensors}, "
        f"!{got}!)\n")


def _check_fill(mask, value) -> None:
    """PyTorch's kernel checks, in its order: the value's dims, then the mask's dtype."""
    if isinstance(value, Tensor) and value._data.ndim != 0:
        raise RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, but got "
                           f"tensor with {value._data.ndim} dimension(s).")
    if mask._data.dtype != np.bool_:
        raise RuntimeError("masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{_c_type(mask)}")


def masked_fill(input, mask, value, *, _function: bool = True):
    """`value` where `mask` is True (the mask broadcasts with input): MaskedFillBackward0, or
    MaskedFillBackward1 for a 0-dim tensor value, whose gradient is the sum over the mask."""
    check_fill_types(mask, value, "masked_fill", _function)
    with _broadcast_errors(mask, input):
        np.broadcast_shapes(mask._data.shape, input._data.shape)
    _check_fill(mask, value)
    fill = np.asarray(data_of(value)).astype(input._data.dtype)
    out = _layout.contiguous(np.where(mask._data, fill, input._data))
    if not isinstance(value, Tensor):
        return record(MaskedFillBackward0, out, (input,), {"mask": mask})
    return record(MaskedFillBackward1, out, (input, value), {"mask": mask},
                  {"_value_dtype": value._data.dtype})


def masked_fill_method(self, mask, value):
    return masked_fill(self, mask, value, _function=False)


def masked_fill_into(input, mask, value):
    """masked_fill keeping input's shape, the out-of-place half of masked_fill_."""
    if input._data.shape != mask._data.shape:
        with _broadcast_errors(input, mask):
            shape = np.broadcast_shapes(input._data.shape, mask._data.shape)
        if shape != input._data.shape:
            raise RuntimeError(f"output with shape {list(input._data.shape)} doesn't match "
                               f"the broadcast shape {list(shape)}")
    return masked_fill(input, mask, value, _function=False)


# ---------------------------------------------------------------- comparisons (no grad)

def _comparison(np_fn):
    def op(input, other):
        return Tensor._make(np.asarray(_binary(np_fn, data_of(_operand(input)),
                                               data_of(_operand(other)))))
    return op


eq, ne = _comparison(np.equal), _comparison(np.not_equal)
lt, le = _comparison(np.less), _comparison(np.less_equal)
gt, ge = _comparison(np.greater), _comparison(np.greater_equal)
logical_and, logical_or = _comparison(np.logical_and), _comparison(np.logical_or)


def logical_not(input):
    return Tensor._make(np.logical_not(data_of(_operand(input))))


def _reduce_any_all_check(name: str, input, dim, keepdim) -> None:
    if not isinstance(input, Tensor):
        from engine._arg_parser import invalid_arguments
        given = (input,) if dim is None else (input, dim)
        raise invalid_arguments(name, given + ((keepdim,) if keepdim else ()), {})


def all(input, dim=None, keepdim=False):
    _reduce_any_all_check("all", input, dim, keepdim)
    data = _operand(input)._data
    return Tensor._make(np.asarray(data.all() if dim is None else data.all(axis=dim, keepdims=keepdim)))


def any(input, dim=None, keepdim=False):
    _reduce_any_all_check("any", input, dim, keepdim)
    data = _operand(input)._data
    return Tensor._make(np.asarray(data.any() if dim is None else data.any(axis=dim, keepdims=keepdim)))


def isnan(input):
    return Tensor._make(np.isnan(input._data))


def isfinite(input):
    return Tensor._make(np.isfinite(input._data))


def equal(input, other) -> bool:
    return input._data.shape == other._data.shape and bool(np.array_equal(input._data, other._data))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
    return bool(np.allclose(input._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


# ---------------------------------------------------------------- dtype conversion

def _to_copy_rule(n, g):
    """The gradient goes back in the input's dtype (as PyTorch's _to_copy backward casts)."""
    dtype = n._attrs["_self_dtype"]
    if isinstance(g, Tensor):
        return (to_dtype(g, dtype),)
    return (g.astype(dtype, copy=False),)


ToCopyBackward0 = node_class("ToCopyBackward0", _to_copy_rule)


def to_dtype(input, dtype_np: np.dtype):
    if input._data.dtype == dtype_np:
        return input
    return copy_to_dtype(input, dtype_np)


def copy_to_dtype(input, dtype_np: np.dtype):
    """A new tensor of `dtype_np` (to(copy=True) copies even when the dtype is the same),
    laid out as ATen's _to_copy lays it out (preserve_format)."""
    data = input._data
    if data.flags.c_contiguous:
        out_data = data.astype(dtype_np)
    else:
        out_data = _layout.empty(data.shape, dtype_np, _layout.preserved_order(data))
        out_data[...] = data
    if dtype_np.kind not in "fc":
        return Tensor._make(out_data)
    return record(ToCopyBackward0, out_data, (input,), attrs={"_self_dtype": input._data.dtype})
