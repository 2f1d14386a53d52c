"""Batch normalisation over x[N, C] or x[N, C, *spatial], per channel C.

Training normalises with the batch's biased variance and returns the saved mean and
invstd = 1 / sqrt(var + eps) that the backward needs, and the sum of squared deviations
(var_sum). Updating running statistics is the caller's job and, as in PyTorch, uses the
*unbiased* variance, var_sum / (count - 1), where count = N * prod(spatial).

The forward kernels follow ATen's CPU kernels to the last bit (for N-C-spatial input; a 2-D
input's statistics ATen sums per thread, in float32, and these agree to a unit in the last
place): statistics as batch_norm_cpu_collect_stats makes them, and the output as
batch_norm_cpu_transform_input computes it, x * alpha + beta with alpha = invstd * weight
and beta = bias - mean * alpha, each a fused multiply-add. A channel whose values are all
equal thus gives the rounding error of x * alpha, not 0, as in torch.
"""

import numpy as np

from engine.kernels._jit import check_float, check_same_dtype, exact_kernel, fma, kernel
from engine.kernels._threads import split_batch


def _channels_view(x):
    """x as a contiguous [N, C, S] array (S = 1 for 2-D input)."""
    if x.ndim < 2:
        raise ValueError(f"batch_norm: expected x of shape [N, C, ...], got {x.shape}")
    return np.ascontiguousarray(x).reshape(x.shape[0], x.shape[1], -1)


@exact_kernel
def _batch_stats(x, eps, mean, invstd, var_sum):
    # ATen's: the mean of a double sum, rounded to x's dtype; each squared deviation from
    # that rounded mean in x's dtype, summed in double into var_sum (x's dtype); the
    # variance var_sum / count in x's dtype; invstd from it in double.
    batch, channels, size = x.shape
    count = batch * size
    typed_count = np.empty(1, x.dtype)
    typed_count[0] = count
    for c in range(channels):
        total = 0.0
        for n in range(batch):
            for s in range(size):
                total += x[n, c, s]
        mean[c] = total / count
        centre = mean[c]
        squares = 0.0
        for n in range(batch):
            for s in range(size):
                deviation = x[n, c, s] - centre
                squares += deviation * deviation
        var_sum[c] = squares
        invstd[c] = 1.0 / np.sqrt(var_sum[c] / typed_count[0] + eps)


@exact_kernel
def _normalise(x, mean, invstd, weight, bias, y):
    # all in x's dtype: weight and bias are arrays (ones, zeros when the op has none)
    batch, channels, size = x.shape
    for c in range(channels):
        alpha = invstd[c] * weight[c]
        beta = fma(-mean[c], alpha, bias[c])
        for n in range(batch):
            for s in range(size):
                y[n, c, s] = fma(x[n, c, s], alpha, beta)


@kernel
def _batch_norm_backward(grad_y, x, mean, invstd, weight, training, grad_x, grad_weight, grad_bias):
    # PyTorch's native_batch_norm_backward: in training the batch statistics depend on x,
    # which adds the mean and projection terms; in eval mean/invstd are constants.
    batch, channels, size = x.shape
    count = batch * size
    for c in range(channels):
        sum_grad = 0.0
        dot = 0.0
        for n in range(batch):
            for s in range(size):
                g = grad_y[n, c, s]
                sum_grad += g
                dot += g * (x[n, c, s] - mean[c])
        grad_weight[c] = dot * invstd[c]
        grad_bias[c] = sum_grad
        scale = invstd[c] * (weight[c] if weight.size > 0 else 1.0)
        if training:
            grad_mean = sum_grad / count
            projection = dot * invstd[c] * invstd[c] / count
            for n in range(batch):
                for s in range(size):
                    centred = x[n, c, s] - mean[c]
                    grad_x[n, c, s] = (grad_y[n, c, s] - grad_mean - centred * projection) * scale
        else:
            for n in range(batch):
                for s in range(size):
                    grad_x[n, c, s] = grad_y[n, c, s] * scale


def _optional(array, dtype):
    return np.empty(0, dtype=dtype) if array is None else np.ascontiguousarray(array)


def _filled(array, channels, value, dtype):
    """A per-channel parameter, or ``value`` in every channel when there is none."""
    if array is None:
        return np.full(channels, value, dtype=dtype)
    return np.ascontiguousarray(array, dtype=dtype)


def batch_norm_train_forward(x, weight, bias, eps=1e-5):
    """(y, save_mean[C], save_invstd[C]) normalising x[N, C, ...] with batch statistics.

    weight[C] and bias[C] may be None. save_invstd = 1 / sqrt(biased_var + eps); see the
    module docstring for the caller's running-statistics update (unbiased variance).
    """
    check_float("x", x)
    check_same_dtype("x", x, weight=weight, bias=bias)
    view = _channels_view(x)
    if view.shape[0] * view.shape[2] <= 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {x.shape}")
    channels = view.shape[1]
    mean = np.empty(channels, dtype=x.dtype)
    invstd = np.empty(channels, dtype=x.dtype)
    var_sum = np.empty(channels, dtype=x.dtype)

    def stats(lo, hi):      # channels split over threads: each sum is sequential, as ATen's
        _batch_stats(view[:, lo:hi], float(eps), mean[lo:hi], invstd[lo:hi], var_sum[lo:hi])
    split_batch(stats, channels, view.size)
    y = np.empty(view.shape, dtype=x.dtype)
    _normalise(view, mean, invstd, _filled(weight, channels, 1, x.dtype),
               _filled(bias, channels, 0, x.dtype), y)
    return y.reshape(x.shape), mean, invstd, var_sum


def batch_norm_eval_forward(x, running_mean, running_var, weight, bias, eps=1e-5):
    """y[N, C, ...] = (x - running_mean) / sqrt(running_var + eps) * weight + bias."""
    check_float("x", x)
    check_same_dtype("x", x, running_mean=running_mean, running_var=running_var, weight=weight, bias=bias)
    view = _channels_view(x)
    invstd = running_invstd(running_var, eps, x.dtype)
    y = np.empty(view.shape, dtype=x.dtype)
    channels = view.shape[1]
    _normalise(view, np.ascontiguousarray(running_mean, dtype=x.dtype), invstd,
               _filled(weight, channels, 1, x.dtype), _filled(bias, channels, 0, x.dtype), y)
    return y.reshape(x.shape)


def running_invstd(running_var, eps, dtype):
    """1 / sqrt(running_var + eps) in the input's dtype (ATen's opmath for float32 is float)."""
    var = np.asarray(running_var, dtype=dtype)
    return (dtype.type(1) / np.sqrt(var + dtype.type(eps))).astype(dtype, copy=False)


def batch_norm_backward(grad_y, x, weight, save_mean, save_invstd, training=True,
                        running_mean=None, running_var=None, eps=1e-5):
    """(grad_x[N, C, ...], grad_weight[C], grad_bias[C]), PyTorch's native formula.

    training=True uses save_mean/save_invstd from batch_norm_train_forward; training=False
    uses running_mean/running_var (as the eval forward did). weight may be None (then
    grad_weight is still returned, as if weight were ones).
    """
    check_float("grad_y", grad_y)
    check_same_dtype("grad_y", grad_y, x=x, weight=weight)
    if not training:
        save_mean = running_mean
        save_invstd = running_invstd(running_var, eps, x.dtype)
    view = _channels_view(x)
    channels = view.shape[1]
    grad_x = np.empty(view.shape, dtype=x.dtype)
    grad_weight = np.empty(channels, dtype=x.dtype)
    grad_bias = np.empty(channels, dtype=x.dtype)
    _batch_norm_backward(_channels_view(grad_y), view, np.ascontiguousarray(save_mean, dtype=x.dtype),
                         np.ascontiguousarray(save_invstd, dtype=x.dtype), _optional(weight, x.dtype),
                         bool(training), grad_x, grad_weight, grad_bias)
    return grad_x.reshape(x.shape), grad_weight, grad_bias
