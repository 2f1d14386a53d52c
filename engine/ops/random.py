"""Random in-place ops (normal_, uniform_, random_, bernoulli_, exponential_) and sampling
functions (bernoulli, multinomial, normal), drawing from engine.random's generators in
torch's order so a seed gives PyTorch's values. Their gradients are zeros, as in torch."""
from __future__ import annotations

import numpy as np

from engine import random as _random
from engine.autograd.node import node_class
from engine.ops import inplace as I
from engine.ops._core import record, zeros_grad
from engine.tensor import Tensor

_zero_grad = (lambda n, g: (zeros_grad(g),))
NormalBackward0 = node_class("NormalBackward0", _zero_grad)
UniformBackward0 = node_class("UniformBackward0", _zero_grad)
ExponentialBackward0 = node_class("ExponentialBackward0", _zero_grad)
BernoulliBackward2 = node_class("BernoulliBackward2", _zero_grad)
BernoulliBackward1 = node_class("BernoulliBackward1", lambda n, g: (
    zeros_grad(g), zeros_grad(g, n._in_shapes[1]) if n.needs(1) else None))
RandomBackward0 = node_class("RandomBackward0", _zero_grad)     # random_(from, to)
RandomBackward1 = node_class("RandomBackward1", _zero_grad)     # random_(to)
RandomBackward2 = node_class("RandomBackward2", _zero_grad)     # random_()
BernoulliBackward0 = node_class("BernoulliBackward0", _zero_grad)


def _kind_name(data: np.ndarray) -> str:
    return Tensor._dtype_of(data).tensor_type[:-len("Tensor")]


def _require_float(tensor: Tensor, kernel: str) -> None:
    from engine.creation import check_random_dtype
    check_random_dtype(tensor._data.dtype, kernel)


def _fill_in_place(tensor: Tensor, op: str, node_cls, draw, sources: tuple = ()) -> Tensor:
    """Check as torch does before drawing, draw for the tensor's layout, then overwrite."""
    I._check_leaf(tensor)
    values = draw(tensor._data)
    return I._overwrite(tensor, op, node_cls, values.astype(tensor._data.dtype, copy=False),
                        sources)


# ---------------------------------------------------------------- in-place methods

def normal_(self, mean=0.0, std=1.0, *, generator=None):
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_number(std)}")
    _require_float(self, "normal_kernel_cpu")
    gen = _random.generator_or_default(generator)
    return _fill_in_place(self, "normal_", NormalBackward0,
                          lambda like: _random.normal(gen, like, mean, std))


def uniform_(self, *args, generator=None, **kwargs):
    low = args[0] if len(args) > 0 else kwargs.get("from", 0.0)
    high = args[1] if len(args) > 1 else kwargs.get("to", 1.0)
    _require_float(self, "check_uniform_bounds")
    if low > high:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found "
                           f"from={_number(low)} > to={_number(high)}")
    gen = _random.generator_or_default(generator)
    return _fill_in_place(self, "uniform_", UniformBackward0,
                          lambda like: _random.uniform(gen, like, low, high))


def random_(self, *args, generator=None, **kwargs):
    """random_(), random_(to) or random_(from, to) (to=None: up to the dtype's largest)."""
    gen = _random.generator_or_default(generator)
    if not args and not kwargs:
        modulus, wide = _full_range(self._data.dtype)
        return _fill_in_place(self, "random_", RandomBackward2,
                              lambda like: _random.int_modulo(gen, like, modulus, wide))
    if len(args) + len(kwargs) == 1 and "from" not in kwargs:
        low, high, node_cls = 0, args[0] if args else kwargs["to"], RandomBackward1
    else:
        low = args[0] if args else kwargs["from"]
        high = args[1] if len(args) > 1 else kwargs.get("to")
        node_cls = RandomBackward0
    if high is None:
        high = _largest(self._data.dtype) + 1
    from engine.creation import random_from_to
    return _fill_in_place(self, "random_", node_cls,
                          lambda like: random_from_to(gen, like, int(low), int(high)))


def _full_range(dtype: np.dtype) -> tuple[int, bool]:
    """random_()'s modulus and whether it draws 64 bits, per dtype (torch's table)."""
    if dtype.kind == "f":
        digits = np.finfo(dtype).nmant + 1
        return (1 << digits) + 1, dtype == np.float64
    if dtype == np.bool_:
        return 2, False
    return int(np.iinfo(dtype).max) + 1, dtype == np.int64


def _largest(dtype: np.dtype) -> int:
    if dtype.kind == "f":
        return 1 << (np.finfo(dtype).nmant + 1)
    if dtype == np.bool_:
        return 1
    return int(np.iinfo(dtype).max)


def bernoulli_(self, p=0.5, *, generator=None):
    gen = _random.generator_or_default(generator)
    if isinstance(p, Tensor):
        _require_float(p, "bernoulli_tensor_cpu_p_")
        return _fill_in_place(self, "bernoulli_", BernoulliBackward1,
                              lambda like: _bernoulli_tensor(gen, like, p._data), (p,))
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={_number(p)}")
    return _fill_in_place(self, "bernoulli_", BernoulliBackward2,
                          lambda like: _random.bernoulli(gen, like, float(p)))


def _bernoulli_tensor(gen, like: np.ndarray, p: np.ndarray) -> np.ndarray:
    if p.size and not ((p >= 0) & (p <= 1)).all():
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could "
                           "this error message be improved?  If so, please report an "
                           "enhancement request to PyTorch.)")
    return _random.bernoulli(gen, like, p)


def exponential_(self, lambd=1.0, *, generator=None):
    if self._data.dtype.kind != "f":
        raise RuntimeError("Exponential distribution is a continuous probability distribution. "
                           f"dtype must be a floating point but you specified {_kind_name(self._data)}")
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={_number(lambd)}")
    gen = _random.generator_or_default(generator)
    return _fill_in_place(self, "exponential_", ExponentialBackward0,
                          lambda like: _random.exponential(gen, like, lambd))


def _number(value) -> str:
    """A number as torch's error texts print it (2.0 -> 2)."""
    value = float(value)
    return str(int(value)) if value.is_integer() else repr(value)


# ---------------------------------------------------------------- sampling functions

def bernoulli(input, p=None, *, generator=None):
    """bernoulli(input): each element 1 with probability input[i]; bernoulli(input, p): with
    probability p. The result has input's shape and dtype."""
    gen = _random.generator_or_default(generator)
    # torch draws into a contiguous result whatever input's strides (an expanded or a
    # transposed input included), so the values land in row-major order.
    like = np.empty(input._data.shape, input._data.dtype)
    if p is None:
        _require_float(input, "bernoulli_tensor_cpu_p_")
        values = _bernoulli_tensor(gen, like, input._data)
    else:
        values = _random.bernoulli(gen, like, float(p))
    return record(BernoulliBackward0, values.astype(input._data.dtype), (input,))


def multinomial(input, num_samples, replacement=False, *, generator=None):
    probs = input._data
    _check_multinomial(probs, num_samples, replacement)
    gen = _random.generator_or_default(generator)
    rows = probs.reshape(-1, probs.shape[-1])
    if not replacement or num_samples == 1:
        samples = _multinomial_by_exponential(gen, rows, num_samples)
    else:
        samples = _random.multinomial_with_replacement(gen, rows, num_samples)
    return Tensor._make(samples.reshape(probs.shape[:-1] + (num_samples,)))


def _check_multinomial(probs: np.ndarray, num_samples: int, replacement: bool) -> None:
    if probs.dtype.kind != "f":
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{_kind_name(probs)}")
    if probs.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    if not replacement and num_samples > probs.shape[-1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    if probs.shape[-1] > 1 << 24:
        raise RuntimeError("number of categories cannot exceed 2^24")


def _multinomial_by_exponential(gen, rows: np.ndarray, num_samples: int) -> np.ndarray:
    """torch's fast path: the indices of the largest p / q with q ~ Exp(1) (q drawn for the
    whole input, in its dtype)."""
    if not (np.isfinite(rows).all() and (rows >= 0).all()) or (rows.max(initial=0) == np.inf):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if (rows.sum(axis=-1) == 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    q = _random.exponential(gen, rows, 1.0).astype(rows.dtype)
    ratio = rows / q
    if num_samples == 1:
        return np.argmax(ratio, axis=-1)[:, None]
    return np.argsort(-ratio, axis=-1, kind="stable")[:, :num_samples]


def normal(mean, std=1.0, size=None, *, generator=None, dtype=None, requires_grad=False):
    """normal(mean, std, size) of two numbers, or with a tensor mean and/or std: standard
    normals scaled and shifted in place as torch does (output.mul_(std).add_(mean))."""
    gen = _random.generator_or_default(generator)
    mean_is_tensor, std_is_tensor = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not mean_is_tensor and not std_is_tensor:
        from engine.creation import empty
        out = empty(*size, dtype=dtype)
        normal_(out, mean, std, generator=gen)
        return out.requires_grad_(requires_grad) if requires_grad else out
    if std_is_tensor and (std._data < 0).any():
        raise RuntimeError("normal expects all elements of std >= 0.0")
    if not std_is_tensor and std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_number(std)}")
    return _normal_of_tensors(gen, mean, std)


def _normal_of_tensors(gen, mean, std) -> Tensor:
    mean_data = mean._data if isinstance(mean, Tensor) else None
    std_data = std._data if isinstance(std, Tensor) else None
    dtype = (mean_data if mean_data is not None else std_data).dtype
    shape = np.broadcast_shapes(*(d.shape for d in (mean_data, std_data) if d is not None))
    like = np.empty(shape, dtype)
    if std_data is None:
        out = _random.normal(gen, like, 0.0, std).astype(dtype, copy=False)
        out = out + mean_data
    else:
        out = _random.normal(gen, like, 0.0, 1.0).astype(dtype, copy=False)
        out = out * std_data
        out = out + (mean_data if mean_data is not None else dtype.type(mean))
    node_cls = (NormalBackward3 if mean_data is not None and std_data is not None else
                NormalBackward1 if mean_data is not None else NormalBackward2)
    inputs = tuple(t for t in (mean, std) if isinstance(t, Tensor))
    return record(node_cls, out.astype(dtype, copy=False), inputs)


def _zeros_for_inputs(n, g):
    return tuple(np.zeros(shape, g.dtype) for shape in n._in_shapes)


NormalBackward1 = node_class("NormalBackward1", lambda n, g: (np.zeros(n._in_shapes[0], g.dtype),))
NormalBackward2 = node_class("NormalBackward2", lambda n, g: (np.zeros(n._in_shapes[0], g.dtype),))
NormalBackward3 = node_class("NormalBackward3", _zeros_for_inputs)
