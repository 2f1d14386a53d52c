"""engine.nn.init: in-place initialisers with torch's formulas and torch's draws (each one
calls the tensor's own normal_ / uniform_ under no_grad, as torch.nn.init does), so a seed
gives PyTorch's initial weights."""
from __future__ import annotations

import math
import warnings

import numpy as np

from engine import random as _random
from engine import trace
from engine.autograd import grad_mode as _gm
from engine.ops import random as _R
from engine.tensor import Tensor


def _fill(tensor: Tensor, values) -> Tensor:
    """Write in place, as PyTorch's init ops do: the version moves and a watcher is told."""
    tensor._data[...] = values
    tensor._vc[0] += 1
    if trace.active:
        node = tensor._grad_fn
        trace.emit(trace.TensorModified(trace.tensor_id(tensor), "init", tensor._vc[0],
                                        None if node is None else node._id,
                                        trace.summarize(tensor), tensor._requires_grad))
    return tensor


def calculate_gain(nonlinearity: str, param=None) -> float:
    linear_fns = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                  "conv_transpose2d", "conv_transpose3d"]
    if nonlinearity in linear_fns or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            negative_slope = 0.01
        elif not isinstance(param, bool) and isinstance(param, (int, float)):
            negative_slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + negative_slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    shape = tensor._data.shape
    if len(shape) < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 "
                         "dimensions")
    receptive_field = 1
    for size in shape[2:]:
        receptive_field *= size
    return shape[1] * receptive_field, shape[0] * receptive_field


def _fan(tensor: Tensor, mode: str) -> int:
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator=None) -> Tensor:
    with _gm.no_grad():
        return _R.uniform_(tensor, a, b, generator=generator)


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator=None) -> Tensor:
    with _gm.no_grad():
        return _R.normal_(tensor, mean, std, generator=generator)


def trunc_normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0,
                  b: float = 2.0, generator=None) -> Tensor:
    """torch 2.13's sampler: normals redrawn where out of [a, b] when the interval holds
    more than 0.3 of the mass, otherwise uniform proposals accepted by the density."""
    if (mean < a - 2 * std) or (mean > b + 2 * std):
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
                      "The distribution of values may be incorrect.", stacklevel=2)
    gen = _random.generator_or_default(generator)
    mass = _norm_cdf((b - mean) / std) - _norm_cdf((a - mean) / std)
    data = tensor._data
    if mass > 0.3:
        values = _redrawn_normals(gen, data, mean, std, a, b)
    else:
        values = _accepted_uniforms(gen, data, mean, std, a, b)
    return _fill(tensor, values)


def _norm_cdf(x: float) -> float:
    return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0


def _redrawn_normals(gen, data: np.ndarray, mean, std, a, b) -> np.ndarray:
    low, high = data.dtype.type(a), data.dtype.type(b)
    result = _random.normal(gen, data, mean, std).astype(data.dtype, copy=False)
    while True:
        outside = (result < low) | (result > high)
        if not outside.any():
            return result
        fresh = _random.normal(gen, result, mean, std).astype(data.dtype, copy=False)
        result = np.where(outside, fresh, result)


def _accepted_uniforms(gen, data: np.ndarray, mean, std, a, b) -> np.ndarray:
    dtype = data.dtype.type
    log_peak = -0.5 * ((max(a, min(mean, b)) - mean) / std) ** 2

    def log_density(values):
        scaled = ((values - dtype(mean)) / dtype(std)) ** 2
        return scaled * dtype(-0.5) - dtype(log_peak)

    def draw_pending(candidates):
        return np.log(_random.uniform(gen, data, 0.0, 1.0).astype(data.dtype)) > \
            log_density(candidates)

    result = _random.uniform(gen, data, a, b).astype(data.dtype)
    pending = draw_pending(result)
    while pending.any():
        candidates = _random.uniform(gen, data, a, b).astype(data.dtype)
        result = np.where(pending, candidates, result)
        pending = np.where(pending, draw_pending(candidates), pending)
    return result


def eye_(tensor: Tensor) -> Tensor:
    if tensor._data.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return _fill(tensor, np.eye(*tensor._data.shape, dtype=tensor._data.dtype))


def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    shape = tensor._data.shape
    if len(shape) not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    if shape[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    out_per_group = shape[0] // groups
    values = np.zeros(shape, tensor._data.dtype)
    centre = tuple(size // 2 for size in shape[2:])
    for g in range(groups):
        for d in range(min(out_per_group, shape[1])):
            values[(g * out_per_group + d, d) + centre] = 1
    return _fill(tensor, values)


def orthogonal_(tensor: Tensor, gain: float = 1, generator=None) -> Tensor:
    """torch's draws (a normal matrix, transposed when wide) and QR with the signs of R's
    diagonal; the QR is NumPy's LAPACK, so values agree with torch's to rounding only."""
    data = tensor._data
    if data.ndim < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if data.size == 0:
        return tensor
    rows = data.shape[0]
    cols = data.size // rows
    gen = _random.generator_or_default(generator)
    flattened = _random.normal(gen, np.empty((rows, cols), data.dtype), 0.0, 1.0)
    flattened = flattened.astype(data.dtype, copy=False)
    if rows < cols:
        flattened = flattened.T
    q, r = np.linalg.qr(flattened)
    q = q * np.sign(np.diagonal(r))
    if rows < cols:
        q = q.T
    return _fill(tensor, (q.reshape(data.shape) * data.dtype.type(gain)).astype(data.dtype))


def sparse_(tensor: Tensor, sparsity: float, std: float = 0.01, generator=None) -> Tensor:
    """Normal values, then in each column the first ceil(sparsity * rows) rows of a fresh
    randperm (from the default generator, as torch does) set to zero."""
    if tensor._data.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    rows, cols = tensor._data.shape
    num_zeros = math.ceil(sparsity * rows)
    gen = _random.generator_or_default(generator)
    values = _random.normal(gen, tensor._data, 0.0, std).astype(tensor._data.dtype)
    for col in range(cols):
        values[_random.permutation(_random.default_generator, rows)[:num_zeros], col] = 0
    return _fill(tensor, values)


def constant_(tensor: Tensor, val: float) -> Tensor:
    return _fill(tensor, val)


def zeros_(tensor: Tensor) -> Tensor:
    return _fill(tensor, 0)


def ones_(tensor: Tensor) -> Tensor:
    return _fill(tensor, 1)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / float(fan_in + fan_out)), generator)


def kaiming_uniform_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu", generator=None) -> Tensor:
    if 0 in tensor._data.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu", generator=None) -> Tensor:
    if 0 in tensor._data.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    return normal_(tensor, 0.0, std, generator)


def default_reset(weight: Tensor, bias: Tensor | None) -> None:
    """Linear's and Conv2d's default initialisation: kaiming-uniform with a=sqrt(5), and
    the bias uniform within 1/sqrt(fan_in)."""
    kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        bound = fan_in_bound(weight)
        uniform_(bias, -bound, bound)


def fan_in_bound(weight: Tensor) -> float:
    """PyTorch's default bias bound for Linear and Conv: 1 / sqrt(fan_in), or 0."""
    fan_in, _ = _calculate_fan_in_and_fan_out(weight)
    return 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0


def _empty(*shape, dtype=None) -> np.ndarray:
    from engine.dtypes import get_default_dtype
    return np.empty(shape, dtype=(dtype or get_default_dtype()).np_dtype)


# breadth: the deprecated names without the underscore, as PyTorch keeps them
def _make_deprecate(method):
    new_name = method.__name__
    old_name = new_name[:-1]

    def deprecated_init(*args, **kwargs):
        warnings.warn(f"`nn.init.{old_name}` is now deprecated in favor of "
                      f"`nn.init.{new_name}`.", FutureWarning, stacklevel=2)
        return method(*args, **kwargs)
    deprecated_init.__doc__ = f"""
    {old_name}(...)

    .. warning::
        This method is now deprecated in favor of :func:`torch.nn.init.{new_name}`.

    See :func:`~torch.nn.init.{new_name}` for details."""
    deprecated_init.__name__ = old_name
    return deprecated_init


uniform = _make_deprecate(uniform_)
normal = _make_deprecate(normal_)
constant = _make_deprecate(constant_)
eye = _make_deprecate(eye_)
dirac = _make_deprecate(dirac_)
xavier_uniform = _make_deprecate(xavier_uniform_)
xavier_normal = _make_deprecate(xavier_normal_)
kaiming_uniform = _make_deprecate(kaiming_uniform_)
kaiming_normal = _make_deprecate(kaiming_normal_)
orthogonal = _make_deprecate(orthogonal_)
sparse = _make_deprecate(sparse_)

from engine._unsupported import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr("torch.nn.init")
