"""quantile, nanquantile, cov and corrcoef, composed of the engine's ops in ATen's order,
so their graphs hold torch's nodes (sort, view, gather, lerp_, squeeze_; sub, mm, div)
(issue #11)."""
from __future__ import annotations

import warnings

import numpy as np

from engine._cpp_warning import cpp_warning
from engine.ops import elementwise as E
from engine.ops import inplace_shape as IS
from engine.ops import linalg as L
from engine.ops import ordering as O
from engine.ops import shape as S
from engine.ops._core import wrap_dim
from engine.ops.binary_math import IN_PLACE as _BINARY_IN_PLACE
from engine.ops.gather import gather
from engine.tensor import Tensor

_DOF_WARNING = cpp_warning(
    "cov(): degrees of freedom is <= 0. Correction should be strictly less than the number "
    "of observations.", "aten/src/ATen/native/Correlation.cpp:129")
_MODES = ("linear", "lower", "higher", "midpoint", "nearest")


def _check(input, q, interpolation: str) -> np.ndarray:
    data = input._data
    if data.dtype.kind != "f":
        raise RuntimeError("quantile() input tensor must be either float or double dtype")
    if isinstance(q, Tensor):
        if q._data.ndim > 1:
            raise RuntimeError("quantile() q must be a scalar or 1D tensor")
        if q._data.dtype != data.dtype:
            raise RuntimeError("quantile() q tensor must be same dtype as the input tensor")
        values = q._data
    else:
        values = np.asarray(q, dtype=data.dtype)
    if values.size and ((values < 0).any() or (values > 1).any()):
        if isinstance(q, Tensor):
            raise RuntimeError("quantile() q values must be in the range [0, 1]")
        raise RuntimeError(f"quantile() q must be in the range [0, 1] but got {q}")
    if interpolation not in _MODES:
        raise RuntimeError("quantile() interpolation must be one of linear, lower, higher, "
                           f"midpoint or nearest, but got {interpolation}")
    return values


def _sorted(input, dim):
    if dim is None:
        return O.sort(S.reshape(input, (-1,)), -1).values
    ndim = input._data.ndim
    d = wrap_dim(dim, max(ndim, 1))
    if ndim == 0 or d == ndim - 1:
        return O.sort(input, -1).values
    return O.sort(S.transpose(S.unsqueeze(input, -1), d, -1), -1).values


def _ranks(sorted_data: np.ndarray, q: np.ndarray, ignore_nan: bool,
           interpolation: str) -> np.ndarray:
    """Where each quantile sits in its sorted row: shape (*rows, len(q)), in the input's
    dtype as ATen computes it."""
    dtype = sorted_data.dtype
    nans = np.isnan(sorted_data)
    if ignore_nan:
        counts = (~nans).sum(-1, keepdims=True).astype(dtype)
        ranks = (q * (counts - dtype.type(1))).astype(dtype)
        ranks = np.where(ranks < 0, dtype.type(0), ranks)
    else:
        last = dtype.type(sorted_data.shape[-1] - 1)
        ranks = np.where(nans.any(-1, keepdims=True), last, (q * last).astype(dtype))
    if interpolation == "lower":
        ranks = np.floor(ranks)
    elif interpolation == "higher":
        ranks = np.ceil(ranks)
    elif interpolation == "nearest":
        ranks = np.rint(ranks)
    return ranks.astype(dtype)


def _quantile(input, q, dim, keepdim: bool, interpolation: str, ignore_nan: bool):
    """ATen's quantile: the sorted rows viewed as (*rows, n), each quantile gathered below
    (and above, lerp_ between them) along the last dim, then q's dim moved to the front."""
    q_values = _check(input, q, interpolation)
    if input._data.size == 0:
        raise RuntimeError("quantile() input tensor must be non-empty")
    rows = _out_shape(input._data.shape, dim, keepdim)
    sorted_values = _sorted(input, dim)
    sorted_values = S.view(sorted_values, tuple(rows) + (sorted_values._data.shape[-1],))
    ranks = _ranks(sorted_values._data, q_values.reshape(-1), ignore_nan, interpolation)
    below = ranks.astype(np.int64)
    values = gather(sorted_values, -1, Tensor._make(below))
    if interpolation in ("linear", "midpoint"):
        weights = np.full(ranks.shape, 0.5, dtype=ranks.dtype) if interpolation == "midpoint" \
            else (ranks - below).astype(ranks.dtype)
        upper = gather(sorted_values, -1, Tensor._make(np.ceil(ranks).astype(np.int64)))
        _BINARY_IN_PLACE["lerp_"](values, upper, Tensor._make(weights))
    if q_values.ndim == 0:
        return IS.squeeze_(values, -1)
    IS.unsqueeze_(values, 0)
    IS.transpose_(values, 0, -1)
    return IS.squeeze_(values, -1)


def _out_shape(shape: tuple, dim, keepdim: bool) -> tuple:
    if dim is None:
        return (1,) * len(shape) if keepdim else ()
    if not shape:
        return ()
    d = wrap_dim(dim, len(shape))
    if keepdim:
        return shape[:d] + (1,) + shape[d + 1:]
    return shape[:d] + shape[d + 1:]


def quantile(input, q, dim=None, keepdim: bool = False, *, interpolation: str = "linear"):
    return _quantile(input, q, dim, keepdim, interpolation, ignore_nan=False)


def nanquantile(input, q, dim=None, keepdim: bool = False, *, interpolation: str = "linear"):
    return _quantile(input, q, dim, keepdim, interpolation, ignore_nan=True)


# ---------------------------------------------------------------- cov, corrcoef

def cov(input, *, correction: int = 1, fweights=None, aweights=None):
    data = input._data
    if data.ndim > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got an "
                           f"input with {data.ndim} dimensions")
    if fweights is not None or aweights is not None:
        from engine._unsupported import NotSupportedError
        raise NotSupportedError("torch.cov with fweights or aweights is not supported by "
                                "graphtui's engine")
    x = S.view(input, (1, -1)) if data.ndim < 2 else input
    if x._data.dtype.kind not in "fc":
        from engine.dtypes import get_default_dtype
        x = E.to_dtype(x, get_default_dtype().np_dtype)
    observations = x._data.shape[1]
    from engine.ops.reductions import sum as _sum
    average = E.div(_sum(x, 1), observations)
    norm_factor = observations - correction
    if norm_factor <= 0:
        warnings.warn(_DOF_WARNING, UserWarning, stacklevel=2)
    centred = E.sub(x, S.unsqueeze(average, 1))
    product = L.mm(centred, S.t(centred))
    return S.squeeze(E.div(product, max(norm_factor, 0)))


def corrcoef(input):
    data = input._data
    if data.ndim > 2:
        raise RuntimeError(f"corrcoef(): expected input to have two or fewer dimensions but "
                           f"got an input with {data.ndim} dimensions")
    c = cov(input)
    if c._data.ndim == 0:
        return E.div(c, c)
    diagonal = S.diagonal(c)
    stddev = E.sqrt(diagonal)
    c = E.div(c, S.view(stddev, (-1, 1)))
    c = E.div(c, S.view(stddev, (1, -1)))
    return E.clamp(c, -1, 1)


__all__ = ["quantile", "nanquantile", "cov", "corrcoef"]
FUNCTIONS = {name: globals()[name] for name in __all__}
METHODS = dict(FUNCTIONS)
