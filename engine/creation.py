"""Tensor creation functions, random ones included (they draw from engine.random's
generators, so a seed gives PyTorch's numbers)."""
from __future__ import annotations

import functools
import math
import numbers

import numpy as np

from engine import dtypes as _dt
from engine import trace
from engine import random as _random
from engine.autograd import grad_mode as _gm
from engine.random import manual_seed, seed  # noqa: F401  (torch.manual_seed, torch.seed)
from engine._arg_parser import SIGNATURES, invalid_arguments
from engine._device import check_device
from engine.tensor import Tensor, _announce


def _np_dtype(dtype, default=None) -> np.dtype:
    if dtype is None:
        return (default or _dt.get_default_dtype()).np_dtype
    return _dt.to_numpy_dtype(dtype)


def on_device(factory):
    """A factory's `device=`: the CPU (or no device), else PyTorch's CPU-build error."""
    @functools.wraps(factory)
    def make(*args, **kwargs):
        if "requires_grad" in kwargs:
            _check_requires_grad(factory.__name__, args, kwargs)
        check_device(kwargs.pop("device", None))
        return factory(*args, **kwargs)
    return make


def _check_requires_grad(function: str, args: tuple, kwargs: dict) -> None:
    value = kwargs["requires_grad"]
    if function in _BOOL_REQUIRES_GRAD:
        _check_bool(function, value, none_ok=function.endswith("_like"))
    elif function in SIGNATURES and not (value is None or isinstance(value, bool)):
        raise invalid_arguments(function, args, kwargs)


# Factories whose binding refuses a requires_grad that is not a bool with this text (others,
# such as rand, list their signatures: engine._arg_parser).
_BOOL_REQUIRES_GRAD = {"tensor", "zeros", "ones", "empty", "full", "zeros_like", "ones_like",
                       "empty_like", "full_like"}


def _check_bool(function: str, value, *, none_ok: bool = False, position: str = "") -> None:
    """torch's argument parser: `requires_grad` must be a bool (not 1, nor numpy's bool)."""
    if isinstance(value, bool) or (none_ok and value is None):
        return
    kind = type(value)
    name = kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"
    raise TypeError(f"{function}(): argument 'requires_grad'{position} must be bool, not {name}")


def _make(array: np.ndarray, requires_grad: bool) -> Tensor:
    if requires_grad and array.dtype.kind not in "fc":
        raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
    tensor = Tensor._make(array, bool(requires_grad))
    if _gm.state.inference:
        tensor._inference = True
    if trace.active:
        trace.note_created(array)
    return _announce(tensor)


def _sizes(size) -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        return tuple(int(s) for s in size[0])
    return tuple(int(s) for s in size)


def _infer_array(data, dtype) -> np.ndarray:
    if isinstance(data, Tensor):
        data = data._data
    if isinstance(data, np.generic):        # a NumPy scalar keeps its dtype, as an array does
        data = np.asarray(data)
    if dtype is not None:
        if isinstance(data, np.ndarray):
            return _copied_array(data, _dt.to_numpy_dtype(dtype))
        return np.array(data, dtype=_dt.to_numpy_dtype(dtype))
    if isinstance(data, np.ndarray):
        return _copied_array(data, data.dtype)
    array = np.array(_unwrap_tensors(data))
    if array.dtype.kind == "f":
        return array.astype(_dt.get_default_dtype().np_dtype)
    if array.dtype.kind in "iu":
        return array.astype(np.int64)
    if array.dtype.kind == "b":
        return array
    if array.size == 0:
        return array.astype(_dt.get_default_dtype().np_dtype)
    raise TypeError(f"Could not infer dtype of {type(data).__name__}")


def _copied_array(array: np.ndarray, dtype) -> np.ndarray:
    """torch.tensor(ndarray): a copy that keeps a dense array's layout (a transposed array
    stays transposed), row-major otherwise; negative strides are refused, as from_numpy
    refuses them."""
    _refuse_negative_strides(array)
    from engine.ops import _layout
    if _layout.is_dense(array):
        return array.astype(dtype, order="K", copy=True)
    return np.array(array, dtype=dtype, order="C", copy=True)


def _refuse_negative_strides(array: np.ndarray) -> None:
    if any(stride < 0 for stride in array.strides):
        raise ValueError("At least one stride in the given numpy array is negative, and tensors "
                         "with negative strides are not currently supported. (You can probably "
                         "work around this by making a copy of your array  with array.copy().) ")


def _unwrap_tensors(data):
    if isinstance(data, Tensor):
        return data._data
    if isinstance(data, (list, tuple)):
        return [_unwrap_tensors(d) for d in data]
    return data


@on_device
def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False) -> Tensor:
    return _make(_infer_array(data, dtype), requires_grad)


@on_device
def as_tensor(data, dtype=None, device=None) -> Tensor:
    """torch.as_tensor: a Tensor of the right dtype is returned as is (another dtype is
    `data.to(dtype)`); an ndarray of the right dtype is shared, not copied."""
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    if isinstance(data, np.ndarray) and (dtype is None or _dt.to_numpy_dtype(dtype) == data.dtype):
        return from_numpy(data)
    return tensor(data, dtype=dtype)


def from_numpy(array: np.ndarray) -> Tensor:
    _dt.from_numpy_dtype(array.dtype)
    _refuse_negative_strides(array)
    if trace.active:
        trace.note_created(array)
    shared = Tensor._make(array)
    if _gm.state.inference:
        shared._inference = True
    return _announce(shared)


@on_device
def zeros(*size, dtype=None, device=None, requires_grad=False) -> Tensor:
    return _make(np.zeros(_sizes(size), dtype=_np_dtype(dtype)), requires_grad)


@on_device
def ones(*size, dtype=None, device=None, requires_grad=False) -> Tensor:
    return _make(np.ones(_sizes(size), dtype=_np_dtype(dtype)), requires_grad)


@on_device
def empty(*size, dtype=None, device=None, requires_grad=False) -> Tensor:
    return _make(np.empty(_sizes(size), dtype=_np_dtype(dtype)), requires_grad)


@on_device
def full(size, fill_value, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    if dtype is None:
        default = _dt.bool_ if isinstance(fill_value, bool) else (
            _dt.int64 if isinstance(fill_value, numbers.Integral) else None)
        np_dtype = _np_dtype(None, default)
    else:
        np_dtype = _dt.to_numpy_dtype(dtype)
    return _make(np.full(tuple(size), fill_value, dtype=np_dtype), requires_grad)


def _like(input, np_dtype, fill) -> np.ndarray:
    """A new array of input's shape in input's layout (ATen's preserve_format), filled."""
    from engine.ops import _layout
    out = _layout.empty(input._data.shape, np_dtype, _layout.preserved_order(input._data))
    out[...] = fill
    return out


@on_device
def zeros_like(input, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    return _make(_like(input, _np_dtype(dtype, input.dtype), 0), requires_grad)


@on_device
def ones_like(input, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    return _make(_like(input, _np_dtype(dtype, input.dtype), 1), requires_grad)


@on_device
def empty_like(input, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    return _make(_like(input, _np_dtype(dtype, input.dtype), 0), requires_grad)


@on_device
def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    return _make(_like(input, _np_dtype(dtype, input.dtype), fill_value), requires_grad)


@on_device
def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    is_int = all(isinstance(v, numbers.Integral) for v in (start, end, step))
    default = _dt.int64 if is_int else None
    return _make(np.arange(start, end, step).astype(_np_dtype(dtype, default)), requires_grad)


@on_device
def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    np_dtype = np.dtype(_np_dtype(dtype))
    if np_dtype.kind != "f" or int(steps) < 2:
        return _make(np.linspace(start, end, int(steps)).astype(np_dtype), requires_grad)
    return _make(_linspace_as_aten(start, end, int(steps), np_dtype), requires_grad)


@on_device
def logspace(start, end, steps, base=10.0, *, dtype=None, device=None,
             requires_grad=False) -> Tensor:
    """ATen's CPU kernel: base ** exponent with the exponent in double, from the start for the
    first half and from the end for the second, then cast to the dtype."""
    np_dtype = np.dtype(_np_dtype(dtype))
    steps = int(steps)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    # The ends in the dtype (an integer dtype truncates them); step and exponents in double.
    # One step is the start as given.
    first = float(start)
    start, end = float(np_dtype.type(start)), float(np_dtype.type(end))
    step = (end - start) / (steps - 1) if steps > 1 else 0.0
    index = np.arange(steps)
    exponent = np.where(index < steps // 2, start + step * index,
                        end - step * (steps - 1 - index))
    if steps == 1:
        exponent = np.array([first])
    # math.pow is the C library's pow, as ATen's; NumPy 2.4's own differs in the last bit.
    powers = np.array([math.pow(float(base), e) for e in exponent.tolist()], dtype=np.float64)
    return _make(powers.astype(np_dtype), requires_grad)


def _linspace_as_aten(start, end, steps: int, dtype: np.dtype) -> np.ndarray:
    """ATen's CPU kernel: step in the dtype; the first half start + step * i, the second
    end - step * (steps - 1 - i), each one fused multiply-add (one rounding), which a wider
    type emulates."""
    wide = np.float64 if dtype.itemsize < 8 else np.longdouble
    first, last = dtype.type(start), dtype.type(end)
    step = (last - first) / dtype.type(steps - 1)
    index = np.arange(steps)
    half = index < steps // 2
    values = np.where(half, wide(first) + wide(step) * index,
                      wide(last) - wide(step) * (steps - 1 - index))
    return values.astype(dtype)


@on_device
def rand(*size, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    like = _random_empty(size, dtype, "check_uniform_bounds")
    return _make(_random.uniform(_random.generator_or_default(generator), like, 0.0, 1.0),
                 requires_grad)


@on_device
def randn(*size, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    like = _random_empty(size, dtype, "normal_kernel_cpu")
    return _make(_random.normal(_random.generator_or_default(generator), like, 0.0, 1.0),
                 requires_grad)


def _random_empty(size, dtype, kernel_name: str) -> np.ndarray:
    np_dtype = _np_dtype(dtype)
    check_random_dtype(np_dtype, kernel_name)
    return np.empty(_checked_sizes(_sizes(size)), np_dtype)


def check_random_dtype(np_dtype: np.dtype, kernel_name: str) -> None:
    """torch's error for an integer dtype; ours for float16, which torch supports."""
    if np_dtype == np.float16:
        raise NotImplementedError("random numbers of dtype torch.float16 are not supported by "
                                  "graphtui's engine (float32 and float64 are)")
    if np_dtype.kind != "f":
        name = _dt.from_numpy_dtype(np_dtype).tensor_type[:-len("Tensor")]
        raise NotImplementedError(f'"{kernel_name}" not implemented for \'{name}\'')


def _checked_sizes(sizes: tuple) -> tuple:
    if any(s < 0 for s in sizes):
        negative = next(s for s in sizes if s < 0)
        raise RuntimeError(f"Trying to create tensor with negative dimension {negative}: "
                           f"{list(sizes)}")
    return sizes


@on_device
def randint(low=0, high=None, size=None, *, generator=None, dtype=None, device=None,
            requires_grad=False) -> Tensor:
    if size is None:
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    like = np.empty(_checked_sizes(tuple(int(s) for s in size)), _np_dtype(dtype, _dt.int64))
    values = random_from_to(_random.generator_or_default(generator), like, int(low), int(high))
    return _make(values, requires_grad)


def random_from_to(generator, like: np.ndarray, low: int, high: int) -> np.ndarray:
    """random_(low, high) / randint drawn for `like`: torch's check, (word % span) + low."""
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} "
                           f">= to={high}")
    return _random.int_from_to(generator, like, high - low, low).astype(like.dtype, copy=False)


@on_device
def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    n = int(n)
    if n < 0:
        raise RuntimeError(f"n must be non-negative, got{n}")
    values = _random.permutation(_random.generator_or_default(generator), n)
    return _make(values.astype(_np_dtype(dtype, _dt.int64)), requires_grad)


def _drawn_like(input, dtype, kernel_name: str) -> np.ndarray:
    """An empty array like input's layout (preserve_format) to draw into: ATen fills
    empty_like(input) in its memory order."""
    np_dtype = _np_dtype(dtype, input.dtype)
    check_random_dtype(np_dtype, kernel_name)
    return _like(input, np_dtype, 0)


@on_device
def rand_like(input, *, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    like = _drawn_like(input, dtype, "check_uniform_bounds")
    like[...] = _random.uniform(_random.generator_or_default(generator), like, 0.0, 1.0)
    return _make(like, requires_grad)


@on_device
def randn_like(input, *, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    like = _drawn_like(input, dtype, "normal_kernel_cpu")
    like[...] = _random.normal(_random.generator_or_default(generator), like, 0.0, 1.0)
    return _make(like, requires_grad)


@on_device
def randint_like(input, low=0, high=None, *, generator=None, dtype=None, device=None,
                 requires_grad=False) -> Tensor:
    if high is None:
        low, high = 0, low
    return randint(low, high, input._data.shape, generator=generator,
                   dtype=dtype or input.dtype, requires_grad=requires_grad)


@on_device
def eye(n, m=None, *, dtype=None, requires_grad=False) -> Tensor:
    return _make(np.eye(n, m, dtype=_np_dtype(dtype)), requires_grad)
