"""2-D grid sampling on NumPy arrays: input[N, C, H, W] read at grid[N, Ho, Wo, (x, y)].

The arithmetic is ATen's vectorised CPU kernel's, step by step in the input's dtype, so
float32 results are torch's bits: the grid unnormalised as (g + 1) * s (align_corners, s =
(size - 1) / 2) or (g + 1) * s - 0.5 (s = size / 2); border padding clamps to [0, size - 1];
reflection folds by the twice-span with trunc, then clamps; bilinear weights are
nw = (1 - dy)(1 - dx), ne = (1 - dy)dx, sw = dy(1 - dx), se = dy dx, summed
nw, ne, sw, se; nearest rounds half to even. Corners outside the input read 0. Where
torch's build contracts a product and a sum into one FMA (GCC does for the vector code),
so does this kernel: a fused step rounds once.

The backward gives grad_input (each output's gradient times each corner's weight, added
at the corner) and grad_grid (d/dx and d/dy summed over channels, times the
unnormalisation's slope: 0 at a clamped border, -1 where reflection flips). These kernels
run without fast-math so that nothing else is fused or reordered."""

import numba
import numpy as np

from engine.kernels.mt19937 import _fma

_jit = numba.njit(cache=True, nogil=True)

ZEROS, BORDER, REFLECTION = 0, 1, 2
VECTOR_BYTES = 32       # torch runs this kernel's AVX2 build: 8 floats or 4 doubles a vector
BILINEAR, NEAREST = 0, 1


def axis_params(size: int, align_corners: bool, dtype) -> np.ndarray:
    """[scale, max value, low, twice span, empty] along an axis of `size`, in `dtype` (ATen
    computes them in the input's scalar type)."""
    t = np.dtype(dtype).type
    if align_corners:
        values = (t(size - 1) / t(2), t(size - 1), t(0), t(size - 1) * t(2), size <= 1)
    else:
        values = (t(size) / t(2), t(size - 1), t(-0.5), t(size) * t(2), size <= 0)
    return np.array(values, dtype)


@_jit
def _clip(x, max_val, zero):
    bounded = x if x > zero else zero         # NaN clamps to 0, as ATen's operand order does
    return bounded if bounded < max_val else max_val


@_jit
def _reflect(x, low, twice_span, empty, one):
    """(reflected x, its slope 1 or -1)."""
    zero = one - one
    if empty:
        return zero, zero
    shifted = x - low
    negative = shifted < zero
    magnitude = abs(shifted)
    double_flips = np.trunc(magnitude / twice_span)
    extra = _fma(-double_flips, twice_span, magnitude)
    reflected = twice_span - extra
    one_more_flip = extra > reflected
    value = (reflected if one_more_flip else extra) + low
    return value, (-one if one_more_flip != negative else one)


@_jit
def _source(g, axis, padding, align_corners, one, half):
    """The input coordinate for grid value g along an axis, and d(coordinate)/d(g)."""
    scale, max_val, low, twice_span, empty = axis[0], axis[1], axis[2], axis[3], axis[4]
    zero = one - one
    x = (g + one) * scale if align_corners else _fma(g + one, scale, -half)
    if padding == ZEROS:
        return x, scale
    slope = scale
    if padding == REFLECTION:
        x, flip = _reflect(x, low, twice_span, empty != zero, one)
        slope = flip * scale
    inside = (x > zero) and (x < max_val)     # borders count as outside for the gradient
    x = _clip(x, max_val, zero)
    return x, (slope if inside else zero)


@_jit
def _inside(i, size):
    return i > -1.0 and i < size


@_jit
def _forward(inp, grid, out, mode, padding, align_corners, axes, one):
    batch, channels, height, width = inp.shape
    out_h, out_w = grid.shape[1], grid.shape[2]
    zero = one - one
    half = one / (one + one)
    for n in range(batch):
        for oy in range(out_h):
            for ox in range(out_w):
                x, _ = _source(grid[n, oy, ox, 0], axes[0], padding, align_corners, one,
                                half)
                y, _ = _source(grid[n, oy, ox, 1], axes[1], padding, align_corners, one,
                                half)
                if mode == NEAREST:
                    xn, yn = np.rint(x), np.rint(y)
                    ok = _inside(xn, width) and _inside(yn, height)
                    for c in range(channels):
                        out[n, c, oy, ox] = inp[n, c, int(yn), int(xn)] if ok else zero
                    continue
                x_w, y_n = np.floor(x), np.floor(y)
                w = x - x_w
                e = one - w
                nn = y - y_n
                s = one - nn
                nw, ne, sw, se = s * e, s * w, nn * e, nn * w
                west, east = _inside(x_w, width), _inside(x_w + 1, width)
                north, south = _inside(y_n, height), _inside(y_n + 1, height)
                ix = int(x_w) if west or east else 0
                iy = int(y_n) if north or south else 0
                for c in range(channels):
                    v_nw = inp[n, c, iy, ix] if north and west else zero
                    v_ne = inp[n, c, iy, ix + 1] if north and east else zero
                    v_sw = inp[n, c, iy + 1, ix] if south and west else zero
                    v_se = inp[n, c, iy + 1, ix + 1] if south and east else zero
                    total = _fma(v_ne, ne, v_nw * nw)
                    total = _fma(v_sw, sw, total)
                    out[n, c, oy, ox] = _fma(v_se, se, total)


@_jit
def _backward(grad_out, inp, grid, grad_inp, grad_grid, mode, padding, align_corners,
              input_grad, axes, one, lanes):
    batch, channels, height, width = inp.shape
    out_h, out_w = grid.shape[1], grid.shape[2]
    zero = one - one
    half = one / (one + one)
    for n in range(batch):
        for oy in range(out_h):
            for ox in range(out_w):
                x, gx_mult = _source(grid[n, oy, ox, 0], axes[0], padding, align_corners, one,
                                half)
                y, gy_mult = _source(grid[n, oy, ox, 1], axes[1], padding, align_corners, one,
                                half)
                if mode == NEAREST:
                    xn, yn = np.rint(x), np.rint(y)
                    if input_grad and _inside(xn, width) and _inside(yn, height):
                        for c in range(channels):
                            grad_inp[n, c, int(yn), int(xn)] += grad_out[n, c, oy, ox]
                    grad_grid[n, oy, ox, 0] = zero
                    grad_grid[n, oy, ox, 1] = zero
                    continue
                x_w, y_n = np.floor(x), np.floor(y)
                w = x - x_w
                e = one - w
                nn = y - y_n
                s = one - nn
                nw, ne, sw, se = s * e, s * w, nn * e, nn * w
                west, east = _inside(x_w, width), _inside(x_w + 1, width)
                north, south = _inside(y_n, height), _inside(y_n + 1, height)
                ix = int(x_w) if west or east else 0
                iy = int(y_n) if north or south else 0
                gx, gy = zero, zero
                for c in range(channels):
                    g = grad_out[n, c, oy, ox]
                    v_nw = inp[n, c, iy, ix] if north and west else zero
                    v_ne = inp[n, c, iy, ix + 1] if north and east else zero
                    v_sw = inp[n, c, iy + 1, ix] if south and west else zero
                    v_se = inp[n, c, iy + 1, ix + 1] if south and east else zero
                    gx = _fma(_fma(v_se - v_sw, nn, (v_ne - v_nw) * s), g, gx)
                    gy = _fma(_fma(v_se - v_ne, w, (v_sw - v_nw) * e), g, gy)
                grad_grid[n, oy, ox, 0] = gx * gx_mult
                grad_grid[n, oy, ox, 1] = gy * gy_mult
    if input_grad and mode != NEAREST:
        _bilinear_input_grad(grad_out, grid, grad_inp, padding, align_corners, axes, one,
                             lanes)


@_jit
def _bilinear_input_grad(grad_out, grid, grad_inp, padding, align_corners, axes, one, lanes):
    """Each output's gradient times its corners' weights, added at the corners in ATen's
    order: the flat output places in vectors of `lanes`; per vector and channel, all the
    nw additions, then ne, sw and se."""
    batch, channels, height, width = grad_inp.shape
    out_w = grid.shape[2]
    places = grid.shape[1] * out_w
    half = one / (one + one)
    weights = np.empty((4, lanes), grad_inp.dtype)
    rows = np.empty((4, lanes), np.int64)
    cols = np.empty((4, lanes), np.int64)
    inside = np.empty((4, lanes), np.bool_)
    for n in range(batch):
        for start in range(0, places, lanes):
            count = min(lanes, places - start)
            for lane in range(count):
                p = start + lane
                gx_value, gy_value = grid[n, p // out_w, p % out_w, 0], \
                    grid[n, p // out_w, p % out_w, 1]
                x, _ = _source(gx_value, axes[0], padding, align_corners, one, half)
                y, _ = _source(gy_value, axes[1], padding, align_corners, one, half)
                x_w, y_n = np.floor(x), np.floor(y)
                w = x - x_w
                e = one - w
                nn = y - y_n
                s = one - nn
                weights[0, lane], weights[1, lane] = s * e, s * w
                weights[2, lane], weights[3, lane] = nn * e, nn * w
                for k in range(4):
                    row, col = y_n + k // 2, x_w + k % 2
                    inside[k, lane] = _inside(row, height) and _inside(col, width)
                    rows[k, lane] = int(row) if inside[k, lane] else 0
                    cols[k, lane] = int(col) if inside[k, lane] else 0
            for c in range(channels):
                for k in range(4):
                    for lane in range(count):
                        if inside[k, lane]:
                            p = start + lane
                            g = grad_out[n, c, p // out_w, p % out_w]
                            grad_inp[n, c, rows[k, lane], cols[k, lane]] += g * weights[k, lane]


def _axes(inp, align_corners) -> np.ndarray:
    """Rows for x (width) and y (height)."""
    return np.stack([axis_params(inp.shape[3], align_corners, inp.dtype),
                     axis_params(inp.shape[2], align_corners, inp.dtype)])


def grid_sample_2d_forward(inp, grid, mode, padding, align_corners):
    """out[N, C, Ho, Wo] for input[N, C, H, W] and grid[N, Ho, Wo, 2] of the same dtype."""
    inp, grid = np.ascontiguousarray(inp), np.ascontiguousarray(grid)
    out = np.zeros((inp.shape[0], inp.shape[1]) + grid.shape[1:3], inp.dtype)
    if out.size:
        _forward(inp, grid, out, mode, padding, bool(align_corners),
                 _axes(inp, align_corners), inp.dtype.type(1))
    return out


def grid_sample_2d_backward(grad_out, inp, grid, mode, padding, align_corners,
                            input_grad=True):
    """(grad_input or None, grad_grid)."""
    grad_out = np.ascontiguousarray(grad_out, dtype=inp.dtype)
    inp, grid = np.ascontiguousarray(inp), np.ascontiguousarray(grid)
    grad_inp = np.zeros_like(inp)
    grad_grid = np.zeros_like(grid)
    if grad_out.size:
        _backward(grad_out, inp, grid, grad_inp, grad_grid, mode, padding,
                  bool(align_corners), bool(input_grad), _axes(inp, align_corners),
                  inp.dtype.type(1), VECTOR_BYTES // inp.itemsize)
    return (grad_inp if input_grad else None), grad_grid


# ---------------------------------------------------------------- affine grid products

@_jit
def _sequential_bmm(a, b, out):
    """out[n] = a[n] @ b[n], each sum taken term by term from the first, rounding each step
    (ATen's bmm on these shapes; BLAS would block and fuse)."""
    for n in range(a.shape[0]):
        for i in range(a.shape[1]):
            for j in range(b.shape[2]):
                total = out[n, i, j] - out[n, i, j]
                for k in range(a.shape[2]):
                    total = total + a[n, i, k] * b[n, k, j]
                out[n, i, j] = total


def sequential_bmm(a, b):
    """a[N, I, K] @ b[N, K, J] in a's dtype, summed in order over K."""
    out = np.zeros((a.shape[0], a.shape[1], b.shape[2]), a.dtype)
    if out.size:
        _sequential_bmm(np.ascontiguousarray(a), np.ascontiguousarray(b, dtype=a.dtype), out)
    return out


# ---------------------------------------------------------------- double backward

@_jit
def _double_backward(gg_inp, gg_grid, grad_out, inp, grid, d_grad_out, d_inp, d_grid, mode,
                     padding, align_corners, axes, one):
    """The derivatives of (grad_input, grad_grid) against (grad_output, input, grid),
    contracted with (gg_input, gg_grid). Bilinear weights are products of (1 - d) and d
    terms, so d(weight)/dx is linear in y and d2(weight)/dxdy is +-1."""
    batch, channels, height, width = inp.shape
    out_h, out_w = grid.shape[1], grid.shape[2]
    zero = one - one
    half = one / (one + one)
    dwx = np.empty(4, inp.dtype)
    dwy = np.empty(4, inp.dtype)
    weight = np.empty(4, inp.dtype)
    cross = np.array([1, -1, -1, 1], inp.dtype)
    rows = np.empty(4, np.int64)
    cols = np.empty(4, np.int64)
    inside = np.empty(4, np.bool_)
    for n in range(batch):
        for oy in range(out_h):
            for ox in range(out_w):
                x, mx = _source(grid[n, oy, ox, 0], axes[0], padding, align_corners, one, half)
                y, my = _source(grid[n, oy, ox, 1], axes[1], padding, align_corners, one, half)
                if mode == NEAREST:
                    xn, yn = np.rint(x), np.rint(y)
                    if _inside(xn, width) and _inside(yn, height):
                        for c in range(channels):
                            d_grad_out[n, c, oy, ox] = gg_inp[n, c, int(yn), int(xn)]
                    continue
                x_w, y_n = np.floor(x), np.floor(y)
                dx, dy = x - x_w, y - y_n
                weight[0], weight[1] = (one - dy) * (one - dx), (one - dy) * dx
                weight[2], weight[3] = dy * (one - dx), dy * dx
                dwx[0], dwx[1], dwx[2], dwx[3] = dy - one, one - dy, -dy, dy
                dwy[0], dwy[1], dwy[2], dwy[3] = dx - one, -dx, one - dx, dx
                for k in range(4):
                    row, col = y_n + k // 2, x_w + k % 2
                    inside[k] = _inside(row, height) and _inside(col, width)
                    rows[k] = int(row) if inside[k] else 0
                    cols[k] = int(col) if inside[k] else 0
                gx, gy = gg_grid[n, oy, ox, 0] * mx, gg_grid[n, oy, ox, 1] * my
                sum_x, sum_y = zero, zero
                for c in range(channels):
                    g = grad_out[n, c, oy, ox]
                    total = zero
                    u_x, u_y, v_cross = zero, zero, zero
                    for k in range(4):
                        if not inside[k]:
                            continue
                        u = gg_inp[n, c, rows[k], cols[k]]
                        v = inp[n, c, rows[k], cols[k]]
                        slope = dwx[k] * gx + dwy[k] * gy
                        total += u * weight[k] + v * slope
                        d_inp[n, c, rows[k], cols[k]] += g * slope
                        u_x += u * dwx[k]
                        u_y += u * dwy[k]
                        v_cross += v * cross[k]
                    d_grad_out[n, c, oy, ox] = total
                    sum_x += g * (u_x + v_cross * gy)
                    sum_y += g * (u_y + v_cross * gx)
                d_grid[n, oy, ox, 0] = sum_x * mx
                d_grid[n, oy, ox, 1] = sum_y * my


def grid_sample_2d_double_backward(gg_inp, gg_grid, grad_out, inp, grid, mode, padding,
                                   align_corners):
    """(d grad_output, d input, d grid) of the backward, for incoming gg_input and
    gg_grid (either may be None: zeros)."""
    inp, grid = np.ascontiguousarray(inp), np.ascontiguousarray(grid)
    gg_inp = np.zeros_like(inp) if gg_inp is None else np.ascontiguousarray(gg_inp, inp.dtype)
    gg_grid = np.zeros_like(grid) if gg_grid is None else \
        np.ascontiguousarray(gg_grid, inp.dtype)
    grad_out = np.ascontiguousarray(grad_out, inp.dtype)
    d_grad_out, d_inp, d_grid = np.zeros_like(grad_out), np.zeros_like(inp), np.zeros_like(grid)
    if grad_out.size:
        _double_backward(gg_inp, gg_grid, grad_out, inp, grid, d_grad_out, d_inp, d_grid, mode,
                         padding, bool(align_corners), _axes(inp, align_corners),
                         inp.dtype.type(1))
    return d_grad_out, d_inp, d_grid
