"""pixel_shuffle (PixelShuffleBackward0) and pixel_unshuffle (PixelUnshuffleBackward0), each
the other's gradient, as in PyTorch (so under create_graph each grad is the other's node)."""
from __future__ import annotations

import numpy as np

from engine.autograd.node import node_class
from engine.ops._core import record
from engine.tensor import Tensor


def _check(name: str, data: np.ndarray, factor: int, what: str) -> None:
    if data.ndim < 3:
        raise RuntimeError(f"{name} expects input to have at least 3 dimensions, but got input "
                           f"with {data.ndim} dimension(s)")
    if factor <= 0:
        raise RuntimeError(f"{name} expects a positive {what}, but got {factor}")


def _shuffled(data: np.ndarray, r: int) -> np.ndarray:
    *lead, c, h, w = data.shape
    out = data.reshape(*lead, c // (r * r), r, r, h, w)
    k = len(lead)
    out = out.transpose(*range(k), k, k + 3, k + 1, k + 4, k + 2)
    return out.reshape(*lead, c // (r * r), h * r, w * r).copy()      # new memory, as torch


def _unshuffled(data: np.ndarray, r: int) -> np.ndarray:
    if data.size == 0:      # ATen returns a copy of an empty input, its shape unchanged
        return data.copy()
    *lead, c, h, w = data.shape
    out = data.reshape(*lead, c, h // r, r, w // r, r)
    k = len(lead)
    out = out.transpose(*range(k), k, k + 2, k + 4, k + 1, k + 3)
    return out.reshape(*lead, c * r * r, h // r, w // r).copy()


def _shuffle_rule(n, g):
    r = n._attrs["upscale_factor"]
    return (pixel_unshuffle(g, r) if isinstance(g, Tensor) else _unshuffled(g, r),)


def _unshuffle_rule(n, g):
    r = n._attrs["downscale_factor"]
    return (pixel_shuffle(g, r) if isinstance(g, Tensor) else _shuffled(g, r),)


PixelShuffleBackward0 = node_class("PixelShuffleBackward0", _shuffle_rule)
PixelUnshuffleBackward0 = node_class("PixelUnshuffleBackward0", _unshuffle_rule)


def pixel_shuffle(input, upscale_factor: int):
    data = input._data
    _check("pixel_shuffle", data, upscale_factor, "upscale_factor")
    square = upscale_factor * upscale_factor
    if data.shape[-3] % square:
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be "
                           f"divisible by the square of upscale_factor, but input.size(-3)="
                           f"{data.shape[-3]} is not divisible by {square}")
    return record(PixelShuffleBackward0, _shuffled(data, upscale_factor), (input,),
                  attrs={"upscale_factor": upscale_factor})


def pixel_unshuffle(input, downscale_factor: int):
    data = input._data
    _check("pixel_unshuffle", data, downscale_factor, "downscale_factor")
    for name, dim in (("height", -2), ("width", -1)):
        if data.shape[dim] % downscale_factor:
            raise RuntimeError(f"pixel_unshuffle expects {name} to be divisible by "
                               f"downscale_factor, but input.size({dim})={data.shape[dim]} is "
                               f"not divisible by {downscale_factor}")
    return record(PixelUnshuffleBackward0, _unshuffled(data, downscale_factor), (input,),
                  attrs={"downscale_factor": downscale_factor})
