"""torch.nn.modules._functions.CrossMapLRN2d: the legacy Lua-Torch cross-channel LRN as a
custom autograd Function (its node is CrossMapLRN2dBackward), computed as torch's Python
does it, running window and all (its window drops a channel late: `c > pre_pad`)."""
from __future__ import annotations

import numpy as np

from engine.autograd.function import Function
from engine.ops import _float32_math as F32
from engine.tensor import Tensor


def _scale(x: np.ndarray, size: int, alpha: float, k) -> np.ndarray:
    """k + alpha / size * (a running sum of squares over a window of channels)."""
    dtype = x.dtype.type
    square = x * x
    channels = x.shape[1]
    pre_pad = int((size - 1) / 2 + 1)
    scale = np.empty_like(x)
    scale[:, 0] = 0
    for c in range(min(pre_pad, channels)):
        scale[:, 0] += square[:, c]
    for c in range(1, channels):
        scale[:, c] = scale[:, c - 1]
        if c < channels - pre_pad + 1:
            scale[:, c] += square[:, c + pre_pad - 1]
        if c > pre_pad:
            scale[:, c] -= square[:, c - pre_pad]
    return scale * dtype(alpha / size) + dtype(k)


def _power(base: np.ndarray, exponent: float) -> np.ndarray:
    return F32.power(base, exponent) if base.dtype == np.float32 else np.power(base, exponent)


class CrossMapLRN2d(Function):
    @staticmethod
    def forward(ctx, input, size, alpha=1e-4, beta=0.75, k=1):
        ctx.size, ctx.alpha, ctx.beta, ctx.k = size, alpha, beta, k
        if input.dim() != 4:
            raise ValueError(f"CrossMapLRN2d: Expected input to be 4D, got {input.dim()}D "
                             f"instead.")
        x = input._data
        scale = _scale(x, size, alpha, k)
        ctx.scale = Tensor._make(scale)
        output = Tensor._make(_power(scale, -beta) * x)
        ctx.save_for_backward(input, output)
        return output

    @staticmethod
    def backward(ctx, grad_output):
        input, output = ctx.saved_tensors
        x, out, g = input._data, output._data, grad_output._data
        scale, size = ctx.scale._data, ctx.size
        dtype = x.dtype.type
        grad_input = _power(scale, -ctx.beta) * g
        cache_ratio = dtype(2 * ctx.alpha * ctx.beta / size)
        inverse_pre_pad = int(size - (size - 1) / 2)
        channels = x.shape[1]
        padded = np.zeros((channels + size - 1,) + x.shape[2:], x.dtype)
        for n in range(x.shape[0]):
            padded[inverse_pre_pad:inverse_pre_pad + channels] = g[n] * out[n] / scale[n]
            accum = np.zeros(x.shape[2:], x.dtype)
            for row in padded[:size - 1]:
                accum += row
            for c in range(channels):
                accum += padded[c + size - 1]
                grad_input[n, c] += -cache_ratio * x[n, c] * accum
                accum -= padded[c]
        return Tensor._make(grad_input), None, None, None, None
