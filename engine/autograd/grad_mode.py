"""Grad mode: no_grad, enable_grad, set_grad_enabled, inference_mode.

Both modes are per thread, as in PyTorch: a thread starts with grad on and inference off,
whatever the thread that started it had switched.
"""
from __future__ import annotations

import functools
import threading


class _GradState(threading.local):
    def __init__(self) -> None:
        self.enabled = True
        self.inference = False


state = _GradState()


def is_grad_enabled() -> bool:
    return state.enabled


def is_inference_mode_enabled() -> bool:
    return state.inference


class _DecoratorContextManager:
    """A context manager that also works as a decorator (with or without parentheses)."""

    def __call__(self, fn):
        if isinstance(self, type):   # pragma: no cover - guarded by __new__ below
            raise TypeError
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.clone():
                return fn(*args, **kwargs)
        return wrapper

    def clone(self):
        return self.__class__()


class no_grad(_DecoratorContextManager):
    def __new__(cls, orig_func=None):
        self = super().__new__(cls)
        if orig_func is not None and callable(orig_func):
            self.__init__()
            return self(orig_func)
        return self

    def __init__(self, orig_func=None) -> None:
        self.prev = False

    def __enter__(self) -> None:
        self.prev = state.enabled
        state.enabled = False

    def __exit__(self, *exc) -> None:
        state.enabled = self.prev


class enable_grad(no_grad):
    def __enter__(self) -> None:
        self.prev = state.enabled
        state.enabled = True


class set_grad_enabled(_DecoratorContextManager):
    """Sets grad mode at once when called, and restores it on leaving a `with` block."""

    def __init__(self, mode: bool) -> None:
        self.prev = state.enabled
        self.mode = bool(mode)
        state.enabled = self.mode

    def __call__(self, fn):
        state.enabled = self.prev      # as a decorator it must not change the mode now
        return super().__call__(fn)

    def __enter__(self) -> None:
        state.enabled = self.mode

    def __exit__(self, *exc) -> None:
        state.enabled = self.prev

    def clone(self):
        return self.__class__(self.mode)


class inference_mode(_DecoratorContextManager):
    def __new__(cls, mode=True):
        self = super().__new__(cls)
        if callable(mode) and not isinstance(mode, bool):
            self.__init__(True)
            return self(mode)
        return self

    def __init__(self, mode: bool = True) -> None:
        self.mode = mode
        self.prev = (True, False)

    def __enter__(self) -> None:
        self.prev = (state.enabled, state.inference)
        if self.mode:
            state.enabled = False
            state.inference = True

    def __exit__(self, *exc) -> None:
        state.enabled, state.inference = self.prev

    def clone(self):
        return self.__class__(self.mode)
