"""Tensor metadata and creation methods (new_full, new_tensor, new_empty_strided, nbytes,
data_ptr, storage_offset, is_signed, is_nonzero, ...), the byte/char/short conversions,
positive, and the strided views as_strided and unfold, with sum_to_size (issue #11)."""
from __future__ import annotations

import warnings

import numpy as np

from engine import dtypes as _dt
from engine import trace
from engine.autograd.node import node_class
from engine.ops import elementwise as E
from engine.ops._core import as_saved, needs_grad, record, reduce_to, wrap_dim
from engine.ops.inplace import AsStridedBackward0
from engine.ops.shape import as_view
from engine.tensor import Tensor

_COPY_WARNING = ("To copy construct from a tensor, it is recommended to use "
                 "sourceTensor.detach().clone() or sourceTensor.detach().clone()"
                 ".requires_grad_(True), rather than tensor.new_tensor(sourceTensor).")


# ---------------------------------------------------------------- creation

def _sizes(size) -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list, _dt.Size)):
        size = size[0]
    return tuple(int(s) for s in size)


def _new(self, array: np.ndarray, requires_grad: bool, device) -> Tensor:
    from engine._device import check_device
    from engine.creation import _make
    check_device(device)
    return _make(array, requires_grad)


def _dtype_or_own(self, dtype) -> np.dtype:
    return self._data.dtype if dtype is None else _dt.to_numpy_dtype(dtype)


def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False,
             layout=None, pin_memory=False):
    array = np.full(_sizes((size,)), fill_value, dtype=_dtype_or_own(self, dtype))
    return _new(self, array, requires_grad, device)


def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False, layout=None,
               pin_memory=False):
    if isinstance(data, Tensor):
        warnings.warn(_COPY_WARNING, UserWarning, stacklevel=2)
        data = data._data
    array = np.array(data, dtype=_dtype_or_own(self, dtype))
    return _new(self, array, requires_grad, device)


def new_empty_strided(self, size, stride, *, dtype=None, device=None, requires_grad=False,
                      layout=None, pin_memory=False):
    size, stride = _sizes((size,)), _sizes((stride,))
    np_dtype = _dtype_or_own(self, dtype)
    storage = np.zeros(_storage_size(size, stride), dtype=np_dtype)
    array = np.lib.stride_tricks.as_strided(
        storage, size, tuple(s * np_dtype.itemsize for s in stride))
    return _new(self, array, requires_grad, device)


def _storage_size(size: tuple, stride: tuple, offset: int = 0) -> int:
    """Elements a storage needs to hold a tensor of this geometry (ATen's formula)."""
    if 0 in size:
        return offset
    return offset + 1 + sum((n - 1) * s for n, s in zip(size, stride))


# ---------------------------------------------------------------- metadata

def _storage_offset(self) -> int:
    return trace.storage_of(self._data)[2] // self._data.itemsize


def _data_ptr(self) -> int:
    return 0 if self._data.size == 0 else self._data.__array_interface__["data"][0]


def _is_signed(self) -> bool:
    return self._data.dtype.kind in "if"


def _is_nonzero(self) -> bool:
    count = self._data.size
    if count == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if count > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(self._data.reshape(-1)[0] != 0)


def positive(input):
    if input._data.dtype == np.bool_:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


# ---------------------------------------------------------------- as_strided

def _owner_array(data: np.ndarray) -> np.ndarray:
    """The ndarray that owns `data`'s memory (the end of NumPy's base chain)."""
    owner = data
    while isinstance(owner.base, np.ndarray):
        owner = owner.base
    return owner


def _positions(data: np.ndarray, start: int) -> np.ndarray:
    """The storage position (in elements) of each element of `data`, whose first element
    sits at `start`."""
    steps = [s // data.itemsize for s in data.strides]
    positions = np.full(data.shape, start, dtype=np.int64)
    for axis, step in enumerate(steps):
        shape = [1] * data.ndim
        shape[axis] = data.shape[axis]
        positions = positions + (np.arange(data.shape[axis], dtype=np.int64) * step).reshape(shape)
    return positions


def _check_geometry(size: tuple, stride: tuple, offset: int, itemsize: int,
                    storage_elements: int) -> None:
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {offset}")
    for s in stride:
        if s < 0:
            raise RuntimeError("as_strided: Negative strides are not supported at the moment, "
                               f"got strides: {list(stride)}")
    needed = _storage_size(size, stride, offset)
    if needed > storage_elements:
        raise RuntimeError(
            f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {offset}, "
            f"and itemsize {itemsize} requiring a storage size of {needed * itemsize} are out "
            f"of bounds for storage of size {storage_elements * itemsize}")


def as_strided(input, size, stride, storage_offset=None):
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    data = input._data
    itemsize = data.itemsize
    own_offset = _storage_offset(input)
    offset = own_offset if storage_offset is None else int(storage_offset)
    owner = _owner_array(data)
    storage_elements = owner.nbytes // itemsize
    _check_geometry(size, stride, offset, itemsize, storage_elements)
    flat = np.lib.stride_tricks.as_strided(owner, (storage_elements,), (itemsize,)) \
        if owner.dtype == data.dtype else owner.view(data.dtype).reshape(-1)
    out = np.lib.stride_tricks.as_strided(flat[offset:], size,
                                          tuple(s * itemsize for s in stride))
    if not needs_grad(input):
        return as_view(record(AsStridedBackward0, out, (input,)), input)
    region = _region(data, own_offset, out, offset)
    broadcast = tuple(d for d, (s, n) in enumerate(zip(stride, size)) if s == 0 and n > 1)
    distinct = region[tuple(slice(0, 1) if d in broadcast else slice(None)
                            for d in range(region.ndim))]
    attrs = {"size": size, "stride": stride, "storage_offset": storage_offset,
             "_size": data.shape, "_region": region, "_broadcast": broadcast,
             "_overlaps": np.unique(distinct).size < distinct.size}
    return as_view(record(AsStridedBackward0, out, (input,), attrs=attrs), input)


def _region(data: np.ndarray, own_offset: int, out: np.ndarray, offset: int) -> np.ndarray:
    """For each element of `out`, the row-major index in `data` of the element it reads."""
    out_positions = _positions(out, offset)
    if data.size == 0 or out.size == 0:
        return np.zeros(out.shape, dtype=np.int64)
    in_positions = _positions(data, own_offset).reshape(-1)
    by_position = np.full(max(int(in_positions.max()), int(out_positions.max())) + 1, -1,
                          dtype=np.int64)
    by_position[in_positions[::-1]] = np.arange(data.size, dtype=np.int64)[::-1]
    region = by_position[out_positions]
    if (region < 0).any():
        raise NotImplementedError("as_strided reading memory outside its input is not "
                                  "supported by graphtui's engine")
    return region


# ---------------------------------------------------------------- unfold

def _unfold_data(data: np.ndarray, dim: int, size: int, step: int) -> np.ndarray:
    if data.ndim == 0:
        return np.lib.stride_tricks.as_strided(data, (size,), (0,)) if size else data
    count = (data.shape[dim] - size) // step + 1
    shape = data.shape[:dim] + (count,) + data.shape[dim + 1:] + (size,)
    strides = list(data.strides)
    strides[dim] = data.strides[dim] * step
    return np.lib.stride_tricks.as_strided(data, shape, tuple(strides) + (data.strides[dim],))


def _unfold_backward_data(g: np.ndarray, sizes: tuple, dim: int, size: int, step: int):
    out = np.zeros(sizes, dtype=g.dtype)
    windows = _unfold_data(out, dim, size, step) if out.ndim else out.reshape(1)
    count = windows.shape[dim] if out.ndim else 1
    for i in range(count):          # windows may overlap: add them one at a time
        index = (slice(None),) * dim + (i,)
        windows[index] += g[index] if out.ndim else g
    return out


def _unfold_rule(n, g):
    a = n._attrs
    if not isinstance(g, Tensor):
        return (_unfold_backward_data(g, a["self_sym_sizes"], a["_dim"], a["size"], a["step"]),)
    out = _unfold_backward_data(g._data, a["self_sym_sizes"], a["_dim"], a["size"], a["step"])
    return (record(UnfoldBackwardBackward0, out, (g,),
                   attrs={"dim": a["dimension"], "size": a["size"], "step": a["step"],
                          "_dim": a["_dim"]}),)


def _unfold_backward_backward_rule(n, g):
    a = n._attrs
    if isinstance(g, Tensor):
        return (unfold(g, a["_dim"], a["size"], a["step"]),)
    return (_unfold_data(g, a["_dim"], a["size"], a["step"]).copy(),)


UnfoldBackward0 = node_class("UnfoldBackward0", _unfold_rule)
UnfoldBackwardBackward0 = node_class("UnfoldBackwardBackward0", _unfold_backward_backward_rule)


def unfold(input, dimension: int, size: int, step: int):
    data = input._data
    dim = wrap_dim(dimension, max(data.ndim, 1))
    length = data.shape[dim] if data.ndim else 1
    if size > length:
        raise RuntimeError(f"maximum size for tensor at dimension {dim} is {length} but size "
                           f"is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    out = _unfold_data(data, dim, size, step)
    attrs = {"dimension": dimension % 2**64, "self_sym_sizes": data.shape, "size": size,
             "step": step, "_dim": dim}
    return as_view(record(UnfoldBackward0, out, (input,), attrs=attrs), input)


# ---------------------------------------------------------------- sum_to_size

def sum_to_size(self, *size):
    target = _sizes(size)
    shape = self._data.shape
    if not _expandable(target, shape):
        raise RuntimeError(f"size {{{list(target)}}} is not expandable to size "
                           f"{{{list(shape)}}}.")
    if target == shape:
        return self
    return reduce_to(self, target)


def _expandable(target: tuple, shape: tuple) -> bool:
    if len(target) > len(shape):
        return False
    return all(t == s or t == 1 for t, s in zip(reversed(target), reversed(shape)))


def _converter(np_type):
    return lambda self, memory_format=None: E.to_dtype(self, np.dtype(np_type))


METHODS = {
    "new_full": new_full, "new_tensor": new_tensor, "new_empty_strided": new_empty_strided,
    "storage_offset": _storage_offset, "data_ptr": _data_ptr,
    "is_complex": lambda self: False, "is_signed": _is_signed, "is_nonzero": _is_nonzero,
    "is_same_size": lambda self, other: self._data.shape == other._data.shape,
    "ndimension": lambda self: self._data.ndim, "positive": positive,
    "byte": _converter(np.uint8), "char": _converter(np.int8), "short": _converter(np.int16),
    "as_strided": as_strided, "unfold": unfold, "sum_to_size": sum_to_size,
}
PROPERTIES = {
    "nbytes": lambda self: self._data.size * self._data.itemsize,
    "itemsize": lambda self: self._data.itemsize,
    "is_cpu": lambda self: True,
}
FUNCTIONS = {
    "as_strided": as_strided, "positive": positive, "is_nonzero": _is_nonzero,
    "is_same_size": METHODS["is_same_size"], "is_complex": lambda input: False,
    "is_signed": _is_signed,
}


# ---------------------------------------------------------------- real tensors' complex API

def _matrices(name: str):
    def check(input):
        ndim = input._data.ndim
        if ndim < 2:
            raise RuntimeError(f"tensor.{name} is only supported on matrices or batches of "
                               f"matrices. Got {ndim}-D tensor.")
        from engine.ops.shape import transpose
        return transpose(input, -2, -1)
    return check


def _conjugate_transpose(input):
    ndim = input._data.ndim
    if ndim != 2:
        tail = ". For batches of matrices, consider using tensor.mH" if ndim > 2 else "."
        raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got "
                           f"{ndim}-D tensor{tail}")
    from engine.ops.shape import transpose
    return transpose(input, 0, 1)


def _imag(input):
    raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")


AngleBackward0 = node_class("AngleBackward0", lambda n, g: (
    Tensor._make(np.zeros(n._in_shapes[0], dtype=g._data.dtype)) if isinstance(g, Tensor)
    else np.zeros(n._in_shapes[0], dtype=g.dtype),))


def angle(input):
    data = input._data
    if data.dtype.kind not in "fc":
        from engine.dtypes import get_default_dtype
        values = np.where(data < 0, np.pi, 0).astype(get_default_dtype().np_dtype)
        return Tensor._make(values)
    values = np.where(data < 0, data.dtype.type(np.pi), data.dtype.type(0))
    values = np.where(np.isnan(data), data, values).astype(data.dtype)
    return record(AngleBackward0, values, (input,), {"self": input})


def argwhere(input):
    from engine.ops.composite import nonzero
    return nonzero(input)


def isreal(input):
    return Tensor._make(np.ones(input._data.shape, dtype=np.bool_))


def _narrow_copy_rule(n, g):
    """Zeros with g at the narrowed slice. Its slice is start:start + length with start as
    given: torch's backward of a negative start meets an empty slice and raises."""
    a = n._attrs
    d, start, length = a["_dim"], a["_start"], a["length"]
    key = (slice(None),) * d + (slice(start, start + length),)
    region = len(range(*slice(start, start + length).indices(a["self_sym_sizes"][d])))
    if region != length:
        raise RuntimeError(f"The size of tensor a ({region}) must match the size of tensor b "
                           f"({length}) at non-singleton dimension {d}")
    if isinstance(g, Tensor):
        zeros = Tensor._make(np.zeros(a["self_sym_sizes"], dtype=g._data.dtype))
        from engine.ops.structural import slice_scatter
        return (slice_scatter(zeros, g, d, start, start + length),)
    out = np.zeros(a["self_sym_sizes"], dtype=g.dtype)
    out[key] = g
    return (out,)


NarrowCopyBackward0 = node_class("NarrowCopyBackward0", _narrow_copy_rule)


def narrow_copy(input, dim: int, start: int, length: int):
    data = input._data
    d = wrap_dim(dim, data.ndim)
    size = data.shape[d]
    first = start + size if start < 0 else start
    if first + length > size:
        raise RuntimeError(f"start ({first}) + length ({length}) exceeds dimension size "
                           f"({size}).")
    key = (slice(None),) * d + (slice(first, first + length),)
    return record(NarrowCopyBackward0, data[key].copy(), (input,), attrs={
        "dim": as_saved(dim), "length": length, "self_sym_sizes": data.shape,
        "start": as_saved(start), "_dim": d, "_start": start})


# ---------------------------------------------------------------- storage, element by element

def _apply_(self, callable):
    if self.requires_grad:
        raise RuntimeError("Can't call apply_() on Variable that requires grad. Use "
                           "var.detach().apply_() instead.")
    values = [callable(v) for v in self._data.reshape(-1).tolist()]
    out = np.array(values, dtype=self._data.dtype).reshape(self._data.shape)
    from engine.ops.inplace import _write
    _write(self, out)       # torch's apply_ leaves the version counter as it was
    return self


def _map_(self, tensor, callable):
    if self.requires_grad:
        raise RuntimeError("Can't call map_() on Variable that requires grad. Use "
                           "var.detach().map_() instead.")
    other = np.broadcast_to(tensor._data, self._data.shape)
    values = [callable(a, b) for a, b in zip(self._data.reshape(-1).tolist(),
                                               other.reshape(-1).tolist())]
    out = np.array(values, dtype=self._data.dtype).reshape(self._data.shape)
    from engine.ops.inplace import _write
    _write(self, out)
    return self


def resize_(self, *sizes, memory_format=None):
    if self.requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    shape = _sizes(sizes)
    if any(s < 0 for s in shape):
        raise RuntimeError("numel: integer multiplication overflow")
    count = int(np.prod(shape))
    flat = self._data.reshape(-1)
    if count <= flat.size and self._data.flags.c_contiguous:
        self._data = flat[:count].reshape(shape)
    else:       # more memory: the old elements first (torch leaves the rest uninitialised)
        grown = np.zeros(count, dtype=self._data.dtype)
        grown[:min(count, flat.size)] = flat[:count]
        self._data = grown.reshape(shape)
    return self


class layout:
    """torch.layout: the engine's tensors are all torch.strided."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"torch.{self.name}"


strided = layout("strided")


def _legacy_new(self, *args, **kwargs):
    """The legacy constructor: new(*sizes), new(data), new(tensor), of self's dtype."""
    if "dtype" in kwargs:
        raise TypeError(f"new() received an invalid combination of arguments - got "
                        f"({', '.join(type(a).__name__ for a in args)}, dtype=torch.dtype), "
                        "but expected one of:\n * (*, torch.device device = None)\n      "
                        "didn't match because some of the keywords were incorrect: dtype\n * "
                        "(torch.Storage storage)\n * (Tensor other)\n * (tuple of ints size, "
                        "*, torch.device device = None)\n * (object data, *, torch.device "
                        "device = None)\n")
    if len(args) == 1 and isinstance(args[0], Tensor):
        return Tensor._make(args[0]._data)
    if args and all(isinstance(a, (int, np.integer)) for a in args) or \
            len(args) == 1 and isinstance(args[0], _dt.Size):
        return Tensor._make(np.zeros(_sizes(args), dtype=self._data.dtype))
    if not args:
        return Tensor._make(np.zeros((0,), dtype=self._data.dtype))
    return Tensor._make(np.array(args[0], dtype=self._data.dtype))


MORE_METHODS = {
    "adjoint": _matrices("adjoint()"), "conj": lambda self: self,
    "conj_physical": lambda self: self, "resolve_conj": lambda self: self,
    "resolve_neg": lambda self: self, "is_conj": lambda self: False,
    "is_neg": lambda self: False, "angle": angle, "argwhere": argwhere, "isreal": isreal,
    "narrow_copy": narrow_copy, "dim_order": lambda self, *, ambiguity_check=False: tuple(
        int(i) for i in np.argsort([-s for s in self._data.strides], kind="stable")),
    "is_pinned": lambda self, device=None: False, "is_shared": lambda self: False,
    "share_memory_": lambda self: self, "apply_": _apply_, "map_": _map_,
    "resize_": resize_,
    "resize_as_": lambda self, other, memory_format=None: resize_(self, other._data.shape),
    "new": _legacy_new,
    "hardshrink": lambda self, lambd=0.5: _nn("hardshrink")(self, lambd),
    "prelu": lambda self, weight: _nn("prelu")(self, weight),
}
MORE_PROPERTIES = {
    "mH": _matrices("mH"), "H": _conjugate_transpose, "real": lambda self: self,
    "imag": _imag, "layout": lambda self: strided,
    **{name: (lambda self: False) for name in (
        "is_sparse", "is_quantized", "is_meta", "is_nested", "is_mkldnn", "is_sparse_csr",
        "is_xla", "is_mps", "is_xpu", "is_ipu", "is_vulkan", "is_maia", "is_mtia")},
}
MORE_FUNCTIONS = {
    "adjoint": MORE_METHODS["adjoint"], "conj": lambda input: input,
    "conj_physical": lambda input: input, "resolve_conj": lambda input: input,
    "resolve_neg": lambda input: input, "is_conj": lambda input: False,
    "is_neg": lambda input: False, "real": lambda input: input, "imag": _imag,
    "angle": angle, "argwhere": argwhere, "isreal": isreal, "narrow_copy": narrow_copy,
    "layout": layout, "strided": strided,
}


def _nn(name: str):
    from engine.nn._ops import shrink_and_gate
    return getattr(shrink_and_gate, name)
