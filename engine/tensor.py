"""Tensor: a NumPy array plus autograd state, with PyTorch's attributes and texts.

Arithmetic and the other ops are attached from `engine.ops` (one table of ops); this file
holds what is about the tensor itself: identity, grad, hooks, versions, conversion, repr.
"""
from __future__ import annotations


import numpy as np

from engine import dtypes as _dt
from engine._cpp_warning import cpp_warning, forget_warnings_given, warn_once
from engine import trace, warning_events
from engine.utils import hooks as _hooks

NON_LEAF_GRAD_WARNING = cpp_warning(
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
    "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. "
    "If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor "
    "instead. See github.com/pytorch/pytorch/pull/30531 for more information.",
    "build/aten/src/ATen/core/TensorBody.h:493")

# PyTorch's float() warns once per process (TORCH_WARN_ONCE), not once per calling line.
SCALAR_OF_GRAD_WARNING = cpp_warning(
    "Converting a tensor with requires_grad=True to a scalar may lead to unexpected behavior."
    "\nConsider using tensor.detach() first.",
    "torch/csrc/autograd/generated/python_variable_methods.cpp:822")
trace.on_reset_ids(forget_warnings_given)


def mark_custom_view(view: "Tensor", of: "Tensor") -> None:
    """``view`` is ``of`` returned as-is by a custom Function (see Tensor._custom_view_of)."""
    view._custom_view_of = memory_owner(of)
    view._custom_view_version = view._vc[0]


def memory_owner(tensor: "Tensor") -> "Tensor":
    """The tensor whose memory ``tensor`` is: its view base, the input a custom Function
    returned as-is, or itself."""
    if tensor._custom_view_of is not None:
        return tensor._custom_view_of
    return tensor if tensor._base is None else tensor._base


class CreationMeta:
    """PyTorch's CreationMeta values that decide a view's in-place error text."""
    DEFAULT, NO_GRAD_MODE, MULTI_OUTPUT_NODE, INFERENCE_MODE = 0, 1, 2, 3


class Tensor:
    __slots__ = ("_data", "_requires_grad", "_grad_fn", "_output_nr", "_grad", "_vc",
                 "_retains_grad", "_hooks", "_post_acc_hooks", "_acc", "_tid", "_base",
                 "_view_version", "_name", "__weakref__", "__dict__")

    _inference = False      # set on the instance for a tensor made in inference mode
    # Set on outputs of split / chunk / unbind and their views: PyTorch forbids editing such
    # views in place, as one node would have to be rebased for all of them.
    _multi_output_view = False
    _no_grad_view = False   # a view made under no_grad of a tensor that requires grad
    # Such a view requires grad through its base only, until requires_grad_(True) sets its
    # own flag (PyTorch's requires_grad_): then it is a leaf with its own accumulator.
    _own_requires_grad = False
    # A view made under no_grad of any tensor, or a view of one (PyTorch's creation meta
    # NO_GRAD_MODE): an in-place op on it that needs grad, with grad enabled, is refused.
    _no_grad_alias = False
    # PyTorch's CreationMeta of a view, as propagate_creation_meta keeps it through views of
    # views (engine.ops.shape.creation_meta): which advice its in-place error ends with.
    _creation_meta = 0
    # An input a custom Function (a full backward hook's BackwardHookFunction too) returned
    # as-is: PyTorch makes it a view of that input (creation meta IN_CUSTOM_FUNCTION) and
    # refuses in-place edits of it. Holds the tensor whose memory it is.
    _custom_view_of = None
    _custom_view_version = 0

    def __init__(self, *args, **kwargs) -> None:
        # `engine.Tensor(data)` as a constructor, like torch.Tensor([1, 2]) (always float).
        array = np.asarray(args[0] if len(args) == 1 else list(args),
                           dtype=_dt.get_default_dtype().np_dtype) if args else \
            np.empty((0,), dtype=_dt.get_default_dtype().np_dtype)
        self._init(array)

    def _init(self, array: np.ndarray, requires_grad: bool = False) -> None:
        self._data = array
        self._requires_grad = requires_grad
        self._grad_fn = None
        self._output_nr = 0
        self._grad = None
        self._vc = [0]
        self._retains_grad = False
        self._hooks = None
        self._post_acc_hooks = None
        self._acc = None
        self._tid = 0
        self._base = None
        self._view_version = 0
        self._name = None

    @classmethod
    def _make(cls, array: np.ndarray, requires_grad: bool = False) -> "Tensor":
        t = object.__new__(cls)
        t._init(array, requires_grad)
        return t

    @staticmethod
    def _dtype_of(array: np.ndarray) -> _dt.dtype:
        return _dt.from_numpy_dtype(array.dtype)

    # ------------------------------------------------------------ identity
    @property
    def dtype(self) -> _dt.dtype:
        return _dt.from_numpy_dtype(self._data.dtype)

    @property
    def shape(self) -> _dt.Size:
        return _dt.Size(self._data.shape)

    def size(self, dim: int | None = None):
        if dim is None:
            return _dt.Size(self._data.shape)
        if self._data.ndim == 0:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    def dim(self) -> int:
        return self._data.ndim

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return int(self._data.size)

    nelement = numel

    def element_size(self) -> int:
        return self._data.itemsize

    def stride(self, dim: int | None = None):
        data = self._data
        if data.size == 0 and not any(data.strides):
            strides = _empty_strides(data.shape)
        else:
            strides = tuple(s // data.itemsize for s in data.strides)
        return strides if dim is None else strides[_wrap_dim(dim, self._data.ndim)]

    def is_contiguous(self) -> bool:
        return bool(self._data.flags.c_contiguous)

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    @property
    def device(self):
        from engine._device import CPU
        return CPU

    @property
    def is_cuda(self) -> bool:
        return False

    def get_device(self) -> int:
        return -1

    def is_inference(self) -> bool:
        return self._inference

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def grad_fn(self):
        if self._custom_view_of is not None and self._custom_view_version != self._vc[0]:
            from engine.ops.inplace import check_custom_function_view
            check_custom_function_view(self, "its base or another view of its base has been "
                                             "modified inplace")
        if self._base is not None and self._view_version != self._vc[0]:
            from engine.ops.inplace import refresh_view
            refresh_view(self)
        return self._grad_fn

    @property
    def _version(self) -> int:
        return self._vc[0]

    @property
    def output_nr(self) -> int:
        return self._output_nr

    # ------------------------------------------------------------ requires_grad
    @property
    def requires_grad(self) -> bool:
        base = self._base
        if base is None:
            return self._requires_grad
        if self._no_grad_view and not self._own_requires_grad:
            # a view made with grad on from a no_grad view has a node of its own
            return self._grad_fn is not None or base._requires_grad
        return self._requires_grad or base._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        self._set_requires_grad(bool(value), "floating point and complex")

    def requires_grad_(self, *args, **kwargs) -> "Tensor":
        requires_grad = _requires_grad_argument(args, kwargs)
        self._set_requires_grad(requires_grad, "floating point")
        return self

    def _set_requires_grad(self, value: bool, kinds: str) -> None:
        if self._grad_fn is not None:
            if value:
                return
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a "
                "computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach().")
        if value and self._data.dtype.kind not in "fc":
            # PyTorch's setter and requires_grad_() word this differently.
            raise RuntimeError(f"only Tensors of {kinds} dtype can require gradients")
        self._requires_grad = value
        if self._no_grad_view:
            self._own_requires_grad = value
        if trace.active:
            trace.emit(trace.TensorModified(trace.tensor_id(self), "requires_grad_",
                                            self._vc[0], None, None, value))

    # ------------------------------------------------------------ grad
    @property
    def grad(self):
        if self._grad_fn is not None and not self._retains_grad:
            warning_events.warn(NON_LEAF_GRAD_WARNING, UserWarning, stacklevel=2,
                                tensor_id=trace.tensor_id(self) if trace.active else None)
        return self._grad

    @grad.setter
    def grad(self, value) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad "
                                f"of type {type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{_shape_text(value)}' to a "
                    f"tensor of size '{_shape_text(self)}'. Please ensure that the gradient "
                    "and the tensor are the same size")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{_c_type(value)}' to a tensor "
                    f"with grad_dtype '{self.dtype.tensor_type[:-len('Tensor')]}'. The "
                    "gradient must match the tensor's grad_dtype (defaults to the tensor's "
                    "dtype). You can set the tensor's grad_dtype attribute with a specific "
                    "dtype, or None to allow any dtype. Set grad_dtype with caution. Diverging "
                    "the dtypes of a tensor and its gradient may break downstream systems that "
                    "assume they match.")
        self._grad = value
        self._note_grad_change()

    @grad.deleter
    def grad(self) -> None:
        self._grad = None
        self._note_grad_change()

    def _zero_grad(self, set_to_none: bool = True) -> None:
        """What Module.zero_grad and Optimizer.zero_grad do to each parameter."""
        if self._grad is None:
            return
        if set_to_none:
            self._grad = None           # what the setter does for None, minus the property call
            self._note_grad_change()
            return
        if len(self._grad._vc) > 1:
            trace.settle(self._grad._vc)
        self._grad._data[...] = 0
        self._grad._vc[0] += 1
        self._note_grad_change()

    def _note_grad_change(self) -> None:
        """Tell a watcher .grad was set, cleared (zero_grad) or zeroed in place."""
        if trace.active:
            trace.emit(trace.GradAccumulated(trace.tensor_id(self),
                                             trace.summarize(self._grad), False))

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def retain_grad(self) -> None:
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        # PyTorch's C++ is_leaf reads the node held, without regenerating a view's
        if self._grad_fn is None or self._retains_grad:
            return
        node = self.grad_fn     # a view whose base changed regenerates (or refuses) it here
        if node._retain_grad_refs is None:
            node._retain_grad_refs = {}
        import weakref
        node._retain_grad_refs[self._output_nr] = weakref.ref(self)
        self._retains_grad = True
        if trace.active:
            trace.emit(trace.TensorModified(trace.tensor_id(self), "retain_grad", self._vc[0],
                                            node._id, None, True))

    # ------------------------------------------------------------ hooks
    def register_hook(self, hook) -> _hooks.RemovableHandle:
        """hook(grad) -> Tensor or None, called when this tensor's gradient is computed."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        target = f"tensor:{trace.tensor_id(self) if trace.active else 0}"
        if self.grad_fn is None:        # the property: a stale view regenerates (or raises)
            if self._hooks is None:
                self._hooks = {}
            return _hooks.register(self._hooks, hook, "tensor", target)
        node = self._grad_fn
        if node._tensor_pre_hooks is None:
            node._tensor_pre_hooks = {}
        per_output = node._tensor_pre_hooks.setdefault(self._output_nr, {})
        return _hooks.register(per_output, hook, "tensor", target)

    def register_post_accumulate_grad_hook(self, hook) -> _hooks.RemovableHandle:
        """hook(tensor) runs after the gradient is accumulated into this leaf's .grad."""
        if not self.requires_grad:      # a view counts its base's (torch's Python check)
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        if self._post_acc_hooks is None:
            self._post_acc_hooks = {}
        target = f"tensor:{trace.tensor_id(self) if trace.active else 0}"
        return _hooks.register(self._post_acc_hooks, hook, "post_accumulate_grad", target)

    # ------------------------------------------------------------ autograd entry
    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None) -> None:
        from engine.autograd import backward
        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self) -> "Tensor":
        # Shares the data and the version counter, but is no autograd view of self.
        out = Tensor._make(self._data)
        out._vc = self._vc
        return _announce(out, made="detach")

    def detach_(self) -> "Tensor":
        self._grad_fn = None
        self._requires_grad = False
        return self

    @property
    def data(self) -> "Tensor":
        if len(self._vc) > 1:           # an alias with a version of its own: settle first
            trace.settle(self._vc)
        return Tensor._make(self._data)     # its own version counter, no autograd base

    @data.setter
    def data(self, value: "Tensor") -> None:
        self._data = value._data

    # ------------------------------------------------------------ conversion
    def item(self):
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted "
                               "to Scalar")
        return self._data.reshape(()).item()

    def tolist(self):
        return self._data.tolist()

    def numpy(self, *, force: bool = False) -> np.ndarray:
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        if len(self._vc) > 1:           # NumPy may write to it without a version change
            trace.settle(self._vc)
        return self._data

    def __array__(self, dtype=None, copy=None):
        return self._data if dtype is None else self._data.astype(dtype)

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data.reshape(()).item())

    def __float__(self) -> float:
        from engine.autograd.grad_mode import is_grad_enabled
        if self._requires_grad and is_grad_enabled():      # PyTorch is silent under no_grad
            warn_once(SCALAR_OF_GRAD_WARNING)
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __getattr__(self, name: str):
        # Only reached when normal lookup fails: a torch method the engine lacks, or a typo.
        from engine._unsupported import missing
        raise missing("torch.Tensor", name, f"'{type(self).__name__}' object has no attribute")

    __hash__ = object.__hash__      # identity, as torch.Tensor hashes (__eq__ is elementwise)

    def __repr__(self, *, tensor_contents=None) -> str:
        suffixes = []
        if self.grad_fn is not None:
            name = self._grad_fn.name()
            suffixes.append(f"grad_fn=<{name.split('::')[-1]}>")
        elif self._requires_grad:
            suffixes.append("requires_grad=True")
        from engine._tensor_str import format_tensor
        return format_tensor(self._data, dtype_name=self._data.dtype.name, suffixes=suffixes)

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0:
            return self._data.item().__format__(spec)
        return object.__format__(self, spec)

    def __reduce_ex__(self, protocol):
        return (_rebuild, (self._data, self._requires_grad))

    def __deepcopy__(self, memo):
        if self._grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) "
                               "support the deepcopy protocol at the moment.  If you were "
                               "attempting to deepcopy a module, this may be because of a "
                               "torch.nn.utils.weight_norm usage, see "
                               "https://github.com/pytorch/pytorch/pull/103001")
        out = type(self)._make(self._data.copy(), self._requires_grad) if type(self) is Tensor \
            else self._deepcopy_subclass(memo)
        if self._grad is not None:
            out._grad = self._grad.__deepcopy__(memo)
        memo[id(self)] = out
        return out

    def _deepcopy_subclass(self, memo):
        out = object.__new__(type(self))
        out._init(self._data.copy(), self._requires_grad)
        out.__dict__.update(self.__dict__)
        return out


def _shape_text(tensor: "Tensor") -> str:
    return "[" + ", ".join(str(s) for s in tensor._data.shape) + "]"


_C_TYPES = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
            "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
            "bool": "bool"}


def _c_type(tensor: "Tensor") -> str:
    return _C_TYPES.get(tensor._data.dtype.name, tensor._data.dtype.name)


def _rebuild(array, requires_grad):
    return Tensor._make(array, requires_grad)


def _wrap_dim(dim: int, ndim: int) -> int:
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})")
    return dim % n


def _empty_strides(shape: tuple) -> tuple:
    """An empty tensor's strides as ATen gives a new one (each dim's stride the product of
    the sizes after it, a 0 counting as 1); NumPy 2 gives an empty array zeros."""
    strides, step = [], 1
    for size in reversed(shape):
        strides.append(step)
        step *= max(size, 1)
    return tuple(reversed(strides))


def _announce(tensor: Tensor, name: str | None = None, made: str | None = None,
              new: bool = False) -> Tensor:
    """Tell a watcher a tensor that matters was made (creation functions, op outputs).
    ``made`` says why it has no grad_fn though its inputs have one ("no_grad", "detach");
    only then is the user's line looked up (a stack walk). ``new``: see summarize_tensor."""
    if trace.active:
        node = tensor._grad_fn
        summary = trace.summarize_tensor(tensor, new)   # an op's big output: no copy, no scan
        trace.emit(trace.TensorCreated(
            trace.tensor_id(tensor), name, summary.shape, summary.dtype, tensor._requires_grad,
            node is None, None if node is None else node._id, summary, made,
            None if made is None else _user_location()))
    return tensor


def _user_location() -> str | None:
    from engine.ops._core import user_location
    return user_location()


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


def _requires_grad_argument(args: tuple, kwargs: dict) -> bool:
    """requires_grad_(requires_grad=True)'s argument, a bool as torch's parser demands."""
    from engine.creation import _check_bool
    if args:
        _check_bool("requires_grad_", args[0], position=" (position 1)")
        return args[0]
    value = kwargs.get("requires_grad", True)
    _check_bool("requires_grad_", value)
    return value
