"""3-D grid sampling on NumPy arrays: input[N, C, D, H, W] read at grid[N, Do, Ho, Wo,
(x, y, z)], as ATen's scalar CPU code does it (GridSampler.cpp, built without FMA):
the grid unnormalised as ((g + 1) / 2) * (size - 1) (align_corners) or
((g + 1) * size - 1) / 2; border padding clamps to [0, size - 1]; reflection folds with
fmod, then clamps; trilinear weights are three differences multiplied left to right and
added corner by corner (tnw, tne, tsw, tse, bnw, bne, bsw, bse) into a zeroed output;
nearest rounds half to even. The backward and double backward follow from the weights:
d(weight)/dx is a product of the other two axes' factors."""

import numba
import numpy as np

from engine.kernels.grid_sample import NEAREST, REFLECTION, ZEROS, BORDER  # noqa: F401

_jit = numba.njit(cache=True, nogil=True)


def axis_params(size: int, align_corners: bool, dtype) -> np.ndarray:
    """[size, size - 1, reflection low, reflection span, empty, -100] in `dtype` (ATen
    converts the integers to the input's scalar type where they meet it)."""
    t = np.dtype(dtype).type
    twice_low, twice_high = (0, 2 * (size - 1)) if align_corners else (-1, 2 * size - 1)
    return np.array([t(size), t(size - 1), t(twice_low) / t(2),
                     t(twice_high - twice_low) / t(2), twice_low == twice_high, -100], dtype)


@_jit
def _reflect(x, low, span, empty, one):
    """(reflected x, its slope 1 or -1) within [low, low + span]."""
    zero = one - one
    if empty:
        return zero, zero
    x = x - low
    sign = one
    if x < zero:
        sign = -one
        x = -x
    extra = np.fmod(x, span)
    flips = int(np.floor(x / span))
    if flips % 2 == 0:
        return extra + low, sign
    return span - extra + low, -sign


@_jit
def _clip(x, top, one):
    """(x clamped to [0, top], 1 inside or 0 at or past a border)."""
    zero = one - one
    if x <= zero:
        return zero, zero
    if x >= top:
        return top, zero
    return x, one


@_jit
def _source(g, axis, padding, align_corners, one):
    """The input coordinate for grid value g along an axis, and d(coordinate)/d(g)."""
    size, top, low, span, empty = axis[0], axis[1], axis[2], axis[3], axis[4]
    two = one + one
    if align_corners:
        slope = top / two
        x = ((g + one) / two) * top
    else:
        slope = size / two
        x = ((g + one) * size - one) / two
    if padding == BORDER:
        x, clip = _clip(x, top, one)
        slope = slope * clip
    elif padding == REFLECTION:
        x, flip = _reflect(x, low, span, empty != one - one, one)
        x, clip = _clip(x, top, one)
        slope = slope * flip * clip
    if not (x > -2147483648.0 and x < 2147483646.0):
        x = axis[5]                             # ATen's safe_downgrade_to_int_range
    return x, slope


@_jit
def _corners(x, y, z, size_d, size_h, size_w, one, weights, factors, index, inside):
    """Per corner k (bit 0: +x, bit 1: +y, bit 2: +z; ATen's tnw, tne, tsw, tse, bnw, ...):
    the weight, the three factors it is the product of, the flat index, and in-bounds."""
    x0, y0, z0 = np.floor(x), np.floor(y), np.floor(z)
    for k in range(8):
        step_x, step_y, step_z = (k & 1) == 1, ((k >> 1) & 1) == 1, ((k >> 2) & 1) == 1
        cx = x0 + one if step_x else x0
        cy = y0 + one if step_y else y0
        cz = z0 + one if step_z else z0
        # the factor along an axis is the distance to the opposite corner
        fx = (x - x0) if step_x else (x0 + one - x)
        fy = (y - y0) if step_y else (y0 + one - y)
        fz = (z - z0) if step_z else (z0 + one - z)
        factors[k, 0], factors[k, 1], factors[k, 2] = fx, fy, fz
        weights[k] = fx * fy * fz
        ok = (cx > -1 and cx < size_w and cy > -1 and cy < size_h and cz > -1
              and cz < size_d)
        inside[k] = ok
        index[k] = ((int(cz) * size_h + int(cy)) * size_w + int(cx)) if ok else 0


@_jit
def _forward(inp, grid, out, mode, padding, align_corners, axes, one):
    batch, channels = inp.shape[0], inp.shape[1]
    size_d, size_h, size_w = inp.shape[2], inp.shape[3], inp.shape[4]
    flat = inp.reshape(batch, channels, -1)
    places = grid.shape[1] * grid.shape[2] * grid.shape[3]
    points = grid.reshape(batch, places, 3)
    result = out.reshape(batch, channels, places)
    weights, factors = np.empty(8, inp.dtype), np.empty((8, 3), inp.dtype)
    index, inside = np.empty(8, np.int64), np.empty(8, np.bool_)
    for n in range(batch):
        for p in range(places):
            x, _ = _source(points[n, p, 0], axes[0], padding, align_corners, one)
            y, _ = _source(points[n, p, 1], axes[1], padding, align_corners, one)
            z, _ = _source(points[n, p, 2], axes[2], padding, align_corners, one)
            if mode == NEAREST:
                xn, yn, zn = np.rint(x), np.rint(y), np.rint(z)
                ok = (xn > -1 and xn < size_w and yn > -1 and yn < size_h and zn > -1
                      and zn < size_d)
                at = ((int(zn) * size_h + int(yn)) * size_w + int(xn)) if ok else 0
                for c in range(channels):
                    result[n, c, p] = flat[n, c, at] if ok else one - one
                continue
            _corners(x, y, z, size_d, size_h, size_w, one, weights, factors, index, inside)
            for c in range(channels):
                total = one - one
                for k in range(8):
                    if inside[k]:
                        total += flat[n, c, index[k]] * weights[k]
                result[n, c, p] = total


@_jit
def _backward(grad_out, inp, grid, grad_inp, grad_grid, mode, padding, align_corners,
              input_grad, axes, one):
    batch, channels = inp.shape[0], inp.shape[1]
    size_d, size_h, size_w = inp.shape[2], inp.shape[3], inp.shape[4]
    flat = inp.reshape(batch, channels, -1)
    flat_grad = grad_inp.reshape(batch, channels, -1)
    places = grid.shape[1] * grid.shape[2] * grid.shape[3]
    points = grid.reshape(batch, places, 3)
    gout = grad_out.reshape(batch, channels, places)
    ggrid = grad_grid.reshape(batch, places, 3)
    weights, factors = np.empty(8, inp.dtype), np.empty((8, 3), inp.dtype)
    index, inside = np.empty(8, np.int64), np.empty(8, np.bool_)
    zero = one - one
    for n in range(batch):
        for p in range(places):
            x, mx = _source(points[n, p, 0], axes[0], padding, align_corners, one)
            y, my = _source(points[n, p, 1], axes[1], padding, align_corners, one)
            z, mz = _source(points[n, p, 2], axes[2], padding, align_corners, one)
            if mode == NEAREST:
                xn, yn, zn = np.rint(x), np.rint(y), np.rint(z)
                ok = (xn > -1 and xn < size_w and yn > -1 and yn < size_h and zn > -1
                      and zn < size_d)
                if input_grad and ok:
                    at = (int(zn) * size_h + int(yn)) * size_w + int(xn)
                    for c in range(channels):
                        flat_grad[n, c, at] += gout[n, c, p]
                continue
            _corners(x, y, z, size_d, size_h, size_w, one, weights, factors, index, inside)
            gx, gy, gz = zero, zero, zero
            for c in range(channels):
                g = gout[n, c, p]
                if input_grad:
                    for k in range(8):
                        if inside[k]:
                            flat_grad[n, c, index[k]] += weights[k] * g
                for k in range(8):
                    if not inside[k]:
                        continue
                    v = flat[n, c, index[k]]
                    fx, fy, fz = factors[k, 0], factors[k, 1], factors[k, 2]
                    tx = v * fy * fz * g
                    ty = v * fx * fz * g
                    tz = v * fx * fy * g
                    gx = gx + tx if (k & 1) else gx - tx
                    gy = gy + ty if (k >> 1) & 1 else gy - ty
                    gz = gz + tz if (k >> 2) & 1 else gz - tz
            ggrid[n, p, 0] = mx * gx
            ggrid[n, p, 1] = my * gy
            ggrid[n, p, 2] = mz * gz


def _axes(inp, align_corners) -> np.ndarray:
    """Rows for x (width), y (height) and z (depth)."""
    return np.stack([axis_params(inp.shape[axis], align_corners, inp.dtype)
                     for axis in (4, 3, 2)])


def grid_sample_3d_forward(inp, grid, mode, padding, align_corners):
    inp, grid = np.ascontiguousarray(inp), np.ascontiguousarray(grid)
    out = np.zeros((inp.shape[0], inp.shape[1]) + grid.shape[1:4], inp.dtype)
    if out.size:
        _forward(inp, grid, out, mode, padding, bool(align_corners),
                 _axes(inp, align_corners), inp.dtype.type(1))
    return out


def grid_sample_3d_backward(grad_out, inp, grid, mode, padding, align_corners,
                            input_grad=True):
    grad_out = np.ascontiguousarray(grad_out, dtype=inp.dtype)
    inp, grid = np.ascontiguousarray(inp), np.ascontiguousarray(grid)
    grad_inp, grad_grid = np.zeros_like(inp), np.zeros_like(grid)
    if grad_out.size:
        _backward(grad_out, inp, grid, grad_inp, grad_grid, mode, padding,
                  bool(align_corners), bool(input_grad), _axes(inp, align_corners),
                  inp.dtype.type(1))
    return (grad_inp if input_grad else None), grad_grid


@_jit
def _double_backward(gg_inp, gg_grid, grad_out, inp, grid, d_grad_out, d_inp, d_grid, mode,
                     padding, align_corners, axes, one):
    """The derivatives of (grad_input, grad_grid) against (grad_output, input, grid),
    contracted with (gg_input, gg_grid); a weight's derivative along one axis is the
    signed product of the other two factors, its mixed second derivative the signed third."""
    batch, channels = inp.shape[0], inp.shape[1]
    size_d, size_h, size_w = inp.shape[2], inp.shape[3], inp.shape[4]
    flat, flat_gg = inp.reshape(batch, channels, -1), gg_inp.reshape(batch, channels, -1)
    flat_d = d_inp.reshape(batch, channels, -1)
    places = grid.shape[1] * grid.shape[2] * grid.shape[3]
    points, gg_points = grid.reshape(batch, places, 3), gg_grid.reshape(batch, places, 3)
    gout, d_gout = grad_out.reshape(batch, channels, places), \
        d_grad_out.reshape(batch, channels, places)
    d_points = d_grid.reshape(batch, places, 3)
    weights, factors = np.empty(8, inp.dtype), np.empty((8, 3), inp.dtype)
    index, inside = np.empty(8, np.int64), np.empty(8, np.bool_)
    slopes = np.empty((8, 3), inp.dtype)     # d(weight)/d(axis)
    mixed = np.empty((8, 3), inp.dtype)      # d2(weight)/d(other two axes): yz, xz, xy
    mult, incoming = np.empty(3, inp.dtype), np.empty(3, inp.dtype)
    zero = one - one
    for n in range(batch):
        for p in range(places):
            x, mult[0] = _source(points[n, p, 0], axes[0], padding, align_corners, one)
            y, mult[1] = _source(points[n, p, 1], axes[1], padding, align_corners, one)
            z, mult[2] = _source(points[n, p, 2], axes[2], padding, align_corners, one)
            if mode == NEAREST:
                xn, yn, zn = np.rint(x), np.rint(y), np.rint(z)
                if (xn > -1 and xn < size_w and yn > -1 and yn < size_h and zn > -1
                        and zn < size_d):
                    at = (int(zn) * size_h + int(yn)) * size_w + int(xn)
                    for c in range(channels):
                        d_gout[n, c, p] = flat_gg[n, c, at]
                continue
            _corners(x, y, z, size_d, size_h, size_w, one, weights, factors, index, inside)
            for k in range(8):
                sign = np.empty(3, inp.dtype)
                for a in range(3):
                    sign[a] = one if (k >> a) & 1 else -one
                fx, fy, fz = factors[k, 0], factors[k, 1], factors[k, 2]
                slopes[k, 0], slopes[k, 1], slopes[k, 2] = sign[0] * fy * fz, \
                    sign[1] * fx * fz, sign[2] * fx * fy
                mixed[k, 0], mixed[k, 1], mixed[k, 2] = sign[1] * sign[2] * fx, \
                    sign[0] * sign[2] * fy, sign[0] * sign[1] * fz
            for a in range(3):
                incoming[a] = gg_points[n, p, a] * mult[a]
            sums = np.zeros(3, inp.dtype)
            for c in range(channels):
                g = gout[n, c, p]
                total = zero
                u_slope = np.zeros(3, inp.dtype)
                v_mixed = np.zeros(3, inp.dtype)   # per axis b: sum over a != b
                for k in range(8):
                    if not inside[k]:
                        continue
                    u, v = flat_gg[n, c, index[k]], flat[n, c, index[k]]
                    slope = slopes[k, 0] * incoming[0] + slopes[k, 1] * incoming[1] + \
                        slopes[k, 2] * incoming[2]
                    total += u * weights[k] + v * slope
                    flat_d[n, c, index[k]] += g * slope
                    for b in range(3):
                        u_slope[b] += u * slopes[k, b]
                    # d2w/dxdy is mixed[k, 2] (z's factor), dxdz mixed[k, 1], dydz mixed[k, 0]
                    v_mixed[0] += v * (mixed[k, 2] * incoming[1] + mixed[k, 1] * incoming[2])
                    v_mixed[1] += v * (mixed[k, 2] * incoming[0] + mixed[k, 0] * incoming[2])
                    v_mixed[2] += v * (mixed[k, 1] * incoming[0] + mixed[k, 0] * incoming[1])
                d_gout[n, c, p] = total
                for b in range(3):
                    sums[b] += g * (u_slope[b] + v_mixed[b])
            for b in range(3):
                d_points[n, p, b] = sums[b] * mult[b]


def grid_sample_3d_double_backward(gg_inp, gg_grid, grad_out, inp, grid, mode, padding,
                                   align_corners):
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
