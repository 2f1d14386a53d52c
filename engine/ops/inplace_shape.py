"""In-place shape ops: ``transpose_``, ``swapaxes_``/``swapdims_``, ``t_``, ``squeeze_`` and
``unsqueeze_``. They change a tensor's shape and strides, not its values: the tensor keeps
its identity, its version goes up (so a backward that saved it raises, as in torch), and its
new grad_fn is torch's in-place variant (``TransposeBackward1``, ``TBackward1``,
``SqueezeBackward3``/``4``, ``UnsqueezeBackward1``) with its old grad_fn as the next node.

On a view they are not supported: the view's grad_fn would have to be regenerated from its
base with the new shape, which the engine's view machinery does not model.
"""
from __future__ import annotations

import numpy as np

from engine._unsupported import NotSupportedError
from engine.autograd.node import node_class
from engine.ops import shape as S
from engine.ops.linalg import SqueezeBackward4    # matmul's in-place squeeze_ too
from engine.ops._core import as_saved, record, wrap_dim
from engine.ops.inplace import _bump, _check_leaf, _set_grad_fn
from engine.tensor import Tensor

TransposeBackward1 = node_class("TransposeBackward1", S._transpose_rule)
TBackward1 = node_class("TBackward1", S._t_rule)
SqueezeBackward3 = node_class("SqueezeBackward3", lambda n, g: (
    S.unsqueeze_to(g, n._attrs["self_sym_sizes"]),))
UnsqueezeBackward1 = node_class("UnsqueezeBackward1", lambda n, g: (
    S.squeeze(g, n._attrs["_dim"]) if isinstance(g, Tensor)
    else g.reshape(n._in_shapes[0]),))


def _reshape_in_place(tensor: Tensor, op: str, node_cls, data, attrs: dict | None = None):
    """Give ``tensor`` the new layout ``data`` (a view of its own array) and, when it is in a
    graph, ``node_cls`` as its grad_fn."""
    if tensor._base is not None:
        raise NotSupportedError(f"torch.Tensor.{op} on a view is not supported by graphtui's "
                                f"engine (use the out-of-place {op[:-1]}())")
    _check_leaf(tensor)
    stepped = record(node_cls, data, (tensor,), attrs=attrs)
    tensor._data = stepped._data
    if stepped._grad_fn is not None:
        _set_grad_fn(tensor, stepped._grad_fn)
    return _bump(tensor, op)


def transpose_(tensor: Tensor, dim0, dim1, op: str = "transpose_") -> Tensor:
    ndim = tensor._data.ndim
    d0, d1 = wrap_dim(dim0, ndim), wrap_dim(dim1, ndim)
    data = tensor._data.swapaxes(d0, d1) if ndim else tensor._data.view()
    return _reshape_in_place(tensor, op, TransposeBackward1, data,
                             {"dim0": as_saved(dim0), "dim1": as_saved(dim1), "_dims": (d0, d1)})


def swapaxes_(tensor: Tensor, axis0, axis1) -> Tensor:
    return transpose_(tensor, axis0, axis1, op="swapaxes_")


def swapdims_(tensor: Tensor, dim0, dim1) -> Tensor:
    return transpose_(tensor, dim0, dim1, op="swapdims_")


def t_(tensor: Tensor) -> Tensor:
    if tensor._data.ndim > 2:
        raise RuntimeError(f"t_() expects a tensor with <= 2 dimensions, but self is "
                           f"{tensor._data.ndim}D")
    return _reshape_in_place(tensor, "t_", TBackward1, tensor._data.T)


def squeeze_(tensor: Tensor, dim=None) -> Tensor:
    shape = tensor._data.shape
    if dim is None:
        data = tensor._data.squeeze(tuple(i for i, s in enumerate(shape) if s == 1))
        return _reshape_in_place(tensor, "squeeze_", SqueezeBackward3, data,
                                 {"self_sym_sizes": shape})
    d = wrap_dim(dim, tensor._data.ndim) if tensor._data.ndim else 0
    squeezable = tensor._data.ndim and shape[d] == 1
    data = tensor._data.squeeze(d) if squeezable else tensor._data.view()
    return _reshape_in_place(tensor, "squeeze_", SqueezeBackward4, data,
                             {"dim": as_saved(dim), "_dim": d, "self_sym_sizes": shape})


def unsqueeze_(tensor: Tensor, dim) -> Tensor:
    d = wrap_dim(dim, tensor._data.ndim + 1)
    data = np.expand_dims(tensor._data, d)
    return _reshape_in_place(tensor, "unsqueeze_", UnsqueezeBackward1, data,
                             {"dim": as_saved(dim), "_dim": d})
