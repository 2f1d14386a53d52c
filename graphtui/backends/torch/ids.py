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
# data_ptr of a storage -> (its small id, its bytes, a weak reference to it): PyTorch keeps
# one Python object per live storage, so a block freed and allocated again at the same
# address is told apart by that reference and gets an id of its own
_storages: dict[int, tuple] = {}
_storage_ids = itertools.count(1)
_created: set[int] = set()          # storage ids of memory a factory function made


def reset() -> None:
    global _tensor_ids, _node_ids, _storage_ids
    _tensor_ids, _node_ids = itertools.count(1), itertools.count(1)
    _storage_ids = itertools.count(1)
    _tensors.clear()
    _announced.clear()
    _storages.clear()
    _created.clear()


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


def version(tensor) -> int:
    """The tensor's version counter; 0 for an inference tensor, which has none (reading
    ``_version`` raises "Inference tensors do not track version counter.")."""
    return 0 if tensor.is_inference() else tensor._version


class _Version:
    """``box[0]`` is the tensor's version now (what ``trace.summarize_later``'s box holds
    for the engine's tensors): statistics computed after an in-place write read as
    unknown, not as the new values'."""
    __slots__ = ("_ref", "_last")

    def __init__(self, tensor) -> None:
        self._ref, self._last = weakref.ref(tensor), version(tensor)

    def __getitem__(self, index: int) -> int:
        tensor = self._ref()
        return self._last if tensor is None else version(tensor)


def _summarize_later(tensor, array: np.ndarray):
    """A big tensor's summary keeping a reference to its values; statistics are computed
    when first read (as the engine does for its op outputs), or now past the value budget."""
    return trace.later_summary(array, _Version(tensor), version(tensor))


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


# ---------------------------------------------------------------- memory

def storage_of(tensor) -> tuple[int, int, int] | None:
    """(storage id, storage bytes, byte offset) of a tensor, as trace.storage_of gives them
    for the engine's arrays: tensors on one block of memory share the id (a view, a
    ``detach()``, a saved output unpacked). None when it has no readable storage."""
    try:
        storage = tensor.untyped_storage()
        pointer, size = storage.data_ptr(), storage.nbytes()
        offset = tensor.storage_offset() * tensor.element_size()
    except Exception:           # a sparse or meta tensor, a subclass without storage
        return None
    if not size:
        return None
    entry = _storages.get(pointer)
    if entry is None or entry[2]() is not storage:
        storage_id = next(_storage_ids)
        entry = _storages[pointer] = (storage_id, size,
                                      weakref.ref(storage, _forget_storage(pointer, storage_id)))
    return entry[0], size, offset


def _forget_storage(pointer: int, storage_id: int):
    def forget(_) -> None:
        entry = _storages.get(pointer)
        if entry is not None and entry[0] == storage_id:
            del _storages[pointer]
        _created.discard(storage_id)
    return forget


def note_created(tensor) -> None:
    """A factory function of the scenario's made this tensor's memory (its data)."""
    found = storage_of(tensor)
    if found is not None:
        _created.add(found[0])


def was_created(tensor) -> bool:
    found = storage_of(tensor)
    return found is not None and found[0] in _created


def memory_kind(tensor, storage: int | None) -> str:
    """Whose memory a saved tensor is (trace.SavedInfo.kind), as the engine tells it: an
    op's result is the graph's, a leaf that requires grad (or a view of one) the model's,
    what a factory function made the caller's."""
    owner = tensor._base if tensor._base is not None else tensor
    if owner.grad_fn is not None:
        return trace.ACTIVATION
    if owner.requires_grad:
        return trace.PARAMETER
    return trace.INPUT if storage in _created else trace.ACTIVATION
