"""In-place ops: they bump the version counter (so a saved tensor edited later is caught)
and, when grad is recorded, move the tensor onto a new node as PyTorch does."""
from __future__ import annotations

import numpy as np

from engine import trace
from engine.autograd import grad_mode as _gm
from engine.autograd.node import expose_saved, node_class, short_op_name
from engine.ops import elementwise as E
from engine.ops._core import data_of, edge, needs_grad, record, reduce_to
from engine.ops.indexing import data_of_index, getitem, index_put_zeros
from engine.tensor import Tensor

LEAF_MESSAGE = "a leaf Variable that requires grad is being used in an in-place operation."
LEAF_VIEW_MESSAGE = ("a view of a leaf Variable that requires grad is being used in an "
                     "in-place operation.")

_TYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
               "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


_MULTI_VIEW_TAIL = ("This view is the output of a function that returns multiple views. Such "
                    "functions do not allow the output views to be modified inplace. You should "
                    "replace the inplace operation by an out-of-place one.")


def _check_multi_output_view(tensor: Tensor, what: str) -> None:
    if tensor._requires_grad and tensor._base is not None and tensor._multi_output_view:
        raise RuntimeError(f"Output {tensor._output_nr} of {short_op_name(tensor._grad_fn.name())}"
                           f" is a view and {what}. {_MULTI_VIEW_TAIL}")


def _check_multi_output_view_of(tensor: Tensor, key) -> None:
    if tensor._requires_grad and tensor._multi_output_view:
        _check_multi_output_view(getitem(tensor, key), "is being modified inplace")


def _check_leaf(tensor: Tensor, *, through_view: bool = False) -> None:
    if not _gm.state.enabled:
        return
    _check_multi_output_view(tensor, "is being modified inplace")
    base = tensor._base
    if base is not None and tensor._requires_grad and base._grad_fn is None and base._requires_grad:
        raise RuntimeError(LEAF_VIEW_MESSAGE)
    if tensor._grad_fn is None and tensor._requires_grad:
        raise RuntimeError(LEAF_VIEW_MESSAGE if through_view else LEAF_MESSAGE)


def _bump(tensor: Tensor, op: str) -> Tensor:
    tensor._vc[0] += 1
    if tensor._base is not None and not tensor._multi_output_view:
        tensor._view_version = tensor._vc[0]     # its graph was just rebased explicitly
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
    _before_write(tensor)
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


def _inplace(tensor: Tensor, op_name: str, out_of_place, *args, **kwargs) -> Tensor:
    _check_leaf(tensor)
    others = [a for a in args if isinstance(a, Tensor)]
    base = tensor._base
    if base is not None and needs_grad(tensor, *others):
        result = out_of_place(_snapshot(tensor), *args, **kwargs)
        _write(tensor, result._data)
        _rebase_view(tensor, base, result._grad_fn)
    elif needs_grad(tensor, *others):
        result = out_of_place(_snapshot(tensor), *args, **kwargs)
        _write(tensor, result._data)
        tensor._grad_fn, tensor._output_nr, tensor._requires_grad = result._grad_fn, 0, True
    else:
        with _gm.no_grad():
            result = out_of_place(tensor, *args, **kwargs)
        _write(tensor, result._data)
    return _bump(tensor, op_name)


# ---------------------------------------------------------------- views of a base

def region_in_base(view: Tensor, base: Tensor) -> np.ndarray:
    """For each element of `view`, its flat index in `base` (whose data is contiguous)."""
    base_data, view_data = base._data, view._data
    itemsize = base_data.itemsize
    offset = (view_data.__array_interface__["data"][0]
              - base_data.__array_interface__["data"][0]) // itemsize
    flat = np.arange(base_data.size, dtype=np.int64)
    step = flat.itemsize // itemsize
    return np.lib.stride_tricks.as_strided(
        flat[offset:], shape=view_data.shape,
        strides=tuple(s * step for s in view_data.strides), writeable=False).copy()


def _copy_slices_rule(n, g):
    """The base's gradient, with the edited region replaced by what the inner op sends back
    for the region's old values; the inner op's other gradients go to its other inputs."""
    region = n._attrs["_region"]
    if isinstance(g, Tensor):
        return _copy_slices_graph(n, g, region)
    result = g.copy()
    flat = result.reshape(-1)
    inner_grads = n._attrs["_inner"](g.reshape(-1)[region])
    flat[region] = 0 if inner_grads[0] is None else inner_grads[0]
    return (result,) + tuple(inner_grads[1:])


def _copy_slices_graph(n, g: Tensor, region: np.ndarray) -> tuple:
    """The same under create_graph, in engine ops (Index, Mul, IndexPut) so that the
    gradients keep a graph."""
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
AsStridedBackward0 = node_class("AsStridedBackward0", lambda n, g: (
    _scatter(g, n._attrs["_region"], n._attrs["_size"]),))


def _scatter(g, region: np.ndarray, size: tuple):
    if isinstance(g, Tensor):
        return index_put_zeros(g, (region,), (int(np.prod(size)),)).reshape(size)
    out = np.zeros(size, dtype=g.dtype)
    out.reshape(-1)[region] = g
    return out


def _rebase_view(view: Tensor, base: Tensor, inner) -> None:
    """An in-place op on a view of a base that needs grad: the base moves onto a CopySlices
    node wrapping the op's node, and the view reads its part of the base (AsStrided)."""
    region = region_in_base(view, base)
    node = CopySlices()
    node._next = (edge(base),) + inner._next[1:]
    node._in_shapes = (base._data.shape,) + inner._in_shapes[1:]
    node._out_meta = ((base._data.shape, base._data.dtype),)
    node._saved = inner._saved
    node._attrs = {"_region": region, "_inner": lambda g: inner._apply([g])}
    _attach(base, node)
    _rebase_strided(view, base)


def refresh_view(view: Tensor) -> None:
    """A view whose base was modified in place since the view was made: it now reads its
    part of the base through AsStridedBackward0 (as PyTorch regenerates it)."""
    _check_multi_output_view(view, "its base or another view of its base has been modified "
                                   "inplace")
    view._view_version = view._vc[0]
    if view._requires_grad:
        _rebase_strided(view, view._base)


def _attach(tensor: Tensor, node) -> None:
    tensor._grad_fn, tensor._output_nr, tensor._requires_grad = node, 0, True
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
    return _inplace(tensor, "masked_fill_", E.masked_fill_into, mask, value)


# ---------------------------------------------------------------- zero_, fill_, copy_

ZeroBackward0 = node_class("ZeroBackward0", lambda n, g: (g * 0,))
FillBackward2 = node_class("FillBackward2", lambda n, g: (g * 0,))
CopyBackwards = node_class("CopyBackwards", lambda n, g: (
    g * 0 if n.needs(0) else None,
    reduce_to(g, n._in_shapes[1]) if n.needs(1) else None))
CopyBackwards.name = lambda self: "torch::autograd::CopyBackwards"


def _overwrite(tensor: Tensor, op: str, node_cls, values, sources: tuple) -> Tensor:
    _check_leaf(tensor)
    if needs_grad(tensor, *sources):
        before = _snapshot(tensor)
        result = record(node_cls, tensor._data, (before,) + sources)
        if tensor._base is not None:
            _rebase_view(tensor, tensor._base, result._grad_fn)
        else:
            tensor._grad_fn, tensor._output_nr, tensor._requires_grad = result._grad_fn, 0, True
    _write(tensor, np.broadcast_to(np.asarray(values), tensor._data.shape))
    return _bump(tensor, op)


def zero_(tensor):
    return _overwrite(tensor, "zero_", ZeroBackward0, np.zeros((), tensor._data.dtype), ())


def fill_(tensor, value):
    if isinstance(value, Tensor):
        return copy_(tensor, value)
    return _overwrite(tensor, "fill_", FillBackward2, np.asarray(value), ())


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

def _array_key(key):
    if isinstance(key, tuple):
        return tuple(data_of_index(k) if isinstance(k, (Tensor, list)) else k for k in key)
    return data_of_index(key) if isinstance(key, (Tensor, list)) else key


def _is_advanced_key(key) -> bool:
    parts = key if isinstance(key, tuple) else (key,)
    return any(isinstance(p, np.ndarray) for p in parts)


def _value_for(region_shape: tuple, value):
    """A tensor value shaped like the region, as PyTorch views or expands it."""
    if not isinstance(value, Tensor) or value._data.shape == region_shape:
        return value
    if value._data.size == int(np.prod(region_shape)):
        return value.view(region_shape)
    return value.expand(region_shape)


def setitem(tensor, key, value) -> None:
    key = _array_key(key)
    if _gm.state.enabled and not _is_advanced_key(key):
        # PyTorch writes through the view the key makes (x[0] = v edits x.select(0, 0)), and
        # names that view's op when it refuses to edit an output of split / unbind.
        _check_multi_output_view_of(tensor, key)
    _check_leaf(tensor, through_view=True)
    source = value if isinstance(value, Tensor) else None
    base = tensor._base if tensor._base is not None and tensor._requires_grad else tensor
    if not needs_grad(tensor, source):
        _before_write(tensor)
        tensor._data[key] = data_of(value)
        _bump(tensor, "__setitem__")
        return
    if _is_advanced_key(key) and tensor._base is None:
        _index_put(tensor, key, value)
        return
    region = region_in_base(tensor, base) if base is not tensor else \
        np.arange(tensor._data.size).reshape(tensor._data.shape)
    selected = region[key]
    source = _value_for(selected.shape, source)
    value_shape = None if source is None else source._data.shape
    node = CopySlices()
    node._next = (edge(base), edge(source))
    node._in_shapes = (base._data.shape, value_shape)
    node._out_meta = ((base._data.shape, base._data.dtype),)
    node._attrs = {"_region": selected.reshape(-1),
                   "_inner": lambda g: (None, None if value_shape is None
                                        else reduce_to(g.reshape(value_shape), value_shape))}
    _before_write(tensor)
    tensor._data[key] = data_of(value) if source is None else source._data
    _attach(base, node)
    if base is not tensor:
        _rebase_strided(tensor, base)
    _bump(tensor, "__setitem__")


def _rebase_strided(view: Tensor, base: Tensor) -> None:
    """The view reads its part of the base as the base is now (AsStridedBackward0)."""
    strided = AsStridedBackward0()
    strided._next = (edge(base),)
    strided._in_shapes = (base._data.shape,)
    strided._out_meta = ((view._data.shape, view._data.dtype),)
    strided._attrs = {"_region": region_in_base(view, base), "_size": base._data.shape}
    _attach(view, strided)


def _index_put_rule(n, g):
    key, accumulate = n._attrs["_key"], n._attrs["accumulate"]
    grad_self = None
    if n.needs(0):
        grad_self = g if accumulate else _zeroed(g, key)
    grad_values = reduce_to(g[key], n._in_shapes[1]) if n.needs(1) else None
    return grad_self, grad_values


def _zeroed(g, key):
    out = g.copy() if not hasattr(g, "_data") else g.clone()
    out[key] = 0
    return out


IndexPutBackward0 = node_class("IndexPutBackward0", _index_put_rule)


def _index_put(tensor: Tensor, key, value) -> None:
    """y[mask] = v or y[[0, 2]] = v on a tensor that needs grad: PyTorch's index_put_."""
    source = value if isinstance(value, Tensor) else None
    node = IndexPutBackward0()
    node._next = (edge(tensor), edge(source))
    node._in_shapes = (tensor._data.shape, None if source is None else source._data.shape)
    node._out_meta = ((tensor._data.shape, tensor._data.dtype),)
    node._attrs = {"_key": key, "accumulate": False,
                   "indices": tuple(Tensor._make(np.asarray(k)) for k in
                                    (key if isinstance(key, tuple) else (key,))
                                    if isinstance(k, np.ndarray))}
    _before_write(tensor)
    tensor._data[key] = data_of(value)
    _attach(tensor, node)
    _bump(tensor, "__setitem__")
