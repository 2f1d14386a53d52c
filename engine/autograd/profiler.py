"""torch.autograd.profiler: record_function, the label a training loop puts around its
phases, holds here as a context manager and decorator that records nothing (the debugger
is the engine's profiler); profile itself is not supported."""
from __future__ import annotations

import functools

from engine._unsupported import module_getattr


class record_function:
    def __init__(self, name: str, args: str | None = None) -> None:
        self.name = name
        self.args = args

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, traceback) -> None:
        return None

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapped(*args, **kwargs):
            with self:
                return fn(*args, **kwargs)
        return wrapped


__getattr__ = module_getattr("torch.autograd.profiler")
