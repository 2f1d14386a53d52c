"""Padding layers: Reflection-, Replication-, Circular-, Constant- and ZeroPad{1,2,3}d, each
F.pad with a fixed padding (an int pads every side)."""
from __future__ import annotations

from engine.nn import functional as F
from engine.nn.modules.module import Module


def _sides(padding, count: int) -> tuple:
    if isinstance(padding, int):
        return (padding,) * count
    return tuple(padding)


class _PadNd(Module):
    mode = "constant"
    dims = 1

    def __init__(self, padding) -> None:
        super().__init__()
        self.padding = _sides(padding, 2 * self.dims)

    def forward(self, input):
        return F.pad(input, self.padding, self.mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _CircularPadNd(_PadNd):
    mode = "circular"

    def forward(self, input):
        ndim = input.dim()
        if ndim not in (self.dims + 1, self.dims + 2):
            raise ValueError(f"expected {self.dims + 1}D or {self.dims + 2}D input (got {ndim}D "
                             f"input)")
        return super().forward(input)


class _ConstantPadNd(_PadNd):
    def __init__(self, padding, value: float) -> None:
        super().__init__(padding)
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


def _layer(name: str, base: type, dims: int) -> type:
    return type(name, (base,), {"dims": dims, "__module__": __name__})


def _zero_layer(name: str, constant_layer: type) -> type:
    """ZeroPad{k}d: ConstantPad{k}d (a subclass, as in PyTorch) with value 0.0."""
    def __init__(self, padding) -> None:
        constant_layer.__init__(self, padding, 0.0)
    return type(name, (constant_layer,), {"__init__": __init__, "__module__": __name__,
                                          "extra_repr": _PadNd.extra_repr})


class _ReflectionPadNd(_PadNd):
    mode = "reflect"


class _ReplicationPadNd(_PadNd):
    mode = "replicate"


ReflectionPad1d, ReflectionPad2d, ReflectionPad3d = (
    _layer(f"ReflectionPad{k}d", _ReflectionPadNd, k) for k in (1, 2, 3))
ReplicationPad1d, ReplicationPad2d, ReplicationPad3d = (
    _layer(f"ReplicationPad{k}d", _ReplicationPadNd, k) for k in (1, 2, 3))
CircularPad1d, CircularPad2d, CircularPad3d = (
    _layer(f"CircularPad{k}d", _CircularPadNd, k) for k in (1, 2, 3))
ConstantPad1d, ConstantPad2d, ConstantPad3d = (
    _layer(f"ConstantPad{k}d", _ConstantPadNd, k) for k in (1, 2, 3))
ZeroPad1d, ZeroPad2d, ZeroPad3d = (
    _zero_layer(f"ZeroPad{k}d", layer)
    for k, layer in zip((1, 2, 3), (ConstantPad1d, ConstantPad2d, ConstantPad3d)))

PADDING_LAYERS = ["ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d",
                  "ReplicationPad2d", "ReplicationPad3d", "CircularPad1d", "CircularPad2d",
                  "CircularPad3d", "ConstantPad1d", "ConstantPad2d", "ConstantPad3d",
                  "ZeroPad1d", "ZeroPad2d", "ZeroPad3d"]
