"""torch.distributions.utils: the helpers the distributions share, over the engine's ops
(so each records the nodes torch records)."""
from __future__ import annotations

import numpy as np

import engine as torch
from engine.dtypes import Size
from engine.tensor import Tensor

euler_constant = 0.57721566490153286060

__all__ = ["broadcast_all", "clamp_probs", "lazy_property", "logits_to_probs",
           "probs_to_logits", "tril_matrix_to_vec", "vec_to_tril_matrix"]

_NUMBER = (int, float, bool)


def finfo_of(dtype) -> np.finfo:
    """torch.finfo's eps, tiny and min for a floating dtype (the engine has no torch.finfo)."""
    return np.finfo(dtype.np_dtype)


def broadcast_all(*values):
    """The values as tensors of one broadcast shape; numbers take the first tensor's dtype
    (or the default dtype)."""
    if not all(isinstance(v, (Tensor, *_NUMBER)) for v in values):
        raise ValueError("Input arguments must all be instances of Number, torch.Tensor or "
                         "objects implementing __torch_function__.")
    if not all(isinstance(v, Tensor) for v in values):
        first_tensor = next((v for v in values if isinstance(v, Tensor)), None)
        options = (dict(dtype=torch.get_default_dtype()) if first_tensor is None
                   else dict(dtype=first_tensor.dtype, device=first_tensor.device))
        values = [v if isinstance(v, Tensor) else torch.tensor(v, **options) for v in values]
    return torch.broadcast_tensors(*values)


def _standard_normal(shape, dtype, device):
    return torch.empty(shape, dtype=dtype, device=device).normal_()


def _sum_rightmost(value, dim: int):
    """value summed over its rightmost `dim` dims."""
    if dim == 0:
        return value
    return value.reshape(value.shape[:-dim] + (-1,)).sum(-1)


def logits_to_probs(logits, is_binary: bool = False):
    if is_binary:
        return torch.sigmoid(logits)
    return torch.nn.functional.softmax(logits, dim=-1)


def clamp_probs(probs):
    eps = float(finfo_of(probs.dtype).eps)
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs, is_binary: bool = False):
    clamped = clamp_probs(probs)
    if is_binary:
        return torch.log(clamped) - torch.log1p(-clamped)
    return torch.log(clamped)


class lazy_property:
    """Computed on first read (with grad enabled, so a sample taken under no_grad does not
    strip it) and then stored on the instance, which hides the descriptor."""

    def __init__(self, wrapped) -> None:
        self.wrapped = wrapped
        self.__name__ = wrapped.__name__
        self.__doc__ = wrapped.__doc__

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        with torch.enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value


def tril_matrix_to_vec(mat, diag: int = 0):
    """The entries of mat's lower triangle (below diagonal `diag`) as a vector, row by row."""
    n = mat.shape[-1]
    if diag < -n or diag >= n:
        raise ValueError(f"diag ({diag}) provided is outside [{-n}, {n - 1}].")
    arange = torch.arange(n, device=mat.device)
    tril_mask = arange < arange.view(-1, 1) + (diag + 1)
    return mat[..., tril_mask]


def vec_to_tril_matrix(vec, diag: int = 0):
    """The inverse of tril_matrix_to_vec: a square matrix, zero above diagonal `diag`."""
    # The matrix size n solves len(vec) = n (n + 1) / 2 shifted by diag.
    n = (-(1 + 2 * diag) + ((1 + 2 * diag) ** 2 + 8 * vec.shape[-1]
                            + 4 * abs(diag) * (diag + 1)) ** 0.5) / 2
    eps = float(finfo_of(vec.dtype).eps)
    if round(n) - n > eps:
        raise ValueError(f"The size of last dimension is {vec.shape[-1]} which cannot be "
                         "expressed as the lower triangular part of a square D x D matrix.")
    n = round(n)
    mat = vec.new_zeros(vec.shape[:-1] + Size((n, n)))
    arange = torch.arange(n, device=vec.device)
    tril_mask = arange < arange.view(-1, 1) + (diag + 1)
    mat[..., tril_mask] = vec
    return mat
