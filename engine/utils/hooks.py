"""RemovableHandle, and the one place hooks are registered and fired (so every kind of hook
is announced to the debugger, and muting works the same everywhere)."""
from __future__ import annotations

from engine import trace


class RemovableHandle:
    """A handle which provides the capability to remove a hook."""

    next_id: int = 0

    def __init__(self, hooks_dict: dict, *, extra_dict=None) -> None:
        # Plain dicts can't be weakly referenced; a handle keeping its dict alive is harmless.
        self.hooks_dict = hooks_dict
        self.id = RemovableHandle.next_id
        RemovableHandle.next_id += 1
        extras = [] if extra_dict is None else (extra_dict if isinstance(extra_dict, list) else [extra_dict])
        self.extra_dicts = tuple(extras)

    def remove(self) -> None:
        removed = self.id in self.hooks_dict
        if removed:
            del self.hooks_dict[self.id]
        for extra in self.extra_dicts:
            if self.id in extra:
                del extra[self.id]
        if removed and trace.active:
            trace.emit(trace.HookRemoved(self.id))

    def __enter__(self) -> "RemovableHandle":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.remove()


def _reset_hook_ids() -> None:
    RemovableHandle.next_id = 0


trace.on_reset_ids(_reset_hook_ids)


def callable_name(fn) -> str:
    name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None)
    return name if name else type(fn).__name__


def register(hooks_dict: dict, fn, kind: str, target: str, *, prepend: bool = False,
             extra_dict=None) -> RemovableHandle:
    """Add `fn` to an ordered hooks dict keyed by handle id; announce it."""
    handle = RemovableHandle(hooks_dict, extra_dict=extra_dict)
    hooks_dict[handle.id] = fn
    if prepend:
        hooks_dict_items = list(hooks_dict.items())
        hooks_dict.clear()
        hooks_dict[handle.id] = fn
        hooks_dict.update((k, v) for k, v in hooks_dict_items if k != handle.id)
    if trace.active:
        trace.emit(trace.HookRegistered(handle.id, kind, target, callable_name(fn)))
    return handle


def _summaries(args) -> tuple:
    return tuple(_summary(a) for a in args)


def _summary(value):
    if isinstance(value, (tuple, list)):
        return tuple(_summary(v) for v in value)
    if hasattr(value, "_data"):
        return trace.summarize(value)
    return None


def fire(hook_id: int, fn, kind: str, target: str, *args):
    """Call a hook (unless the debugger muted it) and announce the firing.

    Returns the hook's result, or None when muted."""
    if not trace.active:
        return fn(*args)
    if hook_id in trace.muted_hooks:
        trace.emit(trace.HookFired(hook_id, kind, target, _summaries(args), muted=True))
        return None
    result = fn(*args)
    replaced = result is not None
    trace.emit(trace.HookFired(hook_id, kind, target, _summaries(args), replaced,
                               _summaries((result,)) if replaced else ()))
    return result
