"""More torch.* functions (issue #11): detach, the in-place functions torch exposes at top
level (clamp_, clip_, square_, zero_, fill_, negative_, xlogy_), fill, empty_strided,
trapezoid/trapz/cumulative_trapezoid and vander (composed as ATen composes them),
chain_matmul, unravel_index, the window functions, typename, get_device, is_inference,
is_storage."""
from __future__ import annotations

import math

import numpy as np

from engine import dtypes as _dt
from engine._cpp_warning import cpp_warning, warn_once
from engine.autograd.node import node_class
from engine.ops import elementwise as E
from engine.ops import inplace as I
from engine.ops import shape as S
from engine.ops._core import record, wrap_dim, zeros_grad
from engine.tensor import Tensor

FillBackward0 = node_class("FillBackward0", lambda n, g: (zeros_grad(g),))
FillBackward1 = node_class("FillBackward1", lambda n, g: (
    zeros_grad(g), g.sum() if n.needs(1) else None))


def fill(input, value):
    data = input._data
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor "
                               f"with {value._data.ndim} dimensions.")
        out = np.full(data.shape, value._data, dtype=data.dtype)
        return record(FillBackward1, out, (input, value))
    return record(FillBackward0, np.full(data.shape, value, dtype=data.dtype), (input,))


def empty_strided(size, stride, *, dtype=None, layout=None, device=None,
                  requires_grad=False, pin_memory=False):
    from engine.ops.tensor_meta import new_empty_strided
    like = Tensor._make(np.zeros((), dtype=(dtype or _dt.get_default_dtype()).np_dtype))
    return new_empty_strided(like, size, stride, device=device, requires_grad=requires_grad)


# ---------------------------------------------------------------- trapezoid

def _div_scalar(input: Tensor, other: float) -> Tensor:
    """ATen's div.Scalar (DivBackward1)."""
    return record(E.DivBackward1, (input._data / input._data.dtype.type(other)).astype(
        input._data.dtype), (input,), attrs={"other": other})


def _pairs(y: Tensor, d: int) -> Tensor:
    size = y._data.shape[d]
    lead = (slice(None),) * d
    return y[lead + (slice(1, size),)] + y[lead + (slice(0, size - 1),)]


def _as_float(y: Tensor) -> Tensor:
    if y._data.dtype.kind in "fc":
        return y
    return E.to_dtype(y, _dt.get_default_dtype().np_dtype)


def trapezoid(y, x=None, *, dx=None, dim: int = -1):
    d = wrap_dim(dim, y._data.ndim)
    if y._data.shape[d] == 0:
        return Tensor._make(np.zeros(y._data.shape[:d] + y._data.shape[d + 1:],
                                     dtype=y._data.dtype))
    if x is not None:
        if x._data.ndim == 1:
            spacing = x[1:] - x[:-1]
            shape = [1] * y._data.ndim
            shape[d] = spacing._data.shape[0]
            spacing = S.view(spacing, tuple(shape))
        else:
            spacing = x[(slice(None),) * d + (slice(1, None),)] - \
                x[(slice(None),) * d + (slice(None, -1),)]
        from engine.ops.reductions import sum as _sum
        return _div_scalar(_sum(E.mul(_pairs(y, d), spacing), d), 2.0)
    from engine.ops.indexing import select
    from engine.ops.reductions import sum as _sum
    step = 1 if dx is None else dx
    ends = E.add(select(y, d, 0), select(y, d, -1))
    return E.mul_scalar(E.sub(_sum(y, d), E.mul_scalar(ends, 0.5)), step)


def trapz(y, x=None, *, dx=None, dim: int = -1):
    if x is not None and not isinstance(x, Tensor):
        raise TypeError(f"trapz() received an invalid combination of arguments - got (Tensor, "
                        f"{type(x).__name__}), but expected one of:\n * (Tensor y, *, float dx "
                        "= 1, int dim = -1)\n * (Tensor y, Tensor x, *, int dim = -1)\n")
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y, x=None, *, dx=None, dim: int = -1):
    from engine.ops.ordering import cumsum
    d = wrap_dim(dim, y._data.ndim)
    if x is not None:
        spacing = x[1:] - x[:-1] if x._data.ndim == 1 else \
            x[(slice(None),) * d + (slice(1, None),)] - x[(slice(None),) * d + (slice(None, -1),)]
        if x._data.ndim == 1:
            shape = [1] * y._data.ndim
            shape[d] = spacing._data.shape[0]
            spacing = S.view(spacing, tuple(shape))
        return _div_scalar(cumsum(E.mul(_pairs(y, d), spacing), dim), 2.0)
    step = 1 if dx is None else dx
    return cumsum(E.mul_scalar(_pairs(y, d), step / 2), dim)


# ---------------------------------------------------------------- vander

def vander(x, N=None, increasing: bool = False):
    from engine.ops.ordering import flip
    from engine.ops.selective_reductions import cumprod
    if x._data.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x._data.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    dtype = np.promote_types(x._data.dtype, np.int64) if x._data.dtype.kind in "biu" else \
        x._data.dtype
    result = Tensor._make(np.ones((x._data.shape[0], n), dtype=dtype))
    result._vc[0] += 1      # ATen's ones inside vander is empty().fill_(1): version 1
    if n > 1:
        # ATen's order: x into the columns after the first, then their cumprod written back
        # over them, which modifies what cumprod saved: its backward raises, as torch's does
        I.copy_(result[:, 1:], S.unsqueeze(x, 1))
        I.copy_(result[:, 1:], cumprod(result[:, 1:], 1))
    return flip(result, 1) if not increasing else result


# ---------------------------------------------------------------- chain_matmul, unravel_index

_CHAIN_WARNING = cpp_warning(
    "torch.chain_matmul is deprecated and will be removed in a future PyTorch release. Use "
    "torch.linalg.multi_dot instead, which accepts a list of two or more tensors rather than "
    "multiple parameters.", "aten/src/ATen/native/LinearAlgebra.cpp:1102")


def chain_matmul(*matrices, out=None):
    warn_once(_CHAIN_WARNING, stacklevel=3)
    if len(matrices) == 1:
        return S.clone(matrices[0])
    from engine.ops.linalg_products import multi_dot
    return multi_dot(list(matrices))


def unravel_index(indices, shape):
    if isinstance(shape, int):
        shape = (shape,)
    data = indices._data if isinstance(indices, Tensor) else np.asarray(indices)
    if data.dtype.kind not in "iu":
        raise TypeError("expected 'indices' to be integer dtype, but got "
                        f"{_dt._BY_NP[data.dtype]}")
    # torch divides and takes remainders (floored) dim by dim from the last: no range check
    remaining = data.astype(np.int64)
    coords = []
    for size in reversed(tuple(shape)):
        coords.append(np.mod(remaining, size))
        remaining = np.floor_divide(remaining, size)
    return tuple(Tensor._make(np.asarray(c, dtype=np.int64)) for c in reversed(coords))


# ---------------------------------------------------------------- windows

def _window(length: int, periodic: bool, dtype, values) -> Tensor:
    np_dtype = (dtype or _dt.get_default_dtype()).np_dtype
    if length < 0:
        raise RuntimeError(f"window_length must be non-negative, got {length}")
    if length == 0:
        return Tensor._make(np.zeros(0, dtype=np_dtype))
    if length == 1:
        return Tensor._make(np.ones(1, dtype=np_dtype))
    size = length + 1 if periodic else length
    n = np.arange(size, dtype=np.float64)
    out = values(n, size).astype(np_dtype)
    return Tensor._make(out[:length] if periodic else out)


def hamming_window(window_length, periodic=True, alpha=0.54, beta=0.46, *, dtype=None,
                   layout=None, device=None, requires_grad=False, pin_memory=False):
    return _window(window_length, periodic, dtype,
                   lambda n, size: alpha - beta * np.cos(2 * math.pi * n / (size - 1)))


def hann_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                requires_grad=False, pin_memory=False):
    return hamming_window(window_length, periodic, 0.5, 0.5, dtype=dtype)


def blackman_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                    requires_grad=False, pin_memory=False):
    return _window(window_length, periodic, dtype,
                   lambda n, size: 0.42 - 0.5 * np.cos(2 * math.pi * n / (size - 1))
                   + 0.08 * np.cos(4 * math.pi * n / (size - 1)))


def bartlett_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                    requires_grad=False, pin_memory=False):
    return _window(window_length, periodic, dtype,
                   lambda n, size: 1 - np.abs(2 * n / (size - 1) - 1))


def kaiser_window(window_length, periodic=True, beta=12.0, *, dtype=None, layout=None,
                  device=None, requires_grad=False, pin_memory=False):
    from engine.kernels.special import apply

    def values(n, size):
        ratio = 2 * n / (size - 1) - 1
        return apply("i0", beta * np.sqrt(np.clip(1 - ratio * ratio, 0, None))) / \
            apply("i0", np.array([beta]))[0]
    return _window(window_length, periodic, dtype, values)


# ---------------------------------------------------------------- queries

def typename(obj) -> str:
    if isinstance(obj, Tensor):
        return f"torch.{obj.dtype.tensor_type}"
    module = type(obj).__module__
    name = type(obj).__qualname__
    return name if module in ("builtins", "__builtin__", None) else f"{module}.{name}"


FUNCTIONS = {
    "detach": lambda input: input.detach(), "clamp_": I.clamp_, "clip_": I.clamp_,
    "square_": lambda input: I.pow_(input, 2), "zero_": I.zero_, "fill_": I.fill_,
    "negative_": I.neg_, "xlogy_": lambda input, other: input.xlogy_(other), "fill": fill,
    "empty_strided": empty_strided, "trapezoid": trapezoid, "trapz": trapz,
    "cumulative_trapezoid": cumulative_trapezoid, "vander": vander,
    "chain_matmul": chain_matmul, "unravel_index": unravel_index,
    "hann_window": hann_window, "hamming_window": hamming_window,
    "blackman_window": blackman_window, "bartlett_window": bartlett_window,
    "kaiser_window": kaiser_window, "typename": typename,
    "get_device": lambda input: -1, "is_inference": lambda input: input.is_inference(),
    "is_storage": lambda obj: False,
}
