"""Small ids for real PyTorch tensors and autograd nodes, and their value summaries.

A tensor's id is kept in its ``_tid`` attribute (what ``graphtui.naming`` reads for the
engine's tensors too), checked against a weak reference so a copy of a tensor that carried
the attribute along (``copy.deepcopy``) gets an id of its own. A node's id lives in
``grad_fn.metadata``, the dict PyTorch keeps on the C++ node itself: the Python object of a
node may be made again for the same node, the metadata stays.
"""
from __future__ import annotations

import itertools
import weakref

import numpy as np
import torch

from engine import trace

NODE_KEY = "graphtui_id"

_tensor_ids = itertools.count(1)
_node_ids = itertools.count(1)
_tensors: dict[int, weakref.ref] = {}
_announced: set[int] = set()        # tensor ids a TensorCreated was emitted for


def reset() -> None:
    global _tensor_ids, _node_ids
    _tensor_ids, _node_ids = itertools.count(1), itertools.count(1)
    _tensors.clear()
    _announced.clear()


def is_announced(tensor) -> bool:
    tid = known_tensor_id(tensor)
    return bool(tid) and tid in _announced


def mark_announced(tid: int) -> None:
    _announced.add(tid)


def known_tensor_id(tensor) -> int:
    """The tensor's id, 0 when it has none yet."""
    tid = tensor.__dict__.get("_tid", 0)
    if tid:
        ref = _tensors.get(tid)
        if ref is None or ref() is not tensor:
            return 0
    return tid


def tensor_id(tensor) -> int:
    tid = known_tensor_id(tensor)
    if not tid:
        tid = next(_tensor_ids)
        tensor._tid = tid
        _tensors[tid] = weakref.ref(tensor, lambda _, tid=tid: _forget(tid))
    return tid


def _forget(tid: int) -> None:
    _tensors.pop(tid, None)
    _announced.discard(tid)


def known_node_id(node) -> int | None:
    return node.metadata.get(NODE_KEY)


def new_node_id(node) -> int:
    node_id = node.metadata[NODE_KEY] = next(_node_ids)
    return node_id


def node_name(node) -> str:
    name = type(node).__name__
    return name


# ---------------------------------------------------------------- values

def as_array(tensor) -> np.ndarray | None:
    """The tensor's values as a NumPy array (a view when it can be), None when they cannot
    be read (a meta or sparse tensor, a tensor subclass that refuses)."""
    try:
        data = tensor.detach()
        if data.device.type != "cpu":
            data = data.cpu()
        if data.layout != torch.strided:
            data = data.to_dense()
        if data.dtype in (torch.bfloat16, torch.float8_e4m3fn, torch.float8_e5m2):
            data = data.float()
        return data.resolve_conj().resolve_neg().numpy()
    except Exception:
        return None


def summarize(tensor, copy: bool = True):
    if tensor is None or not isinstance(tensor, torch.Tensor):
        return None
    array = as_array(tensor)
    if array is None:
        return trace.Summary(tuple(tensor.shape), dtype_name(tensor), tensor.numel())
    if copy and array.size > trace.values_cap:
        return _summarize_later(tensor, array)
    return trace.summarize(array, copy=copy)


class _Version:
    """``box[0]`` is the tensor's version now (what ``trace.summarize_later``'s box holds
    for the engine's tensors): statistics computed after an in-place write read as
    unknown, not as the new values'."""
    __slots__ = ("_ref", "_last")

    def __init__(self, tensor) -> None:
        self._ref, self._last = weakref.ref(tensor), tensor._version

    def __getitem__(self, index: int) -> int:
        tensor = self._ref()
        return self._last if tensor is None else tensor._version


def _summarize_later(tensor, array: np.ndarray):
    """A big tensor's summary keeping a reference to its values; statistics are computed
    when first read (as the engine does for its op outputs), or now past the value budget."""
    return trace.later_summary(array, _Version(tensor), tensor._version)


def summaries(values, copy: bool = True) -> tuple:
    """One summary per item (None for what is not a tensor; nested tuples kept)."""
    return tuple(_summary(value, copy) for value in values)


def _summary(value, copy: bool):
    if isinstance(value, (tuple, list)):
        return tuple(_summary(item, copy) for item in value)
    if isinstance(value, torch.Tensor):
        return summarize(value, copy)
    return None


def dtype_name(tensor) -> str:
    return str(tensor.dtype).removeprefix("torch.")


def nbytes(tensor) -> int:
    return tensor.numel() * tensor.element_size()
