"""channel_shuffle (ChannelShuffleBackward0, its own gradient with C / groups groups) and
local_response_norm, composed as torch.nn.functional composes it."""
from __future__ import annotations

import numpy as np

from engine.autograd.node import node_class
from engine.ops._core import record
from engine.tensor import Tensor


def _shuffled(data: np.ndarray, groups: int) -> np.ndarray:
    batch, channels, *rest = data.shape
    grouped = data.reshape(batch, groups, channels // groups, *rest)
    return np.ascontiguousarray(grouped.swapaxes(1, 2)).reshape(data.shape)


def _channel_shuffle_rule(n, g):
    groups = n._attrs["groups"]
    channels = g.shape[1]
    if isinstance(g, Tensor):
        return (channel_shuffle(g, channels // groups),)
    return (_shuffled(g, channels // groups),)


ChannelShuffleBackward0 = node_class("ChannelShuffleBackward0", _channel_shuffle_rule)


def channel_shuffle(input, groups: int):
    data = input._data
    if data.ndim <= 2:
        raise RuntimeError(f"channel_shuffle expects input with > 2 dims, but got input with "
                           f"sizes {list(data.shape)}")
    if groups <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of "
                           f"groups:{groups}")
    if data.shape[1] % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got "
                           f"{data.shape[1]} channels and {groups} groups.")
    return record(ChannelShuffleBackward0, _shuffled(data, groups), (input,),
                  attrs={"groups": groups})


def local_response_norm(input, size: int, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 1.0):
    from engine.nn._ops.padding import pad
    from engine.nn._ops.pooling import avg_pool2d
    from engine.nn._ops.pooling3d import avg_pool3d
    dim = input.dim()
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality                          input "
                         f"(got {dim} dimensions)")
    if input.numel() == 0:
        return input
    div = input.mul(input)
    if dim == 3:
        div = pad(div.unsqueeze(1), (0, 0, size // 2, (size - 1) // 2))
        div = avg_pool2d(div, (size, 1), stride=1).squeeze(1)
    else:
        sizes = input.size()
        div = div.view(sizes[0], 1, sizes[1], sizes[2], -1)
        div = pad(div, (0, 0, 0, 0, size // 2, (size - 1) // 2))
        div = avg_pool3d(div, (size, 1, 1), stride=1).squeeze(1).view(sizes)
    div = div.mul(alpha).add(k).pow(beta)
    return input / div
