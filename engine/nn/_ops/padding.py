"""pad (constant mode): ConstantPadNdBackward0."""
from __future__ import annotations

import numpy as np

from engine.nn._ops._util import array, nn_node, stash
from engine.ops._core import record


def _widths(pad: tuple, ndim: int) -> list:
    """PyTorch's pad tuple (last dim first, (left, right) pairs) as np.pad widths."""
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > ndim:
        raise RuntimeError(f"Padding length should be less than or equal to two times the input "
                           f"dimension but got padding length {len(pad)} and input of dimension "
                           f"{ndim}")
    widths = [(0, 0)] * ndim
    for i in range(len(pad) // 2):
        widths[ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    return widths


def _unpad_rule(n, g):
    g = array(g)
    key = tuple(slice(before, g.shape[d] - after)
                for d, (before, after) in enumerate(n._private["widths"]))
    return (g[key],)


ConstantPadNdBackward0 = nn_node("ConstantPadNdBackward0", _unpad_rule)


def constant_pad(input, pad, value=0.0):
    pad = tuple(int(p) for p in pad)
    widths = _widths(pad, input._data.ndim)
    if any(before < 0 or after < 0 for before, after in widths):
        raise NotImplementedError("engine: negative padding is not supported")
    out = np.pad(input._data, widths, mode="constant", constant_values=value)
    result = record(ConstantPadNdBackward0, out, (input,), attrs={"pad": pad})
    stash(result, widths=widths)
    return result
