"""group_norm's float32 backward in ATen's order, so its gradients are PyTorch's to the bit:
per-channel ds = sum(dy * x) and db = sum(dy) as 8-lane reductions, their gamma-weighted sums
per group, then dx = fma(c1, dy, c2 * x) + c3, with the FMAs the compiled kernel uses."""
from __future__ import annotations

import numpy as np

from engine.nn._ops.moments import WIDTH

f32 = np.float32


def _fma(a, b, c):
    return (np.float64(1) * a * b + c).astype(f32)


def _lane_tree(acc: np.ndarray) -> np.ndarray:
    """The 8 lanes summed as ATen's AVX2 vec_reduce_all does: halves, then pairs, then
    neighbours."""
    v = acc[..., :4] + acc[..., 4:]
    v = v[..., :2] + v[..., 2:]
    return v[..., 0] + v[..., 1]


def _reduce_all(values: np.ndarray) -> np.ndarray:
    """vec::reduce_all / map2_reduce_all of the last axis (values already mapped)."""
    size = values.shape[-1]
    if size < WIDTH:
        acc = values[..., 0]
        for i in range(1, size):
            acc = acc + values[..., i]
        return acc
    full = size - size % WIDTH
    blocks = values[..., :full].reshape(values.shape[:-1] + (full // WIDTH, WIDTH))
    # (NumPy adds along a non-innermost axis in order, as the kernel's loop does; pairwise
    # summation is only for the innermost one)
    acc = np.add.reduce(blocks, axis=-2, dtype=f32)
    rest = size - full
    if rest:
        acc[..., :rest] = acc[..., :rest] + values[..., full:]
    return _lane_tree(acc)


def _weighted_sums(values: np.ndarray, gamma: np.ndarray) -> np.ndarray:
    """CalcDsDb and its tail: sum over D of values * gamma (values (N, G, D))."""
    depth = values.shape[-1]
    vector = depth // WIDTH * WIDTH
    total = np.zeros(values.shape[:-1], f32)
    if vector:
        lanes = np.zeros(values.shape[:-1] + (WIDTH,), f32)
        for start in range(0, vector, WIDTH):
            lanes = _fma(values[..., start:start + WIDTH], gamma[..., start:start + WIDTH],
                         lanes)
        for lane in range(WIDTH):
            total = total + lanes[..., lane]
    for j in range(vector, depth):
        total = _fma(values[..., j], gamma[..., j], total)
    return total


def group_norm_backward(dy, x, mean, rstd, weight, group: int, needs: tuple):
    """(dx, dgamma, dbeta) as float32 arrays (None where not needed); dy, x: (N, C, HxW)."""
    N, C, _ = x.shape
    D = C // group
    ds, db = _reduce_all(dy * x), _reduce_all(dy)                       # (N, C)
    gamma = np.ones(C, f32) if weight is None else weight
    dx = dgamma = dbeta = None
    if needs[0]:
        dx = _input_grad(dy, x, mean, rstd, gamma, ds, db, group)
    if needs[1]:
        per_channel_mean = np.repeat(mean, D, axis=1)
        per_channel_rstd = np.repeat(rstd, D, axis=1)
        dgamma = np.zeros(C, f32)
        for n in range(N):
            dgamma = _fma(_fma(-db[n], per_channel_mean[n], ds[n]), per_channel_rstd[n],
                          dgamma)
    if needs[2]:
        dbeta = np.zeros(C, f32)
        for n in range(N):
            dbeta = dbeta + db[n]
    return dx, dgamma, dbeta


def _input_grad(dy, x, mean, rstd, gamma, ds, db, group):
    N, C, hxw = x.shape
    D = C // group
    grouped_gamma = np.broadcast_to(gamma.reshape(1, group, D), (N, group, D))
    ds_val = _weighted_sums(ds.reshape(N, group, D), grouped_gamma)
    db_val = _weighted_sums(db.reshape(N, group, D), grouped_gamma)
    s = f32(1) / f32(D * hxw)
    c2 = _fma(db_val, mean, -ds_val) * rstd * rstd * rstd * s
    c3 = _fma(-db_val * rstd, s, -c2 * mean)
    c1 = (rstd[:, :, None] * gamma.reshape(1, group, D)).reshape(N, C, 1)
    c2 = np.repeat(c2, D, axis=1)[..., None]
    c3 = np.repeat(c3, D, axis=1)[..., None]
    return _fma(c1, dy, c2 * x) + c3
