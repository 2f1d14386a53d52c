"""torch.random: the CPU generator (torch's Mersenne Twister, so a seed gives PyTorch's
numbers), the default generator and the seeding functions.

A `Generator` owns its state; the fill functions at the bottom draw from it into NumPy
arrays in torch's order (the kernels are in `engine.kernels.mt19937`).
"""
from __future__ import annotations

import contextlib
import os

import numpy as np

N_WORDS = 624
DEFAULT_SEED = 67280421310721          # what torch.Generator() starts from
_UINT64 = 1 << 64
_STATE_BYTES = 5056                    # torch's CPUGeneratorImplState
_WORDS_AT, _NORMAL_Y_AT, _NORMAL_VALID_AT = 24, 5024, 5040
_FLOAT_NORMAL_AT, _FLOAT_VALID_AT = 5048, 5052


class Generator:
    """torch.Generator for the CPU: mt19937 words, torch's two counters and the cached
    second Box-Muller sample that torch keeps between normal draws."""

    def __init__(self, device="cpu") -> None:
        if str(device) != "cpu":
            raise RuntimeError(f"Device type {str(device).upper()} is not supported for torch.Generator() api.")
        self._words = np.zeros(N_WORDS, np.uint32)
        self._position = np.zeros(2, np.int64)          # torch's [left, next]
        self._normal = np.zeros(2)                       # [valid, value], a float64 sample
        self._float_normal = (0.0, False)                # kept only to round-trip a state
        self.manual_seed(DEFAULT_SEED)

    @property
    def device(self):
        from engine._device import device
        return device("cpu")

    def clone_state(self) -> "Generator":
        copy = Generator()
        copy._load_state_bytes(self._state_bytes())
        return copy

    def manual_seed(self, seed) -> "Generator":
        seed = _seed_value(seed)
        self._initial_seed = seed
        seed_words(self._words, self._position, seed)
        self._normal[:] = 0.0
        self._float_normal = (0.0, False)
        return self

    def seed(self) -> int:
        value = int.from_bytes(os.urandom(8), "little")
        self.manual_seed(value)
        return value

    def initial_seed(self) -> int:
        return self._initial_seed

    def get_state(self):
        from engine.creation import from_numpy
        return from_numpy(self._state_bytes())

    def set_state(self, new_state) -> "Generator":
        self._load_state_bytes(_state_array(new_state))
        return self

    def _state_bytes(self) -> np.ndarray:
        state = np.zeros(_STATE_BYTES, np.uint8)
        _put(state, 0, np.uint64(self._initial_seed))
        _put(state, 8, self._position[:1].astype(np.int32))
        _put(state, 12, np.int32(1))                     # seeded
        _put(state, 16, np.uint64(self._position[1]))
        _put(state, _WORDS_AT, self._words.astype(np.uint64))
        if self._normal[0]:
            _put(state, _NORMAL_Y_AT, np.float64(self._normal[1]))
            _put(state, _NORMAL_VALID_AT, np.int32(1))
        value, valid = self._float_normal
        if valid:
            _put(state, _FLOAT_NORMAL_AT, np.float32(value))
            state[_FLOAT_VALID_AT] = 1
        return state

    def _load_state_bytes(self, state: np.ndarray) -> None:
        self._initial_seed = int(_get(state, 0, np.uint64))
        self._position[0] = int(_get(state, 8, np.int32))
        self._position[1] = int(_get(state, 16, np.uint64))
        self._words[:] = _get(state, _WORDS_AT, np.uint64, N_WORDS).astype(np.uint32)
        valid = bool(_get(state, _NORMAL_VALID_AT, np.int32))
        self._normal[:] = (1.0, float(_get(state, _NORMAL_Y_AT, np.float64))) if valid else 0.0
        self._float_normal = (float(_get(state, _FLOAT_NORMAL_AT, np.float32)),
                              bool(state[_FLOAT_VALID_AT]))


def seed_words(words: np.ndarray, position: np.ndarray, seed: int) -> None:
    """std::mt19937's seeding from the low 32 bits of the seed (as torch seeds); the next draw
    twists. Plain Python: 624 steps do not justify starting Numba at import."""
    value = seed & 0xFFFFFFFF
    words[0] = value
    for j in range(1, N_WORDS):
        value = (1812433253 * (value ^ (value >> 30)) + j) & 0xFFFFFFFF
        words[j] = value
    position[0] = 1
    position[1] = 0


def _seed_value(seed) -> int:
    seed = int(seed)
    if not -(1 << 63) <= seed < _UINT64:
        raise ValueError("Overflow when unpacking long long")
    return seed % _UINT64


def _put(state: np.ndarray, offset: int, value) -> None:
    raw = np.asarray(value).tobytes()
    state[offset:offset + len(raw)] = np.frombuffer(raw, np.uint8)


def _get(state: np.ndarray, offset: int, dtype, count: int = 1):
    dtype = np.dtype(dtype)
    values = np.frombuffer(state[offset:offset + dtype.itemsize * count].tobytes(), dtype)
    return values if count > 1 else values[0]


def _state_array(new_state) -> np.ndarray:
    from engine.tensor import Tensor
    if not isinstance(new_state, Tensor) or new_state._data.dtype != np.uint8:
        raise TypeError("RNG state must be a torch.ByteTensor")
    state = np.ascontiguousarray(new_state._data).reshape(-1)
    if state.size != _STATE_BYTES:
        raise RuntimeError(f"Expected a CPUGeneratorImplState of size {_STATE_BYTES} but found "
                           f"the input RNG state size to be {state.size}")
    return state


default_generator = Generator()
default_generator.seed()


def manual_seed(seed) -> Generator:
    return default_generator.manual_seed(seed)


def seed() -> int:
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state) -> None:
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices",
             device_type="cuda"):
    """Restore the CPU generator's state on leaving. Devices named for CUDA (none exist on
    this build) fail as torch's do when it reads their generators."""
    if not enabled:
        yield
        return
    if devices and device_type == "cuda":
        from engine import cuda
        for index in devices:
            cuda.get_rng_state(index)
    state = default_generator._state_bytes()
    try:
        yield
    finally:
        default_generator._load_state_bytes(state)


def generator_or_default(generator) -> Generator:
    if generator is None:
        return default_generator
    if not isinstance(generator, Generator):
        raise TypeError(f"generator must be a torch.Generator, not {type(generator).__name__}")
    return generator


# ------------------------------------------------------------------ drawing arrays in torch's order
# Each function returns a new array shaped like `like`, drawn as torch draws into a tensor
# with like's layout: element by element in memory order (TensorIterator's order), and with
# the vectorised normal only when like is contiguous.

def _kernels():
    """engine.kernels.mt19937, imported on the first draw (it brings Numba)."""
    from engine.kernels import mt19937
    return mt19937


def _memory_order(array: np.ndarray) -> tuple:
    """Axes from the slowest- to the fastest-moving in memory."""
    return tuple(sorted(range(array.ndim), key=lambda axis: -abs(array.strides[axis])))


def _draw(like: np.ndarray, draw, dtype) -> np.ndarray:
    """draw(flat, contiguous) fills a flat buffer of `dtype` in torch's element order."""
    flat = np.empty(like.size, dtype)
    contiguous = like.flags.c_contiguous
    draw(flat, contiguous)
    if contiguous:
        return flat.reshape(like.shape)
    order = _memory_order(like)
    result = np.empty(like.shape, dtype)
    result.transpose(order)[...] = flat.reshape([like.shape[axis] for axis in order])
    return result


def _in_memory_order(values: np.ndarray, like: np.ndarray) -> np.ndarray:
    values = np.broadcast_to(values, like.shape)
    if like.flags.c_contiguous:
        return np.ascontiguousarray(values).reshape(-1)
    return np.ascontiguousarray(values.transpose(_memory_order(like))).reshape(-1)


def uniform(generator: Generator, like: np.ndarray, low: float, high: float) -> np.ndarray:
    mt = _kernels()
    words, position = generator._words, generator._position
    if like.dtype == np.float64:
        return _draw(like, lambda flat, _: mt.fill_uniform_double(
            words, position, flat, float(low), float(high)), np.float64)
    return _draw(like, lambda flat, _: mt.fill_uniform_float(
        words, position, flat, float(low), float(high)), np.float32)


def normal(generator: Generator, like: np.ndarray, mean: float, std: float) -> np.ndarray:
    mt = _kernels()
    words, position, cache = generator._words, generator._position, generator._normal
    mean, std = float(mean), float(std)

    def draw(flat, contiguous):
        if flat.size >= 16 and contiguous and flat.dtype == np.float32:
            mt.fill_normal_vector_float(words, position, flat, mean, std)
        elif flat.size >= 16 and contiguous:
            mt.fill_normal_vector_double(words, position, flat, mean, std)
        else:
            mt.fill_normal_scalar(words, position, cache, flat, mean, std)
    return _draw(like, draw, np.float64 if like.dtype == np.float64 else np.float32)


def int_from_to(generator: Generator, like: np.ndarray, span: int, base: int) -> np.ndarray:
    """(word % span) + base as int64; a 64-bit word when span >= 2**32."""
    mt = _kernels()
    words, position = generator._words, generator._position
    return _draw(like, lambda flat, _: mt.fill_int_from_to(
        words, position, flat, np.uint64(span), int(base)), np.int64)


def int_modulo(generator: Generator, like: np.ndarray, modulus: int, wide: bool) -> np.ndarray:
    mt = _kernels()
    words, position = generator._words, generator._position
    return _draw(like, lambda flat, _: mt.fill_int_modulo(
        words, position, flat, np.uint64(modulus), wide), np.int64)


def bernoulli(generator: Generator, like: np.ndarray, p) -> np.ndarray:
    """0/1 as float64; p a Python float (53-bit uniforms) or a float32 / float64 array
    broadcast to like (24-bit uniforms compared in float32 for float32 p)."""
    mt = _kernels()
    words, position = generator._words, generator._position
    if not isinstance(p, np.ndarray):
        return _draw(like, lambda flat, _: mt.fill_bernoulli_scalar(
            words, position, flat, float(p)), np.float64)
    kernel = mt.fill_bernoulli_double_p if p.dtype == np.float64 else mt.fill_bernoulli_float_p
    probabilities = _in_memory_order(p, like).astype(np.float64)
    return _draw(like, lambda flat, _: kernel(words, position, flat, probabilities), np.float64)


def exponential(generator: Generator, like: np.ndarray, lambd: float) -> np.ndarray:
    mt = _kernels()
    words, position = generator._words, generator._position
    return _draw(like, lambda flat, _: mt.fill_exponential(
        words, position, flat, float(lambd)), np.float64)


def permutation(generator: Generator, n: int) -> np.ndarray:
    mt = _kernels()
    out = np.empty(n, np.int64)
    mt.fill_randperm(generator._words, generator._position, out)
    return out


def multinomial_with_replacement(generator: Generator, probs: np.ndarray,
                                 n_sample: int) -> np.ndarray:
    """probs (n_dist, n_categories) -> (n_dist, n_sample) category indices."""
    mt = _kernels()
    out = np.empty((probs.shape[0], n_sample), np.int64)
    mt.multinomial_with_replacement(generator._words, generator._position,
                                    np.ascontiguousarray(probs), int(n_sample), out)
    return out
