"""torch.autocast on the engine. Disabled (enabled=False, or CUDA's on a CPU-only build,
which torch disables with a warning) it is a context and decorator that changes nothing.
Enabled on the CPU, torch computes in torch.bfloat16 (or float16), which the engine lacks:
entering it raises NotImplementedError naming that."""
from __future__ import annotations

import functools
import warnings

from engine._unsupported import SUPPORTED_DOC

_DEFAULT_DTYPE = {"cpu": "torch.bfloat16", "xla": "torch.bfloat16", "hpu": "torch.bfloat16"}
_REDUCED = ("torch.bfloat16", "torch.float16")


def _dtype_name(dtype) -> str:
    return dtype if isinstance(dtype, str) else f"torch.{dtype.name}" if hasattr(
        dtype, "name") else str(dtype)


def is_autocast_available(device_type: str) -> bool:
    return device_type in ("cpu", "cuda", "xpu", "mps", "hpu", "mtia", "maia", "xla")


class autocast:
    def __init__(self, device_type: str, dtype=None, enabled: bool = True,
                 cache_enabled=None) -> None:
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        from engine._device import as_device
        as_device(device_type)
        self.device = device_type
        self.fast_dtype = dtype if dtype is not None else _DEFAULT_DTYPE.get(device_type,
                                                                          "torch.float16")
        self._cache_enabled = True if cache_enabled is None else cache_enabled
        if enabled and device_type == "cuda":
            warnings.warn("CUDA is not available or torch_xla is imported. Disabling autocast.",
                          stacklevel=2)
            enabled = False
        elif enabled and _dtype_name(self.fast_dtype) not in _REDUCED:
            name = device_type.upper()
            warnings.warn(f"In {name} autocast, but the target dtype is not supported. "
                          f"Disabling autocast.\n{name} Autocast only supports dtypes of "
                          "torch.bfloat16, torch.float16 currently.", stacklevel=2)
            enabled = False
        self._enabled = enabled

    def __enter__(self):
        if self._enabled:
            raise NotImplementedError(
                f"torch.autocast(device_type={self.device!r}) computes in "
                f"{_dtype_name(self.fast_dtype)}, which graphtui's engine does not support "
                f"(see {SUPPORTED_DOC} for what is); torch.autocast(..., enabled=False) runs "
                "as without autocast")
        return self

    def __exit__(self, exc_type, exc_val, exc_tb) -> bool:
        return False

    def __call__(self, func):
        if not callable(func):
            raise TypeError(
                f"autocast()(func) requires a callable, but got {type(func).__name__}. "
                "Did you mean to use autocast as a context manager? For example:\n"
                "    with torch.autocast(device_type=...):\n"
                "        output = model(input)")

        @functools.wraps(func)
        def decorate_autocast(*args, **kwargs):
            with self:
                return func(*args, **kwargs)
        return decorate_autocast


def deprecated_autocast(device_type: str, stacklevel: int = 3):
    """torch.cpu.amp.autocast / torch.cuda.amp.autocast: torch.amp.autocast with a
    FutureWarning at the caller."""
    class _autocast(autocast):
        def __init__(self, enabled: bool = True, dtype=None, cache_enabled: bool = True):
            warnings.warn(f"`torch.{device_type}.amp.autocast(args...)` is deprecated. Please "
                          f"use `torch.amp.autocast('{device_type}', args...)` instead.",
                          FutureWarning, stacklevel=2)
            super().__init__(device_type, enabled=enabled, dtype=dtype,
                             cache_enabled=cache_enabled)
    _autocast.__name__ = _autocast.__qualname__ = "autocast"
    return _autocast


def is_autocast_enabled(device_type=None) -> bool:
    """Never: the engine refuses to enter an enabled autocast."""
    return False


def custom_fwd(fwd=None, *, device_type: str, cast_inputs=None):
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)
    return fwd


def custom_bwd(bwd=None, *, device_type: str):
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)
    return bwd
