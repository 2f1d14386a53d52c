"""2-D convolution (cross-correlation, as PyTorch's conv2d) on NumPy arrays.

Layout: x[N, C, H, W], w[O, C // groups, kh, kw], y[N, O, oh, ow] with
``oh = (H + 2*ph - dh*(kh-1) - 1) // sh + 1`` (same for ow).

Method: a Numba im2col unrolls each receptive field into a column, then NumPy's BLAS does
the products (one batched matmul; groups are a broadcast batch dimension). grad_input is the
transposed product followed by a Numba col2im scatter-add. grad_weight reduces over the batch
either with per-sample products or with one long GEMM, whichever measured faster for the
number of output positions. Large batches run in two halves on two threads (``_threads``);
the column buffers are per-thread scratch (``_workspace``), never returned.
"""

import numpy as np

from engine.kernels._jit import check_float, check_same_dtype, kernel
from engine.kernels._threads import in_halves
from engine.kernels._workspace import scratch


def output_size(size, kernel_size, stride, padding, dilation):
    """PyTorch's output length along one spatial axis."""
    return (size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1


@kernel
def _im2col(x, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, cols, batch_major):
    # cols is [N, K, P] when batch_major, else [K, N, P]; cols[., .] is one contiguous
    # column either way. The explicit 0 <= index checks are also what lets LLVM drop
    # Numba's negative-index wraparound and vectorise (3-5x faster than a clipped range).
    batch, channels, height, width = x.shape
    for n in range(batch):
        for c in range(channels):
            plane = x[n, c]
            for i in range(kh):
                for j in range(kw):
                    k = (c * kh + i) * kw + j
                    column = cols[n, k] if batch_major else cols[k, n]
                    x_offset = j * dw - pw
                    for oy in range(oh):
                        iy = oy * sh - ph + i * dh
                        row_inside = 0 <= iy < height
                        for ox in range(ow):
                            ix = ox * sw + x_offset
                            inside = row_inside and 0 <= ix < width
                            column[oy * ow + ox] = plane[iy, ix] if inside else 0


@kernel
def _col2im(cols, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, grad_x):
    # The adjoint of _im2col for cols[N, K, P]: scatter-add every column back.
    batch, channels, height, width = grad_x.shape
    for n in range(batch):
        for c in range(channels):
            plane = grad_x[n, c]
            for i in range(kh):
                for j in range(kw):
                    column = cols[n, (c * kh + i) * kw + j]
                    x_offset = j * dw - pw
                    for oy in range(oh):
                        iy = oy * sh - ph + i * dh
                        if iy < 0 or iy >= height:
                            continue
                        for ox in range(ow):
                            ix = ox * sw + x_offset
                            if 0 <= ix < width:
                                plane[iy, ix] += column[oy * ow + ox]


def _geometry(x_shape, w_shape, stride, padding, dilation, groups):
    batch, channels, height, width = x_shape
    out_channels, group_channels, kh, kw = w_shape
    if channels != group_channels * groups or out_channels % groups:
        raise ValueError(
            f"conv2d: input {tuple(x_shape)} and weight {tuple(w_shape)} do not match groups={groups}"
        )
    oh = output_size(height, kh, stride[0], padding[0], dilation[0])
    ow = output_size(width, kw, stride[1], padding[1], dilation[1])
    if oh <= 0 or ow <= 0:
        raise ValueError(f"conv2d: output size ({oh}, {ow}) is too small for input {tuple(x_shape)}")
    return oh, ow


def _columns(x, geometry, batch_major=True):
    """Unrolled receptive fields of x[N, C, H, W]: [N, C*kh*kw, oh*ow], or [C*kh*kw, N, oh*ow]."""
    batch, channels = x.shape[:2]
    kh, kw, oh, ow = geometry[0], geometry[1], geometry[8], geometry[9]
    rows = channels * kh * kw
    shape = (batch, rows, oh * ow) if batch_major else (rows, batch, oh * ow)
    cols = scratch(shape, x.dtype)
    _im2col(x, *geometry, cols, batch_major)
    return cols


def _flat_geometry(w_shape, stride, padding, dilation, oh, ow):
    return (w_shape[2], w_shape[3], stride[0], stride[1], padding[0], padding[1],
            dilation[0], dilation[1], oh, ow)


def conv2d_forward(x, w, bias, stride, padding, dilation, groups):
    """y[N, O, oh, ow] = conv2d(x[N, C, H, W], w[O, C/groups, kh, kw]) + bias[O] (bias may be None).

    stride, padding, dilation are (h, w) pairs of ints; groups an int. float32 or float64.
    """
    check_float("x", x)
    check_same_dtype("x", x, w=w, bias=bias)
    x = np.ascontiguousarray(x)
    oh, ow = _geometry(x.shape, w.shape, stride, padding, dilation, groups)
    geometry = _flat_geometry(w.shape, stride, padding, dilation, oh, ow)
    batch = x.shape[0]
    out_channels, group_channels, kh, kw = w.shape
    group_rows = group_channels * kh * kw
    weight = w.reshape(groups, out_channels // groups, group_rows)
    y = np.empty((batch, groups, out_channels // groups, oh * ow), dtype=x.dtype)
    bias_column = None if bias is None else bias.reshape(groups, out_channels // groups, 1)

    def work(lo, hi):
        cols = _columns(x[lo:hi], geometry)
        np.matmul(weight, cols.reshape(hi - lo, groups, group_rows, oh * ow), out=y[lo:hi])
        if bias_column is not None:
            y[lo:hi] += bias_column  # while this half is still in cache

    in_halves(work, batch, batch * group_rows * groups * oh * ow)
    return y.reshape(batch, out_channels, oh, ow)


def conv2d_grad_input(grad_y, w, x_shape, stride, padding, dilation, groups):
    """grad_x[N, C, H, W] from grad_y[N, O, oh, ow] and w[O, C/groups, kh, kw]."""
    check_float("grad_y", grad_y)
    check_same_dtype("grad_y", grad_y, w=w)
    oh, ow = _geometry(x_shape, w.shape, stride, padding, dilation, groups)
    geometry = _flat_geometry(w.shape, stride, padding, dilation, oh, ow)
    batch = x_shape[0]
    out_channels, group_channels, kh, kw = w.shape
    group_rows = group_channels * kh * kw
    weight_t = w.reshape(groups, out_channels // groups, group_rows).transpose(0, 2, 1)
    grad_y = grad_y.reshape(batch, groups, out_channels // groups, oh * ow)
    grad_x = np.zeros(x_shape, dtype=grad_y.dtype)

    def work(lo, hi):
        cols = scratch((hi - lo, groups, group_rows, oh * ow), grad_y.dtype)
        np.matmul(weight_t, grad_y[lo:hi], out=cols)
        _col2im(cols.reshape(hi - lo, groups * group_rows, oh * ow), *geometry, grad_x[lo:hi])

    in_halves(work, batch, batch * group_rows * groups * oh * ow)
    return grad_x


def conv2d_grad_weight(grad_y, x, w_shape, stride, padding, dilation, groups):
    """grad_w[O, C/groups, kh, kw] from grad_y[N, O, oh, ow] and x[N, C, H, W]."""
    check_float("grad_y", grad_y)
    check_same_dtype("grad_y", grad_y, x=x)
    x = np.ascontiguousarray(x)
    oh, ow = _geometry(x.shape, w_shape, stride, padding, dilation, groups)
    geometry = _flat_geometry(w_shape, stride, padding, dilation, oh, ow)
    batch = x.shape[0]
    out_channels, group_channels, kh, kw = w_shape
    group_out = out_channels // groups
    group_rows = group_channels * kh * kw
    positions = oh * ow
    grad_y = grad_y.reshape(batch, groups, group_out, positions)
    # grad_w sums grad_y[n] @ cols[n].T over the batch. With many output positions the
    # per-sample products are long enough for BLAS (SimpleNet's conv1, P=576); with few
    # (conv2, P=64) one GEMM over all samples' positions, on batch-minor columns and a
    # transposed grad_y, measured ~25% faster than the per-sample products.
    per_sample = positions >= 256

    def work(lo, hi):
        if per_sample:
            cols = _columns(x[lo:hi], geometry).reshape(hi - lo, groups, group_rows, positions)
            return np.matmul(grad_y[lo:hi], cols.transpose(0, 1, 3, 2)).sum(axis=0)
        samples = (hi - lo) * positions
        cols = _columns(x[lo:hi], geometry, batch_major=False).reshape(groups, group_rows, samples)
        grad_y_rows = grad_y[lo:hi].transpose(1, 0, 3, 2).reshape(groups, samples, group_out)
        return np.matmul(cols, grad_y_rows).transpose(0, 2, 1)

    partials = in_halves(work, batch, batch * group_rows * groups * positions)
    grad_w = partials[0] if len(partials) == 1 else partials[0] + partials[1]
    return np.ascontiguousarray(grad_w).reshape(w_shape)


def conv2d_grad_bias(grad_y):
    """grad_bias[O] = grad_y[N, O, oh, ow] summed over N, oh, ow."""
    return grad_y.sum(axis=(0, 2, 3))
