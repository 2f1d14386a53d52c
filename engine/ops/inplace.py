"""In-place ops: they bump the version counter (so a saved tensor edited later is caught)
and, when grad is recorded, move the tensor onto a new node as PyTorch does."""
from __future__ import annotations

import weakref

import numpy as np

from engine import trace
from engine._cpp_warning import cpp_warning
from engine.autograd import grad_mode as _gm
from engine.autograd.node import FREED_MESSAGE, Node, expose_saved, node_class, short_op_name
from engine.ops import _layout, elementwise as E
from engine.ops._core import (data_of, edge, needs_grad, record, reduce_to, user_location,
                              zeros_grad)
from engine.ops.indexing import (advanced_key, apply_slicing, check_lone_index_of_0_dim,
                                  check_saved_indices, getitem, index_put_zeros,
                                  keeps_whole_dim, saved_index_tensors, torch_index_error)
from engine.tensor import CreationMeta, Tensor

LEAF_MESSAGE = "a leaf Variable that requires grad is being used in an in-place operation."
LEAF_VIEW_MESSAGE = ("a view of a leaf Variable that requires grad is being used in an "
                     "in-place operation.")

_TYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
               "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


_MULTI_VIEW_TAIL = ("This view is the output of a function that returns multiple views. Such "
                    "functions do not allow the output views to be modified inplace. You should "
                    "replace the inplace operation by an out-of-place one.")


_CUSTOM_VIEW_TAIL = (
    "This view was created inside a custom Function (or because an input was returned as-is) "
    "and the autograd logic to handle view+inplace would override the custom backward "
    "associated with the custom Function, leading to incorrect gradients. This behavior is "
    "forbidden. You can fix this by cloning the output of the custom Function.")


def check_custom_function_view(tensor: Tensor, what: str) -> None:
    node = tensor._grad_fn
    if tensor._custom_view_of is not None and tensor._requires_grad and node is not None:
        # torch names a custom Function's node by its Function class (no "Backward")
        name = node.name().removesuffix("Backward")
        raise RuntimeError(f"Output {tensor._output_nr} of {name} is a view and {what}. "
                           f"{_CUSTOM_VIEW_TAIL}")


def _check_multi_output_view(tensor: Tensor, what: str) -> None:
    if tensor._requires_grad and tensor._base is not None and tensor._grad_fn is not None \
            and tensor._creation_meta == CreationMeta.MULTI_OUTPUT_NODE:
        raise RuntimeError(f"Output {tensor._output_nr} of {short_op_name(tensor._grad_fn.name())}"
                           f" is a view and {what}. {_MULTI_VIEW_TAIL}")


_NO_GRAD_VIEW_TAIL = (
    "Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify "
    "your code by moving both the view and the inplace either both inside the no_grad block "
    "(if you don't want the inplace to be tracked) or both outside (if you want the inplace to "
    "be tracked).")


def _no_grad_view_error(tensor: Tensor, what: str) -> RuntimeError:
    """PyTorch's text for a view made under no_grad (or a view of one) edited in place."""
    node = tensor._grad_fn
    head = "A view was created in" if node is None else (
        f"Output {tensor._output_nr} of {short_op_name(node.name())} is a view of a view which "
        "was created in")
    # An output of split / unbind made with grad enabled (its creation meta is
    # MULTI_OUTPUT_NODE, though its base was made under no_grad) ends with that case's advice.
    multi = tensor._creation_meta == CreationMeta.MULTI_OUTPUT_NODE
    return RuntimeError(f"{head} no_grad mode and {what} modified inplace with grad mode "
                        f"enabled. {_MULTI_VIEW_TAIL if multi else _NO_GRAD_VIEW_TAIL}")


def _no_grad_creation(view: Tensor) -> bool:
    """Whether torch names the view's creation 'in no_grad mode' when it refuses an in-place
    edit: made under no_grad, or an output of split / unbind with no grad_fn (its base did
    not require grad)."""
    return view._no_grad_alias or (view._multi_output_view and view._grad_fn is None)


def _check_leaf(tensor: Tensor, *, through_view: bool = False, others: tuple = ()) -> None:
    """PyTorch's check_inplace; `others`: the op's other tensor inputs (whether it needs grad
    decides for a view made under no_grad of a tensor that does not require grad)."""
    if not _gm.state.enabled:
        return
    _check_multi_output_view(tensor, "is being modified inplace")
    check_custom_function_view(tensor, "is being modified inplace")
    # PyTorch's check_inplace: refused when the op needs grad (tensor.requires_grad counts
    # its base's flag as it is now)
    if (tensor._no_grad_view or _no_grad_creation(tensor)) and \
            (tensor.requires_grad or needs_grad(*others)):
        raise _no_grad_view_error(tensor, "is being")
    base = tensor._base
    if base is not None and base._grad_fn is None and tensor.requires_grad:
        raise RuntimeError(LEAF_VIEW_MESSAGE)
    if tensor._grad_fn is None and tensor.requires_grad:
        raise RuntimeError(LEAF_VIEW_MESSAGE if through_view else LEAF_MESSAGE)


def _bump(tensor: Tensor, op: str) -> Tensor:
    tensor._vc[0] += 1
    if tensor._base is not None and not tensor._multi_output_view and _gm.state.enabled \
            and (tensor._requires_grad or tensor._base._requires_grad):
        # Its graph was just rebased explicitly (under no_grad, or when nothing required
        # grad, it was not: its grad_fn is regenerated when next read).
        tensor._view_version = tensor._vc[0]
    if trace.active:
        _bump_event(tensor, op)
    return tensor


OVERLAP_MESSAGE = ("unsupported operation: more than one element of the written-to tensor refers "
                   "to a single memory location. Please clone() the tensor before performing "
                   "the operation.")


INDEX_PUT_EXPANDED_WARNING = cpp_warning(
    "Use of index_put_ on expanded tensors is deprecated. Please clone() the tensor before "
    "performing this operation. This also applies to advanced indexing e.g. tensor[indices] = "
    "tensor", "aten/src/ATen/native/TensorAdvancedIndexing.cpp:976")
MASKED_FILL_EXPANDED_WARNING = cpp_warning(
    "Use of masked_fill_ on expanded tensors is deprecated. Please clone() the tensor before "
    "performing this operation. This also applies to advanced indexing e.g. tensor[mask] = "
    "scalar", "aten/src/ATen/native/TensorAdvancedIndexing.cpp:2450")


def _warn_expanded(advanced: dict, values: Tensor) -> None:
    """index_put_ into an expanded tensor warns; with one mask and one value it masked-fills,
    which warns too (PyTorch's two texts)."""
    import warnings
    warnings.warn(INDEX_PUT_EXPANDED_WARNING, UserWarning, stacklevel=4)
    masks = [index for index in advanced.values() if index.dtype == bool]
    if len(advanced) == 1 and masks and values._data.size == 1:
        warnings.warn(MASKED_FILL_EXPANDED_WARNING, UserWarning, stacklevel=4)


def _overlaps(tensor: Tensor) -> bool:
    data = tensor._data
    return bool(data.size) and any(stride == 0 and size > 1
                                   for stride, size in zip(data.strides, data.shape))


def _check_no_overlap(tensor: Tensor) -> None:
    """An expanded tensor may be written by fill_ / zero_, not by an op computed per element."""
    if _overlaps(tensor):
        raise RuntimeError(OVERLAP_MESSAGE)


def _overlaps_partly(data: np.ndarray) -> bool:
    """Whether elements of an array share memory though no stride is 0 (an unfold with a
    step below its size): its dims, by stride, each step past all the faster ones' extent
    when they do not (the quick answer); else the offsets are compared. An array with a
    zero stride is not counted (see _overlaps)."""
    dims = sorted((abs(stride), size) for stride, size in zip(data.strides, data.shape)
                  if size > 1)
    if dims and dims[0][0] == 0:
        return False                # an expanded tensor: _overlaps' case, refused or warned
    extent = data.itemsize
    for stride, size in dims:
        if stride < extent:
            break
        extent = stride * (size - 1) + extent
    else:
        return False
    offsets = np.zeros((), np.int64)
    for stride, size in zip(data.strides, data.shape):
        offsets = np.add.outer(offsets, np.arange(size, dtype=np.int64) * stride)
    return np.unique(offsets).size < data.size


ROWS_WRITTEN_IN_TURN = 4096     # past this many rows, an overlapping result is written at once


def _written_in_turn(tensor: Tensor, compute) -> np.ndarray:
    """An in-place op on a tensor whose elements share memory, as TensorIterator writes it:
    row by row (its innermost dim, fastest by stride), each row computed from the memory as
    the rows before left it, so an element written twice compounds. Returns the values the
    tensor ends with."""
    data = tensor._data
    _before_write(tensor)
    perm = _layout.order(data.shape, [_layout.operand(data, data.shape)])
    outer = perm[:0:-1]                         # slowest first
    sizes = [data.shape[d] for d in outer]
    if int(np.prod(sizes)) > ROWS_WRITTEN_IN_TURN:
        return compute(Tensor._make(data.copy()))
    for index in np.ndindex(*sizes):
        row = [slice(None)] * data.ndim
        for dim, position in zip(outer, index):
            row[dim] = position
        row = tuple(row)
        with _gm.no_grad():
            values = compute(Tensor._make(data.copy()))
        np.copyto(data[row], values[row], casting="unsafe")
    return data.copy()


def _write(tensor: Tensor, values: np.ndarray) -> None:
    target = tensor._data.dtype
    if values.shape != tensor._data.shape:
        raise RuntimeError(f"output with shape {list(tensor._data.shape)} doesn't match the "
                           f"broadcast shape {list(values.shape)}")
    if not np.can_cast(values.dtype, target, "same_kind"):
        raise RuntimeError(f"result type {_TYPE_NAMES.get(values.dtype.name, values.dtype.name)} "
                           f"can't be cast to the desired output type "
                           f"{_TYPE_NAMES.get(target.name, target.name)}")
    _before_write(tensor)
    if _overlaps(tensor):
        # Several elements share memory (an expanded tensor): write only those the op
        # changed, as PyTorch's index_put_ / masked_fill_ touch only the selected ones
        # (writing all would leave the last element's old value).
        with np.errstate(invalid="ignore"):
            same = (values == tensor._data) | (np.isnan(values) & np.isnan(tensor._data)) \
                if values.dtype.kind in "fc" else values == tensor._data
        np.copyto(tensor._data, values, casting="unsafe", where=~same)
        return
    np.copyto(tensor._data, values, casting="unsafe")


def _before_write(tensor: Tensor) -> None:
    """Statistics a watcher has yet to compute from the tensor's array, computed now."""
    if len(tensor._vc) > 1:
        trace.settle(tensor._vc)


def _snapshot(tensor: Tensor) -> Tensor:
    """The tensor as it was before the in-place op, for the out-of-place rule to save."""
    before = Tensor._make(tensor._data.copy(), tensor._requires_grad)
    before._grad_fn, before._output_nr, before._acc = tensor._grad_fn, tensor._output_nr, tensor._acc
    return before


# ATen warns (after autograd's checks) instead of refusing an expanded tensor for these.
_WARN_ON_OVERLAP = ("index_put_", "masked_fill_")


def _inplace(tensor: Tensor, op_name: str, out_of_place, *args, **kwargs) -> Tensor:
    others = [a for a in args if isinstance(a, Tensor)]
    _check_leaf(tensor, others=tuple(others))
    if op_name not in _WARN_ON_OVERLAP:
        _check_no_overlap(tensor)
    base = tensor._base
    in_turn = base is not None and _overlaps_partly(tensor._data)

    def values_of(result: Tensor) -> np.ndarray:
        if not in_turn:
            return result._data
        return _written_in_turn(tensor, lambda t: out_of_place(t, *args, **kwargs)._data)

    if base is not None and needs_grad(tensor, *others):
        before = _snapshot(tensor)
        result = out_of_place(before, *args, **kwargs)
        _save_a_clone_of_the_original(result._grad_fn, before)
        _write(tensor, values_of(result))
        _rebase_view(tensor, base, result._grad_fn)
    elif needs_grad(tensor, *others):
        before = _snapshot(tensor)
        result = out_of_place(before, *args, **kwargs)
        _save_a_clone_of_the_original(result._grad_fn, before)
        _write(tensor, values_of(result))
        _set_grad_fn(tensor, result._grad_fn)
    else:
        with _gm.no_grad():
            result = out_of_place(tensor, *args, **kwargs)
        _write(tensor, values_of(result))
        return _bump(tensor, op_name)
    _bump(tensor, op_name)
    _adopt_saved_output(result, tensor)
    return tensor


def _save_a_clone_of_the_original(node, before: Tensor) -> None:
    """An in-place op (on a view or not) whose formula reads the original self saves
    self.clone() (a CloneBackward0 the double-backward graph shows), as ATen's generated
    code does."""
    if node is None or not node._saved:
        return
    from engine.autograd.node import SavedTensor
    from engine.ops.shape import clone
    for name, saved in list(node._saved.items()):
        if saved.tensor is before:
            node._saved[name] = SavedTensor(name, clone(before))


def _adopt_saved_output(result: Tensor, tensor: Tensor) -> None:
    """The out-of-place rule saved its output (SigmoidBackward0's `result`); in place that
    output is `tensor` itself at its new version, as PyTorch saves it, so a later in-place
    change of `tensor` is caught by backward. Saved from a view, PyTorch's error names the
    view's grad_fn of that moment (AsStrided) while it lives, else the node that saved it."""
    node = result._grad_fn
    if node is None or not node._saved:
        return
    for saved in node._saved.values():
        if saved.output_ref is not None and saved.output_ref() is result:
            saved.data = tensor._data
            saved.output_ref = weakref.ref(tensor)
            saved.version_box = tensor._vc
            saved.version = tensor._vc[0]
            if tensor._base is not None:
                saved.view_producer = (weakref.ref(tensor._grad_fn), weakref.ref(node))


# ---------------------------------------------------------------- views of a base

def region_in_base(view: Tensor, base: Tensor) -> np.ndarray:
    """For each element of `view`, its flat (row-major) index in `base`."""
    base_data, view_data = base._data, view._data
    itemsize = base_data.itemsize
    offset = (view_data.__array_interface__["data"][0]
              - base_data.__array_interface__["data"][0]) // itemsize
    flat = _logical_index_by_position(base_data)
    step = flat.itemsize // itemsize
    return np.lib.stride_tricks.as_strided(
        flat[offset:], shape=view_data.shape,
        strides=tuple(s * step for s in view_data.strides), writeable=False).copy()


def _logical_index_by_position(data: np.ndarray) -> np.ndarray:
    """At each memory position of `data` (in elements from its start), the row-major index of
    the element stored there: arange for a C-contiguous array, else from its strides (NumPy
    lays some results out in another order: x[:, [0, 0]] + 1)."""
    if data.flags.c_contiguous or data.size == 0:
        return np.arange(data.size, dtype=np.int64)
    steps = [s // data.itemsize for s in data.strides]
    positions = sum(np.indices(data.shape, dtype=np.int64)[k] * steps[k]
                    for k in range(data.ndim)).reshape(-1)
    by_position = np.zeros(int(positions.max()) + 1, dtype=np.int64)
    by_position[positions] = np.arange(data.size, dtype=np.int64)
    return by_position


def _copy_slices_rule(n, g):
    """The base's gradient, with the edited region replaced by what the inner op sends back
    for the region's old values; the inner op's other gradients go to its other inputs."""
    region = n._attrs["_region"]
    if n._attrs["_inner"] is None:
        raise RuntimeError(FREED_MESSAGE)
    if isinstance(g, Tensor):
        return _copy_slices_graph(n, g, region)
    # C order, so that flat is a view of result (a transposed g would reshape to a copy);
    # an array even for a NumPy scalar g
    result = np.array(g, copy=True, order="C")
    flat = result.reshape(-1)
    inner_grads = n._attrs["_inner"](g.reshape(-1)[region])
    _check_slice_writable(n, inner_grads[0])
    _put_in_order(flat, region, 0 if inner_grads[0] is None else inner_grads[0],
                  n._attrs.get("_write_order"))
    return (result,) + tuple(inner_grads[1:])


def _write_order(view: Tensor) -> list | None:
    """For a view whose elements share memory (see _overlaps_partly): its axes, slowest
    first, in the order ATen's copy_ of the slice's gradient into it visits them (the last
    write to a memory location is the one left); None for any other view."""
    data = view._data
    if not _overlaps_partly(data):
        return None
    row_major = np.empty(data.shape, dtype=data.dtype)
    perm = _layout.order(data.shape, [_layout.operand(data, data.shape),
                                      _layout.operand(row_major, data.shape)])
    return perm[::-1]


def _put_in_order(flat: np.ndarray, region: np.ndarray, values, order: list | None) -> None:
    """flat[region] = values, writing in ``order`` when the region repeats positions."""
    if order is None or np.ndim(values) == 0:
        flat[region] = values
        return
    values = np.broadcast_to(values, region.shape)
    flat[np.transpose(region, order).reshape(-1)] = np.transpose(values, order).reshape(-1)


def _check_slice_writable(n, slice_grad) -> None:
    """ATen copies the inner op's gradient into the base's gradient through a strided view of
    the edited region: an expanded view (several elements on one) refuses that write."""
    if n._attrs["_view_overlaps"] and slice_grad is not None and n.needs(0):
        raise RuntimeError(OVERLAP_MESSAGE)


def _copy_slices_graph(n, g: Tensor, region: np.ndarray) -> tuple:
    """The same under create_graph, op for op as ATen's CopySlices: result = empty, then
    result.copy_(grad) (CopyBackwards); its slice as a strided view (AsStridedBackward0),
    cloned (CloneBackward0) for the inner op; the inner op's gradient copied back into the
    slice (CopySlices). A region no strided view reaches goes through Index / IndexPut."""
    from engine.ops.shape import as_view, clone_contiguous
    result = Tensor._make(np.empty(g._data.shape, dtype=g._data.dtype))
    flat = result._data.reshape(-1)
    target = flat[:0].reshape(region.shape) if region.size == 0 else \
        _strided_block(flat, region)
    if target is None:
        return _copy_slices_indexed(n, g, region)
    with _gm.enable_grad():
        copy_(result, g)
        grad_slice = as_view(Tensor._make(target), result)
        if result._requires_grad:
            _rebase_strided(grad_slice, result)
        inner_grads = n._attrs["_inner"](clone_contiguous(grad_slice))
        if inner_grads[0] is None:      # ATen leaves the base's gradient undefined
            return (None,) + tuple(inner_grads[1:])
        _check_slice_writable(n, inner_grads[0])
        copy_(grad_slice, _as_tensor(inner_grads[0]))
    return (result,) + tuple(inner_grads[1:])


def _copy_slices_indexed(n, g: Tensor, region: np.ndarray) -> tuple:
    flat = g.reshape(-1)
    inner_grads = n._attrs["_inner"](getitem(flat, region))
    outside = np.ones(flat.shape, dtype=g._data.dtype)
    outside[region] = 0
    result = E.mul(flat, Tensor._make(outside))
    if inner_grads[0] is not None:
        result = E.add(result, index_put_zeros(_as_tensor(inner_grads[0]), (region,),
                                               flat.shape))
    return (result.reshape(g.shape),) + tuple(inner_grads[1:])


def _as_tensor(grad) -> Tensor:
    return grad if isinstance(grad, Tensor) else Tensor._make(np.asarray(grad))


CopySlices = node_class("CopySlices", _copy_slices_rule)
CopySlices.name = lambda self: "torch::autograd::CopySlices"


class _CopySlicesSaved(dict):
    """What a CopySlices keeps: its inner op's saved values. Truthy even when there are none,
    because the executor releases only a node that keeps something, and PyTorch's CopySlices
    always releases: it drops its inner op, so a second backward through it raises."""

    def __bool__(self) -> bool:
        return True


def _copy_slices_free(self) -> None:
    Node._free_saved(self)
    self._attrs["_inner"] = None


def _copy_slices_release(self) -> tuple:
    self._attrs["_inner"] = None
    return Node._release(self)


CopySlices._free_saved = _copy_slices_free
CopySlices._release = _copy_slices_release
def _as_strided_rule(n, g):
    region, size, broadcast = n._attrs["_region"], n._attrs["_size"], n._attrs["_broadcast"]
    if isinstance(g, Tensor) and not n._attrs.get("_overlaps"):
        made = _as_strided_graph(g, region, size, broadcast)
        if made is not None:
            return (made,)
    # an expanded view reads one element many times: its gradient there is the sum
    for d in broadcast:
        g = g.sum(d, keepdim=True) if isinstance(g, Tensor) else g.sum(axis=d, keepdims=True)
        region = region.take([0], axis=d)
    return (_scatter(g, region, size),)


AsStridedBackward0 = node_class("AsStridedBackward0", _as_strided_rule)


def _as_strided_graph(g: Tensor, region: np.ndarray, size: tuple, broadcast: tuple):
    """ATen's as_strided_backward under create_graph, op for op: squeeze the view's size-1
    dims and sum its stride-0 dims (last first), copy into a zero storage through a strided
    view of it (CopySlices), and read the base's geometry back (AsStridedBackward0). None
    when the region is not one strided block of the storage."""
    numel = int(np.prod(size))
    if region.size == 0 or numel == 0:
        return Tensor._make(np.zeros(size, dtype=g._data.dtype))
    for d in reversed(range(region.ndim)):
        if region.shape[d] == 1:
            g, region = g.squeeze(d), region.squeeze(d)
        elif d in broadcast:
            g, region = g.sum(d, keepdim=True), region.take([0], axis=d)
    storage = Tensor._make(np.zeros(numel, dtype=g._data.dtype))
    target = _strided_block(storage._data, region)
    if target is None:
        return None
    from engine.ops.shape import as_view
    target = as_view(Tensor._make(target), storage)
    with _gm.enable_grad():
        copy_(target, g)
        out = as_view(Tensor._make(storage._data.reshape(size)), storage)
        if storage._requires_grad:      # a gradient that needs no grad makes no graph
            _rebase_strided(out, storage)
    return out


def _strided_block(flat: np.ndarray, region: np.ndarray):
    """The view of 1-D `flat` whose elements sit at the indices `region`, if strides give
    it."""
    start = int(region.flat[0])
    steps = []
    for d in range(region.ndim):
        if region.shape[d] > 1:
            steps.append(int(region.take([1], axis=d).flat[0]) - start)
        else:
            steps.append(0)
    last = start + sum((count - 1) * step for count, step in zip(region.shape, steps))
    if min(steps, default=0) < 0 or last >= flat.size:
        return None
    positions = np.lib.stride_tricks.as_strided(
        np.arange(flat.size, dtype=np.int64)[start:], region.shape,
        tuple(s * 8 for s in steps), writeable=False)
    if not np.array_equal(positions, region):
        return None
    return np.lib.stride_tricks.as_strided(
        flat[start:], region.shape, tuple(s * flat.itemsize for s in steps), writeable=True)


def _scatter(g, region: np.ndarray, size: tuple):
    if isinstance(g, Tensor):
        return index_put_zeros(g, (region,), (int(np.prod(size)),)).reshape(size)
    out = np.zeros(size, dtype=g.dtype)
    np.add.at(out.reshape(-1), region, g)   # as_strided's elements may overlap: they add up
    return out


def _rebase_view(view: Tensor, base: Tensor, inner) -> None:
    """An in-place op on a view of a base that needs grad: the base moves onto a CopySlices
    node wrapping the op's node, and the view reads its part of the base (AsStrided)."""
    region = region_in_base(view, base)
    node = CopySlices()
    node._next = (edge(base),) + inner._next[1:]
    # The wrapped op keeps its own edges, as PyTorch's does: its edge 0 holds the view's old
    # grad_fn alive until the CopySlices releases the op (a backward without retain_graph),
    # which decides the node an error about a saved value names.
    node._in_shapes = (base._data.shape,) + inner._in_shapes[1:]
    node._out_meta = ((base._data.shape, base._data.dtype),)
    node._saved = _CopySlicesSaved(inner._saved or {})
    node._attrs = {"_region": region, "_inner": lambda g: inner._apply([g]),
                   "_view_overlaps": _overlaps(view), "_write_order": _write_order(view)}
    _attach(base, node)
    _rebase_strided(view, base)


def refresh_view(view: Tensor) -> None:
    """A view whose base was modified in place since the view was made: it now reads its
    part of the base through AsStridedBackward0 (as PyTorch regenerates it)."""
    _check_multi_output_view(view, "its base or another view of its base has been modified "
                                   "inplace")
    if view._grad_fn is None and not view._base._requires_grad:
        return      # nothing to regenerate (nor to refuse) until the base requires grad
    if view._no_grad_view or _no_grad_creation(view):
        raise _no_grad_view_error(view, "its base or another view of its base has been")
    view._view_version = view._vc[0]
    if view._requires_grad or view._base._requires_grad:
        _rebase_strided(view, view._base)


def _set_grad_fn(tensor: Tensor, node) -> None:
    """Give `tensor` its new grad_fn after an in-place op; retain_grad() follows it to the new
    node (as PyTorch moves the retains_grad hook), other tensor hooks stay with the old."""
    old, old_nr = tensor._grad_fn, tensor._output_nr
    tensor._grad_fn, tensor._output_nr, tensor._requires_grad = node, 0, True
    if tensor._retains_grad and old is not None and old is not node:
        if old._retain_grad_refs is not None:
            old._retain_grad_refs.pop(old_nr, None)
        if node._retain_grad_refs is None:
            node._retain_grad_refs = {}
        node._retain_grad_refs[0] = weakref.ref(tensor)


def _attach(tensor: Tensor, node) -> None:
    _set_grad_fn(tensor, node)
    expose_saved(node)
    if trace.active:
        from engine.ops._core import announce_node
        announce_node(node, (tensor,))


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


def _unary_inplace(name: str, op, float_result: bool = True):
    def inplace_op(tensor):
        target = tensor._data.dtype
        if float_result and target.kind not in "fc":
            # Checked first: the op's float result cannot be written into an integer tensor.
            raise RuntimeError("result type Float can't be cast to the desired output type "
                               f"{_TYPE_NAMES.get(target.name, target.name)}")
        return _inplace(tensor, name, op)
    inplace_op.__name__ = name
    return inplace_op


relu_ = _unary_inplace("relu_", E.relu, float_result=False)
sigmoid_ = _unary_inplace("sigmoid_", E.sigmoid)
tanh_ = _unary_inplace("tanh_", E.tanh)
exp_ = _unary_inplace("exp_", E.exp)
log_ = _unary_inplace("log_", E.log)
sqrt_ = _unary_inplace("sqrt_", E.sqrt)
sin_ = _unary_inplace("sin_", E.sin)
cos_ = _unary_inplace("cos_", E.cos)
abs_ = _unary_inplace("abs_", E.abs, float_result=False)
neg_ = _unary_inplace("neg_", E.neg, float_result=False)
reciprocal_ = _unary_inplace("reciprocal_", E.reciprocal)


def masked_fill_(tensor, mask, value):
    E.check_fill_types(mask, value, "masked_fill_", function=False)
    if _overlaps(tensor):
        import warnings
        _check_leaf(tensor, others=(value,) if isinstance(value, Tensor) else ())
        warnings.warn(MASKED_FILL_EXPANDED_WARNING, UserWarning, stacklevel=3)
    return _inplace(tensor, "masked_fill_", E.masked_fill_into, mask, value)


# ---------------------------------------------------------------- zero_, fill_, copy_

ZeroBackward0 = node_class("ZeroBackward0", lambda n, g: (zeros_grad(g),))
FillBackward2 = node_class("FillBackward2", lambda n, g: (zeros_grad(g),))
CopyBackwards = node_class("CopyBackwards", lambda n, g: (
    zeros_grad(g) if n.needs(0) else None,
    reduce_to(g, n._in_shapes[1]) if n.needs(1) else None))
CopyBackwards.name = lambda self: "torch::autograd::CopyBackwards"


def _overwrite(tensor: Tensor, op: str, node_cls, values, sources: tuple) -> Tensor:
    _check_leaf(tensor, others=tuple(s for s in sources if s is not None))
    if op == "copy_" or node_cls is FillBackward3:
        _check_no_overlap(tensor)   # fill_ of a number does not check; of a tensor, it does
    if needs_grad(tensor, *sources):
        before = _snapshot(tensor)
        result = record(node_cls, tensor._data, (before,) + sources)
        if tensor._base is not None:
            _rebase_view(tensor, tensor._base, result._grad_fn)
        else:
            _set_grad_fn(tensor, result._grad_fn)
    _write(tensor, np.broadcast_to(np.asarray(values), tensor._data.shape))
    return _bump(tensor, op)


def zero_(tensor):
    return _overwrite(tensor, "zero_", ZeroBackward0, np.zeros((), tensor._data.dtype), ())


def fill_(tensor, value):
    if isinstance(value, Tensor):
        return _fill_with_tensor(tensor, value)
    return _overwrite(tensor, "fill_", FillBackward2, np.asarray(value), ())


def copy_(tensor, src, non_blocking=False):
    src_data = np.asarray(data_of(src))
    _check_copy_shapes(tensor._data.shape, src_data.shape)
    sources = (src,) if isinstance(src, Tensor) else ()
    return _overwrite(tensor, "copy_", CopyBackwards, src_data.astype(tensor._data.dtype), sources)


def _check_copy_shapes(shape: tuple, src_shape: tuple) -> None:
    """TensorIterator's errors: shapes that do not broadcast, then a broadcast shape that is
    not the destination's."""
    try:
        broadcast = np.broadcast_shapes(shape, src_shape)
    except ValueError:
        raise E.broadcast_error(shape, src_shape) from None
    if broadcast != shape:
        raise RuntimeError(f"output with shape {list(shape)} doesn't match the broadcast shape "
                           f"{list(broadcast)}")


# ---------------------------------------------------------------- item assignment

FillBackward3 = node_class("FillBackward3", lambda n, g: (
    zeros_grad(g) if n.needs(0) else None, g.sum() if n.needs(1) else None))


def _fill_with_tensor(tensor: Tensor, value: Tensor) -> Tensor:
    if value._data.ndim:
        raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                           f"{value._data.ndim} dimensions.")
    return _overwrite(tensor, "fill_", FillBackward3, value._data, (value,))


def setitem(tensor, key, value) -> None:
    """PyTorch's THPVariable_setitem: slice a view out of `tensor` with the basic parts of the
    key, then copy the value into it (copy_, fill_) or index_put_ it with the advanced parts;
    an in-place op on a view moves its base onto a CopySlices."""
    if not isinstance(value, Tensor):
        value = Tensor._make(np.asarray(value, dtype=tensor._data.dtype))
    if key is False:
        return
    if tensor._data.ndim == 0 and not isinstance(key, tuple):
        check_lone_index_of_0_dim(key)
    if key is Ellipsis:
        sliced, advanced = tensor, {}
    elif key is None or key is True:
        sliced, advanced = tensor.unsqueeze(0), {}
    elif isinstance(key, slice):
        sliced = tensor if keeps_whole_dim(key, _first_size(tensor)) else getitem(tensor, key)
        advanced = {}
    else:
        sliced, advanced = apply_slicing(tensor, key if isinstance(key, tuple) else (key,))
    if advanced:
        stripped = _without_leading_ones(value._data.shape)
        values = value if stripped == value._data.shape else value.view(stripped)
        if _overlaps(sliced):
            _check_leaf(sliced, others=(values,))   # autograd's in-place check comes before the kernel's warning
            _warn_expanded(advanced, values)
        _inplace(sliced, "index_put_", index_put, advanced_key(advanced), values)
    else:
        _copy_to(sliced, value)
    if trace.active and sliced is not tensor:
        _bump_event(tensor, "__setitem__")


def _first_size(tensor: Tensor) -> int:
    return tensor._data.shape[0]


def _without_leading_ones(shape: tuple) -> tuple:
    first = 0
    while first < len(shape) and shape[first] == 1:
        first += 1
    return shape[first:]


def _copy_to(dst: Tensor, src: Tensor) -> None:
    """What setitem writes with: copy_ of the same shape, fill_ of a 0-dim value, else copy_
    of the value viewed without leading 1s and expanded to the region."""
    if dst._data.shape == src._data.shape:
        copy_(dst, src)
    elif src._data.ndim == 0:
        _fill_with_tensor(dst, src)
    else:
        from engine.ops.shape import expand
        view = src.view(_without_leading_ones(src._data.shape))
        if view._data.shape != dst._data.shape:
            view = expand(view, dst._data.shape)
        copy_(dst, view)


def _bump_event(tensor: Tensor, op: str) -> None:
    """The one place TensorModified is emitted (the caller has checked trace.active)."""
    node = tensor._grad_fn
    trace.emit(trace.TensorModified(trace.tensor_id(tensor), op, tensor._vc[0],
                                    None if node is None else node._id,
                                    trace.summarize(tensor), tensor._requires_grad,
                                    user_location(),
                                    None if tensor._base is None else trace.tensor_id(tensor._base),
                                    storage=trace.storage_of(tensor._data)[0]))


def _rebase_strided(view: Tensor, base: Tensor) -> None:
    """The view reads its part of the base as the base is now (AsStridedBackward0)."""
    strided = AsStridedBackward0()
    strided._next = (edge(base),)
    strided._in_shapes = (base._data.shape,)
    strided._out_meta = ((view._data.shape, view._data.dtype),)
    strided._attrs = {"_region": region_in_base(view, base), "_size": base._data.shape,
                      "_broadcast": tuple(d for d, (step, count) in enumerate(
                          zip(view._data.strides, view._data.shape)) if step == 0 and count > 1)}
    _attach(view, strided)


def _index_put_rule(n, g):
    check_saved_indices(n)
    key, accumulate = n._attrs["_key"], n._attrs["accumulate"]
    grad_self = None
    if n.needs(0):
        grad_self = g if accumulate else _zeroed(g, key, n._in_shapes[1])
    grad_values = reduce_to(g[key], n._in_shapes[1]) if n.needs(1) else None
    return grad_self, grad_values


def _zeroed(g, key, values_shape: tuple):
    """grad.index_put(indices, zeros_like(values)): out of place, one IndexPutBackward0
    under create_graph."""
    if isinstance(g, Tensor):
        return index_put(g, key, Tensor._make(np.zeros(values_shape, dtype=g._data.dtype)))
    out = g.copy()
    out[key] = 0
    return out


IndexPutBackward0 = node_class("IndexPutBackward0", _index_put_rule)
IndexPutImplBackward0 = node_class("IndexPutImplBackward0", _index_put_rule)


def _dims(shape: tuple) -> str:
    return ", ".join(map(str, shape))


def index_put(input: Tensor, key: tuple, values: Tensor) -> Tensor:
    """input with `values` written at the NumPy key `key` (out of place)."""
    for index in key:
        if isinstance(index, np.ndarray) and index.dtype.kind not in "biu":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    arrays = [k for k in key if isinstance(k, np.ndarray)]
    # One boolean mask and one value: PyTorch masked-fills, which casts the value.
    masked_fill = len(arrays) == 1 and arrays[0].dtype == bool and values._data.size == 1
    if values._data.dtype != input._data.dtype and not masked_fill:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{_TYPE_NAMES.get(input._data.dtype.name)} for the destination and "
                           f"{_TYPE_NAMES.get(values._data.dtype.name)} for the source.")
    out = input._data.copy()
    try:
        out[key] = values._data
    except IndexError as error:
        raise torch_index_error(error) from None
    except ValueError:
        region = input._data[key].shape
        raise RuntimeError(f"shape mismatch: value tensor of shape [{_dims(values._data.shape)}] "
                           f"cannot be broadcast to indexing result of shape "
                           f"[{_dims(region)}]") from None
    indices = tuple(Tensor._make(np.asarray(k)) for k in key if isinstance(k, np.ndarray))
    return record(IndexPutBackward0, out, (input, values), saved_index_tensors(indices), attrs={
        "_key": key, "accumulate": False, "indices": indices})
