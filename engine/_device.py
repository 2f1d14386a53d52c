"""torch.device, the default device, and what a CPU-only build says about the others.

The engine runs on the CPU only, as a CPU build of PyTorch does: "cuda" parses as a device,
but making a tensor there fails with PyTorch's CPU-build error.
"""
from __future__ import annotations

import re

_DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip",
                 "ve", "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia",
                 "privateuseone")
_DEVICE_STRING = re.compile(r"([a-zA-Z_]+)(?::(0|[1-9][0-9]*))?$")
NO_CUDA_MESSAGE = "Torch not compiled with CUDA enabled"


class device:
    """torch.device("cpu"), ("cpu:0"), ("cpu", 0), (type="cpu", index=0) or (other_device)."""
    __slots__ = ("_type", "_index")

    def __init__(self, type, index=None) -> None:
        if isinstance(type, device):
            self._type, self._index = type._type, type._index
            return
        if isinstance(type, int) and not isinstance(type, bool):
            raise RuntimeError("Cannot access accelerator device when none is available.")
        if index is not None and not isinstance(index, int):
            raise TypeError(f"device(): argument 'index' (position 2) must be int, not "
                            f"{builtin_type(index).__name__}")
        self._type, parsed_index = _parse(type)
        if index is not None and parsed_index is not None:
            raise RuntimeError(f"type (string) must not include an index because index was "
                               f"passed explicitly: {type}")
        if index is not None and index < 0:
            raise RuntimeError("Device index must not be negative")
        self._index = parsed_index if index is None else index

    @property
    def type(self) -> str:
        return self._type

    @property
    def index(self):
        return self._index

    def __eq__(self, other) -> bool:
        return isinstance(other, device) and (self._type, self._index) == (other._type,
                                                                         other._index)

    def __hash__(self) -> int:
        return hash((self._type, self._index))

    def __repr__(self) -> str:
        if self._index is None:
            return f"device(type='{self._type}')"
        return f"device(type='{self._type}', index={self._index})"

    def __str__(self) -> str:
        return self._type if self._index is None else f"{self._type}:{self._index}"

    def __reduce__(self):
        return (device, (self._type, self._index))


builtin_type = type


def _parse(text: str) -> tuple[str, int | None]:
    match = _DEVICE_STRING.match(text)
    if match is None:
        raise RuntimeError(f"Invalid device string: '{text}'")
    kind = match.group(1)
    if kind not in _DEVICE_TYPES:
        raise RuntimeError(f"Expected one of {', '.join(_DEVICE_TYPES)} device type at start "
                           f"of device string: {kind}")
    return kind, None if match.group(2) is None else int(match.group(2))


CPU = device("cpu")
_default_device = None      # None: PyTorch's default, the CPU


def as_device(value) -> device:
    return value if isinstance(value, device) else device(value)


def check_device(value) -> None:
    """A `device=` argument (or .to(device) target): the CPU, or PyTorch's CPU-build error."""
    if value is None:
        value = _default_device
        if value is None:
            return
    kind = as_device(value)._type
    if kind == "cpu":
        return
    if kind == "cuda":
        raise AssertionError(NO_CUDA_MESSAGE)
    raise NotImplementedError(f"torch device '{kind}' is not supported by graphtui's engine "
                              "(it runs on the CPU only)")


def set_default_device(value) -> None:
    global _default_device
    _default_device = None if value is None else as_device(value)


def get_default_device() -> device:
    check_device(_default_device)
    return CPU
