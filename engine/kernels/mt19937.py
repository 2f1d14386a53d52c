"""PyTorch's CPU random generator: a 32-bit Mersenne Twister and torch's transforms of its
words into uniform, normal, integer, Bernoulli and exponential samples.

The generator's state is two plain arrays: ``words`` (624 uint32) and ``position`` (int64
``[left, next]``, torch's own counters, so a state can be exported in torch's byte layout);
engine.random seeds them (in plain Python, so importing engine does not start Numba).
Every kernel draws in torch's order and with torch's arithmetic, bit for bit; none of them
use fast-math flags, because reassociating or contracting a single operation changes bits.
Where torch itself fuses a multiply and an add (its AVX2 normal kernel, or code the compiler
contracted) the kernel calls ``_fma``, a true fused multiply-add.
"""

import math

import numba
import numpy as np
from llvmlite import ir
from numba.extending import intrinsic

N_WORDS = 624
_SHIFT = 397
_MATRIX_A = np.uint32(0x9908B0DF)
_UPPER = np.uint32(0x80000000)
_LOWER = np.uint32(0x7FFFFFFF)
_FLOAT_MASK = np.uint32((1 << 24) - 1)
_FLOAT_UNIT = np.float32(1.0 / (1 << 24))
_DOUBLE_MASK = np.uint64((1 << 53) - 1)
_DOUBLE_UNIT = 1.0 / (1 << 53)
_TWO_PI = 2.0 * math.pi


def _rng_kernel(function):
    return numba.njit(cache=True, nogil=True)(function)


@intrinsic
def _fma(typingctx, a, b, c):
    """a * b + c rounded once, as the FMA instruction does."""
    signature = a(a, b, c)

    def codegen(context, builder, sig, args):
        return builder.fma(*args)
    return signature, codegen


# ------------------------------------------------------------------ the Mersenne Twister

@numba.njit(inline="always", nogil=True, cache=True)
def _twist(words):
    for k in range(N_WORDS):
        mixed = (words[k] & _UPPER) | (words[(k + 1) % N_WORDS] & _LOWER)
        shifted = mixed >> np.uint32(1)
        if mixed & np.uint32(1):
            shifted ^= _MATRIX_A
        words[k] = words[(k + _SHIFT) % N_WORDS] ^ shifted


@numba.njit(inline="always", nogil=True, cache=True)
def _u32(words, position):
    position[0] -= 1
    if position[0] == 0:
        _twist(words)
        position[0] = N_WORDS
        position[1] = 0
    y = words[position[1]]
    position[1] += 1
    y ^= y >> np.uint32(11)
    y ^= (y << np.uint32(7)) & np.uint32(0x9D2C5680)
    y ^= (y << np.uint32(15)) & np.uint32(0xEFC60000)
    y ^= y >> np.uint32(18)
    return y


@numba.njit(inline="always", nogil=True, cache=True)
def _u64(words, position):
    high = np.uint64(_u32(words, position))
    low = np.uint64(_u32(words, position))
    return (high << np.uint64(32)) | low


@numba.njit(inline="always", nogil=True, cache=True)
def _unit_float(words, position):
    """[0, 1) from the low 24 bits of one word, in float32."""
    return np.float32(_u32(words, position) & _FLOAT_MASK) * _FLOAT_UNIT


@numba.njit(inline="always", nogil=True, cache=True)
def _unit_double(words, position):
    """[0, 1) from the low 53 bits of two words."""
    return np.float64(_u64(words, position) & _DOUBLE_MASK) * _DOUBLE_UNIT


@_rng_kernel
def draw_u32(words, position, out):
    for i in range(out.size):
        out[i] = _u32(words, position)


@_rng_kernel
def draw_u64(words, position, out):
    for i in range(out.size):
        out[i] = _u64(words, position)


# ------------------------------------------------------------------ uniform

@_rng_kernel
def fill_uniform_float(words, position, out, low, high):
    """uniform_(low, high) of a float32 array, in order: (bits * 2**-24) * (high - low) + low."""
    span = np.float32(high) - np.float32(low)
    base = np.float32(low)
    for i in range(out.size):
        out[i] = _fma(_unit_float(words, position), span, base)


@_rng_kernel
def fill_uniform_double(words, position, out, low, high):
    span = high - low
    for i in range(out.size):
        out[i] = _fma(_unit_double(words, position), span, low)


# ------------------------------------------------------------------ normal

@_rng_kernel
def fill_normal_scalar(words, position, cache, out, mean, std):
    """torch's element-by-element normal (numel < 16 or not contiguous): Box-Muller in double
    from two 53-bit uniforms; the sine half is cached on the generator (``cache`` is
    ``[valid, value]``) and returned by the next draw, whatever its dtype."""
    for i in range(out.size):
        if cache[0] != 0.0:
            cache[0] = 0.0
            sample = cache[1]
        else:
            u1 = _unit_double(words, position)
            u2 = _unit_double(words, position)
            radius = math.sqrt(-2.0 * math.log1p(-u2))
            theta = _TWO_PI * u1
            cache[0] = 1.0
            cache[1] = radius * math.sin(theta)
            sample = radius * math.cos(theta)
        out[i] = _fma(sample, std, mean)


@numba.njit(inline="always", nogil=True, cache=True)
def _box_muller_16_double(out, start, mean, std):
    for j in range(8):
        u1 = 1.0 - out[start + j]
        u2 = out[start + j + 8]
        radius = math.sqrt(-2.0 * math.log(u1))
        theta = _TWO_PI * u2
        out[start + j] = _fma(radius * math.cos(theta), std, mean)
        out[start + j + 8] = _fma(radius * math.sin(theta), std, mean)


@_rng_kernel
def fill_normal_vector_double(words, position, out, mean, std):
    """torch's normal of a contiguous float64 array of 16 or more: all uniforms first, then
    Box-Muller on blocks of 16 (first 8 with the last 8); a ragged tail redraws the last 16."""
    size = out.size
    for i in range(size):
        out[i] = _unit_double(words, position)
    for start in range(0, size - 15, 16):
        _box_muller_16_double(out, start, mean, std)
    if size % 16 != 0:
        start = size - 16
        for i in range(16):
            out[start + i] = _unit_double(words, position)
        _box_muller_16_double(out, start, mean, std)


# torch's AVX2 float normal computes log, sin and cos with the Cephes polynomials of
# avx_mathfun in float32; these are their coefficients. The compiler that built torch fused
# each multiply whose only use is an add into an FMA (the first such multiply in program
# order), so the kernels below call _fma exactly where it did.
_F = np.float32
_SQRT_HALF = _F(0.707106781186547524)
_LOG_P = (_F(7.0376836292E-2), _F(-1.1514610310E-1), _F(1.1676998740E-1),
          _F(-1.2420140846E-1), _F(1.4249322787E-1), _F(-1.6668057665E-1),
          _F(2.0000714765E-1), _F(-2.4999993993E-1), _F(3.3333331174E-1))
_LOG_Q1, _LOG_Q2 = _F(-2.12194440e-4), _F(0.693359375)
_MINUS_DP1, _MINUS_DP2, _MINUS_DP3 = (_F(-0.78515625), _F(-2.4187564849853515625e-4),
                                      _F(-3.77489497744594108e-8))
_SIN_P = (_F(-1.9515295891E-4), _F(8.3321608736E-3), _F(-1.6666654611E-1))
_COS_P = (_F(2.443315711809948E-005), _F(-1.388731625493765E-003), _F(4.166664568298827E-002))
_FOUR_OVER_PI = _F(1.27323954473516)
_TWO_PI_FLOAT = _F(2.0 * math.pi)
_HALF, _ONE, _ZERO = _F(0.5), _F(1.0), _F(0.0)


@numba.njit(inline="always", nogil=True, cache=True)
def _cephes_log(x, bits):
    """log of x, a positive normal float32 (1 - u, so never 0 or subnormal) whose int32 bit
    pattern is bits: exponent and mantissa are split as the SIMD code does."""
    e = np.float32((bits >> 23) - 127) + _ONE
    x = _as_float(np.int32((bits & np.int32(-0x7F800001)) | np.int32(0x3F000000)))
    small = x < _SQRT_HALF
    x = (x - _ONE) + (x if small else _ZERO)
    e = e - (_ONE if small else _ZERO)
    z = x * x
    y = _fma(_LOG_P[0], x, _LOG_P[1])
    y = _fma(y, x, _LOG_P[2])
    y = _fma(y, x, _LOG_P[3])
    y = _fma(y, x, _LOG_P[4])
    y = _fma(y, x, _LOG_P[5])
    y = _fma(y, x, _LOG_P[6])
    y = _fma(y, x, _LOG_P[7])
    y = _fma(y, x, _LOG_P[8])
    y = _fma(y * x, z, e * _LOG_Q1)
    y = _fma(-z, _HALF, y)
    return _fma(e, _LOG_Q2, x + y)


@intrinsic
def _as_float(typingctx, bits):
    """The float32 whose bit pattern is the int32 ``bits``."""
    def codegen(context, builder, sig, args):
        return builder.bitcast(args[0], ir.FloatType())
    return numba.types.float32(bits), codegen


@intrinsic
def _as_bits(typingctx, value):
    """The int32 bit pattern of the float32 ``value``."""
    def codegen(context, builder, sig, args):
        return builder.bitcast(args[0], ir.IntType(32))
    return numba.types.int32(value), codegen


@numba.njit(inline="always", nogil=True, cache=True)
def _cephes_sincos(x):
    """(sin, cos) of a float32 in [0, 2*pi), avx_mathfun's sincos256_ps lane by lane."""
    octant = (np.int32(x * _FOUR_OVER_PI) + np.int32(1)) & np.int32(-2)
    y = np.float32(octant)
    x = _fma(y, _MINUS_DP1, x)
    x = _fma(y, _MINUS_DP2, x)
    x = _fma(y, _MINUS_DP3, x)
    z = x * x
    cos_poly = _fma(_COS_P[0], z, _COS_P[1])
    cos_poly = _fma(cos_poly, z, _COS_P[2])
    cos_poly = _fma(cos_poly * z, z, -(z * _HALF)) + _ONE
    sin_poly = _fma(_SIN_P[0], z, _SIN_P[1])
    sin_poly = _fma(sin_poly, z, _SIN_P[2])
    sin_poly = _fma(sin_poly * z, x, x)
    # Both polynomials are computed and masked, with the SIMD code's additions of zero.
    sin_first = (octant & 2) == 0
    sin_part = sin_poly if sin_first else _ZERO
    cos_part = _ZERO if sin_first else cos_poly
    sin_value = cos_part + sin_part
    cos_value = (cos_poly - cos_part) + (sin_poly - sin_part)
    sin_sign = (octant & 4) << 29
    cos_sign = (~(octant - np.int32(2)) & 4) << 29
    return (_as_float(np.int32(_as_bits(sin_value) ^ sin_sign)),
            _as_float(np.int32(_as_bits(cos_value) ^ cos_sign)))


@numba.njit(inline="always", nogil=True, cache=True)
def _box_muller_16_float(block, mean, std):
    """Box-Muller on a block of 16 uniforms: lanes j and j + 8 pair up (unsigned indices:
    no negative-index wrapping, so the lane loop vectorises)."""
    for lane in range(8):
        j = np.uint64(lane)
        u1 = _ONE - block[j]
        radius = np.sqrt(_F(-2.0) * _cephes_log(u1, _as_bits(u1)))
        sin_theta, cos_theta = _cephes_sincos(_TWO_PI_FLOAT * block[j + np.uint64(8)])
        block[j] = _fma(radius * cos_theta, std, mean)
        block[j + np.uint64(8)] = _fma(radius * sin_theta, std, mean)


@_rng_kernel
def fill_normal_vector_float(words, position, out, mean, std):
    """torch's normal of a contiguous float32 array of 16 or more (its AVX2 kernel): 24-bit
    uniforms, then Box-Muller in float32 on blocks of 16; a ragged tail redraws the last 16."""
    mean = np.float32(mean)
    std = np.float32(std)
    size = out.size
    for i in range(size):
        out[i] = _unit_float(words, position)
    for start in range(0, size - 15, 16):
        _box_muller_16_float(out[start:start + 16], mean, std)
    if size % 16 != 0:
        start = size - 16
        for i in range(16):
            out[start + i] = _unit_float(words, position)
        _box_muller_16_float(out[start:], mean, std)


# ------------------------------------------------------------------ integers

@_rng_kernel
def fill_int_from_to(words, position, out, span, base):
    """random_(from, to) / randint: (word % span) + base, one 32-bit word per element, or a
    64-bit draw when the span is 2**32 or more (torch does so for int64 and float outputs)."""
    wide = span >= np.uint64(1) << np.uint64(32)
    for i in range(out.size):
        word = _u64(words, position) if wide else np.uint64(_u32(words, position))
        out[i] = np.int64(word % span) + base


@_rng_kernel
def fill_int_modulo(words, position, out, modulus, wide):
    """random_() without bounds: a word modulo ``modulus`` (2**63 for int64, 2**24 + 1 for
    float32, ...); ``wide`` draws 64 bits (int64, float64), otherwise 32."""
    for i in range(out.size):
        word = _u64(words, position) if wide else np.uint64(_u32(words, position))
        out[i] = np.int64(word % modulus)


@_rng_kernel
def fill_randperm(words, position, out):
    """randperm(n): the identity, then a Fisher-Yates pass from the front with one 32-bit word
    per step (64-bit words when n does not fit torch's small-n bound)."""
    n = out.size
    for i in range(n):
        out[i] = i
    wide = n >= 214748364  # uint32 max / 20, torch's bound for its 32-bit draw
    for i in range(n - 1):
        word = _u64(words, position) if wide else np.uint64(_u32(words, position))
        z = np.int64(word % np.uint64(n - i))
        saved = out[i]
        out[i] = out[z + i]
        out[z + i] = saved


# ------------------------------------------------------------------ Bernoulli, exponential

@_rng_kernel
def fill_bernoulli_scalar(words, position, out, p):
    """bernoulli_(p) with a float p: a 53-bit uniform below p gives 1."""
    for i in range(out.size):
        out[i] = 1.0 if _unit_double(words, position) < p else 0.0


@_rng_kernel
def fill_bernoulli_double_p(words, position, out, p):
    """bernoulli(p) with a float64 tensor p (broadcast to out): 53-bit uniforms."""
    for i in range(out.size):
        out[i] = 1.0 if _unit_double(words, position) < p[i] else 0.0


@_rng_kernel
def fill_bernoulli_float_p(words, position, out, p):
    """bernoulli(p) with a float32 tensor p: 24-bit uniforms compared in float32."""
    for i in range(out.size):
        out[i] = 1.0 if _unit_float(words, position) < np.float32(p[i]) else 0.0


@_rng_kernel
def fill_exponential(words, position, out, lambd):
    """exponential_(lambd): -1/lambd * log1p(-u) in double with a 53-bit u."""
    scale = -1.0 / lambd
    for i in range(out.size):
        out[i] = scale * math.log1p(-_unit_double(words, position))


@_rng_kernel
def multinomial_with_replacement(words, position, probs, n_sample, out):
    """Rows of ``probs`` (n_dist, n_categories) -> ``out`` (n_dist, n_sample) indices: the
    normalised running sum in probs' dtype and a binary search for each 53-bit uniform."""
    n_dist, n_categories = probs.shape
    cumulative = np.empty(n_categories, probs.dtype)
    for row in range(n_dist):
        total = probs.dtype.type(0)
        for j in range(n_categories):
            total += probs[row, j]
            cumulative[j] = total
        for j in range(n_categories):
            cumulative[j] /= total
        cumulative[n_categories - 1] = 1
        for s in range(n_sample):
            sample = _unit_double(words, position)
            left, right = 0, n_categories
            while right - left > 0:
                middle = left + (right - left) // 2
                if cumulative[middle] < sample:
                    left = middle + 1
                else:
                    right = middle
            out[row, s] = left
