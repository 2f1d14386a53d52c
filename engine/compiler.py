"""torch.compiler: the engine never compiles, so nothing is ever being compiled and a
function kept from compilation is the function itself."""
from __future__ import annotations

import functools

from engine._unsupported import module_getattr


def disable(fn=None, recursive: bool = True, *, reason=None):
    if fn is None:
        return functools.partial(disable, recursive=recursive, reason=reason)

    @functools.wraps(fn)
    def _fn(*args, **kwargs):
        return fn(*args, **kwargs)
    return _fn


def is_compiling() -> bool:
    return False


def is_dynamo_compiling() -> bool:
    return False


def reset() -> None:
    """Nothing is cached: the engine never compiled anything."""


__getattr__ = module_getattr("torch.compiler")
