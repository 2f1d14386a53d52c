"""dtypes, shown as PyTorch shows them (`torch.float32`), and `Size`."""
from __future__ import annotations

import builtins

import numpy as np


class dtype:
    __slots__ = ("name", "np_dtype", "is_floating_point", "itemsize", "tensor_type")

    def __init__(self, name: str, np_dtype, is_floating_point: bool, tensor_type: str):
        self.name = name
        self.np_dtype = np.dtype(np_dtype)
        self.is_floating_point = is_floating_point
        self.itemsize = self.np_dtype.itemsize
        self.tensor_type = tensor_type          # "FloatTensor", used in error texts

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def __reduce__(self):
        return (from_name, (self.name,))


float32 = dtype("float32", np.float32, True, "FloatTensor")
float64 = dtype("float64", np.float64, True, "DoubleTensor")
float16 = dtype("float16", np.float16, True, "HalfTensor")
int64 = dtype("int64", np.int64, False, "LongTensor")
int32 = dtype("int32", np.int32, False, "IntTensor")
int16 = dtype("int16", np.int16, False, "ShortTensor")
int8 = dtype("int8", np.int8, False, "CharTensor")
uint8 = dtype("uint8", np.uint8, False, "ByteTensor")
bool_ = dtype("bool", np.bool_, False, "BoolTensor")

class _dtype_without_arrays(dtype):
    """A torch dtype the engine has no arrays of (torch.bfloat16): scripts can name it and
    compare with it (a table of dtypes by name, autocast(dtype=...) left disabled); making
    a tensor of it raises NotImplementedError saying so."""

    def __init__(self, name: str, itemsize: int, tensor_type: str) -> None:
        self.name = name
        self.is_floating_point = True
        self.itemsize = itemsize
        self.tensor_type = tensor_type

    @property
    def np_dtype(self):
        from engine._unsupported import NotSupportedError, SUPPORTED_DOC
        raise NotSupportedError(f"torch.{self.name} tensors are not supported by graphtui's "
                                f"engine (see {SUPPORTED_DOC} for what is)")

    def __reduce__(self):
        return (_without_arrays, (self.name,))


bfloat16 = _dtype_without_arrays("bfloat16", 2, "BFloat16Tensor")


def _without_arrays(name: str) -> dtype:
    return bfloat16


float = float32
double = float64
half = float16
long = int64
int = int32
short = int16

_BY_NP = {d.np_dtype: d for d in (float32, float64, float16, int64, int32, int16, int8, uint8, bool_)}
_BY_NAME = {d.name: d for d in _BY_NP.values()}

_default_float = float32


def from_numpy_dtype(np_dtype) -> dtype:
    try:
        return _BY_NP[np.dtype(np_dtype)]
    except KeyError:
        raise TypeError(f"can't convert np.ndarray of type numpy.{np.dtype(np_dtype).name}. "
                        "The only supported types are: float64, float32, float16, int64, "
                        "int32, int16, int8, uint8, and bool.") from None


def from_name(name: str) -> dtype:
    return _BY_NAME[name]


def to_numpy_dtype(d) -> np.dtype:
    if isinstance(d, dtype):
        return d.np_dtype
    if d is builtins.float:
        return _default_float.np_dtype
    if d is builtins.int:
        return int64.np_dtype
    if d is builtins.bool:
        return bool_.np_dtype
    return np.dtype(d)


def get_default_dtype() -> dtype:
    return _default_float


def set_default_dtype(d: dtype) -> None:
    global _default_float
    if not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _default_float = d


class Size(tuple):
    """A tensor's shape: a tuple that prints as `torch.Size([2, 3])`."""

    def __repr__(self) -> str:
        return f"torch.Size([{', '.join(str(s) for s in self)}])"

    __str__ = __repr__

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, item):
        result = tuple.__getitem__(self, item)
        return Size(result) if isinstance(item, slice) else result

    # Concatenating a shape with a tuple (either side) gives a Size, as torch.Size does.
    def __add__(self, other):
        if not isinstance(other, tuple):
            raise TypeError(f"can only concatenate tuple (not {type(other).__name__}) "
                            "to torch.Size")
        return Size(tuple.__add__(self, other))

    def __radd__(self, other):
        return Size(tuple.__add__(tuple(other), self))
