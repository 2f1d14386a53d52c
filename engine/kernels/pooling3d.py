"""3-D max, average and adaptive-average pooling of x[N, C, D, H, W] on the 2-D kernels of
engine.kernels.pooling (no kernels of their own).

Each 3-D window is a 2-D window on each of the depth planes it covers: the 2-D kernels pool
every plane at once (depth folded into channels), and NumPy combines the planes along depth.
Max keeps PyTorch's sequential rule across planes in order (the first maximum; a NaN wins and
a later NaN replaces it) and returns flat indices ``(d * H + h) * W + w``. Average pools sum
the planes' window sums (2-D sums: divisor 1) and divide by the 3-D divisor, a product of
per-axis window lengths.
"""

import numpy as np

from engine.kernels import pooling as P


def _planes(x):
    """x[N, C, D, H, W] as [N, C * D, H, W]."""
    batch, channels, depth = x.shape[:3]
    return np.ascontiguousarray(x).reshape(batch, channels * depth, *x.shape[3:])


def _unfolded(planes, batch, channels, depth):
    return planes.reshape(batch, channels, depth, *planes.shape[2:])


def _depth_planes(out_depth, kernel, stride, padding, dilation, depth):
    """[j][od]: the input plane the window of output od reads at kernel step j, or -1."""
    starts = np.arange(out_depth) * stride - padding
    planes = starts[None, :] + np.arange(kernel)[:, None] * dilation
    return np.where((planes >= 0) & (planes < depth), planes, -1)


# ---------------------------------------------------------------- max pool

def max_pool3d_forward(x, kernel_size, stride, padding, dilation, ceil_mode=False):
    """(y[N, C, OD, OH, OW], indices int64) for x[N, C, D, H, W]."""
    batch, channels, depth, height, width = x.shape
    out_depth = P.pool_output_size(depth, kernel_size[0], stride[0], padding[0], dilation[0],
                                   ceil_mode)
    pooled, plane_indices = P.max_pool2d_forward(_planes(x), kernel_size[1:], stride[1:],
                                                 padding[1:], dilation[1:], ceil_mode)
    pooled = _unfolded(pooled, batch, channels, depth)
    plane_indices = _unfolded(plane_indices, batch, channels, depth)
    reads = _depth_planes(out_depth, kernel_size[0], stride[0], padding[0], dilation[0], depth)
    best = np.full((batch, channels, out_depth) + pooled.shape[3:], -np.inf, x.dtype)
    best_index = np.zeros(best.shape, np.int64)
    first_read = np.full(out_depth, -1)
    for step in range(kernel_size[0]):
        planes = reads[step]
        valid = planes >= 0
        first_read = np.where((first_read < 0) & valid, planes, first_read)
        values = np.where(valid[:, None, None], pooled[:, :, planes], -np.inf)
        flat = planes[:, None, None] * (height * width) + plane_indices[:, :, planes]
        better = (values > best) | np.isnan(values)
        best = np.where(better, values, best)
        best_index = np.where(better, flat, best_index)
    # A window of -inf keeps its first position, as in PyTorch.
    unset = best == -np.inf
    if unset.any():
        first = first_read[:, None, None] * (height * width) + plane_indices[:, :, first_read]
        best_index = np.where(unset, first, best_index)
    return best, best_index


def max_pool3d_backward(grad_y, indices, x_shape):
    """grad_x[N, C, D, H, W]: each grad_y value added at its flat index."""
    batch, channels = x_shape[:2]
    volume = int(np.prod(x_shape[2:]))
    grad = P.max_pool2d_backward(grad_y.reshape(batch, channels, 1, -1),
                                 indices.reshape(batch, channels, 1, -1),
                                 (batch, channels, 1, volume))
    return grad.reshape(x_shape)


# ---------------------------------------------------------------- average pool

def _window_lengths(size, kernel, stride, padding, out, count_include_pad):
    """Per output position, the window's length as the divisor counts it along one axis."""
    starts = np.arange(out) * stride - padding
    ends = np.minimum(starts + kernel, size + padding)
    if count_include_pad:
        return ends - starts
    return np.minimum(ends, size) - np.maximum(starts, 0)


def _divisor(x_shape, out_shape, kernel_size, stride, padding, count_include_pad,
             divisor_override):
    if divisor_override:
        return divisor_override
    lengths = [_window_lengths(x_shape[2 + a], kernel_size[a], stride[a], padding[a],
                               out_shape[a], count_include_pad) for a in range(3)]
    return (lengths[0][:, None, None] * lengths[1][None, :, None] * lengths[2][None, None, :])


def _depth_sum_matrix(out_depth, kernel, stride, padding, depth, dtype):
    """[OD, D]: 1 where output od's window reads plane d."""
    reads = _depth_planes(out_depth, kernel, stride, padding, 1, depth)
    matrix = np.zeros((out_depth, depth), dtype)
    for step in range(kernel):
        valid = reads[step] >= 0
        matrix[np.arange(out_depth)[valid], reads[step][valid]] = 1
    return matrix


def avg_pool3d_forward(x, kernel_size, stride, padding, ceil_mode=False,
                       count_include_pad=True, divisor_override=None):
    batch, channels, depth = x.shape[:3]
    out_depth = P.pool_output_size(depth, kernel_size[0], stride[0], padding[0], 1, ceil_mode)
    sums = P.avg_pool2d_forward(_planes(x), kernel_size[1:], stride[1:], padding[1:],
                                ceil_mode, True, 1)
    sums = _unfolded(sums, batch, channels, depth)
    matrix = _depth_sum_matrix(out_depth, kernel_size[0], stride[0], padding[0], depth,
                               x.dtype)
    totals = np.einsum("od,ncdhw->ncohw", matrix, sums)
    divisor = _divisor(x.shape, totals.shape[2:], kernel_size, stride, padding,
                       count_include_pad, divisor_override)
    return (totals / divisor).astype(x.dtype, copy=False)


def avg_pool3d_backward(grad_y, x_shape, kernel_size, stride, padding, ceil_mode=False,
                        count_include_pad=True, divisor_override=None):
    batch, channels, depth, height, width = x_shape
    divisor = _divisor(x_shape, grad_y.shape[2:], kernel_size, stride, padding,
                       count_include_pad, divisor_override)
    shares = (grad_y / divisor).astype(grad_y.dtype, copy=False)
    matrix = _depth_sum_matrix(grad_y.shape[2], kernel_size[0], stride[0], padding[0], depth,
                               grad_y.dtype)
    plane_grads = np.einsum("od,ncohw->ncdhw", matrix, shares)
    grad = P.avg_pool2d_backward(_planes(plane_grads), (batch, channels * depth, height, width),
                                 kernel_size[1:], stride[1:], padding[1:], ceil_mode, True, 1)
    return grad.reshape(x_shape)


# ---------------------------------------------------------------- adaptive average pool

def _bin_matrix(out, size, dtype):
    """[out, size]: 1 / bin length where plane d is in bin i (PyTorch's adaptive bins)."""
    matrix = np.zeros((out, size), dtype)
    for i in range(out):
        start, end = (i * size) // out, -((-(i + 1) * size) // out)
        matrix[i, start:end] = 1.0 / (end - start)
    return matrix


def adaptive_avg_pool3d_forward(x, output_size):
    batch, channels, depth = x.shape[:3]
    means = P.adaptive_avg_pool2d_forward(_planes(x), output_size[1:])
    means = _unfolded(means, batch, channels, depth)
    return np.einsum("od,ncdhw->ncohw", _bin_matrix(output_size[0], depth, x.dtype), means)


def adaptive_avg_pool3d_backward(grad_y, x_shape):
    batch, channels, depth, height, width = x_shape
    matrix = _bin_matrix(grad_y.shape[2], depth, grad_y.dtype)
    plane_grads = np.einsum("od,ncohw->ncdhw", matrix, grad_y)
    grad = P.adaptive_avg_pool2d_backward(_planes(plane_grads),
                                          (batch, channels * depth, height, width))
    return grad.reshape(x_shape)
