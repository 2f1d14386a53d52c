"""2-D max, average and adaptive-average pooling on NumPy arrays x[N, C, H, W].

Output sizes, window clipping, tie-breaking and NaN handling follow PyTorch's CPU kernels:
max-pool keeps the first maximum (a NaN wins and stays) and returns, per output, the flat
index ``iy * W + ix`` into its own input plane as int64.
"""

import functools

import numpy as np

from engine.kernels._jit import check_float, kernel
from engine.kernels._threads import split_batch


def pool_output_size(size, kernel_size, stride, padding, dilation, ceil_mode):
    """PyTorch's pooling output length along one axis (the last window must start inside)."""
    span = size + 2 * padding - dilation * (kernel_size - 1) - 1 + (stride - 1 if ceil_mode else 0)
    out = span // stride + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return out


def _pool_geometry(name, x, kernel_size, stride, padding, dilation, ceil_mode):
    """(oh, ow) after PyTorch's checks on x and the padding."""
    check_float("x", x)
    return _output_shape(name, x.shape, tuple(kernel_size), tuple(stride), tuple(padding),
                         tuple(dilation), ceil_mode)


@functools.lru_cache(maxsize=256)
def _output_shape(name, x_shape, kernel_size, stride, padding, dilation, ceil_mode):
    # Cached: a layer meets few shapes, and the checks cost as much as a small pool.
    if len(x_shape) != 4:
        raise ValueError(f"{name}: expected x of shape [N, C, H, W], got {x_shape}")
    _check_padding(name, kernel_size, padding, dilation)
    sizes = tuple(pool_output_size(x_shape[2 + axis], kernel_size[axis], stride[axis],
                                   padding[axis], dilation[axis], ceil_mode) for axis in range(2))
    if min(sizes) <= 0:
        raise ValueError(f"{name}: output size is too small for input {x_shape}")
    return sizes


def _check_padding(name, kernel_size, padding, dilation):
    # PyTorch checks both, in this order, with these texts.
    for axis in range(2):
        if padding[axis] * 2 > dilation[axis] * (kernel_size[axis] - 1) + 1:
            raise ValueError(f"{name}: pad should be at most half of effective kernel size, "
                             f"but got pad={padding[axis]}, kernel_size={kernel_size[axis]} "
                             f"and dilation={dilation[axis]}")
    if kernel_size[1] // 2 < padding[1] or kernel_size[0] // 2 < padding[0]:
        raise ValueError(f"{name}: pad should be smaller than or equal to half of kernel size, but "
                         f"got padW = {padding[1]}, padH = {padding[0]}, kW = {kernel_size[1]}, "
                         f"kH = {kernel_size[0]}")


# ---------------------------------------------------------------------------- max pool

@kernel
def _max_pool(x, kh, kw, sh, sw, ph, pw, dh, dw, y, indices):
    for n in range(x.shape[0]):
        for c in range(x.shape[1]):
            _max_pool_plane(x[n, c], kh, kw, sh, sw, ph, pw, dh, dw, y[n, c], indices[n, c])


@kernel
def _max_pool_plane(plane, kh, kw, sh, sw, ph, pw, dh, dw, out, out_index):
    height, width = plane.shape
    oh, ow = out.shape
    for oy in range(oh):
        y0 = oy * sh - ph
        while y0 < 0:
            y0 += dh
        y1 = min(oy * sh - ph + (kh - 1) * dh + 1, height)
        for ox in range(ow):
            x0 = ox * sw - pw
            while x0 < 0:
                x0 += dw
            x1 = min(ox * sw - pw + (kw - 1) * dw + 1, width)
            best = -np.inf
            best_index = y0 * width + x0
            for iy in range(y0, y1, dh):
                for ix in range(x0, x1, dw):
                    value = plane[iy, ix]
                    if value > best or np.isnan(value):
                        best = value
                        best_index = iy * width + ix
            out[oy, ox] = best
            out_index[oy, ox] = best_index


@kernel
def _max_pool_2x2(x, y, indices):
    # kernel 2, stride 2, no padding, no dilation, even H and W: the common case.
    # The general kernel's compare-and-branch per element mispredicts on real data and its
    # runtime-sized window loops do not unroll; here each window takes the max first and
    # then the first position holding it, with selects, on flat unsigned indices (no
    # wraparound checks): ~4x faster on SimpleNet's pools.
    # max() keeps its first argument on ties, so a -0.0 before a 0.0 wins as in PyTorch.
    # A plane holding a NaN (or inf and -inf) is done again by the general kernel's
    # sequential rule: the windows tile the plane, so the sum of what they read tells, in
    # the same pass (a pass of its own before cost a third more at batch 64).
    batch, channels, height, width = x.shape
    oh, ow = y.shape[2], y.shape[3]
    source, target, target_index = x.reshape(-1), y.reshape(-1), indices.reshape(-1)
    for plane in range(batch * channels):
        start = plane * height * width
        total = 0.0
        out_start = plane * oh * ow
        for oy in range(oh):
            for ox in range(ow):
                first = 2 * oy * width + 2 * ox
                top_left = np.uint64(start + first)
                a = source[top_left]
                b = source[top_left + np.uint64(1)]
                d = source[top_left + np.uint64(width)]
                e = source[top_left + np.uint64(width + 1)]
                total += (a + b) + (d + e)
                best = max(max(a, b), max(d, e))
                offset = width + 1
                offset = width if d == best else offset
                offset = 1 if b == best else offset
                offset = 0 if a == best else offset
                out = np.uint64(out_start + oy * ow + ox)
                target[out] = best
                target_index[out] = first + offset
        if total != total:
            n, c = plane // channels, plane % channels
            _max_pool_plane(x[n, c], 2, 2, 2, 2, 0, 0, 1, 1, y[n, c], indices[n, c])


@kernel
def _max_pool_backward(grad_y, indices, grad_x):
    # Returns the first out-of-plane index, or -1: an index is never trusted to write.
    batch, channels, oh, ow = grad_y.shape
    plane_size = grad_x.shape[2] * grad_x.shape[3]
    outputs = oh * ow
    source, source_index, target = grad_y.reshape(-1), indices.reshape(-1), grad_x.reshape(-1)
    for plane in range(batch * channels):
        start = plane * plane_size
        for q in range(plane * outputs, (plane + 1) * outputs):
            index = source_index[np.uint64(q)]
            if index < 0 or index >= plane_size:
                return index
            target[np.uint64(start + index)] += source[np.uint64(q)]
    return -1


@functools.lru_cache(maxsize=256)
def _max_pool_plan(x_shape, kernel_size, stride, padding, dilation, ceil_mode):
    """(oh, ow, whether _max_pool_2x2 applies), after the checks: cached per layer shape."""
    oh, ow = _output_shape("max_pool2d", x_shape, kernel_size, stride, padding, dilation,
                           ceil_mode)
    plain = (kernel_size == (2, 2) and stride == (2, 2) and padding == (0, 0)
             and dilation == (1, 1) and x_shape[2] % 2 == 0 and x_shape[3] % 2 == 0)
    return oh, ow, plain


def max_pool2d_forward(x, kernel_size, stride, padding, dilation, ceil_mode=False):
    """(y[N, C, oh, ow], indices[N, C, oh, ow] int64) for x[N, C, H, W].

    kernel_size, stride, padding, dilation are (h, w) pairs; padding counts as -inf.
    indices are flat positions ``iy * W + ix`` into each input plane, as PyTorch returns.
    """
    check_float("x", x)
    oh, ow, plain = _max_pool_plan(x.shape, tuple(kernel_size), tuple(stride), tuple(padding),
                                   tuple(dilation), ceil_mode)
    x = np.ascontiguousarray(x)
    batch, channels = x.shape[:2]
    y = np.empty((batch, channels, oh, ow), dtype=x.dtype)
    indices = np.empty((batch, channels, oh, ow), dtype=np.int64)
    if plain:
        work = lambda lo, hi: _max_pool_2x2(x[lo:hi], y[lo:hi], indices[lo:hi])
    else:
        work = lambda lo, hi: _max_pool(
            x[lo:hi], kernel_size[0], kernel_size[1], stride[0], stride[1], padding[0], padding[1],
            dilation[0], dilation[1], y[lo:hi], indices[lo:hi])
    split_batch(work, batch, x.size)
    return y, indices


def max_pool2d_backward(grad_y, indices, x_shape):
    """grad_x[N, C, H, W]: each grad_y[N, C, oh, ow] value added at its index (overlaps sum)."""
    check_float("grad_y", grad_y)
    grad_y = np.ascontiguousarray(grad_y)
    indices = np.ascontiguousarray(indices)
    grad_x = np.zeros(x_shape, dtype=grad_y.dtype)
    # One add per output is too little work to split: two threads measured slower (115 us
    # median against 83 at batch 64, SimpleNet's pool1).
    bad_index = _max_pool_backward(grad_y, indices, grad_x)
    if bad_index != -1:
        raise IndexError(f"max_pool2d_backward: index {bad_index} is outside the input plane of "
                         f"{x_shape[2]}x{x_shape[3]}")
    return grad_x


# ---------------------------------------------------------------------------- average pool

@kernel
def _avg_pool(x, kh, kw, sh, sw, ph, pw, count_include_pad, divisor, y, grad_y, grad_x, backward):
    # One loop for both directions so the window and divisor rules exist once:
    # forward fills y from x, backward spreads grad_y into grad_x.
    batch, channels, height, width = x.shape if not backward else grad_x.shape
    oh, ow = (y.shape[2], y.shape[3]) if not backward else (grad_y.shape[2], grad_y.shape[3])
    for n in range(batch):
        for c in range(channels):
            for oy in range(oh):
                y0 = oy * sh - ph
                y1 = min(y0 + kh, height + ph)
                for ox in range(ow):
                    x0 = ox * sw - pw
                    x1 = min(x0 + kw, width + pw)
                    padded_area = (y1 - y0) * (x1 - x0)
                    cy0, cx0 = max(y0, 0), max(x0, 0)
                    cy1, cx1 = min(y1, height), min(x1, width)
                    if divisor > 0:
                        factor = divisor
                    elif count_include_pad:
                        factor = padded_area
                    else:
                        factor = (cy1 - cy0) * (cx1 - cx0)
                    if backward:
                        share = grad_y[n, c, oy, ox] / factor
                        for iy in range(cy0, cy1):
                            for ix in range(cx0, cx1):
                                grad_x[n, c, iy, ix] += share
                    else:
                        total = 0.0
                        for iy in range(cy0, cy1):
                            for ix in range(cx0, cx1):
                                total += x[n, c, iy, ix]
                        y[n, c, oy, ox] = total / factor if cy0 < cy1 and cx0 < cx1 else 0.0


def avg_pool2d_forward(x, kernel_size, stride, padding, ceil_mode=False, count_include_pad=True,
                       divisor_override=None):
    """y[N, C, oh, ow]: window means of x[N, C, H, W] (PyTorch's divisor rules)."""
    oh, ow = _pool_geometry("avg_pool2d", x, kernel_size, stride, padding, (1, 1), ceil_mode)
    if divisor_override == 0:
        raise ValueError("divisor must be not zero")
    x = np.ascontiguousarray(x)
    y = np.empty(x.shape[:2] + (oh, ow), dtype=x.dtype)
    _avg_pool(x, kernel_size[0], kernel_size[1], stride[0], stride[1], padding[0], padding[1],
              bool(count_include_pad), int(divisor_override or 0), y, y, x, False)
    return y


def avg_pool2d_backward(grad_y, x_shape, kernel_size, stride, padding, ceil_mode=False,
                        count_include_pad=True, divisor_override=None):
    """grad_x[N, C, H, W] for avg_pool2d_forward's y, from grad_y[N, C, oh, ow]."""
    check_float("grad_y", grad_y)
    grad_y = np.ascontiguousarray(grad_y)
    grad_x = np.zeros(x_shape, dtype=grad_y.dtype)
    _avg_pool(grad_x, kernel_size[0], kernel_size[1], stride[0], stride[1], padding[0], padding[1],
              bool(count_include_pad), int(divisor_override or 0), grad_y, grad_y, grad_x, True)
    return grad_x


# ---------------------------------------------------------------------------- adaptive average pool

@kernel
def _adaptive_avg_pool(x, y, grad_y, grad_x, backward):
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
                    area = (y1 - y0) * (x1 - x0)
                    if backward:
                        share = grad_y[n, c, oy, ox] / area
                        for iy in range(y0, y1):
                            for ix in range(x0, x1):
                                grad_x[n, c, iy, ix] += share
                    else:
                        total = 0.0
                        for iy in range(y0, y1):
                            for ix in range(x0, x1):
                                total += x[n, c, iy, ix]
                        y[n, c, oy, ox] = total / area


def adaptive_avg_pool2d_forward(x, output_size):
    """y[N, C, oh, ow] for x[N, C, H, W]; bin i spans [floor(i*H/oh), ceil((i+1)*H/oh)).

    output_size is (oh, ow); None for either keeps that input size, as in PyTorch.
    """
    if x.ndim != 4:
        raise ValueError(f"adaptive_avg_pool2d: expected x of shape [N, C, H, W], got {x.shape}")
    check_float("x", x)
    x = np.ascontiguousarray(x)
    sizes = tuple(x.shape[2 + axis] if size is None else int(size) for axis, size in enumerate(output_size))
    if min(sizes) <= 0:
        raise ValueError(f"adaptive_avg_pool2d: output size must be positive, got {tuple(output_size)}")
    y = np.empty(x.shape[:2] + sizes, dtype=x.dtype)
    _adaptive_avg_pool(x, y, y, x, False)
    return y


def adaptive_avg_pool2d_backward(grad_y, x_shape):
    """grad_x[N, C, H, W] from grad_y[N, C, oh, ow] (output size read from grad_y)."""
    check_float("grad_y", grad_y)
    grad_y = np.ascontiguousarray(grad_y)
    grad_x = np.zeros(x_shape, dtype=grad_y.dtype)
    _adaptive_avg_pool(grad_x, grad_y, grad_y, grad_x, True)
    return grad_x
