"""engine.kernels.mt19937 (and engine.random's seeding) against the slow pure-Python
reference, draw for draw."""

import math

import numpy as np
import pytest

import mt19937_reference as ref
from engine.kernels import mt19937 as K
from engine.random import seed_words

SEEDS = [0, 1, 2024, 2**32 + 7]


def _state(seed):
    words, position = np.zeros(K.N_WORDS, np.uint32), np.zeros(2, np.int64)
    seed_words(words, position, seed)
    return words, position


def _bits(array):
    return array.view(np.uint32 if array.dtype == np.float32 else np.uint64)


@pytest.mark.parametrize("seed", SEEDS)
def test_words_match_the_reference_across_a_twist(seed):
    words, position = _state(seed)
    out = np.empty(1300, np.uint32)
    K.draw_u32(words, position, out)
    mt = ref.MersenneTwister(seed)
    assert out.tolist() == [mt.u32() for _ in range(1300)]
    assert (position[0], position[1]) == (mt.left, mt.next)
    wide = np.empty(5, np.uint64)
    K.draw_u64(words, position, wide)
    assert wide.tolist() == [mt.u64() for _ in range(5)]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("low, high", [(0.0, 1.0), (-2.5, 3.25)])
def test_uniform(seed, low, high):
    words, position = _state(seed)
    mt = ref.MersenneTwister(seed)
    floats, doubles = np.empty(40, np.float32), np.empty(40)
    K.fill_uniform_float(words, position, floats, low, high)
    K.fill_uniform_double(words, position, doubles, low, high)
    np.testing.assert_array_equal(_bits(floats), _bits(ref.uniform_float(mt, 40, low, high)))
    np.testing.assert_array_equal(_bits(doubles), _bits(ref.uniform_double(mt, 40, low, high)))


@pytest.mark.parametrize("seed", SEEDS)
def test_scalar_normal_caches_the_sine_sample_across_calls(seed):
    words, position = _state(seed)
    cache = np.zeros(2)
    mt, ref_cache = ref.MersenneTwister(seed), [None]
    for n, dtype, mean, std in [(3, np.float32, 0.0, 1.0), (4, np.float64, 1.5, 0.3),
                                (1, np.float64, 0.0, 1.0)]:
        out = np.empty(n, dtype)
        K.fill_normal_scalar(words, position, cache, out, mean, std)
        expected = ref.normal_scalar(mt, ref_cache, n, mean, std).astype(dtype)
        np.testing.assert_array_equal(_bits(out), _bits(expected))
        assert bool(cache[0]) == (ref_cache[0] is not None)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", [16, 23, 48])
def test_vector_normals(seed, n):
    words, position = _state(seed)
    mt = ref.MersenneTwister(seed)
    floats, doubles = np.empty(n, np.float32), np.empty(n)
    K.fill_normal_vector_float(words, position, floats, 0.5, 2.0)
    K.fill_normal_vector_double(words, position, doubles, 0.5, 2.0)
    np.testing.assert_array_equal(_bits(floats), _bits(ref.normal_vector_float(mt, n, 0.5, 2.0)))
    np.testing.assert_array_equal(_bits(doubles),
                                  _bits(ref.normal_vector_double(mt, n, 0.5, 2.0)))


@pytest.mark.parametrize("seed", SEEDS)
def test_integers_permutation_bernoulli_exponential(seed):
    words, position = _state(seed)
    mt = ref.MersenneTwister(seed)
    small, large = np.empty(30, np.int64), np.empty(10, np.int64)
    K.fill_int_from_to(words, position, small, np.uint64(10), -3)
    K.fill_int_from_to(words, position, large, np.uint64(2**40), 5)
    assert small.tolist() == [mt.u32() % 10 - 3 for _ in range(30)]
    assert large.tolist() == [mt.u64() % 2**40 + 5 for _ in range(10)]
    modulo = np.empty(6, np.int64)
    K.fill_int_modulo(words, position, modulo, np.uint64(2**24 + 1), False)
    assert modulo.tolist() == [mt.u32() % (2**24 + 1) for _ in range(6)]
    perm = np.empty(50, np.int64)
    K.fill_randperm(words, position, perm)
    np.testing.assert_array_equal(perm, ref.randperm(mt, 50))
    coins, float_p = np.empty(30), np.full(30, 0.25, np.float64)
    K.fill_bernoulli_scalar(words, position, coins, 0.3)
    assert coins.tolist() == [float(mt.unit_double() < 0.3) for _ in range(30)]
    K.fill_bernoulli_float_p(words, position, coins, float_p)
    assert coins.tolist() == [float(mt.unit_float() < np.float32(0.25)) for _ in range(30)]
    K.fill_bernoulli_double_p(words, position, coins, float_p)
    assert coins.tolist() == [float(mt.unit_double() < 0.25) for _ in range(30)]
    waits = np.empty(20)
    K.fill_exponential(words, position, waits, 2.0)
    # math.log1p is the C library's, as in the kernel (and ATen); NumPy 2.4's own log1p
    # differs from it in the last bit for about one value in ten.
    assert waits.tolist() == [-0.5 * math.log1p(-mt.unit_double()) for _ in range(20)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_multinomial_with_replacement(dtype):
    words, position = _state(5)
    mt = ref.MersenneTwister(5)
    probs = np.array([[0.1, 0.0, 0.5, 0.4], [3.0, 1.0, 1.0, 0.0]], dtype)
    out = np.empty((2, 25), np.int64)
    K.multinomial_with_replacement(words, position, probs, 25, out)
    np.testing.assert_array_equal(out, ref.multinomial_with_replacement(mt, probs, 25))
