"""3-D adaptive max pooling on NumPy arrays x[N, C, D, H, W], as the 2-D kernel does it.

Bin i along an axis of size S spans [floor(i*S/o), ceil((i+1)*S/o)). Each output keeps the
first maximum of its bin (a NaN wins, a later NaN replaces it, as in PyTorch's CPU kernel)
and its flat index ``(iz * H + iy) * W + ix`` into the input volume, as int64. The backward
is max-pool's: engine.kernels.pooling3d.max_pool3d_backward.
"""

import numpy as np

from engine.kernels._jit import check_float, kernel


@kernel
def _adaptive_max_pool3d(x, y, indices):
    batch, channels, depth, height, width = x.shape
    od, oh, ow = y.shape[2], y.shape[3], y.shape[4]
    for n in range(batch):
        for c in range(channels):
            for oz in range(od):
                z0 = (oz * depth) // od
                z1 = -((-(oz + 1) * depth) // od)
                for oy in range(oh):
                    y0 = (oy * height) // oh
                    y1 = -((-(oy + 1) * height) // oh)
                    for ox in range(ow):
                        x0 = (ox * width) // ow
                        x1 = -((-(ox + 1) * width) // ow)
                        best = -np.inf
                        best_index = (z0 * height + y0) * width + x0
                        for iz in range(z0, z1):
                            for iy in range(y0, y1):
                                for ix in range(x0, x1):
                                    value = x[n, c, iz, iy, ix]
                                    if value > best or np.isnan(value):
                                        best = value
                                        best_index = (iz * height + iy) * width + ix
                        y[n, c, oz, oy, ox] = best
                        indices[n, c, oz, oy, ox] = best_index


def adaptive_max_pool3d_forward(x, output_size):
    """(y[N, C, od, oh, ow], indices int64) for x[N, C, D, H, W] and (od, oh, ow)."""
    check_float("x", x)
    if x.ndim != 5:
        raise ValueError(f"adaptive_max_pool3d: expected x of shape [N, C, D, H, W], got "
                         f"{x.shape}")
    x = np.ascontiguousarray(x)
    shape = x.shape[:2] + tuple(int(s) for s in output_size)
    y = np.empty(shape, dtype=x.dtype)
    indices = np.empty(shape, dtype=np.int64)
    if y.size:
        _adaptive_max_pool3d(x, y, indices)
    return y, indices
