"""Convolutions of 1, 2 or 3 spatial dims, and their transposes, on the 2-D kernels of
engine.kernels.conv (no kernels of their own).

A 1-D convolution is a 2-D one of height 1. A 3-D one folds depth into the 2-D kernels'
batch and channels: for each output depth, the kd input planes its window reads become
kd channels per input channel (a copy kd times the input), so the 2-D weight is the 3-D one
with (C / groups, kd) flattened into one axis. grad_input scatter-adds those planes back.

A transposed convolution is the adjoint of a plain one whose input is its output: its
forward is that convolution's grad_input, computed at full size (no padding) and then cut
to size by padding and output_padding; its backward pads the gradient back to full size and
runs the plain forward (for the input) and grad_weight (for the weight).
"""

import numpy as np

from engine.kernels import conv as C


def _flat(values):
    """values[N, C, L] as [N, C, 1, L]."""
    return values[:, :, None, :]


def _planar_geometry(stride, padding, dilation):
    if len(stride) == 1:
        return (1,) + tuple(stride), (0,) + tuple(padding), (1,) + tuple(dilation)
    return tuple(stride), tuple(padding), tuple(dilation)


def forward(x, w, bias, stride, padding, dilation, groups):
    """y[N, O, *out] = conv(x[N, C, *in], w[O, C/groups, *k]) + bias[O] (bias may be None)."""
    if x.ndim == 5:
        return _forward_3d(x, w, bias, stride, padding, dilation, groups)
    geometry = _planar_geometry(stride, padding, dilation)
    if x.ndim == 3:
        return C.conv2d_forward(_flat(x), _flat(w), bias, *geometry, groups)[:, :, 0, :]
    return C.conv2d_forward(x, w, bias, *geometry, groups)


def grad_input(grad_y, w, x_shape, stride, padding, dilation, groups):
    if len(x_shape) == 5:
        return _grad_input_3d(grad_y, w, x_shape, stride, padding, dilation, groups)
    geometry = _planar_geometry(stride, padding, dilation)
    if len(x_shape) == 3:
        shape = tuple(x_shape[:2]) + (1, x_shape[2])
        return C.conv2d_grad_input(_flat(grad_y), _flat(w), shape, *geometry, groups)[:, :, 0]
    return C.conv2d_grad_input(grad_y, w, tuple(x_shape), *geometry, groups)


def grad_weight(grad_y, x, w_shape, stride, padding, dilation, groups):
    if x.ndim == 5:
        return _grad_weight_3d(grad_y, x, w_shape, stride, padding, dilation, groups)
    geometry = _planar_geometry(stride, padding, dilation)
    if x.ndim == 3:
        shape = tuple(w_shape[:2]) + (1, w_shape[2])
        grad = C.conv2d_grad_weight(_flat(grad_y), _flat(x), shape, *geometry, groups)
        return grad.reshape(w_shape)
    return C.conv2d_grad_weight(grad_y, x, tuple(w_shape), *geometry, groups)


def grad_bias(grad_y):
    return np.add.reduce(grad_y.reshape(grad_y.shape[0], grad_y.shape[1], -1), axis=(0, 2))


# ---------------------------------------------------------------- 3-D by depth folding

def _depth_out(depth, kernel, stride, padding, dilation):
    return (depth + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def _depth_windows(x, kd, stride, padding, dilation):
    """[N * OD, C * kd, H, W]: for output depth od, channel c * kd + j holds input plane
    od * stride + j * dilation of channel c (zero-padded in depth)."""
    batch, channels, depth, height, width = x.shape
    if padding:
        padded = np.zeros((batch, channels, depth + 2 * padding, height, width), x.dtype)
        padded[:, :, padding:padding + depth] = x
    else:
        padded = np.ascontiguousarray(x)
    out_depth = _depth_out(depth, kd, stride, padding, dilation)
    s = padded.strides
    windows = np.lib.stride_tricks.as_strided(
        padded, (batch, out_depth, channels, kd, height, width),
        (s[0], stride * s[2], s[1], dilation * s[2], s[3], s[4]), writeable=False)
    return windows.reshape(batch * out_depth, channels * kd, height, width), out_depth


def _planar_weight_shape(w_shape):
    out_channels, group_channels, kd, kh, kw = w_shape
    return out_channels, group_channels * kd, kh, kw


def _planar_grad(grad_y):
    """grad_y[N, O, OD, OH, OW] as [N * OD, O, OH, OW]."""
    batch, out_channels, out_depth = grad_y.shape[:3]
    return grad_y.transpose(0, 2, 1, 3, 4).reshape(batch * out_depth, out_channels,
                                                   *grad_y.shape[3:])


def _forward_3d(x, w, bias, stride, padding, dilation, groups):
    windows, out_depth = _depth_windows(x, w.shape[2], stride[0], padding[0], dilation[0])
    planes = C.conv2d_forward(windows, w.reshape(_planar_weight_shape(w.shape)), bias,
                              stride[1:], padding[1:], dilation[1:], groups)
    y = planes.reshape((x.shape[0], out_depth) + planes.shape[1:])
    return np.ascontiguousarray(y.transpose(0, 2, 1, 3, 4))


def _grad_input_3d(grad_y, w, x_shape, stride, padding, dilation, groups):
    batch, channels, depth, height, width = x_shape
    kd = w.shape[2]
    out_depth = grad_y.shape[2]
    planes_shape = (batch * out_depth, channels * kd, height, width)
    planes = C.conv2d_grad_input(np.ascontiguousarray(_planar_grad(grad_y)),
                                 w.reshape(_planar_weight_shape(w.shape)), planes_shape,
                                 stride[1:], padding[1:], dilation[1:], groups)
    planes = planes.reshape(batch, out_depth, channels, kd, height, width)
    grad = np.zeros((batch, channels, depth + 2 * padding[0], height, width), grad_y.dtype)
    last = (out_depth - 1) * stride[0] + 1
    for j in range(kd):
        start = j * dilation[0]
        grad[:, :, start:start + last:stride[0]] += planes[:, :, :, j].transpose(0, 2, 1, 3, 4)
    return np.ascontiguousarray(grad[:, :, padding[0]:padding[0] + depth])


def _grad_weight_3d(grad_y, x, w_shape, stride, padding, dilation, groups):
    windows, _ = _depth_windows(x, w_shape[2], stride[0], padding[0], dilation[0])
    grad = C.conv2d_grad_weight(np.ascontiguousarray(_planar_grad(grad_y)), windows,
                                _planar_weight_shape(w_shape), stride[1:], padding[1:],
                                dilation[1:], groups)
    return grad.reshape(w_shape)


# ---------------------------------------------------------------- transposed

def _full_sizes(in_sizes, w_shape, stride, dilation):
    """The transposed output's sizes before padding cuts them."""
    return tuple((size - 1) * s + d * (k - 1) + 1
                 for size, k, s, d in zip(in_sizes, w_shape[2:], stride, dilation))


def transposed_output_sizes(in_sizes, w_shape, stride, padding, output_padding, dilation):
    full = _full_sizes(in_sizes, w_shape, stride, dilation)
    return tuple(f - 2 * p + o for f, p, o in zip(full, padding, output_padding))


def transposed_forward(x, w, bias, stride, padding, output_padding, dilation, groups):
    """y[N, w.shape[1] * groups, *out] = conv_transpose(x[N, w.shape[0], *in], w) + bias."""
    full = _full_sizes(x.shape[2:], w.shape, stride, dilation)
    out_shape = (x.shape[0], w.shape[1] * groups) + full
    zeros = (0,) * len(stride)
    whole = grad_input(np.ascontiguousarray(x), w, out_shape, stride, zeros, dilation, groups)
    y = _cut(whole, padding, output_padding)
    if bias is not None:
        y += bias.reshape((-1,) + (1,) * len(stride))
    return y


def _cut(whole, padding, output_padding):
    """whole[..., p : p + size - 2p + op] per spatial axis, zeros past its end."""
    spatial = len(padding)
    if any(output_padding):
        ends = [(0, 0), (0, 0)] + [(0, o) for o in output_padding]
        whole = np.pad(whole, ends)
    window = tuple(slice(p, size - p) for p, size in zip(padding, whole.shape[2:]))
    return np.ascontiguousarray(whole[(slice(None), slice(None)) + window[:spatial]])


def _uncut(grad_y, x_shape, w_shape, stride, padding, dilation):
    """grad_y at full size: the adjoint of _cut."""
    full = _full_sizes(x_shape[2:], w_shape, stride, dilation)
    whole = np.zeros(grad_y.shape[:2] + full, grad_y.dtype)
    target, source = [], []
    for p, size, out in zip(padding, full, grad_y.shape[2:]):
        kept = min(out, size - p)
        target.append(slice(p, p + kept))
        source.append(slice(0, kept))
    whole[(slice(None), slice(None)) + tuple(target)] = \
        grad_y[(slice(None), slice(None)) + tuple(source)]
    return whole


def transposed_grad_input(grad_y, w, x_shape, stride, padding, dilation, groups):
    whole = _uncut(grad_y, x_shape, w.shape, stride, padding, dilation)
    return forward(whole, w, None, stride, (0,) * len(stride), dilation, groups)


def transposed_grad_weight(grad_y, x, w_shape, stride, padding, dilation, groups):
    whole = _uncut(grad_y, x.shape, w_shape, stride, padding, dilation)
    return grad_weight(np.ascontiguousarray(x), whole, w_shape, stride, (0,) * len(stride),
                       dilation, groups)
