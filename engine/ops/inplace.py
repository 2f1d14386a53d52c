"""In-place ops: they bump the version counter (so a saved tensor edited later is caught)
and, when grad is recorded, move the tensor onto a new node as PyTorch does."""
from __future__ import annotations

import numpy as np

from engine import trace
from engine.autograd import grad_mode as _gm
from engine.autograd.node import node_class
from engine.ops import elementwise as E
from engine.ops._core import data_of, edge, needs_grad, record, reduce_to
from engine.ops.shape import data_of_index
from engine.tensor import Tensor

LEAF_MESSAGE = "a leaf Variable that requires grad is being used in an in-place operation."

_TYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
               "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def _check_leaf(tensor: Tensor) -> None:
    if tensor._grad_fn is None and tensor._requires_grad and _gm.state.enabled:
        raise RuntimeError(LEAF_MESSAGE)


def _bump(tensor: Tensor, op: str) -> Tensor:
    tensor._vc[0] += 1
    if trace.active:
        node = tensor._grad_fn
        trace.emit(trace.TensorModified(trace.tensor_id(tensor), op, tensor._vc[0],
                                        None if node is None else node._id,
                                        trace.summarize(tensor), tensor._requires_grad))
    return tensor


def _write(tensor: Tensor, values: np.ndarray) -> None:
    target = tensor._data.dtype
    if not np.can_cast(values.dtype, target, "same_kind"):
        raise RuntimeError(f"result type {_TYPE_NAMES.get(values.dtype.name, values.dtype.name)} "
                           f"can't be cast to the desired output type "
                           f"{_TYPE_NAMES.get(target.name, target.name)}")
    np.copyto(tensor._data, values, casting="unsafe")


def _snapshot(tensor: Tensor) -> Tensor:
    """The tensor as it was before the in-place op, for the out-of-place rule to save."""
    before = Tensor._make(tensor._data.copy(), tensor._requires_grad)
    before._grad_fn, before._output_nr, before._acc = tensor._grad_fn, tensor._output_nr, tensor._acc
    return before


def _inplace(tensor: Tensor, op_name: str, out_of_place, *args, **kwargs) -> Tensor:
    _check_leaf(tensor)
    others = [a for a in args if isinstance(a, Tensor)]
    if needs_grad(tensor, *others):
        result = out_of_place(_snapshot(tensor), *args, **kwargs)
        _write(tensor, result._data)
        tensor._grad_fn, tensor._output_nr, tensor._requires_grad = result._grad_fn, 0, True
    else:
        with _gm.no_grad():
            result = out_of_place(tensor, *args, **kwargs)
        _write(tensor, result._data)
    return _bump(tensor, op_name)


def add_(tensor, other, *, alpha=1):
    return _inplace(tensor, "add_", E.add, other, alpha=alpha)


def sub_(tensor, other, *, alpha=1):
    return _inplace(tensor, "sub_", E.sub, other, alpha=alpha)


def mul_(tensor, other):
    return _inplace(tensor, "mul_", E.mul, other)


def div_(tensor, other, *, rounding_mode=None):
    return _inplace(tensor, "div_", E.div, other, rounding_mode=rounding_mode)


def clamp_(tensor, min=None, max=None):
    return _inplace(tensor, "clamp_", E.clamp, min, max)


def pow_(tensor, exponent):
    return _inplace(tensor, "pow_", E.pow, exponent)


# ---------------------------------------------------------------- zero_, fill_, copy_

ZeroBackward0 = node_class("ZeroBackward0", lambda n, g: (g * 0,))
FillBackward0 = node_class("FillBackward0", lambda n, g: (g * 0,))
CopyBackwards = node_class("CopyBackwards", lambda n, g: (
    g * 0 if n.needs(0) else None,
    reduce_to(g, n._in_shapes[1]) if n.needs(1) else None))
CopyBackwards.name = lambda self: "torch::autograd::CopyBackwards"


def _overwrite(tensor: Tensor, op: str, node_cls, values, sources: tuple) -> Tensor:
    _check_leaf(tensor)
    if needs_grad(tensor, *sources):
        before = _snapshot(tensor)
        result = record(node_cls, tensor._data, (before,) + sources)
        tensor._grad_fn, tensor._output_nr, tensor._requires_grad = result._grad_fn, 0, True
    _write(tensor, np.broadcast_to(np.asarray(values), tensor._data.shape))
    return _bump(tensor, op)


def zero_(tensor):
    return _overwrite(tensor, "zero_", ZeroBackward0, np.zeros((), tensor._data.dtype), ())


def fill_(tensor, value):
    if isinstance(value, Tensor):
        return copy_(tensor, value)
    return _overwrite(tensor, "fill_", FillBackward0, np.asarray(value), ())


def copy_(tensor, src, non_blocking=False):
    src_data = np.asarray(data_of(src))
    try:
        np.broadcast_to(src_data, tensor._data.shape)
    except ValueError:
        raise RuntimeError(f"The size of tensor a ({tensor._data.shape[-1]}) must match the size "
                           f"of tensor b ({src_data.shape[-1]}) at non-singleton dimension "
                           f"{tensor._data.ndim - 1}") from None
    sources = (src,) if isinstance(src, Tensor) else ()
    return _overwrite(tensor, "copy_", CopyBackwards, src_data.astype(tensor._data.dtype), sources)


# ---------------------------------------------------------------- item assignment

def _copy_slices_rule(n, g):
    key = n._attrs["key"]
    grad_self = None
    if n.needs(0):
        grad_self = g.copy() if not hasattr(g, "_data") else g.clone()
        grad_self[key] = 0
    grad_value = reduce_to(g[key], n._in_shapes[1]) if n.needs(1) else None
    return grad_self, grad_value


CopySlices = node_class("CopySlices", _copy_slices_rule)


def _array_key(key):
    if isinstance(key, tuple):
        return tuple(data_of_index(k) if isinstance(k, (Tensor, list)) else k for k in key)
    return data_of_index(key) if isinstance(key, (Tensor, list)) else key


def setitem(tensor, key, value) -> None:
    _check_leaf(tensor)
    key = _array_key(key)
    value_data = data_of(value)
    if needs_grad(tensor, value if isinstance(value, Tensor) else None):
        before = _snapshot(tensor)
        source = value if isinstance(value, Tensor) else None
        result = record(CopySlices, tensor._data, (before, source), attrs={"key": key})
        result._grad_fn._in_shapes = (tensor._data.shape,
                                      None if source is None else source._data.shape)
        tensor._grad_fn, tensor._output_nr, tensor._requires_grad = result._grad_fn, 0, True
    tensor._data[key] = value_data
    _bump(tensor, "__setitem__")
