"""2-D adaptive max pooling on NumPy arrays x[N, C, H, W].

Bin i along an axis of size H spans [floor(i*H/oh), ceil((i+1)*H/oh)), as adaptive average
pooling's. Each output keeps the first maximum of its bin (a NaN wins, and a later NaN
replaces it, as in PyTorch's CPU kernel) and its flat index ``iy * W + ix`` into the input
plane, as int64. The backward is max-pool's: engine.kernels.pooling.max_pool2d_backward.
"""

import numpy as np

from engine.kernels._jit import check_float, kernel


@kernel
def _adaptive_max_pool(x, y, indices):
    batch, channels, height, width = x.shape
    oh, ow = y.shape[2], y.shape[3]
    for n in range(batch):
        for c in range(channels):
            for oy in range(oh):
                y0 = (oy * height) // oh
                y1 = -((-(oy + 1) * height) // oh)
                for ox in range(ow):
                    x0 = (ox * width) // ow
                    x1 = -((-(ox + 1) * width) // ow)
                    best = -np.inf
                    best_index = y0 * width + x0
                    for iy in range(y0, y1):
                        for ix in range(x0, x1):
                            value = x[n, c, iy, ix]
                            if value > best or np.isnan(value):
                                best = value
                                best_index = iy * width + ix
                    y[n, c, oy, ox] = best
                    indices[n, c, oy, ox] = best_index


def adaptive_max_pool2d_forward(x, output_size):
    """(y[N, C, oh, ow], indices[N, C, oh, ow] int64) for x[N, C, H, W] and (oh, ow)."""
    check_float("x", x)
    if x.ndim != 4:
        raise ValueError(f"adaptive_max_pool2d: expected x of shape [N, C, H, W], got {x.shape}")
    x = np.ascontiguousarray(x)
    shape = x.shape[:2] + tuple(int(s) for s in output_size)
    y = np.empty(shape, dtype=x.dtype)
    indices = np.empty(shape, dtype=np.int64)
    if y.size:
        _adaptive_max_pool(x, y, indices)
    return y, indices
