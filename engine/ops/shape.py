"""Shape ops: views (sharing data and the version counter with their base), cat / stack,
clone. Indexing is in engine/ops/indexing.py."""
from __future__ import annotations

import numpy as np

from engine.autograd import grad_mode as _gm
from engine.autograd.node import node_class
from engine.ops import _layout, _poly as P
from engine.ops._core import (as_saved, as_tensor, edges_before_kernel_errors, record,
                              reduce_to, wrap_dim)
from engine.tensor import CreationMeta, Tensor

def creation_meta(base: Tensor, multi_output: bool = False) -> int:
    """A new view's creation meta: what the mode makes it (a multi-output op's view made
    with grad enabled is MULTI_OUTPUT_NODE), propagated from its base's as
    propagate_creation_meta does (DEFAULT keeps the base's; inference mode's sticks)."""
    if _gm.state.inference:
        new = CreationMeta.INFERENCE_MODE
    elif not _gm.state.enabled:
        new = CreationMeta.NO_GRAD_MODE
    else:
        new = CreationMeta.MULTI_OUTPUT_NODE if multi_output else CreationMeta.DEFAULT
    previous = base._creation_meta
    keeps = new == CreationMeta.DEFAULT or previous == CreationMeta.INFERENCE_MODE
    return previous if keeps else new


def as_view(out: Tensor, base: Tensor) -> Tensor:
    """Mark `out` as a view of `base`: in-place edits of either bump one version counter."""
    data, base_data = out._data, base._data
    owner = data.base
    # NumPy points a view at the array that owns the memory: when that is base's array (or
    # its owner), the memory is shared without asking np.shares_memory, which is slower.
    # An empty view shares no memory, but is a view all the same.
    if (owner is not None and (owner is base_data or owner is base_data.base)) \
            or np.shares_memory(data, base_data) \
            or (data.size == 0 and owner is not None and _owner(data) is _owner(base_data)):
        out._vc = base._vc
        out._base = base if base._base is None else base._base
        out._view_version = base._vc[0]
        out._creation_meta = creation_meta(base)
        if base._multi_output_view and (_gm.state.enabled or _gm.state.inference):
            # (under no_grad the view's creation meta is NO_GRAD_MODE, which replaces
            # its base's MULTI_OUTPUT_NODE, as torch's propagate_creation_meta does)
            out._multi_output_view = True
        if base._no_grad_alias or not (_gm.state.enabled or _gm.state.inference):
            out._no_grad_alias = True
        if base._no_grad_view:
            out._no_grad_view = True    # a view of such a view is one too
            if base._requires_grad:
                out._requires_grad = True
        elif base._requires_grad and not out._requires_grad and not _gm.state.enabled \
                and not _gm.state.inference:
            # PyTorch tracks a view made under no_grad: it requires grad (as a leaf), and an
            # in-place op on it with grad enabled is refused.
            out._requires_grad = True
            out._no_grad_view = True
    return out


def _owner(data) -> object:
    """The object at the end of an array's chain of bases (as_strided and broadcast_to put a
    non-array between a view and its owner)."""
    while getattr(data, "base", None) is not None:
        data = data.base
    return data


def _sizes(args) -> tuple:
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(args[0])
    return tuple(args)


def _infer_shape(shape: tuple, numel: int) -> tuple:
    shape = tuple(int(s) for s in shape)
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            known *= s
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '[{', '.join(map(str, shape))}]' is invalid for input of "
                               f"size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"shape '[{', '.join(map(str, shape))}]' is invalid for input of "
                           f"size {numel}")
    return shape


# ---------------------------------------------------------------- view / reshape

def _view_rule(n, g):
    if isinstance(g, Tensor):   # ATen's grad.reshape(self.sym_sizes()): a view, an alias or a copy
        return (reshape(g, n._attrs["self_sym_sizes"]),)
    return (P.reshape(g, n._attrs["self_sym_sizes"]),)


ViewBackward0 = node_class("ViewBackward0", _view_rule)
UnsafeViewBackward0 = node_class("UnsafeViewBackward0", _view_rule)
ReshapeAliasBackward0 = node_class("ReshapeAliasBackward0", _view_rule)
CloneBackward0 = node_class("CloneBackward0", lambda n, g: (g,))
AliasBackward0 = node_class("AliasBackward0", lambda n, g: (g,))


def alias(input):
    """A view of all of `input` (what x[...] or x[:, :] returns: a new tensor, not x)."""
    return as_view(record(AliasBackward0, input._data.view(), (input,)), input)


def _reshaped_view(data: np.ndarray, shape: tuple):
    """A view of `data` with `shape`, or None when that needs a copy; its size-1 dims get
    the strides torch's view gives them (NumPy's are arbitrary there, and a stride decides
    torch's paths, e.g. attention's flash kernel)."""
    view = data.view()
    try:
        view.shape = shape
    except AttributeError:
        return None
    if 1 in shape and data.size:
        strides = _torch_view_strides(data.shape, data.strides, shape, data.itemsize)
        if strides is not None and strides != view.strides:
            view = np.lib.stride_tricks.as_strided(view, shape, strides,
                                                   writeable=data.flags.writeable)
    return view


def _torch_view_strides(old_shape: tuple, old_strides: tuple, shape: tuple, itemsize: int):
    """ATen's computeStride: the strides of a view of a non-empty tensor (bytes here)."""
    if not old_shape:
        return (itemsize,) * len(shape)
    strides = [0] * len(shape)
    view_d = len(shape) - 1
    base = old_strides[-1]
    tensor_numel = view_numel = 1
    for tensor_d in range(len(old_shape) - 1, -1, -1):
        tensor_numel *= old_shape[tensor_d]
        if tensor_d == 0 or (old_shape[tensor_d - 1] != 1 and
                             old_strides[tensor_d - 1] != tensor_numel * base):
            while view_d >= 0 and (view_numel < tensor_numel or shape[view_d] == 1):
                strides[view_d] = view_numel * base
                view_numel *= shape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return None
            if tensor_d > 0:
                base, tensor_numel, view_numel = old_strides[tensor_d - 1], 1, 1
    return tuple(strides) if view_d == -1 else None


@edges_before_kernel_errors
def view(input, *shape):
    if len(shape) == 1 and not isinstance(shape[0], (tuple, list, int)):
        return input.to(shape[0])
    shape = _infer_shape(_sizes(shape), input._data.size)
    data = _reshaped_view(input._data, shape)
    if data is None:
        raise RuntimeError("view size is not compatible with input tensor's size and stride (at "
                           "least one dimension spans across two contiguous subspaces). Use "
                           ".reshape(...) instead.")
    out = record(ViewBackward0, data, (input,), attrs={"self_sym_sizes": input._data.shape})
    return as_view(out, input)


def reshape(input, *shape):
    """A view when the layout allows one (ViewBackward0 of a contiguous input,
    ReshapeAliasBackward0 of another), else a copy (CloneBackward0 + UnsafeViewBackward0)."""
    shape = _infer_shape(_sizes(shape), input._data.size)
    data = _reshaped_view(input._data, shape)
    if data is not None:
        node_cls = ViewBackward0 if input._data.flags.c_contiguous else ReshapeAliasBackward0
        out = record(node_cls, data, (input,), attrs={"self_sym_sizes": input._data.shape})
        return as_view(out, input)
    copied = clone_contiguous(input)
    return record(UnsafeViewBackward0, copied._data.reshape(shape), (copied,),
                  attrs={"self_sym_sizes": copied._data.shape})


def flatten(input, start_dim=0, end_dim=-1):
    ndim = input._data.ndim
    if ndim == 0:
        return reshape(input, 1)
    start, end = wrap_dim(start_dim, ndim), wrap_dim(end_dim, ndim)
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if start == end:
        return input
    shape = input._data.shape
    middle = 1
    for s in shape[start:end + 1]:
        middle *= s
    return reshape(input, shape[:start] + (middle,) + shape[end + 1:])


def clone(input, *, memory_format=None):
    """A copy in the input's layout (ATen's preserve_format): a transposed tensor's clone is
    transposed too."""
    return record(CloneBackward0, _layout.preserved(input._data), (input,))


def clone_contiguous(input):
    """clone(memory_format=torch.contiguous_format): a row-major copy, always."""
    return record(CloneBackward0, np.array(input._data, order="C", copy=True), (input,))


def contiguous(input, memory_format=None):
    return input if input._data.flags.c_contiguous else clone_contiguous(input)


# ---------------------------------------------------------------- transposes

def _t_rule(n, g):
    if isinstance(g, Tensor):       # ATen's grad.t()
        return (t(g),)
    return (P.mT(g) if g.ndim == 2 else g,)


TBackward0 = node_class("TBackward0", _t_rule)


def _transpose_rule(n, g):
    d0, d1 = n._attrs["_dims"]
    if not hasattr(g, "_data"):
        return (g.swapaxes(d0, d1) if g.ndim else g,)
    return (transpose(g, d0, d1),)      # a TransposeBackward0 under create_graph, 0-dim too


def _permute_rule(n, g):
    inverse = tuple(np.argsort(n._attrs["_dims"]))
    return (g.transpose(inverse) if not hasattr(g, "_data") else permute(g, inverse),)


TransposeBackward0 = node_class("TransposeBackward0", _transpose_rule)
PermuteBackward0 = node_class("PermuteBackward0", _permute_rule)


def t(input):
    if input._data.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                           f"{input._data.ndim}D")
    return as_view(record(TBackward0, input._data.T, (input,)), input)


def transpose(input, dim0, dim1):
    ndim = input._data.ndim
    d0, d1 = wrap_dim(dim0, ndim), wrap_dim(dim1, ndim)
    data = input._data.swapaxes(d0, d1) if ndim else input._data.view()
    out = record(TransposeBackward0, data, (input,),
                 attrs={"dim0": as_saved(dim0), "dim1": as_saved(dim1), "_dims": (d0, d1)})
    return as_view(out, input)


def permute(input, *dims):
    dims = _sizes(dims)
    ndim = input._data.ndim
    if len(dims) != ndim:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does "
                           f"not match the length of the desired ordering of dimensions i.e. "
                           f"input.dim() = {ndim} is not equal to len(dims) = {len(dims)}")
    wrapped = tuple(wrap_dim(d, ndim) for d in dims)
    out = record(PermuteBackward0, input._data.transpose(wrapped), (input,),
                 attrs={"dims": tuple(as_saved(d) for d in dims), "_dims": wrapped})
    return as_view(out, input)


def T(input):
    return permute(input, tuple(reversed(range(input._data.ndim))))


def mT(input):
    return transpose(input, -2, -1)


# ---------------------------------------------------------------- (un)squeeze, expand

def _given_dim(n) -> int:
    """The dim as the op was called with it (-2, not 2): ATen's backward squeezes at it, and
    the SqueezeBackward1 that records saves it."""
    dim = n._attrs["dim"]
    return dim - 2**64 if dim >= 2**63 else dim


UnsqueezeBackward0 = node_class("UnsqueezeBackward0", lambda n, g: (
    squeeze(g, _given_dim(n)) if isinstance(g, Tensor) else P.reshape(g, n._in_shapes[0]),))


def unsqueeze_to(g, sizes: tuple, dims=None):
    """ATen's unsqueeze_to: g unsqueezed at each dim (of `dims`, or any) where `sizes` has a
    1 -- the gradient of a squeeze; a chain of UnsqueezeBackward0 under create_graph."""
    if not isinstance(g, Tensor):
        return P.reshape(g, sizes)
    for d, size in enumerate(sizes):
        if size == 1 and (dims is None or d in dims):
            g = unsqueeze(g, d)
    return g


SqueezeBackward0 = node_class("SqueezeBackward0", lambda n, g: (
    unsqueeze_to(g, n._attrs["self_sym_sizes"]),))
SqueezeBackward1 = node_class("SqueezeBackward1", lambda n, g: (
    unsqueeze_to(g, n._attrs["self_sym_sizes"], (n._attrs["_dim"],)),))


def _expand_rule(n, g):
    shape = n._attrs["self_sym_sizes"]
    if not shape and isinstance(g, Tensor):
        # ATen's sum_to to a 0-dim shape is a sum even of a 0-dim grad (SumBackward0)
        from engine.ops.reductions import sum as _sum
        return (_sum(g),)
    return (reduce_to(g, shape),)


ExpandBackward0 = node_class("ExpandBackward0", _expand_rule)


def unsqueeze(input, dim):
    d = wrap_dim(dim, input._data.ndim + 1)
    out = record(UnsqueezeBackward0, _unsqueezed(input._data, d), (input,),
                 attrs={"dim": as_saved(dim), "_dim": d})
    return as_view(out, input)


def _unsqueezed(data: np.ndarray, d: int) -> np.ndarray:
    """ATen's strides: the new dim's is size[d] * stride[d] (1 at the end), the others kept
    (NumPy's expand_dims may choose others for size-1 dims, which matmul's fold reads)."""
    shape, strides = list(data.shape), list(data.strides)
    new_stride = shape[d] * strides[d] if d < data.ndim else data.itemsize
    shape.insert(d, 1)
    strides.insert(d, new_stride)
    expanded = np.expand_dims(data, d)
    if expanded.strides == tuple(strides):
        return expanded
    return np.lib.stride_tricks.as_strided(data, tuple(shape), tuple(strides))


def squeeze(input, dim=None):
    shape = input._data.shape
    if dim is None:
        data = input._data.reshape(tuple(s for s in shape if s != 1))
        out = record(SqueezeBackward0, data, (input,), attrs={"self_sym_sizes": shape})
        return as_view(out, input)
    d = wrap_dim(dim, input._data.ndim) if input._data.ndim else 0
    data = np.squeeze(input._data, d) if input._data.ndim and shape[d] == 1 else input._data.view()
    out = record(SqueezeBackward1, data, (input,), attrs={"dim": as_saved(dim), "_dim": d,
                                                             "self_sym_sizes": shape})
    return as_view(out, input)


def expand(input, *sizes):
    sizes = _sizes(sizes)
    shape = input._data.shape
    lead = len(sizes) - len(shape)
    if lead < 0:
        raise RuntimeError(f"expand(torch.FloatTensor{{[{', '.join(map(str, shape))}]}}, "
                           f"size=[{', '.join(map(str, sizes))}]): the number of sizes provided "
                           f"({len(sizes)}) must be greater or equal to the number of dimensions "
                           f"in the tensor ({len(shape)})")
    target = tuple(shape[i - lead] if s == -1 else s for i, s in enumerate(sizes))
    try:
        data = _expanded(input._data, target)
    except ValueError:
        raise RuntimeError(f"The expanded size of the tensor ({target[-1]}) must match the "
                           f"existing size ({shape[-1]}) at non-singleton dimension "
                           f"{len(target) - 1}.  Target sizes: [{', '.join(map(str, sizes))}].  "
                           f"Tensor sizes: [{', '.join(map(str, shape))}]") from None
    out = record(ExpandBackward0, data, (input,), attrs={"self_sym_sizes": shape})
    return as_view(out, input)


def _expanded(data: np.ndarray, target: tuple) -> np.ndarray:
    """A view of `data` broadcast to `target`, writable when `data` is (PyTorch lets fill_
    write through an expanded tensor)."""
    view = np.broadcast_to(data, target)        # raises on sizes that do not match
    strides = _expanded_strides(data, target)
    if strides == view.strides and not data.flags.writeable:
        return view
    return np.lib.stride_tricks.as_strided(data, target, strides,
                                           writeable=data.flags.writeable)


def _expanded_strides(data: np.ndarray, target: tuple) -> tuple:
    """ATen's inferExpandGeometry: a dimension that keeps its size keeps its stride (a
    size-1 one too), a broadcast one gets 0, and a new leading one of size 1 the stride
    that would make it contiguous with the next (what `stride()` shows and matmul's fold
    check reads)."""
    lead = len(target) - data.ndim
    strides = [0] * len(target)
    for i in range(len(target) - 1, -1, -1):
        dim = i - lead
        if dim >= 0:
            size, stride = data.shape[dim], data.strides[dim]
        else:
            size = 1
            stride = target[i + 1] * strides[i + 1] if i + 1 < len(target) else 0
        strides[i] = stride if size == target[i] else 0
    return tuple(strides)


def expand_as(input, other):
    return expand(input, other._data.shape)


# ---------------------------------------------------------------- cat, stack

def _cat_rule(n, g):
    d = n._attrs["_dim"]
    sizes = [0 if s == (0,) else s[d] for s in n._in_shapes]
    bounds = np.cumsum([0] + sizes)
    # torch computes a TensorList's grads together: every input gets its slice when any needs
    # one (post hooks see them all).
    if not any(n.needs(i) for i in range(len(sizes))):
        return (None,) * len(sizes)
    return tuple(_empty_grad(g) if n._in_shapes[i] == (0,) else
                 _take(g, d, int(bounds[i]), int(bounds[i + 1])) for i in range(len(sizes)))


def _empty_grad(g):
    """A 1-D empty input's gradient: a new zeros({0}), outside any graph (ATen's
    cat_tensors_backward)."""
    data = np.zeros(0, dtype=(g._data if isinstance(g, Tensor) else g).dtype)
    return Tensor._make(data) if isinstance(g, Tensor) else data


def _take(g, d: int, start: int, stop: int):
    key = (slice(None),) * d + (slice(start, stop),)
    return g[key]


def _stack_rule(n, g):
    d = n._attrs["_dim"]
    count = len(n._in_shapes)
    if not any(n.needs(i) for i in range(count)):
        return (None,) * count
    return tuple(g[(slice(None),) * d + (i,)] for i in range(count))


CatBackward0 = node_class("CatBackward0", _cat_rule)
StackBackward0 = node_class("StackBackward0", _stack_rule)
# A list of tensors is one argument to ATen's formula: computed for all when one needs it.
CatBackward0._tensor_list_input = StackBackward0._tensor_list_input = True


def cat(tensors, dim=0):
    tensors = [as_tensor(t) for t in tensors]
    if not tensors:
        raise RuntimeError("torch.cat(): expected a non-empty list of Tensors")
    d = wrap_dim(dim, tensors[0]._data.ndim)
    from engine.ops._core import result_dtype, cast
    dtype = result_dtype(*tensors)
    _check_cat_sizes(tensors, d)
    data = _layout.contiguous(np.concatenate([cast(t._data, dtype) for t in tensors], axis=d))
    return record(CatBackward0, data, tuple(tensors), attrs={"dim": as_saved(dim), "_dim": d})


concat = concatenate = cat


def _check_cat_sizes(tensors: list, dim: int) -> None:
    first = tensors[0]._data.shape
    for number, t in enumerate(tensors[1:], start=1):
        shape = t._data.shape
        if len(shape) != len(first):
            raise RuntimeError(f"Tensors must have same number of dimensions: got {len(first)} "
                               f"and {len(shape)}")
        for axis, (want, got) in enumerate(zip(first, shape)):
            if axis != dim and want != got:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {dim}. "
                                   f"Expected size {want} but got size {got} for tensor number "
                                   f"{number} in the list.")


def stack(tensors, dim=0):
    tensors = [as_tensor(t) for t in tensors]
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shapes = {t._data.shape for t in tensors}
    if len(shapes) > 1:
        first = tensors[0]._data.shape
        # By position: list.index would compare tensors with their elementwise ==.
        index, bad = next((i, t._data.shape) for i, t in enumerate(tensors)
                          if t._data.shape != first)
        raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                           f"{list(first)} at entry 0 and {list(bad)} at entry {index}")
    d = wrap_dim(dim, tensors[0]._data.ndim + 1)
    data = _layout.contiguous(np.stack([t._data for t in tensors], axis=d))
    return record(StackBackward0, data, tuple(tensors), attrs={"dim": as_saved(dim), "_dim": d})


# ---------------------------------------------------------------- diagonal

def _diagonal_rule(n, g):
    """ATen's diagonal_backward: zeros with g on the diagonal; under create_graph, the output
    of a DiagonalBackwardBackward0 node, whose gradient is its gradient's diagonal."""
    a = n._attrs
    data = g._data if hasattr(g, "_data") else g
    out = np.zeros(a["self_sym_sizes"], dtype=data.dtype)
    diagonal_view(out, a["_offset"], a["_dim1"], a["_dim2"])[...] = data
    if not hasattr(g, "_data"):
        return (out,)
    return (record(DiagonalBackwardBackward0, out, (g,),
                   attrs={k: a[k] for k in ("offset", "dim1", "dim2", "_offset", "_dim1",
                                            "_dim2")}),)


def _diagonal_backward_backward_rule(n, g):
    a = n._attrs
    if hasattr(g, "_data"):
        return (diagonal(g, a["_offset"], a["_dim1"], a["_dim2"]),)
    return (diagonal_view(g, a["_offset"], a["_dim1"], a["_dim2"]).copy(),)


def diagonal_view(data: np.ndarray, offset: int, dim1: int, dim2: int) -> np.ndarray:
    """data's diagonal as a writable view, last (np.diagonal's view is read-only)."""
    moved = np.moveaxis(data, (dim1, dim2), (-2, -1))
    corner = moved[..., max(-offset, 0):, max(offset, 0):]
    length = max(0, min(corner.shape[-2], corner.shape[-1]))
    return np.lib.stride_tricks.as_strided(
        corner, shape=corner.shape[:-2] + (length,),
        strides=corner.strides[:-2] + (corner.strides[-2] + corner.strides[-1],))


DiagonalBackward0 = node_class("DiagonalBackward0", _diagonal_rule)
DiagonalBackwardBackward0 = node_class("DiagonalBackwardBackward0",
                                       _diagonal_backward_backward_rule)


def diagonal(input, offset: int = 0, dim1: int = 0, dim2: int = 1):
    ndim = input._data.ndim
    d1, d2 = wrap_dim(dim1, ndim), wrap_dim(dim2, ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    data = diagonal_view(input._data, offset, d1, d2)
    out = record(DiagonalBackward0, data, (input,),
                 attrs={"offset": offset, "dim1": dim1 % 2**64, "dim2": dim2 % 2**64,
                        "self_sym_sizes": input._data.shape, "_offset": offset, "_dim1": d1,
                        "_dim2": d2})
    return as_view(out, input)
