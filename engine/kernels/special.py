"""Special functions elementwise, in float64 (a float32 input is rounded once at the end,
but for digamma and trigamma, which torch computes in float32 arithmetic, as here below):
lgamma, digamma, trigamma, the Hurwitz zeta function (polygamma of order 2 and up),
erfinv, and the modified Bessel functions i0 and i1.

Compiled without fast-math: reassociating a series or contracting it into FMAs moves its
last bits. torch's own lgamma/digamma/polygamma use other expansions: the results agree to a
few units in the last place, not bit for bit (tests/engine/kernels/test_kernel_special.py
measures the agreement). i0 and i1 are ATen's own, bit for bit: Chebyshev series
(bessel_coefficients.py) summed by chbevl's recurrence in the input's dtype, with the fused
multiply-add its compiled code makes of it.
"""
from fractions import Fraction
import math

import numba
import numpy as np

from engine.kernels import bessel_coefficients as B
from engine.kernels._jit import exact_kernel, fma


def _precise(function):
    return numba.njit(cache=True, nogil=True)(function)


def _bernoulli_even(count: int) -> list:
    """B_2, B_4, ..., B_2count as fractions (the Akiyama-Tanigawa algorithm)."""
    size = 2 * count + 1
    row = [Fraction(0)] * (size + 1)
    numbers = []
    for m in range(size + 1):
        row[m] = Fraction(1, m + 1)
        for j in range(m, 0, -1):
            row[j - 1] = j * (row[j - 1] - row[j])
        numbers.append(row[0])
    return [numbers[2 * k] for k in range(1, count + 1)]


_B = _bernoulli_even(13)
# digamma's asymptotic series: psi(x) ~ log x - 1/(2x) - sum B_2k / (2k x^2k)
DIGAMMA_TERMS = np.array([float(b / (2 * k)) for k, b in enumerate(_B[:7], start=1)])
# Euler-Maclaurin for zeta(s, q): B_2j / (2j)! times the rising factorial of s
ZETA_TERMS = np.array([float(b / math.factorial(2 * j)) for j, b in enumerate(_B, start=1)])


@_precise
def _lgamma(x):
    return math.lgamma(x)


@_precise
def _digamma(x, terms):
    if x == 0.0:
        return math.copysign(math.inf, -x)
    result = 0.0
    if x < 0.0:
        if x == math.floor(x):
            return math.nan
        # reflection: psi(1 - x) - psi(x) = pi / tan(pi x), tan taken on x's fraction
        fraction = x - math.trunc(x)
        result = -math.pi / math.tan(math.pi * fraction)
        x = 1.0 - x
    while x < 10.0:
        result -= 1.0 / x
        x += 1.0
    inverse_square = 1.0 / (x * x)
    series = 0.0
    for k in range(terms.size - 1, -1, -1):
        series = series * inverse_square + terms[k]
    return result + math.log(x) - 0.5 / x - inverse_square * series


@_precise
def _trigamma(x):
    sign = 1.0
    result = 0.0
    if x < 0.5:         # reflection: psi1(1 - x) + psi1(x) = pi^2 / sin^2(pi x)
        sign = -1.0
        sine = math.sin(math.pi * x)
        result -= math.pi * math.pi / (sine * sine)
        x = 1.0 - x
    for _ in range(6):
        result += 1.0 / (x * x)
        x += 1.0
    inverse_square = 1.0 / (x * x)
    # psi1(x) ~ 1/x + 1/(2x^2) + 1/(6x^3) - 1/(30x^5) + 1/(42x^7)
    tail = 1.0 + 1.0 / (2.0 * x) + inverse_square * (
        1.0 / 6.0 - inverse_square * (1.0 / 30.0 - inverse_square * (1.0 / 42.0)))
    return sign * (result + tail / x)


@_precise
def _zeta(s, q, terms):
    """Hurwitz zeta(s, q) for s > 1 by Euler-Maclaurin summation (a negative q, for an
    integer s, sums its terms directly until q + k > 9)."""
    if s == 1.0:
        return math.inf
    if q <= 0.0 and q == math.floor(q):
        return math.inf
    total = 0.0
    k = 0
    while k < 12 or q + k <= 9.0:
        total += (q + k) ** -s
        k += 1
    a = q + k
    total += a ** (1.0 - s) / (s - 1.0) + 0.5 * a ** -s
    rising = s
    power = a ** (-s - 1.0)
    for j in range(terms.size):
        correction = terms[j] * rising * power
        total += correction
        if abs(correction) < 1e-17 * abs(total):
            break
        rising *= (s + 2 * j + 1) * (s + 2 * j + 2)
        power /= a * a
    return total


@_precise
def _polygamma(n, x, digamma_terms, zeta_terms):
    if n == 0:
        return _digamma(x, digamma_terms)
    if n == 1:
        return _trigamma(x)
    factorial = math.gamma(n + 1.0)
    sign = 1.0 if n % 2 == 1 else -1.0
    return sign * factorial * _zeta(n + 1.0, x, zeta_terms)


@_precise
def _erfinv(y):
    if y != y or y < -1.0 or y > 1.0:
        return math.nan
    if y == 1.0:
        return math.inf
    if y == -1.0:
        return -math.inf
    if y == 0.0:
        return y
    magnitude = abs(y)
    # A starting point within ~0.2% (Winitzki's closed form), then Newton on erf (or, near
    # 1, on erfc, where 1 - |y| is exact and erf(x) - |y| would cancel).
    log_term = math.log((1.0 - magnitude) * (1.0 + magnitude))
    a = 0.147
    first = 2.0 / (math.pi * a) + 0.5 * log_term
    x = math.sqrt(math.sqrt(first * first - log_term / a) - first)
    scale = 2.0 / math.sqrt(math.pi)
    for _ in range(8):
        if magnitude > 0.5:
            error = (1.0 - magnitude) - math.erfc(x)
        else:
            error = math.erf(x) - magnitude
        slope = scale * math.exp(-x * x)
        step = error / slope
        step = step / (1.0 + x * step)          # Halley: f'' = -2x f'
        x -= step
        if abs(step) <= 1e-17 * x:
            break
    return math.copysign(x, y)


@exact_kernel
def _chbevl(y, coefficients, half):
    """Cephes' Chebyshev series sum by Clenshaw's recurrence (ATen's chbevl), in y's dtype;
    ATen's compiler fuses x * b1 - b2 into one multiply-add."""
    b0 = coefficients[0]
    b1 = b0 - b0
    b2 = b1
    for i in range(1, coefficients.size):
        b2 = b1
        b1 = b0
        b0 = fma(y, b1, -b2) + coefficients[i]
    return half * (b0 - b2)


@exact_kernel
def _bessel(x, out, order, near, beyond, constants):
    """ATen's calc_i0 / calc_i1 of each element, in x's dtype. ``constants``: 0.5, 2, 8, 32
    in that dtype. At an infinite x NaN (exp(inf) / sqrt(inf)), as in torch."""
    half, two, eight, thirty_two = constants[0], constants[1], constants[2], constants[3]
    for i in range(x.size):
        value = abs(x[i])
        if value <= eight:
            series = _chbevl(value / two - two, near, half)
            result = np.exp(value) * series if order == 0 else \
                np.exp(value) * value * series
        else:
            result = np.exp(value) * _chbevl(thirty_two / value - two, beyond, half) / \
                np.sqrt(value)
        out[i] = -result if order == 1 and x[i] < 0 else result


# ATen's float tables for i1 are Cephes' single-precision ones: the last terms of the double
# series (17 and 7); i0's are the whole series in both dtypes.
_BESSEL_TERMS = {("i0", np.float32): (30, 25), ("i1", np.float32): (17, 7),
                 ("i0", np.float64): (30, 25), ("i1", np.float64): (29, 25)}


def bessel(name: str, x: np.ndarray) -> np.ndarray:
    """i0 or i1 of each element of a float array, as ATen computes it in its dtype (other
    float dtypes in float32, as ATen's opmath)."""
    dtype = np.float64 if np.asarray(x).dtype == np.float64 else np.float32
    near_terms, beyond_terms = _BESSEL_TERMS[(name, dtype)]
    near, beyond = (B.I0_A, B.I0_B) if name == "i0" else (B.I1_A, B.I1_B)
    flat = np.ascontiguousarray(x, dtype=dtype).reshape(-1)
    out = np.empty(flat.size, dtype=dtype)
    with np.errstate(all="ignore"):
        _bessel(flat, out, 0 if name == "i0" else 1,
                np.array(near[-near_terms:], dtype), np.array(beyond[-beyond_terms:], dtype),
                np.array([0.5, 2, 8, 32], dtype))
    return out.reshape(np.shape(x)).astype(np.asarray(x).dtype, copy=False)


@_precise
def _map1(fn_id, x, out, n, digamma_terms, zeta_terms):
    for i in range(x.size):
        value = x[i]
        if fn_id == 0:
            out[i] = _lgamma(value)
        elif fn_id == 1:
            out[i] = _digamma(value, digamma_terms)
        elif fn_id == 2:
            out[i] = _polygamma(n, value, digamma_terms, zeta_terms)
        else:
            out[i] = _erfinv(value)


_IDS = {"lgamma": 0, "digamma": 1, "polygamma": 2, "erfinv": 3}


def apply(name: str, x: np.ndarray, n: int = 0) -> np.ndarray:
    """The special function `name` of each element of float array x, in x's dtype."""
    if name in ("i0", "i1"):
        return bessel(name, x)
    if np.asarray(x).dtype == np.float32 and (name == "digamma" or name == "polygamma" and
                                              n <= 1):
        return apply_float32("digamma" if name == "digamma" or n == 0 else "trigamma", x)
    flat = np.ascontiguousarray(x, dtype=np.float64).reshape(-1)
    out = np.empty(flat.size, dtype=np.float64)
    with np.errstate(all="ignore"):
        _map1(_IDS[name], flat, out, n, DIGAMMA_TERMS, ZETA_TERMS)
    return out.reshape(np.shape(x)).astype(x.dtype, copy=False)


# ---------------------------------------------------------------- float32 as torch does it
# torch computes digamma and trigamma of float32 in float32 arithmetic (its kernels are
# written for float), so rounding once from float64 misses its last bits: these follow the
# same recurrences with every operation rounded to float32.

_F = np.float32


@_precise
def _digamma32(x, terms):
    if x == _F(0):
        return _F(math.copysign(math.inf, -x))
    if x < _F(0):
        if x == math.trunc(x):
            return _F(math.nan)
        fraction = float(x) - math.trunc(float(x))
        reflected = _F(math.pi / math.tan(math.pi * fraction))
        return _F(_digamma32(_F(_F(1) - x), terms) - reflected)
    result = _F(0)
    while x < _F(10):
        result = _F(result - _F(_F(1) / x))
        x = _F(x + _F(1))
    if x == _F(10):
        return _F(result + _F(2.25175258906672110764))
    z = _F(_F(1) / _F(x * x))
    series = _F(0)
    for k in range(terms.size - 1, -1, -1):
        series = _F(_F(series * z) + _F(terms[k]))
    tail = _F(z * series)
    return _F(_F(_F(result + _F(math.log(x))) - _F(_F(0.5) / x)) - tail)


@_precise
def _trigamma32(x):
    sign = _F(1)
    result = _F(0)
    pi = _F(math.pi)
    if x < _F(0.5):
        sign = _F(-1)
        sine = _F(math.sin(_F(pi * x)))
        result = _F(result - _F(_F(pi * pi) / _F(sine * sine)))
        x = _F(_F(1) - x)
    for _ in range(6):
        result = _F(result + _F(_F(1) / _F(x * x)))
        x = _F(x + _F(1))
    inverse_square = _F(_F(1) / _F(x * x))
    inner = _F(_F(1.0 / 30) - _F(inverse_square * _F(1.0 / 42)))
    inner = _F(_F(1.0 / 6) - _F(inverse_square * inner))
    head = _F(_F(1) + _F(_F(1) / _F(_F(2) * x)))
    tail = _F(_F(head + _F(inverse_square * inner)) / x)
    return _F(sign * _F(result + tail))


@_precise
def _map32(fn_id, x, out, digamma_terms):
    for i in range(x.size):
        if fn_id == 1:
            out[i] = _digamma32(x[i], digamma_terms)
        else:
            out[i] = _trigamma32(x[i])


def apply_float32(name: str, x: np.ndarray) -> np.ndarray:
    """digamma or trigamma (polygamma of order 1) of a float32 array, as torch computes it."""
    flat = np.ascontiguousarray(x, dtype=np.float32).reshape(-1)
    out = np.empty(flat.size, dtype=np.float32)
    with np.errstate(all="ignore"):
        _map32(1 if name == "digamma" else 2, flat, out, DIGAMMA_TERMS.astype(np.float32))
    return out.reshape(np.shape(x))
