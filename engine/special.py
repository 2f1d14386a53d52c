"""torch.special: the engine's functions under their torch.special names (gammaln is
lgamma, psi is digamma, expit is sigmoid, multigammaln is mvlgamma, ...), and the few that
are torch.special's own: i1 (SpecialI1Backward0), ndtr (composed as ATen composes it),
entr (SpecialEntrBackward0), xlog1py (SpecialXlog1PyBackward0) and round, which records
RoundBackward1 (issue #11)."""
from __future__ import annotations

import math

import numpy as np

from engine.autograd.node import node_class
from engine.ops import elementwise as _E
from engine.ops import unary_math as _UM
from engine.ops._core import reduce_to as _reduce_to
from engine.ops._core import record as _record
from engine.ops.binary_math import _float_dtype, _pointwise
from engine.ops.binary_math import xlogy  # noqa: F401
from engine.ops.elementwise import sigmoid as expit  # noqa: F401
from engine.ops.ordering import logsumexp  # noqa: F401
from engine.ops.reductions import log_softmax_with_dim as log_softmax  # noqa: F401
from engine.ops.reductions import softmax_with_dim as softmax  # noqa: F401
from engine.ops.special_math import (digamma, erfinv, i0, i1, lgamma as gammaln,  # noqa: F401
                                     mvlgamma as multigammaln, polygamma)
from engine.ops.unary_math import erf, erfc, exp2, expm1, log1p, logit, sinc  # noqa: F401
from engine.tensor import Tensor

psi = digamma


def round(input, *, decimals: int = 0):
    """special.round is round.decimals even when decimals is 0: RoundBackward1."""
    if decimals != 0:
        return _UM.round(input, decimals=decimals)
    data = input._data
    if data.dtype.kind in "iub":
        raise NotImplementedError('"round_vml_cpu" not implemented for '
                                  f"'{input.dtype.tensor_type[:-6]}'")
    out = np.rint(data)
    return _record(_UM.RoundBackward1, out, (input,), attrs={"decimals": 0})


def ndtr(input):
    """ATen's special_ndtr: (1 + erf(x / sqrt(2))) * 0.5."""
    scaled = _E.mul_scalar(input, 1 / math.sqrt(2)) if input._data.dtype.kind in "fc" else \
        _E.mul_scalar(input.to(_default_dtype()), 1 / math.sqrt(2))
    return _E.mul_scalar(_E.add_scalar(erf(scaled), 1), 0.5)


def _default_dtype():
    from engine.dtypes import get_default_dtype
    return get_default_dtype()


def _entr_rule(n, g):
    x = n.saved("self")
    if isinstance(g, Tensor):
        return (g * -(_UM._plus(x.log(), 1)),)
    with np.errstate(all="ignore"):
        return (g * -(np.log(x) + 1).astype(g.dtype),)


SpecialEntrBackward0 = node_class("SpecialEntrBackward0", _entr_rule)


def entr(input):
    data = input._data
    if data.dtype.kind not in "fc":
        data = data.astype(_default_dtype().np_dtype)
    with np.errstate(all="ignore"):
        out = np.where(data > 0, -data * np.log(data),
                       np.where(data == 0, 0, -np.inf)).astype(data.dtype)
        out = np.where(np.isnan(data), data, out)
    return _record(SpecialEntrBackward0, out, (input,), {"self": input})


def _xlog1py_rule(n, g):
    x, y = n.saved("self"), n.saved("other")
    grads = [None, None]
    if n.needs(0):
        factor = y.log1p() if isinstance(g, Tensor) else np.log1p(y)
        grads[0] = _reduce_to(g * factor, n._in_shapes[0])
    if n.needs(1):
        grads[1] = _reduce_to(g * x / (_UM._plus(y, 1)), n._in_shapes[1])
    return tuple(grads)


SpecialXlog1PyBackward0 = node_class("SpecialXlog1PyBackward0", _xlog1py_rule)


def _xlog1py_values(x, y):
    with np.errstate(all="ignore"):
        out = x * np.log1p(y)
    return np.where((x == 0) & ~np.isnan(y), 0, out)


def xlog1py(input, other):
    from engine.ops._core import as_tensor
    input, other = as_tensor(input), as_tensor(other)
    dtype = _float_dtype(input, other)
    out = _pointwise(_xlog1py_values, dtype, input, other)
    return _record(SpecialXlog1PyBackward0, out, (input, other),
                   {"self": input, "other": other})


from engine._unsupported import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr("torch.special")
