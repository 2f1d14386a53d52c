"""The op table: elementwise, reductions, shape, linear algebra and in-place ops, and the
Tensor methods and operators that call them."""
from __future__ import annotations

import numpy as np

from engine import dtypes as _dt
from engine._device import NO_CUDA_MESSAGE, as_device, check_device
from engine.ops import clamp_bounds as CB
from engine.ops import elementwise as E
from engine.ops import inplace as I
from engine.ops import inplace_shape as IS
from engine.ops import linalg as L
from engine.ops import random as RND
from engine.ops import reductions as R
from engine.ops import gather as G
from engine.ops import indexing as X
from engine.ops import statistics as ST
from engine.ops import ordering as O
from engine.ops import shape as S
from engine.ops import split as SP
from engine.ops import unary_math as UM
from engine.ops import composite as CO
from engine.ops import binary_math as BM
from engine.ops import selective_reductions as SR
from engine.ops import sets as SETS
from engine.ops import index_write as IW
from engine.tensor import Tensor


def _to(self, *args, non_blocking=False, copy=False, memory_format=None, **kwargs):
    """to(dtype), to(device, dtype), to(other): self when nothing changes, unless copy."""
    target = kwargs.get("dtype")
    devices = [kwargs["device"]] if kwargs.get("device") is not None else []
    for arg in args:
        if isinstance(arg, _dt.dtype):
            target = arg
        elif isinstance(arg, Tensor):
            target = arg.dtype
        elif arg is not None and not isinstance(arg, bool):
            devices.append(arg)
    for device in devices:
        check_device(device)
        # "cpu:0" is not the tensor's device("cpu"): PyTorch copies (ToCopyBackward0).
        copy = copy or as_device(device).index is not None
    if copy:
        return E.copy_to_dtype(self, self._data.dtype if target is None else target.np_dtype)
    if target is None:
        return self
    return E.to_dtype(self, target.np_dtype)


def _type(self, dtype=None, non_blocking=False, **kwargs):
    """t.type() names the tensor's type ("torch.FloatTensor"); t.type(dtype) converts."""
    if dtype is None:
        return f"torch.{self.dtype.tensor_type}"
    if isinstance(dtype, str):
        by_type = {f"torch.{d.tensor_type}": d for d in _dt._BY_NP.values()}
        if dtype not in by_type:
            raise ValueError(f"invalid type: '{dtype}'")
        dtype = by_type[dtype]
    return E.to_dtype(self, dtype.np_dtype)


def _cuda(self, device=None, non_blocking=False, memory_format=None):
    raise AssertionError(NO_CUDA_MESSAGE)


def _addmm():
    from engine.nn._ops.linear import addmm
    return addmm


def _reflected(fn):
    return lambda self, other: fn(other, self)


def _new_factory(np_fn):
    def method(self, *size, dtype=None, requires_grad=False):
        from engine.creation import _make, _sizes
        np_dtype = self._data.dtype if dtype is None else dtype.np_dtype
        return _make(np_fn(_sizes(size), dtype=np_dtype), requires_grad)
    return method


_METHODS = {
    # arithmetic
    "add": E.add, "sub": E.sub, "subtract": E.sub, "mul": E.mul, "multiply": E.mul,
    "div": E.div, "divide": E.div, "true_divide": E.div, "neg": E.neg, "negative": E.neg,
    "pow": E.pow, "exp": E.exp, "log": E.log, "sqrt": E.sqrt, "sin": E.sin, "cos": E.cos,
    "tanh": E.tanh, "sigmoid": E.sigmoid, "relu": E.relu, "abs": E.abs, "absolute": E.abs,
    "clamp": E.clamp, "clip": E.clamp, "reciprocal": E.reciprocal, "sign": E.sign,
    "sgn": E.sgn, "clamp_min": CB.clamp_min, "clamp_max": CB.clamp_max,
    "clamp_min_": CB.clamp_min_, "clamp_max_": CB.clamp_max_,
    "eq": E.eq, "ne": E.ne, "lt": E.lt, "le": E.le, "gt": E.gt, "ge": E.ge,
    "all": E.all, "any": E.any, "isnan": E.isnan, "isfinite": E.isfinite, "equal": E.equal, "allclose": E.allclose,
    "logical_not": E.logical_not, "logical_and": E.logical_and, "logical_or": E.logical_or,
    "where": lambda self, condition, other: E.where(condition, self, other),
    "floor_divide": E.floor_divide, "maximum": E.maximum, "minimum": E.minimum,
    "masked_fill": E.masked_fill_method,
    # reductions
    "sum": R.sum, "mean": R.mean, "max": R.max, "min": R.min, "argmax": R.argmax,
    "argmin": R.argmin, "norm": R.norm, "softmax": R.softmax_with_dim,
    "log_softmax": R.log_softmax_with_dim,
    "prod": ST.prod, "var": ST.var, "std": ST.std,
    # along a dim
    "cumsum": O.cumsum, "logsumexp": O.logsumexp, "flip": O.flip, "roll": O.roll,
    "tril": O.tril, "triu": O.triu, "sort": O.sort, "argsort": O.argsort, "topk": O.topk,
    # index-driven
    "index_select": G.index_select, "gather": G.gather, "masked_select": G.masked_select, "scatter": G.scatter,
    "scatter_add": G.scatter_add,
    "scatter_": lambda self, dim, index, src=None, *, value=None, reduce=None: I._inplace(
        self, "scatter_", G.scatter, dim, index, src, value=value, reduce=reduce),
    "scatter_add_": lambda self, dim, index, src: I._inplace(
        self, "scatter_add_", G.scatter_add, dim, index, src),
    # shape
    "view": S.view, "reshape": S.reshape, "flatten": S.flatten, "t": S.t,
    "transpose": S.transpose, "permute": S.permute, "unsqueeze": S.unsqueeze,
    "squeeze": S.squeeze, "expand": S.expand, "expand_as": S.expand_as,
    "contiguous": S.contiguous, "diagonal": S.diagonal, "clone": S.clone, "select": X.select,
    "split": lambda self, split_size, dim=0: SP.split(self, split_size, dim),
    "chunk": SP.chunk, "unbind": SP.unbind, "repeat": SP.repeat,
    "unsafe_chunk": SP.unsafe_chunk, "unsafe_split": SP.unsafe_split,
    "view_as": lambda self, other: S.view(self, other._data.shape),
    "reshape_as": lambda self, other: S.reshape(self, other._data.shape),
    # linear algebra
    "addmm": lambda self, mat1, mat2, *, beta=1, alpha=1: _addmm()(self, mat1, mat2,
                                                                    beta=beta, alpha=alpha),
    "mm": L.mm, "mv": L.mv, "dot": L.dot, "bmm": L.bmm, "matmul": L.matmul,
    # in place
    "add_": I.add_, "sub_": I.sub_, "mul_": I.mul_, "div_": I.div_, "zero_": I.zero_,
    "fill_": I.fill_, "copy_": I.copy_, "clamp_": I.clamp_, "clip_": I.clamp_, "pow_": I.pow_,
    "masked_fill_": I.masked_fill_,
    "transpose_": IS.transpose_, "swapaxes_": IS.swapaxes_, "swapdims_": IS.swapdims_,
    "t_": IS.t_, "squeeze_": IS.squeeze_, "unsqueeze_": IS.unsqueeze_,
    # random
    "normal_": RND.normal_, "uniform_": RND.uniform_, "random_": RND.random_,
    "bernoulli_": RND.bernoulli_, "exponential_": RND.exponential_,
    "bernoulli": RND.bernoulli, "multinomial": RND.multinomial,
    # in-place math
    "relu_": I.relu_, "sigmoid_": I.sigmoid_, "tanh_": I.tanh_,
    "exp_": I.exp_, "log_": I.log_, "sqrt_": I.sqrt_, "sin_": I.sin_, "cos_": I.cos_,
    "abs_": I.abs_, "neg_": I.neg_, "negative_": I.neg_, "reciprocal_": I.reciprocal_,
    # conversion
    "to": _to, "type": _type, "type_as": lambda self, other: _to(self, other.dtype),
    "float": lambda self: E.to_dtype(self, np.dtype(np.float32)),
    "double": lambda self: E.to_dtype(self, np.dtype(np.float64)),
    "half": lambda self: E.to_dtype(self, np.dtype(np.float16)),
    "long": lambda self: E.to_dtype(self, np.dtype(np.int64)),
    "int": lambda self: E.to_dtype(self, np.dtype(np.int32)),
    "bool": lambda self: E.to_dtype(self, np.dtype(np.bool_)),
    "cpu": lambda self, memory_format=None: self, "cuda": _cuda,
    "new_zeros": _new_factory(np.zeros), "new_ones": _new_factory(np.ones),
    "new_empty": _new_factory(np.empty),
}

_OPERATORS = {
    "__add__": E.add, "__radd__": E.add, "__sub__": E.sub, "__rsub__": E.rsub,
    "__mul__": E.mul, "__rmul__": E.mul, "__truediv__": E.div, "__rtruediv__": E.rdiv,
    "__neg__": E.neg, "__pow__": E.pow, "__rpow__": _reflected(E.pow), "__abs__": E.abs,
    "__matmul__": L.matmul, "__rmatmul__": _reflected(L.matmul),
    "__eq__": E.eq, "__ne__": E.ne, "__lt__": E.lt, "__le__": E.le, "__gt__": E.gt,
    "__ge__": E.ge, "__and__": E.logical_and, "__or__": E.logical_or,
    "__invert__": E.logical_not,
    "__floordiv__": E.floor_divide, "__rfloordiv__": _reflected(E.floor_divide),
    "__getitem__": X.getitem, "__setitem__": I.setitem,
    "__iadd__": I.add_, "__isub__": I.sub_, "__imul__": I.mul_, "__itruediv__": I.div_,
}

_PROPERTIES = {"T": S.T, "mT": S.mT}

# nn building blocks (MultiheadAttention's)
from engine.ops import baddbmm as BD  # noqa: E402
_METHODS.update({"baddbmm": BD.baddbmm, "unflatten": BD.unflatten})


def _bind() -> None:
    for name, fn in {**_METHODS, **UM.METHODS, **UM.IN_PLACE, **CO.METHODS, **BM.METHODS,
                     **BM.IN_PLACE, **SR.METHODS, **SETS.METHODS, **IW.METHODS, **IW.IN_PLACE, **_OPERATORS, **BM.OPERATORS}.items():
        setattr(Tensor, name, fn)
    for name, fn in _PROPERTIES.items():
        setattr(Tensor, name, property(fn))


_bind()

# linear algebra (issue #11): Tensor.inverse, det, logdet, slogdet, matrix_power, ...
from engine.ops import linalg_methods as _LINALG  # noqa: E402
for _name, _method in _LINALG.METHODS.items():
    setattr(Tensor, _name, _method)

# tensorops (issue #11): metadata, creation methods, strided views, aliases, more math
from engine.ops import tensor_meta as _META  # noqa: E402
for _name, _method in _META.METHODS.items():
    setattr(Tensor, _name, _method)
for _name, _method in _META.MORE_METHODS.items():
    setattr(Tensor, _name, _method)
for _name, _getter in {**_META.PROPERTIES, **_META.MORE_PROPERTIES}.items():
    setattr(Tensor, _name, property(_getter))
from engine.ops import aliases as _ALIASES  # noqa: E402
for _name, _method in {**_ALIASES.METHODS, **_ALIASES.IN_PLACE}.items():
    setattr(Tensor, _name, _method)
from engine.ops import bitwise as _BITWISE  # noqa: E402
for _name, _method in {**_BITWISE.METHODS, **_BITWISE.IN_PLACE, **_BITWISE.OPERATORS}.items():
    setattr(Tensor, _name, _method)
from engine.ops import structural as _STRUCTURAL  # noqa: E402
for _name, _method in {**_STRUCTURAL.METHODS, **_STRUCTURAL.IN_PLACE}.items():
    setattr(Tensor, _name, _method)
from engine.ops import special_math as _SPECIAL  # noqa: E402
for _name, _method in {**_SPECIAL.METHODS, **_SPECIAL.IN_PLACE}.items():
    setattr(Tensor, _name, _method)
from engine.ops import quantiles as _QUANTILES  # noqa: E402
for _name, _method in _QUANTILES.METHODS.items():
    setattr(Tensor, _name, _method)
from engine.ops import scatter_reduce as _SCATTER_REDUCE  # noqa: E402
for _name, _method in _SCATTER_REDUCE.METHODS.items():
    setattr(Tensor, _name, _method)

# training-script scaffolding (issue #11): pinned memory needs an accelerator
from engine.ops import pinned as _PINNED  # noqa: E402
for _name, _method in _PINNED.METHODS.items():
    setattr(Tensor, _name, _method)
from engine.ops import leftovers as _LEFTOVERS  # noqa: E402
for _name, _method in _LEFTOVERS.METHODS.items():
    setattr(Tensor, _name, _method)
for _name, _getter in _LEFTOVERS.PROPERTIES.items():
    setattr(Tensor, _name, property(_getter))
