"""Hooks the scenario registers: announced, and watched as they fire (or muted).

The registration methods of ``torch.Tensor`` and ``nn.Module`` are wrapped: the hook the
scenario gives is registered wrapped in a function that, when PyTorch calls it, skips it
if the debugger muted it (returning None, as a hook that changes nothing) and announces
the firing. Registrations made by PyTorch's own code (the module backward hooks' machinery
registers tensor and node hooks of its own) are left alone: they are not the scenario's.

Hooks registered on a ``grad_fn`` (``Node.register_hook`` / ``register_prehook``): PyTorch's
node classes are immutable C types, but their registration calls the Python
``Function._register_hook(hooks_dict, hook)`` with the node's hooks dict, which our own hook
on every node announced made known (backward.note_node_hooks): that call is wrapped.
"""
from __future__ import annotations

import sys
import threading

import torch
from torch import nn
from torch.autograd.function import _HookMixin
from torch.utils.hooks import RemovableHandle

from engine import trace
from engine.utils.hooks import callable_name
from graphtui.backends.torch import backward, ids, modules

TORCH_DIR = torch.__file__.rsplit("/", 1)[0] + "/"
_OWN_DIR = __file__.rsplit("/", 1)[0] + "/"
_ours: set[int] = set()             # handle ids of the hooks we announced
_mode = [None]                      # the recording mode, entered again while a hook runs
_registering = threading.local()    # inside one of our registrations (torch calls back in)


def reset() -> None:
    _ours.clear()


def install(mode) -> None:
    _mode[0] = mode
    _wrap(torch.Tensor, "register_hook", "tensor", _tensor_target, _fire_plain)
    _wrap(torch.Tensor, "register_post_accumulate_grad_hook", "post_accumulate_grad",
          _tensor_target, _fire_plain)
    for method, kind in (("register_forward_pre_hook", "forward_pre"),
                         ("register_forward_hook", "forward"),
                         ("register_backward_hook", "backward"),
                         ("register_full_backward_hook", "full_backward"),
                         ("register_full_backward_pre_hook", "full_backward_pre")):
        _wrap(nn.Module, method, kind, _module_target, _fire_module)
    retain_original = torch.Tensor.retain_grad

    def retain_grad(self):
        retain_original(self)
        if trace.active and not self.is_leaf:
            backward.retain(self)

    torch.Tensor.retain_grad = retain_grad
    _watch_node_registrations()
    remove_original = RemovableHandle.remove

    def remove(self):
        remove_original(self)
        if self.id in _ours and trace.active:
            _ours.discard(self.id)
            trace.emit(trace.HookRemoved(self.id))

    RemovableHandle.remove = remove


def _watch_node_registrations() -> None:
    """``grad_fn.register_hook`` / ``register_prehook`` by the scenario: announced, fired
    through ``_fire`` (so muting works), ahead of our NodeExecuting / NodeExecuted hook."""
    original = _HookMixin._register_hook

    def _register_hook(hooks_dict, hook):
        known = None if hooks_dict is None else backward.node_of_hooks(hooks_dict)
        if known is None or not trace.active or \
                sys._getframe(1).f_code.co_filename.startswith((TORCH_DIR, _OWN_DIR)):
            return original(hooks_dict, hook)
        node_id, kind, ours = known
        target = f"node:{node_id}"
        cell: list = [None]
        hooks_dict, handle = original(hooks_dict, _fire_plain(cell, hook, kind, target))
        cell[0] = handle.id
        _ours.add(handle.id)
        if ours is not None:
            backward.move_ours_last(hooks_dict, ours)
        trace.emit(trace.HookRegistered(handle.id, kind, target, callable_name(hook)))
        return hooks_dict, handle

    _HookMixin._register_hook = staticmethod(_register_hook)


def _tensor_target(tensor) -> str:
    from graphtui.backends.torch import forward
    return f"tensor:{forward.ensure_announced(tensor)}"


def _module_target(module) -> str:
    return modules.path_of(module)


def _wrap(owner, method: str, kind: str, target_of, fire) -> None:
    original = getattr(owner, method)

    def register(self, hook, *args, **kwargs):
        if not trace.active or getattr(_registering, "on", False) or \
                sys._getframe(1).f_code.co_filename.startswith(TORCH_DIR):
            return original(self, hook, *args, **kwargs)
        target = target_of(self)
        cell: list = [None]
        watched = fire(cell, hook, kind, target)
        _registering.on = True
        try:
            handle = original(self, watched, *args, **kwargs)
        finally:
            _registering.on = False
        cell[0] = handle.id
        _ours.add(handle.id)
        trace.emit(trace.HookRegistered(handle.id, kind, target, callable_name(hook)))
        return handle

    register.__name__, register.__qualname__ = original.__name__, original.__qualname__
    register.__doc__ = original.__doc__
    setattr(owner, method, register)


def _fire_plain(cell, hook, kind, target):
    def watched(*args):
        return _fire(cell[0], hook, kind, target, args, args)
    return watched


def _fire_module(cell, hook, kind, target):
    def watched(module, *args, **kwargs):      # the module is not shown among the args
        return _fire(cell[0], hook, kind, target, (module, *args), args, kwargs)
    return watched


def _fire(hook_id, hook, kind, target, args, shown, kwargs=None):
    if not trace.active:
        return hook(*args, **(kwargs or {}))
    if hook_id in trace.muted_hooks:
        with torch._C.DisableTorchFunction():
            trace.emit(trace.HookFired(hook_id, kind, target, ids.summaries(shown),
                                       muted=True))
        return None
    mode = _mode[0]
    if mode is not None and backward.in_pass():
        with mode:                  # PyTorch calls it from a pass, where the mode is off
            result = hook(*args, **(kwargs or {}))
    else:
        result = hook(*args, **(kwargs or {}))
    replaced = result is not None
    with torch._C.DisableTorchFunction():
        trace.emit(trace.HookFired(hook_id, kind, target, ids.summaries(shown), replaced,
                                   ids.summaries((result,)) if replaced else ()))
    return result

