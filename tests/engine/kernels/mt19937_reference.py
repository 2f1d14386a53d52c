"""A slow pure-Python Mersenne Twister and torch's transforms, operation by operation, to
check engine.kernels.mt19937 against (small sizes only).

Float32 arithmetic is NumPy float32 scalars; a fused multiply-add is rounded once from the
exact rational result (`fma32`).
"""

import math
from fractions import Fraction

import numpy as np

F = np.float32


class MersenneTwister:
    """std::mt19937 with torch's counters (`left`, `next`)."""

    def __init__(self, seed: int):
        self.words = [seed & 0xFFFFFFFF]
        for j in range(1, 624):
            previous = self.words[-1]
            self.words.append((1812433253 * (previous ^ (previous >> 30)) + j) & 0xFFFFFFFF)
        self.left, self.next = 1, 0

    def _twist(self):
        w = self.words
        for k in range(624):
            mixed = (w[k] & 0x80000000) | (w[(k + 1) % 624] & 0x7FFFFFFF)
            w[k] = w[(k + 397) % 624] ^ (mixed >> 1) ^ (0x9908B0DF if mixed & 1 else 0)
        self.left, self.next = 624, 0

    def u32(self) -> int:
        self.left -= 1
        if self.left == 0:
            self._twist()
        y = self.words[self.next]
        self.next += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C5680
        y ^= (y << 15) & 0xEFC60000
        return y ^ (y >> 18)

    def u64(self) -> int:
        return (self.u32() << 32) | self.u32()

    def unit_float(self) -> np.float32:
        return F(self.u32() & ((1 << 24) - 1)) * F(2.0 ** -24)

    def unit_double(self) -> float:
        return (self.u64() & ((1 << 53) - 1)) * 2.0 ** -53


def fma(a: float, b: float, c: float) -> float:
    return _round_to(Fraction(a) * Fraction(b) + Fraction(c), np.float64)


def fma32(a, b, c) -> np.float32:
    return _round_to(Fraction(float(a)) * Fraction(float(b)) + Fraction(float(c)), np.float32)


def _round_to(exact: Fraction, dtype):
    """The nearest value of dtype to an exact rational, ties to even."""
    guess = dtype(float(exact))
    candidates = [np.nextafter(guess, dtype(-np.inf)), guess, np.nextafter(guess, dtype(np.inf))]
    best = min(candidates, key=lambda v: (abs(Fraction(float(v)) - exact),
                                          int(np.array(v).view(np.uint32 if dtype == np.float32
                                                                else np.uint64)) & 1))
    return dtype(best)


def uniform_float(mt, n, low, high):
    return np.array([fma32(mt.unit_float(), F(high) - F(low), F(low)) for _ in range(n)], F)


def uniform_double(mt, n, low, high):
    return np.array([fma(mt.unit_double(), high - low, low) for _ in range(n)])


def normal_scalar(mt, cache, n, mean, std):
    """cache: a one-element list holding the pending sine sample or None."""
    out = []
    for _ in range(n):
        if cache[0] is not None:
            sample, cache[0] = cache[0], None
        else:
            u1, u2 = mt.unit_double(), mt.unit_double()
            radius = math.sqrt(-2.0 * math.log1p(-u2))
            theta = 2.0 * math.pi * u1
            cache[0] = radius * math.sin(theta)
            sample = radius * math.cos(theta)
        out.append(fma(sample, std, mean))
    return np.array(out)


def normal_vector_double(mt, n, mean, std):
    data = [mt.unit_double() for _ in range(n)]

    def block(start):
        for j in range(8):
            radius = math.sqrt(-2.0 * math.log(1.0 - data[start + j]))
            theta = 2.0 * math.pi * data[start + j + 8]
            data[start + j] = fma(radius * math.cos(theta), std, mean)
            data[start + j + 8] = fma(radius * math.sin(theta), std, mean)
    return _blocks(mt, data, block, mt.unit_double, np.float64)


def _blocks(mt, data, block, draw, dtype):
    n = len(data)
    for start in range(0, n - 15, 16):
        block(start)
    if n % 16:
        for i in range(16):
            data[n - 16 + i] = draw()
        block(n - 16)
    return np.array(data, dtype)


def cephes_log(x):
    mantissa, exponent = math.frexp(float(x))
    x, e = F(mantissa), F(exponent)
    if x < F(0.707106781186547524):
        x, e = (x - F(1)) + x, e - F(1)
    else:
        x = x - F(1)
    z = x * x
    y = F(7.0376836292E-2)
    for p in (-1.1514610310E-1, 1.1676998740E-1, -1.2420140846E-1, 1.4249322787E-1,
              -1.6668057665E-1, 2.0000714765E-1, -2.4999993993E-1, 3.3333331174E-1):
        y = fma32(y, x, F(p))
    y = fma32(y * x, z, e * F(-2.12194440e-4))
    y = fma32(-z, F(0.5), y)
    return fma32(e, F(0.693359375), x + y)


def cephes_sincos(x):
    octant = (int(x * F(1.27323954473516)) + 1) & ~1
    y = F(octant)
    for dp in (-0.78515625, -2.4187564849853515625e-4, -3.77489497744594108e-8):
        x = fma32(y, F(dp), x)
    z = x * x
    cos_poly = fma32(F(2.443315711809948E-005), z, F(-1.388731625493765E-003))
    cos_poly = fma32(cos_poly, z, F(4.166664568298827E-002))
    cos_poly = fma32(cos_poly * z, z, -(z * F(0.5))) + F(1)
    sin_poly = fma32(F(-1.9515295891E-4), z, F(8.3321608736E-3))
    sin_poly = fma32(sin_poly, z, F(-1.6666654611E-1))
    sin_poly = fma32(sin_poly * z, x, x)
    sin_value, cos_value = (sin_poly, cos_poly) if octant & 2 == 0 else (cos_poly, sin_poly)
    if octant & 4:
        sin_value = -sin_value
    if (octant - 2) & 4 == 0:
        cos_value = -cos_value
    return sin_value, cos_value


def normal_vector_float(mt, n, mean, std):
    data = [mt.unit_float() for _ in range(n)]
    mean, std = F(mean), F(std)

    def block(start):
        for j in range(8):
            radius = F(math.sqrt(F(-2) * cephes_log(F(1) - data[start + j])))
            sin_theta, cos_theta = cephes_sincos(F(2 * math.pi) * data[start + j + 8])
            data[start + j] = fma32(radius * cos_theta, std, mean)
            data[start + j + 8] = fma32(radius * sin_theta, std, mean)
    return _blocks(mt, data, block, mt.unit_float, np.float32)


def randperm(mt, n):
    values = list(range(n))
    for i in range(n - 1):
        z = mt.u32() % (n - i)
        values[i], values[z + i] = values[z + i], values[i]
    return np.array(values)


def multinomial_with_replacement(mt, probs, n_sample):
    out = np.empty((probs.shape[0], n_sample), np.int64)
    for row, p in enumerate(probs):
        sums = _running_sum(p)
        cumulative = sums / sums[-1]
        cumulative[-1] = 1
        for s in range(n_sample):
            out[row, s] = int(np.searchsorted(cumulative, mt.unit_double(), side="left"))
    return out


def _running_sum(p):
    total, sums = p.dtype.type(0), []
    for value in p:
        total = p.dtype.type(total + value)
        sums.append(total)
    return np.array(sums, p.dtype)
