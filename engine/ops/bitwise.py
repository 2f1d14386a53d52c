"""The bitwise ops of integer and bool tensors: bitwise_and/or/xor/not, the shifts, their
in-place forms and the operators & | ^ ~ << >> (issue #11). A shift by a negative count or
by the type's width or more gives what ATen gives: 0, or -1 for a negative number shifted
right."""
from __future__ import annotations

import numpy as np

from engine.ops import elementwise as E
from engine.ops import inplace as I
from engine.ops._core import as_tensor, cast, data_of, result_dtype
from engine.tensor import Tensor


def _type_name(dtype: np.dtype) -> str:
    from engine.dtypes import _BY_NP
    return _BY_NP[np.dtype(dtype)].tensor_type[:-len("Tensor")]


def _check_integral(dtype: np.dtype, kernel: str) -> None:
    if dtype.kind not in "iub":
        raise NotImplementedError(f'"{kernel}_cpu" not implemented for '
                                  f"'{_type_name(dtype)}'")


def _left(a, b):
    bits = a.dtype.itemsize * 8
    with np.errstate(all="ignore"):
        shifted = np.left_shift(a, np.clip(b, 0, bits - 1).astype(a.dtype))
    return np.where((b < 0) | (b >= bits), a.dtype.type(0), shifted).astype(a.dtype)


def _right(a, b):
    bits = a.dtype.itemsize * 8
    outside = (b < 0) | (b >= bits)
    with np.errstate(all="ignore"):
        if a.dtype.kind == "i":     # the sign fills every bit
            return np.right_shift(a, np.where(outside, bits - 1, b).astype(a.dtype))
        shifted = np.right_shift(a, np.where(outside, 0, b).astype(a.dtype))
    return np.where(outside, a.dtype.type(0), shifted).astype(a.dtype)


def _binary(np_fn, kernel: str):
    def op(input, other):
        if not isinstance(input, Tensor):
            input = as_tensor(input)
        dtype = result_dtype(input, other)
        _check_integral(dtype, kernel)
        a = cast(input._data, dtype)
        b = cast(data_of(other), dtype) if isinstance(other, Tensor) else \
            np.asarray(other, dtype=dtype)
        if b.dtype.kind == "b" and kernel in ("lshift", "rshift"):
            a, b = a.astype(np.uint8), b.astype(np.uint8)
        out = E._binary(np_fn, a, b, (input, other))
        return Tensor._make(np.asarray(out).astype(dtype, copy=False))
    op.__name__ = kernel
    return op


bitwise_and = _binary(np.bitwise_and, "bitwise_and")
bitwise_or = _binary(np.bitwise_or, "bitwise_or")
bitwise_xor = _binary(np.bitwise_xor, "bitwise_xor")
bitwise_left_shift = _binary(_left, "lshift")
bitwise_right_shift = _binary(_right, "rshift")


def bitwise_not(input):
    _check_integral(input._data.dtype, "bitwise_not")
    return Tensor._make(np.invert(input._data))


def _invert(self):
    if self._data.dtype.kind not in "iub":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                        "tensors")
    return bitwise_not(self)


def _in_place(name: str, op):
    def in_place(tensor, *args):
        return I._inplace(tensor, name, op, *args)
    in_place.__name__ = name
    return in_place


def _reflected(op):
    return lambda self, other: op(as_tensor(other), self)


__all__ = ["bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "bitwise_left_shift",
           "bitwise_right_shift"]
FUNCTIONS = {name: globals()[name] for name in __all__}
METHODS = dict(FUNCTIONS)
IN_PLACE = {f"{name}_": _in_place(f"{name}_", FUNCTIONS[name]) for name in __all__}
OPERATORS = {
    "__and__": bitwise_and, "__or__": bitwise_or, "__xor__": bitwise_xor,
    "__rand__": _reflected(bitwise_and), "__ror__": _reflected(bitwise_or),
    "__rxor__": _reflected(bitwise_xor), "__invert__": _invert,
    "__lshift__": bitwise_left_shift, "__rshift__": bitwise_right_shift,
    "__rlshift__": _reflected(bitwise_left_shift),
    "__rrshift__": _reflected(bitwise_right_shift),
    "__iand__": IN_PLACE["bitwise_and_"], "__ior__": IN_PLACE["bitwise_or_"],
    "__ixor__": IN_PLACE["bitwise_xor_"], "__ilshift__": IN_PLACE["bitwise_left_shift_"],
    "__irshift__": IN_PLACE["bitwise_right_shift_"],
}
