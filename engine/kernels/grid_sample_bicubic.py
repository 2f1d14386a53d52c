"""2-D bicubic grid sampling (mode='bicubic') on NumPy arrays, as ATen's vectorised CPU
kernel computes it: the grid only unnormalised, the 4 x 4 taps around floor(x), floor(y)
each padded on its own (zeros: 0 outside; border: clamped; reflection: folded, clamped),
Keys' cubic convolution with A = -0.75 evaluated in Horner form, rows first, then the
column. Products and sums that torch's GCC build contracts into FMAs are fused here too
(which ones was found by reading single weights back from torch with one-hot inputs; the
forward and the backward differ there).
The backward's grid gradient ignores the padding's slope, as ATen's does. The build
fuses differently whether or not the input's gradient is wanted; both ways are followed."""

import numba
import numpy as np

from engine.kernels.grid_sample import (REFLECTION, ZEROS, _clip, _reflect,
                                        _axes)  # noqa: F401
from engine.kernels.mt19937 import _fma

_jit = numba.njit(cache=True, nogil=True)


@_jit
def _fms(a, b, c):
    return _fma(a, b, -c)


@_jit
def _coefficients(t, out, one):
    """Keys' weights of the taps at -1, 0, 1, 2 for a fraction t."""
    two = one + one
    a = -(one + two) / (two * two)                       # -0.75
    a5, a8, a4 = a * (two + two + one), a * (two * two * two), a * (two * two)
    b2, b3 = a + two, a + two + one
    x = t + one
    out[0] = ((a * x - a5) * x + a8) * x - a4
    x = t
    out[1] = _fma(_fms(b2, x, b3) * x, x, one)
    x = one - t
    out[2] = _fma(_fms(b2, x, b3) * x, x, one)
    x = two - t
    out[3] = ((a * x - a5) * x + a8) * x - a4


@_jit
def _coefficients_fused(t, out, one):
    """The weights as the backward's build computes them for the grid's gradient: there the
    outer taps' Horner steps are fused too (its input gradient uses the forward's)."""
    two = one + one
    a = -(one + two) / (two * two)
    a5, a8, a4 = a * (two + two + one), a * (two * two * two), a * (two * two)
    b2, b3 = a + two, a + two + one
    x = t + one
    out[0] = _fms(_fma(_fms(a, x, a5), x, a8), x, a4)
    x = t
    out[1] = _fma(_fms(b2, x, b3) * x, x, one)
    x = one - t
    out[2] = _fma(_fms(b2, x, b3) * x, x, one)
    x = two - t
    out[3] = _fms(_fma(_fms(a, x, a5), x, a8), x, a4)


@_jit
def _coefficient_slopes(t, out, one):
    """d(weight)/dt in ATen's form (its signs folded into the x each uses)."""
    two = one + one
    three = two + one
    a = -three / (two * two)
    a3m, a10, a8 = -three * a, a * (two * two * two + two), a * (two * two * two)
    b2, b3 = a + two, a + three
    x = -one - t
    out[0] = _fms(_fms(a3m, x, a10), x, a8)
    x = -t
    out[1] = _fms(-three * b2, x, two * b3) * x
    x = one - t
    out[2] = _fms(three * b2, x, two * b3) * x
    x = two - t
    out[3] = _fma(_fms(three * a, x, a10), x, a8)


@_jit
def _coefficient_slopes_plain(t, out, one):
    """The same slopes, none fused: so the build computes them when the input's gradient is
    wanted too."""
    two = one + one
    three = two + one
    a = -three / (two * two)
    a3m, a10, a8 = -three * a, a * (two * two * two + two), a * (two * two * two)
    b2, b3 = a + two, a + three
    x = -one - t
    out[0] = (a3m * x - a10) * x - a8
    x = -t
    out[1] = (-three * b2 * x - two * b3) * x
    x = one - t
    out[2] = (three * b2 * x - two * b3) * x
    x = two - t
    out[3] = (three * a * x - a10) * x + a8


@_jit
def _tap(coordinate, axis, padding, one):
    """(index, inside) of a tap's coordinate after the padding mode."""
    max_val, low, twice_span, empty = axis[1], axis[2], axis[3], axis[4]
    zero = one - one
    if padding == REFLECTION:
        coordinate, _ = _reflect(coordinate, low, twice_span, empty != zero, one)
    if padding != ZEROS:
        coordinate = _clip(coordinate, max_val, zero)
    inside = coordinate > -1.0 and coordinate < max_val + one
    return (int(coordinate) if inside else 0), inside


@_jit
def _unnormalize(g, axis, align_corners, one):
    if align_corners:
        return (g + one) * axis[0]
    return _fma(g + one, axis[0], -(one / (one + one)))


@_jit
def _forward(inp, grid, out, padding, align_corners, axes, one):
    batch, channels = inp.shape[0], inp.shape[1]
    cx, cy = np.empty(4, inp.dtype), np.empty(4, inp.dtype)
    cols, rows = np.empty(4, np.int64), np.empty(4, np.int64)
    col_in, row_in = np.empty(4, np.bool_), np.empty(4, np.bool_)
    rows_sum, values = np.empty(4, inp.dtype), np.empty(4, inp.dtype)
    zero = one - one
    offsets = np.array([-one, zero, one, one + one])
    for n in range(batch):
        for oy in range(grid.shape[1]):
            for ox in range(grid.shape[2]):
                x = _unnormalize(grid[n, oy, ox, 0], axes[0], align_corners, one)
                y = _unnormalize(grid[n, oy, ox, 1], axes[1], align_corners, one)
                ix, iy = np.floor(x), np.floor(y)
                _coefficients(x - ix, cx, one)
                _coefficients(y - iy, cy, one)
                for k in range(4):
                    cols[k], col_in[k] = _tap(ix + offsets[k], axes[0], padding, one)
                    rows[k], row_in[k] = _tap(iy + offsets[k], axes[1], padding, one)
                for c in range(channels):
                    for j in range(4):
                        for i in range(4):
                            values[i] = inp[n, c, rows[j], cols[i]] \
                                if row_in[j] and col_in[i] else zero
                        # as torch's build contracts this row: the first product fused
                        total = _fma(cx[0], values[0], cx[1] * values[1])
                        rows_sum[j] = total + cx[2] * values[2] + cx[3] * values[3]
                    result = cy[0] * rows_sum[0]
                    for j in range(1, 4):
                        result = _fma(cy[j], rows_sum[j], result)
                    out[n, c, oy, ox] = result


@_jit
def _backward(grad_out, inp, grid, grad_inp, grad_grid, padding, align_corners, axes, one,
              lanes, input_grad, plain_grid_weights):
    batch, channels = inp.shape[0], inp.shape[1]
    out_w = grid.shape[2]
    places = grid.shape[1] * out_w
    cx, cy = np.empty((lanes, 4), inp.dtype), np.empty((lanes, 4), inp.dtype)
    fx, fy = np.empty((lanes, 4), inp.dtype), np.empty((lanes, 4), inp.dtype)
    dx, dy = np.empty((lanes, 4), inp.dtype), np.empty((lanes, 4), inp.dtype)
    cols, rows = np.empty((lanes, 4), np.int64), np.empty((lanes, 4), np.int64)
    col_in, row_in = np.empty((lanes, 4), np.bool_), np.empty((lanes, 4), np.bool_)
    gx, gy = np.empty(lanes, inp.dtype), np.empty(lanes, inp.dtype)
    zero = one - one
    offsets = np.array([-one, zero, one, one + one])
    for n in range(batch):
        for start in range(0, places, lanes):
            count = min(lanes, places - start)
            for lane in range(count):
                p = start + lane
                x = _unnormalize(grid[n, p // out_w, p % out_w, 0], axes[0], align_corners, one)
                y = _unnormalize(grid[n, p // out_w, p % out_w, 1], axes[1], align_corners, one)
                ix, iy = np.floor(x), np.floor(y)
                _coefficients(x - ix, cx[lane], one)
                _coefficients(y - iy, cy[lane], one)
                if input_grad or plain_grid_weights:  # the build shares the forward's then
                    fx[lane], fy[lane] = cx[lane], cy[lane]
                    _coefficient_slopes_plain(x - ix, dx[lane], one)
                    _coefficient_slopes_plain(y - iy, dy[lane], one)
                else:
                    _coefficients_fused(x - ix, fx[lane], one)
                    _coefficients_fused(y - iy, fy[lane], one)
                    _coefficient_slopes(x - ix, dx[lane], one)
                    _coefficient_slopes(y - iy, dy[lane], one)
                for k in range(4):
                    cols[lane, k], col_in[lane, k] = _tap(ix + offsets[k], axes[0], padding,
                                                          one)
                    rows[lane, k], row_in[lane, k] = _tap(iy + offsets[k], axes[1], padding,
                                                          one)
                gx[lane], gy[lane] = zero, zero
            for c in range(channels):
                for i in range(4):
                    for j in range(4):
                        for lane in range(count):
                            p = start + lane
                            g = grad_out[n, c, p // out_w, p % out_w]
                            inside = row_in[lane, j] and col_in[lane, i]
                            row, col = rows[lane, j], cols[lane, i]
                            if input_grad and inside:
                                grad_inp[n, c, row, col] += g * cx[lane, i] * cy[lane, j]
                            value = inp[n, c, row, col] if inside else zero
                            gx[lane] = _fma(-(value * g * dx[lane, i]), fy[lane, j], gx[lane])
                            gy[lane] = _fma(-(value * g * dy[lane, j]), fx[lane, i], gy[lane])
            for lane in range(count):
                p = start + lane
                grad_grid[n, p // out_w, p % out_w, 0] = gx[lane] * axes[0, 0]
                grad_grid[n, p // out_w, p % out_w, 1] = gy[lane] * axes[1, 0]


def _plain_grid_weights(dtype, padding, input_grad) -> bool:
    """Whether torch's build computes grad_grid from unfused weights and slopes: when the
    input's gradient is wanted too, and in its float64 reflection instantiation (each
    dtype and padding mode is a template of its own, which GCC fuses on its own)."""
    return bool(input_grad) or (dtype == np.float64 and padding == REFLECTION)


def grid_sample_bicubic_forward(inp, grid, padding, align_corners):
    inp, grid = np.ascontiguousarray(inp), np.ascontiguousarray(grid)
    out = np.zeros((inp.shape[0], inp.shape[1]) + grid.shape[1:3], inp.dtype)
    if out.size:
        _forward(inp, grid, out, padding, bool(align_corners), _axes(inp, align_corners),
                 inp.dtype.type(1))
    return out


def grid_sample_bicubic_backward(grad_out, inp, grid, padding, align_corners, lanes,
                                 input_grad=True):
    grad_out = np.ascontiguousarray(grad_out, dtype=inp.dtype)
    inp, grid = np.ascontiguousarray(inp), np.ascontiguousarray(grid)
    grad_inp, grad_grid = np.zeros_like(inp), np.zeros_like(grid)
    if grad_out.size:
        _backward(grad_out, inp, grid, grad_inp, grad_grid, padding, bool(align_corners),
                  _axes(inp, align_corners), inp.dtype.type(1), lanes, bool(input_grad),
                  _plain_grid_weights(inp.dtype, padding, input_grad))
    return (grad_inp if input_grad else None), grad_grid


# ---------------------------------------------------------------- double backward

@_jit
def _keys(distance, order, one):
    """Keys' kernel (A = -0.75) at |distance|, or its first or second derivative along
    distance."""
    two = one + one
    three = two + one
    a = -three / (two * two)
    s = abs(distance)
    sign = -one if distance < s - s else one
    if s <= one:
        if order == 0:
            return ((a + two) * s - (a + three)) * s * s + one
        if order == 1:
            return sign * (three * (a + two) * s - two * (a + three)) * s
        return two * three * (a + two) * s - two * (a + three)
    if s < two:
        five, eight = two + three, two * two * two
        if order == 0:
            return ((a * s - five * a) * s + eight * a) * s - two * two * a
        if order == 1:
            return sign * ((three * a * s - two * five * a) * s + eight * a)
        return two * three * a * s - two * five * a
    return s - s


@_jit
def _double_backward(gg_inp, gg_grid, grad_out, inp, grid, d_grad_out, d_inp, d_grid,
                     padding, align_corners, axes, one):
    """The derivatives of (grad_input, grad_grid) against (grad_output, input, grid),
    contracted with (gg_input, gg_grid), from the Keys weights' first and second
    derivatives (the padding's slope left out, as the backward leaves it out)."""
    batch, channels = inp.shape[0], inp.shape[1]
    weights = np.empty((3, 2, 4), inp.dtype)      # [order][axis][tap]
    cols, rows = np.empty(4, np.int64), np.empty(4, np.int64)
    col_in, row_in = np.empty(4, np.bool_), np.empty(4, np.bool_)
    zero = one - one
    offsets = np.array([-one, zero, one, one + one])
    for n in range(batch):
        for oy in range(grid.shape[1]):
            for ox in range(grid.shape[2]):
                x = _unnormalize(grid[n, oy, ox, 0], axes[0], align_corners, one)
                y = _unnormalize(grid[n, oy, ox, 1], axes[1], align_corners, one)
                ix, iy = np.floor(x), np.floor(y)
                for k in range(4):
                    for order in range(3):
                        weights[order, 0, k] = _keys(x - ix - offsets[k], order, one)
                        weights[order, 1, k] = _keys(y - iy - offsets[k], order, one)
                    cols[k], col_in[k] = _tap(ix + offsets[k], axes[0], padding, one)
                    rows[k], row_in[k] = _tap(iy + offsets[k], axes[1], padding, one)
                sx, sy = axes[0, 0], axes[1, 0]
                gx, gy = gg_grid[n, oy, ox, 0] * sx, gg_grid[n, oy, ox, 1] * sy
                sum_x, sum_y = zero, zero
                for c in range(channels):
                    g = grad_out[n, c, oy, ox]
                    total, u_x, u_y, v_x, v_y = zero, zero, zero, zero, zero
                    for i in range(4):
                        for j in range(4):
                            if not (col_in[i] and row_in[j]):
                                continue
                            u = gg_inp[n, c, rows[j], cols[i]]
                            v = inp[n, c, rows[j], cols[i]]
                            cx, dx, ddx = weights[0, 0, i], weights[1, 0, i], weights[2, 0, i]
                            cy, dy, ddy = weights[0, 1, j], weights[1, 1, j], weights[2, 1, j]
                            slope = gx * dx * cy + gy * cx * dy
                            total += u * cx * cy + v * slope
                            d_inp[n, c, rows[j], cols[i]] += g * slope
                            u_x += u * dx * cy
                            u_y += u * cx * dy
                            v_x += v * (gx * ddx * cy + gy * dx * dy)
                            v_y += v * (gx * dx * dy + gy * cx * ddy)
                    d_grad_out[n, c, oy, ox] = total
                    sum_x += g * (u_x + v_x)
                    sum_y += g * (u_y + v_y)
                d_grid[n, oy, ox, 0] = sum_x * sx
                d_grid[n, oy, ox, 1] = sum_y * sy


def grid_sample_bicubic_double_backward(gg_inp, gg_grid, grad_out, inp, grid, padding,
                                        align_corners):
    inp, grid = np.ascontiguousarray(inp), np.ascontiguousarray(grid)
    gg_inp = np.zeros_like(inp) if gg_inp is None else np.ascontiguousarray(gg_inp, inp.dtype)
    gg_grid = np.zeros_like(grid) if gg_grid is None else \
        np.ascontiguousarray(gg_grid, inp.dtype)
    grad_out = np.ascontiguousarray(grad_out, inp.dtype)
    d_grad_out, d_inp, d_grid = np.zeros_like(grad_out), np.zeros_like(inp), np.zeros_like(grid)
    if grad_out.size:
        _double_backward(gg_inp, gg_grid, grad_out, inp, grid, d_grad_out, d_inp, d_grid,
                         padding, bool(align_corners), _axes(inp, align_corners),
                         inp.dtype.type(1))
    return d_grad_out, d_inp, d_grid
