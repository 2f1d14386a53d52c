"""Functions backward rules use that work on arrays (the usual case) and on Tensors (when
create_graph=True asks for a differentiable backward)."""
from __future__ import annotations

import numpy as np

from engine.ops import _float32_math as F32


def _is_array(x) -> bool:
    return not hasattr(x, "_data")


def exp(x):
    return F32.exp(x) if _is_array(x) else x.exp()


def log(x):
    return F32.log(x) if _is_array(x) else x.log()


def sin(x):
    return F32.sin(x) if _is_array(x) else x.sin()


def cos(x):
    return F32.cos(x) if _is_array(x) else x.cos()


def sign(x):
    return np.sign(x) if _is_array(x) else x.sign()


def sgn(x):
    """torch's sgn: 0 at NaN (NumPy's sign gives NaN)."""
    if not _is_array(x):
        return x.sgn()
    signs = np.sign(x)
    return np.where(np.isnan(x), 0, signs).astype(signs.dtype) if signs.dtype.kind == "f" else signs


def where(cond, a, b):
    if _is_array(cond) and _is_array(a) and _is_array(b):
        out = np.where(cond, a, b)
        like = a if hasattr(a, "dtype") else b
        return out if out.dtype == like.dtype else out.astype(like.dtype)
    from engine.ops.elementwise import where as _where
    return _where(cond, a, b)


def mask(cond, like):
    """A 0/1 factor with the dtype of `like`."""
    if _is_array(cond):
        return cond.astype(like.dtype) if _is_array(like) else cond
    return cond.to(like.dtype)


def matmul(a, b):
    return a @ b


def mT(x):
    """Swap the last two dims."""
    return x.swapaxes(-1, -2) if _is_array(x) else x.transpose(-1, -2)  # the method: no dispatch


def reshape(x, shape):
    return x.reshape(shape)


def sum(x, axis, keepdims=False):
    if _is_array(x):
        return x.sum(axis=axis, keepdims=keepdims)
    return x.sum(axis, keepdim=keepdims)


def broadcast_to(x, shape):
    """x.expand(shape): on an array, a view writable when x is (a grad autograd.grad returns
    may be written to, through to every element that shares the memory, as in PyTorch)."""
    if not _is_array(x):
        return x.expand(shape)
    view = np.broadcast_to(x, shape)
    if not x.flags.writeable:
        return view
    return np.lib.stride_tricks.as_strided(x, view.shape, view.strides, writeable=True)


def zeros(shape, like):
    if _is_array(like):
        return np.zeros(shape, dtype=like.dtype)
    from engine.creation import zeros as _zeros
    return _zeros(shape, dtype=like.dtype)
