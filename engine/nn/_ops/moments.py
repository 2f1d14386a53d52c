"""Row-wise mean and variance as ATen's CPU RowwiseMoments computes them for float32 (group
and layer norm), so their float32 results are PyTorch's to the bit: Welford updates in
float32 over SIMD lanes, chunks of 16 vectors merged through a cascade, then the scalar
tail, then the lanes merged one by one. Where the compiled kernel fuses a multiply and an
add (FMA), so does this (found by comparing with torch bit for bit)."""
from __future__ import annotations

import numpy as np

CHUNK = 16          # vectors per Welford chunk (ATen's kChunkSize)
# float32 lanes: ATen registers these kernels for AVX2 (8 lanes), also on AVX-512 machines.
WIDTH = 8


def _ceil_log2(x: int) -> int:
    return 1 if x <= 2 else int(x - 1).bit_length()


def _fma(a, b, c):
    """a * b + c rounded once to float32, as the FMA instruction the compiler emits for it
    (the float32 product is exact in float64)."""
    return (np.float64(1) * a * b + c).astype(np.float32)


def _merge(count_add, m1_add, m2_add, count, m1, m2, fused=True):
    """ATen's AddMoments: (count, m1, m2) += (count_add, m1_add, m2_add); its compiled
    scalar form fuses the multiply-adds, the vector form (fused=False) does not."""
    total = count + count_add
    c = np.float32(0) if total == 0 else np.float32(count_add) / np.float32(total)
    delta = m1_add - m1
    if not fused:
        return total, m1 + c * delta, _fma(delta * c, delta * np.float32(count),
                                                m2 + m2_add)
    m1 = _fma(c, delta, m1)
    m2 = m2 + _fma(delta * delta * c, np.float32(count), m2_add)
    return total, m1, m2


def _welford_chunk(vectors: np.ndarray):
    """Welford over the vectors of a chunk (vectors: (k, ..., lanes), k first)."""
    m1 = np.zeros(vectors.shape[1:], np.float32)
    m2 = np.zeros(vectors.shape[1:], np.float32)
    for j, x in enumerate(vectors):
        delta = x - m1
        m1 = _fma(delta, np.float32(1) / np.float32(j + 1), m1)
        m2 = _fma(delta, x - m1, m2)
    return m1, m2


def _chunk_moments(lanes: np.ndarray):
    """(count, m1, m2) of each chunk of 16 vectors, in order; the full chunks' Welford runs
    all at once (each chunk starts afresh, so they are independent)."""
    vectors, rows, width = lanes.shape
    full = vectors // CHUNK
    if full:
        block = lanes[:full * CHUNK].reshape(full, CHUNK, rows, width).transpose(1, 0, 2, 3)
        m1, m2 = _welford_chunk(block)
        yield from ((CHUNK, m1[i], m2[i]) for i in range(full))
    if vectors % CHUNK:
        yield (vectors % CHUNK,) + _welford_chunk(lanes[full * CHUNK:])


def rowwise_moments(x: np.ndarray):
    """(mean, biased variance) of each row of a float32 (rows, N) array, as float32."""
    rows, size = x.shape
    width = WIDTH
    vectors = size // width
    lanes = x[:, :vectors * width].reshape(rows, vectors, width).transpose(1, 0, 2)
    chunks = -(-vectors // CHUNK)
    depth = _ceil_log2(chunks)
    zero = np.zeros((rows, width), np.float32)
    stack = [[0, zero, zero] for _ in range(depth)]
    for i, (count, m1, m2) in enumerate(_chunk_moments(lanes)):
        stack[0] = list(_merge(count, m1, m2, *stack[0], fused=False))
        mask = i + 1
        for j in range(1, depth):
            if mask & 1:
                break
            stack[j] = list(_merge(*stack[j - 1], *stack[j], fused=False))
            stack[j - 1] = [0, zero, zero]
            mask >>= 1
    for j in range(1, depth):
        stack[0] = list(_merge(*stack[j], *stack[0], fused=False))
    count, m1, m2 = 0, np.zeros(rows, np.float32), np.zeros(rows, np.float32)
    for k in range(vectors * width, size):
        value = x[:, k]
        delta = value - m1
        count += 1
        m1 = m1 + delta / np.float32(count)
        m2 = m2 + delta * (value - m1)
    for lane in range(width):
        count, m1, m2 = _merge(vectors, stack[0][1][:, lane], stack[0][2][:, lane], count, m1,
                               m2)
    return m1, m2 / np.float32(size)
