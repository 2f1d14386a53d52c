"""2-D convolution (cross-correlation, as PyTorch's conv2d) on NumPy arrays.

Layout: x[N, C, H, W], w[O, C // groups, kh, kw], y[N, O, oh, ow] with
``oh = (H + 2*ph - dh*(kh-1) - 1) // sh + 1`` (same for ow).

Method: a Numba im2col unrolls each receptive field into a column, then NumPy's BLAS does
the products (one batched matmul; groups are a broadcast batch dimension). grad_input is the
transposed product followed by a Numba col2im scatter-add; grad_weight a batched product of
grad_y and the columns, summed over the batch. Every BLAS call is a batch of small products,
which OpenBLAS keeps on the calling thread; large batches run in chunks on two threads of
our own (``_threads``). Column buffers are per-thread scratch (``_workspace``), never returned.
"""

import functools

import numpy as np

from engine.kernels._jit import check_float, check_same_dtype, kernel
from engine.kernels._threads import split_batch
from engine.kernels._workspace import scratch


def output_size(size, kernel_size, stride, padding, dilation):
    """PyTorch's output length along one spatial axis."""
    return (size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1


@kernel
def _im2col(x, kh, kw, sh, sw, dh, dw, oh, ow, cols):
    # x is already zero-padded, so every window is inside and no index needs a check;
    # cols is [N, K, P]. Flat unsigned indices spare
    # Numba's negative-index wraparound and, with the unit-stride loop apart, let LLVM
    # vectorise the copies: 2x faster than bounds-checked 4-D indexing on SimpleNet.
    batch, channels, height, width = x.shape
    source, target = x.reshape(-1), cols.reshape(-1)
    positions = oh * ow
    rows = channels * kh * kw
    for n in range(batch):
        for c in range(channels):
            plane_start = (n * channels + c) * height * width
            for i in range(kh):
                for j in range(kw):
                    column_start = (n * rows + (c * kh + i) * kw + j) * positions
                    window_start = plane_start + i * dh * width + j * dw
                    for oy in range(oh):
                        s = window_start + oy * sh * width
                        d = column_start + oy * ow
                        if sw == 1:
                            for ox in range(ow):
                                target[np.uint64(d + ox)] = source[np.uint64(s + ox)]
                        else:
                            for ox in range(ow):
                                target[np.uint64(d + ox)] = source[np.uint64(s + ox * sw)]


@kernel
def _col2im(cols, kh, kw, sh, sw, dh, dw, oh, ow, grad_x):
    # The adjoint of _im2col for cols[N, K, P]: scatter-add every column back into the
    # zero-padded grad_x.
    batch, channels, height, width = grad_x.shape
    source, target = cols.reshape(-1), grad_x.reshape(-1)
    positions = oh * ow
    rows = channels * kh * kw
    for n in range(batch):
        for c in range(channels):
            plane_start = (n * channels + c) * height * width
            for i in range(kh):
                for j in range(kw):
                    column_start = (n * rows + (c * kh + i) * kw + j) * positions
                    window_start = plane_start + i * dh * width + j * dw
                    for oy in range(oh):
                        s = window_start + oy * sh * width
                        d = column_start + oy * ow
                        if sw == 1:
                            for ox in range(ow):
                                target[np.uint64(s + ox)] += source[np.uint64(d + ox)]
                        else:
                            for ox in range(ow):
                                target[np.uint64(s + ox * sw)] += source[np.uint64(d + ox)]


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


@functools.lru_cache(maxsize=256)
def _plan(x_shape, w_shape, stride, padding, dilation, groups):
    """(oh, ow, flat geometry for _im2col / _col2im), checked; a layer meets few shapes."""
    oh, ow = _geometry(x_shape, w_shape, stride, padding, dilation, groups)
    return oh, ow, _flat_geometry(w_shape, stride, dilation, oh, ow)


def _columns(x, geometry, out=None):
    """Unrolled receptive fields [N, C*kh*kw, oh*ow] of padded x[N, C, H, W], in `out` when
    given, else in this thread's scratch."""
    batch, channels = x.shape[:2]
    kh, kw, oh, ow = geometry[0], geometry[1], geometry[6], geometry[7]
    cols = scratch((batch, channels * kh * kw, oh * ow), x.dtype) if out is None else out
    _im2col(x, *geometry, cols)
    return cols


# Up to this many bytes, conv2d_forward can keep its columns for grad_weight (see there).
KEEP_COLUMNS_MAX_BYTES = 1 << 20


def _flat_geometry(w_shape, stride, dilation, oh, ow):
    return (w_shape[2], w_shape[3], stride[0], stride[1], dilation[0], dilation[1], oh, ow)


def _padded(x, padding):
    """x[N, C, H, W] with zero borders, C-contiguous (x itself when there is no padding)."""
    if padding[0] == 0 and padding[1] == 0:
        return np.ascontiguousarray(x)
    batch, channels, height, width = x.shape
    padded = np.zeros((batch, channels, height + 2 * padding[0], width + 2 * padding[1]), dtype=x.dtype)
    padded[:, :, padding[0]:padding[0] + height, padding[1]:padding[1] + width] = x
    return padded


def conv2d_forward(x, w, bias, stride, padding, dilation, groups, keep_columns=False):
    """y[N, O, oh, ow] = conv2d(x[N, C, H, W], w[O, C/groups, kh, kw]) + bias[O] (bias may be None).

    stride, padding, dilation are (h, w) pairs of ints; groups an int. float32 or float64.
    keep_columns: return (y, columns or None), the unrolled input for `conv2d_grad_weight` /
    `conv2d_backward` when it is at most KEEP_COLUMNS_MAX_BYTES. Small batches then skip
    unrolling x again; big ones do not keep them: reading megabytes of columns back from
    memory was slower than unrolling x again from cache (SimpleNet, batch 64).
    """
    check_float("x", x)
    check_same_dtype("x", x, w=w, bias=bias)
    oh, ow, geometry = _plan(x.shape, w.shape, stride, padding, dilation, groups)
    x = _padded(x, padding)
    batch = x.shape[0]
    out_channels, group_channels, kh, kw = w.shape
    group_rows = group_channels * kh * kw
    weight = w.reshape(groups, out_channels // groups, group_rows)
    y = np.empty((batch, groups, out_channels // groups, oh * ow), dtype=x.dtype)
    bias_column = None if bias is None else bias.reshape(groups, out_channels // groups, 1)
    elements = batch * group_rows * groups * oh * ow
    kept = None
    if keep_columns and elements * x.itemsize <= KEEP_COLUMNS_MAX_BYTES:
        kept = np.empty((batch, groups * group_rows, oh * ow), x.dtype)

    def work(lo, hi):
        cols = _columns(x[lo:hi], geometry, None if kept is None else kept[lo:hi])
        np.matmul(weight, cols.reshape(hi - lo, groups, group_rows, oh * ow), out=y[lo:hi])
        if bias_column is not None:
            y[lo:hi] += bias_column  # while this chunk is still in cache

    split_batch(work, batch, elements)
    y = y.reshape(batch, out_channels, oh, ow)
    return (y, kept) if keep_columns else y


def conv2d_grad_input(grad_y, w, x_shape, stride, padding, dilation, groups):
    """grad_x[N, C, H, W] from grad_y[N, O, oh, ow] and w[O, C/groups, kh, kw]."""
    work, finish, elements = _grad_input_chunks(grad_y, w, x_shape, stride, padding, dilation,
                                                groups)
    split_batch(work, x_shape[0], elements)
    return finish()


def conv2d_grad_weight(grad_y, x, w_shape, stride, padding, dilation, groups, columns=None):
    """grad_w[O, C/groups, kh, kw] from grad_y[N, O, oh, ow] and x[N, C, H, W] (or the
    columns conv2d_forward kept of x)."""
    work, finish, elements = _grad_weight_chunks(grad_y, x, w_shape, stride, padding, dilation,
                                                 groups, columns)
    return finish(split_batch(work, x.shape[0], elements))


def conv2d_backward(grad_y, x, w, stride, padding, dilation, groups, columns=None):
    """(grad_x, grad_w) in one pass over the batch: each thread's samples of grad_y feed both
    products while they are in its cache, and the batch is handed to the helpers once.
    columns: what conv2d_forward kept of x, if anything."""
    input_work, input_finish, input_elements = _grad_input_chunks(
        grad_y, w, x.shape, stride, padding, dilation, groups)
    weight_work, weight_finish, weight_elements = _grad_weight_chunks(
        grad_y, x, w.shape, stride, padding, dilation, groups, columns)

    def work(lo, hi):
        input_work(lo, hi)      # done with this thread's scratch before the columns reuse it
        return weight_work(lo, hi)

    partials = split_batch(work, x.shape[0], input_elements + weight_elements)
    return input_finish(), weight_finish(partials)


def _grad_input_chunks(grad_y, w, x_shape, stride, padding, dilation, groups):
    """(work(lo, hi) filling samples lo:hi of grad_x, finish() -> grad_x, elements touched)."""
    check_float("grad_y", grad_y)
    check_same_dtype("grad_y", grad_y, w=w)
    oh, ow, geometry = _plan(tuple(x_shape), w.shape, stride, padding, dilation, groups)
    batch, channels, height, width = x_shape
    out_channels, group_channels, kh, kw = w.shape
    group_rows = group_channels * kh * kw
    weight_t = w.reshape(groups, out_channels // groups, group_rows).transpose(0, 2, 1)
    grad_y = grad_y.reshape(batch, groups, out_channels // groups, oh * ow)
    padded_shape = (batch, channels, height + 2 * padding[0], width + 2 * padding[1])
    grad_x = np.zeros(padded_shape, dtype=grad_y.dtype)

    def work(lo, hi):
        cols = scratch((hi - lo, groups, group_rows, oh * ow), grad_y.dtype)
        np.matmul(weight_t, grad_y[lo:hi], out=cols)
        _col2im(cols.reshape(hi - lo, groups * group_rows, oh * ow), *geometry, grad_x[lo:hi])

    def finish():
        if padded_shape == tuple(x_shape):
            return grad_x
        return np.ascontiguousarray(
            grad_x[:, :, padding[0]:padding[0] + height, padding[1]:padding[1] + width])

    return work, finish, batch * group_rows * groups * oh * ow


def _grad_weight_chunks(grad_y, x, w_shape, stride, padding, dilation, groups, columns=None):
    """(work(lo, hi) -> samples lo:hi's part of grad_w, finish(parts) -> grad_w, elements)."""
    check_float("grad_y", grad_y)
    check_same_dtype("grad_y", grad_y, x=x)
    oh, ow, geometry = _plan(x.shape, tuple(w_shape), stride, padding, dilation, groups)
    if columns is None:
        x = _padded(x, padding)
    batch = x.shape[0]
    out_channels, group_channels, kh, kw = w_shape
    group_out = out_channels // groups
    group_rows = group_channels * kh * kw
    positions = oh * ow
    grad_y = grad_y.reshape(batch, groups, group_out, positions)

    # grad_w sums grad_y[n] @ cols[n].T over the batch, as a batched product of small
    # matrices. Which operand leads matters 2x either way (serial, batch 64): with many output
    # positions (conv1, P=576) grad_y[n] @ cols[n].T; with few (conv2, P=64) cols[n] @
    # grad_y[n].T on a transposed copy of grad_y. One long GEMM over all samples' positions
    # matched the best minimum but tripled the median on this busy machine: OpenBLAS threads
    # a GEMM that size itself, and its threads stall when other processes share the cores.
    columns_lead = positions < 256

    def work(lo, hi):
        cols = _columns(x[lo:hi], geometry) if columns is None else columns[lo:hi]
        cols = cols.reshape(hi - lo, groups, group_rows, positions)
        if columns_lead:
            grad_y_t = grad_y[lo:hi].transpose(0, 1, 3, 2).copy()
            return _sum_samples(np.matmul(cols, grad_y_t)).transpose(0, 2, 1)
        return _sum_samples(np.matmul(grad_y[lo:hi], cols.transpose(0, 1, 3, 2)))

    def finish(partials):
        grad_w = partials[0] if len(partials) == 1 else sum(partials[1:], partials[0])
        return np.ascontiguousarray(grad_w).reshape(w_shape)

    return work, finish, batch * group_rows * groups * positions


def _sum_samples(products):
    """products[n, ...] summed over n (one sample: itself, no reduction pass)."""
    return products[0] if products.shape[0] == 1 else np.add.reduce(products, axis=0)


def conv2d_grad_bias(grad_y):
    """grad_bias[O] = grad_y[N, O, oh, ow] summed over N, oh, ow."""
    # einsum's contiguous inner sums: 3x faster than add.reduce over axes (0, 2, 3) at
    # SimpleNet's batch 64, but its Python wrapper costs more than that saves on small grads.
    if grad_y.size < 16384:
        return np.add.reduce(grad_y, axis=(0, 2, 3))
    batch, channels = grad_y.shape[:2]
    return np.einsum("ncp->c", grad_y.reshape(batch, channels, -1))
