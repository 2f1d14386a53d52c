"""Slow, obviously-correct NumPy references for engine.kernels, and a finite-difference VJP.

Explicit loops over outputs and window elements, written from PyTorch's documented
definitions, for small shapes only.
"""

import math

import numpy as np


def conv2d(x, w, bias, stride, padding, dilation, groups):
    batch, channels, height, width = x.shape
    out_channels, group_channels, kh, kw = w.shape
    group_out = out_channels // groups
    oh = (height + 2 * padding[0] - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    ow = (width + 2 * padding[1] - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    y = np.zeros((batch, out_channels, oh, ow), dtype=np.float64)
    for n in range(batch):
        for o in range(out_channels):
            first_channel = (o // group_out) * group_channels
            for oy in range(oh):
                for ox in range(ow):
                    total = 0.0 if bias is None else float(bias[o])
                    for c in range(group_channels):
                        for i in range(kh):
                            for j in range(kw):
                                iy = oy * stride[0] - padding[0] + i * dilation[0]
                                ix = ox * stride[1] - padding[1] + j * dilation[1]
                                if 0 <= iy < height and 0 <= ix < width:
                                    total += w[o, c, i, j] * x[n, first_channel + c, iy, ix]
                    y[n, o, oy, ox] = total
    return y


def conv2d_grads(x, w, grad_y, stride, padding, dilation, groups):
    """(grad_x, grad_w): every product w[o,c,i,j] * x[n,c',iy,ix] of the forward, differentiated."""
    batch, channels, height, width = x.shape
    out_channels, group_channels, kh, kw = w.shape
    group_out = out_channels // groups
    grad_x = np.zeros(x.shape, dtype=np.float64)
    grad_w = np.zeros(w.shape, dtype=np.float64)
    for n, o, oy, ox in np.ndindex(*grad_y.shape):
        first_channel = (o // group_out) * group_channels
        g = grad_y[n, o, oy, ox]
        for c, i, j in np.ndindex(group_channels, kh, kw):
            iy = oy * stride[0] - padding[0] + i * dilation[0]
            ix = ox * stride[1] - padding[1] + j * dilation[1]
            if 0 <= iy < height and 0 <= ix < width:
                grad_x[n, first_channel + c, iy, ix] += g * w[o, c, i, j]
                grad_w[o, c, i, j] += g * x[n, first_channel + c, iy, ix]
    return grad_x, grad_w


def pool_output_size(size, kernel, stride, padding, dilation, ceil_mode):
    effective = dilation * (kernel - 1) + 1
    rounding = math.ceil if ceil_mode else math.floor
    out = rounding((size + 2 * padding - effective) / stride) + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1  # the last window must start inside the input or its left padding
    return out


def max_pool2d(x, kernel, stride, padding, dilation, ceil_mode):
    batch, channels, height, width = x.shape
    oh = pool_output_size(height, kernel[0], stride[0], padding[0], dilation[0], ceil_mode)
    ow = pool_output_size(width, kernel[1], stride[1], padding[1], dilation[1], ceil_mode)
    y = np.zeros((batch, channels, oh, ow), dtype=x.dtype)
    indices = np.zeros((batch, channels, oh, ow), dtype=np.int64)
    for n in range(batch):
        for c in range(channels):
            for oy in range(oh):
                for ox in range(ow):
                    best, best_index = -np.inf, None
                    for i in range(kernel[0]):
                        for j in range(kernel[1]):
                            iy = oy * stride[0] - padding[0] + i * dilation[0]
                            ix = ox * stride[1] - padding[1] + j * dilation[1]
                            if not (0 <= iy < height and 0 <= ix < width):
                                continue
                            value = x[n, c, iy, ix]
                            if best_index is None or value > best or np.isnan(value):
                                best, best_index = value, iy * width + ix
                    y[n, c, oy, ox] = best
                    indices[n, c, oy, ox] = best_index
    return y, indices


def avg_pool2d(x, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override):
    batch, channels, height, width = x.shape
    oh = pool_output_size(height, kernel[0], stride[0], padding[0], 1, ceil_mode)
    ow = pool_output_size(width, kernel[1], stride[1], padding[1], 1, ceil_mode)
    y = np.zeros((batch, channels, oh, ow), dtype=np.float64)
    for n in range(batch):
        for c in range(channels):
            for oy in range(oh):
                for ox in range(ow):
                    top, left = oy * stride[0] - padding[0], ox * stride[1] - padding[1]
                    # The window may hang past the padding on the right/bottom (ceil_mode);
                    # that part never counts, the padding part counts if count_include_pad.
                    rows = range(top, min(top + kernel[0], height + padding[0]))
                    cols = range(left, min(left + kernel[1], width + padding[1]))
                    inside = [(iy, ix) for iy in rows for ix in cols if 0 <= iy < height and 0 <= ix < width]
                    total = sum(x[n, c, iy, ix] for iy, ix in inside)
                    if divisor_override:
                        divisor = divisor_override
                    elif count_include_pad:
                        divisor = len(rows) * len(cols)
                    else:
                        divisor = len(inside)
                    y[n, c, oy, ox] = total / divisor if inside else 0.0
    return y


def adaptive_avg_pool2d(x, output_size):
    batch, channels, height, width = x.shape
    oh, ow = output_size
    y = np.zeros((batch, channels, oh, ow), dtype=np.float64)
    for oy in range(oh):
        y0, y1 = math.floor(oy * height / oh), math.ceil((oy + 1) * height / oh)
        for ox in range(ow):
            x0, x1 = math.floor(ox * width / ow), math.ceil((ox + 1) * width / ow)
            y[:, :, oy, ox] = x[:, :, y0:y1, x0:x1].astype(np.float64).mean(axis=(2, 3))
    return y


def log_softmax(x):
    x = x.astype(np.float64)
    shifted = x - x.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def cross_entropy(log_probs, target, weight, ignore_index, reduction, label_smoothing):
    """From log-probabilities; label_smoothing=0 gives nll_loss."""
    rows, classes = log_probs.shape
    weight = np.ones(classes) if weight is None else weight.astype(np.float64)
    losses, weights = np.zeros(rows), np.zeros(rows)
    for r in range(rows):
        if target[r] == ignore_index:
            continue
        nll = -weight[target[r]] * log_probs[r, target[r]]
        smooth = -sum(weight[c] * log_probs[r, c] for c in range(classes))
        losses[r] = (1 - label_smoothing) * nll + label_smoothing / classes * smooth
        weights[r] = weight[target[r]]
    if reduction == "none":
        return losses
    if reduction == "sum":
        return losses.sum()
    return losses.sum() / weights.sum()


def batch_norm_train(x, weight, bias, eps):
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    x = x.astype(np.float64)
    mean = x.mean(axis=axes)
    invstd = 1.0 / np.sqrt(x.var(axis=axes) + eps)
    y = (x - mean.reshape(shape)) * invstd.reshape(shape)
    if weight is not None:
        y = y * weight.reshape(shape) + bias.reshape(shape)
    return y, mean, invstd


def numerical_vjp(function, argument, grad_output, step=1e-6):
    """d/d(argument) of sum(function(argument) * grad_output), by central differences."""
    argument = argument.astype(np.float64).copy()
    grad = np.zeros_like(argument)
    flat, flat_grad = argument.reshape(-1), grad.reshape(-1)
    for k in range(flat.size):
        saved = flat[k]
        flat[k] = saved + step
        plus = np.sum(function(argument) * grad_output)
        flat[k] = saved - step
        minus = np.sum(function(argument) * grad_output)
        flat[k] = saved
        flat_grad[k] = (plus - minus) / (2 * step)
    return grad
