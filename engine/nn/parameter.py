"""Parameter: a leaf Tensor that a Module registers as one of its parameters."""
from __future__ import annotations

import numpy as np

from engine.tensor import Tensor, _announce


class Parameter(Tensor):
    """A Tensor that is a module parameter; shares the data of the tensor it wraps."""

    def __init__(self, data=None, requires_grad: bool = True) -> None:
        if data is None:
            array = np.empty((0,), dtype=np.float32)
        else:
            array = data._data if isinstance(data, Tensor) else np.asarray(data)
        self._init(array, bool(requires_grad))
        _announce(self)

    def __repr__(self, *, tensor_contents=None) -> str:
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__

    def __reduce_ex__(self, protocol):
        return (Parameter, (Tensor._make(self._data), self._requires_grad))


class Buffer(Tensor):
    """Marks a tensor as a buffer when assigned to a Module attribute (torch.nn.Buffer)."""

    def __init__(self, data=None, *, persistent: bool = True) -> None:
        array = np.empty((0,), np.float32) if data is None else (
            data._data if isinstance(data, Tensor) else np.asarray(data))
        self._init(array)
        self.persistent = persistent


# ---------------------------------------------------------------- lazy modules' placeholders

class UninitializedTensorMixin:
    """A parameter or buffer whose shape a lazy module infers on its first call: it holds no
    data until `materialize(shape)` turns it into its `cls_to_become`."""

    cls_to_become: type = Tensor
    _allowed_methods = frozenset({
        "size", "copy_", "is_complex", "is_floating_point", "half", "float", "double", "char",
        "short", "int", "long", "cuda", "cpu", "to", "get_device", "materialize",
        "share_memory_"})

    def __getattribute__(self, name: str):
        """Tensor methods refuse a placeholder, as torch's __torch_function__ guard does;
        properties (dtype, requires_grad, ...) and the methods torch allows pass."""
        value = object.__getattribute__(self, name)
        if name[0] == "_" or name in UninitializedTensorMixin._allowed_methods:
            return value
        if callable(value) and callable(getattr(Tensor, name, None)):
            return _refusing(type(self).__name__, name)
        return value

    def materialize(self, shape, device=None, dtype=None) -> None:
        array_dtype = self._data.dtype if dtype is None else dtype.np_dtype
        self._data = np.empty(tuple(shape), array_dtype)
        self.__class__ = self.cls_to_become

    @property
    def shape(self):
        raise RuntimeError(
            "Can't access the shape of an uninitialized parameter or buffer. This error "
            "usually happens in `load_state_dict` when trying to load an uninitialized "
            "parameter into an initialized one. Call `forward` to initialize the parameters "
            "before accessing their attributes.")

    def share_memory_(self):
        raise RuntimeError(
            "Can't share memory on an uninitialized parameter or buffer. Call `forward` to "
            "initialize the parameters before calling `module.share_memory()`.")

    def __repr__(self) -> str:
        return f"<{self.__class__.__name__}>"

    __str__ = __repr__

    def __reduce_ex__(self, proto):
        return (self.__class__, (self._requires_grad,))

    def __deepcopy__(self, memo):
        if id(self) not in memo:
            memo[id(self)] = type(self)(self._requires_grad, dtype=_dtype_of(self._data))
        return memo[id(self)]


def _refusing(kind: str, method: str):
    def refuse(*args, **kwargs):
        raise ValueError(
            f"Attempted to use an uninitialized parameter in <method '{method}' of "
            "'torch._C.TensorBase' objects>. This error happens when you are using a "
            "`LazyModule` or explicitly manipulating `torch.nn.parameter."
            f"{kind}` objects. When using LazyModules Call `forward` with a dummy batch to "
            "initialize the parameters before calling torch functions")
    return refuse


def _operator(method: str):
    def refuse(self, *args):
        _refusing(type(self).__name__, method)()
    return refuse


for _dunder, _method in (("__add__", "add"), ("__sub__", "sub"), ("__mul__", "mul"),
                         ("__truediv__", "div"), ("__matmul__", "matmul"), ("__neg__", "neg"),
                         ("__pow__", "pow")):
    setattr(UninitializedTensorMixin, _dunder, _operator(_method))


def _dtype_of(array: np.ndarray):
    from engine.dtypes import from_numpy_dtype
    return from_numpy_dtype(array.dtype)


def _empty_placeholder(dtype) -> np.ndarray:
    from engine.dtypes import get_default_dtype
    return np.empty((0,), (dtype or get_default_dtype()).np_dtype)


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    cls_to_become = Parameter

    def __init__(self, requires_grad: bool = True, device=None, dtype=None) -> None:
        self._init(_empty_placeholder(dtype), bool(requires_grad))
        _announce(self)


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    cls_to_become = Tensor

    def __init__(self, requires_grad: bool = False, device=None, dtype=None,
                 persistent: bool = True) -> None:
        self._init(_empty_placeholder(dtype), bool(requires_grad))
        self.persistent = persistent


def is_lazy(param) -> bool:
    return isinstance(param, UninitializedTensorMixin)
