"""Modules: their paths, their forward calls and their parameters' names.

A module's path is the engine's: the attribute names from the outermost module that holds
it ("conv1", "encoder.layers.0"), its class name for a module nobody holds. PyTorch keeps
no parent links, so ``Module.__setattr__`` and ``add_module`` are wrapped to note who
holds whom. Global forward pre-hooks and forward hooks (PyTorch's public
``register_module_forward_*_hook``) give ``ModuleForward`` and the module an op ran in;
the first call of an outermost module names its parameters and buffers.
"""
from __future__ import annotations

import threading
import weakref

import torch
from torch import nn

from engine import trace
from graphtui.backends.torch import ids

_parents: "weakref.WeakKeyDictionary[nn.Module, tuple]" = weakref.WeakKeyDictionary()
_stack = threading.local()


def _paths() -> list:
    stack = getattr(_stack, "paths", None)
    if stack is None:
        stack = _stack.paths = []
    return stack


def current() -> str | None:
    stack = _paths()
    return stack[-1] if stack else None


def path_of(module) -> str:
    names, seen = [], set()
    while id(module) not in seen:
        seen.add(id(module))
        link = _parents.get(module)
        parent = link[0]() if link is not None else None
        if parent is None:
            break
        names.append(link[1])
        module = parent
    return ".".join(reversed(names)) if names else type(module).__name__


def _adopt(parent, name, child) -> None:
    if isinstance(child, nn.Module) and child is not parent:
        _parents[child] = (weakref.ref(parent), str(name))


def install() -> None:
    setattr_original, add_module_original = nn.Module.__setattr__, nn.Module.add_module

    def __setattr__(self, name, value):
        setattr_original(self, name, value)
        if isinstance(value, nn.Module):
            _adopt(self, name, value)

    def add_module(self, name, module):
        add_module_original(self, name, module)
        _adopt(self, name, module)

    nn.Module.__setattr__ = __setattr__
    nn.Module.add_module = add_module
    nn.modules.module.register_module_forward_pre_hook(_forward_start)
    nn.modules.module.register_module_forward_hook(_forward_end, always_call=True)


def _forward_start(module, args):
    if not trace.active:
        return None
    with torch._C.DisableTorchFunction():
        _started(module, args)
    return None


def _started(module, args) -> None:
    stack = _paths()
    if not stack:
        _name_parameters(module)
    path = path_of(module)
    trace.emit(trace.ModuleForward(path, type(module).__name__, "start", ids.summaries(args)))
    stack.append(path)


def _forward_end(module, args, output):
    stack = _paths()
    if not trace.active or not stack:
        return None
    path = stack.pop()
    outputs = output if isinstance(output, tuple) else (output,)
    if module._backward_hooks and any(
            isinstance(t, torch.Tensor) and t.grad_fn is not None for t in outputs):
        from graphtui.backends.torch import backward
        for tensor in outputs:
            if isinstance(tensor, torch.Tensor) and tensor.grad_fn is not None:
                backward.after_legacy_hooks(tensor.grad_fn)
    with torch._C.DisableTorchFunction():
        trace.emit(trace.ModuleForward(path, type(module).__name__, "end", (),
                                       ids.summaries(outputs)))
    return None


def _name_parameters(root) -> None:
    """Announce "<module path>.<name>" for every parameter and buffer under ``root``."""
    from graphtui.backends.torch import forward
    named = set()       # a tied weight keeps its first name, as named_parameters gives it
    for module in root.modules():
        prefix = None
        for registry in (module._parameters, module._buffers):
            for name, tensor in registry.items():
                if tensor is None or id(tensor) in named:
                    continue
                named.add(id(tensor))
                prefix = prefix or path_of(module)
                full_name = f"{prefix}.{name}"
                if registry is module._parameters:
                    _name_parameter(tensor, full_name)
                elif not ids.is_announced(tensor):
                    forward.announce_tensor(tensor, full_name)
                elif tensor.__dict__.get("_graphtui_name") != full_name:
                    trace.emit(trace.TensorNamed(ids.known_tensor_id(tensor), full_name))
                tensor._graphtui_name = full_name


def _name_parameter(tensor, full_name: str) -> None:
    """As the engine names a parameter: with its shape and requires_grad (a frozen one is
    known though it never gets a gradient)."""
    from graphtui.backends.torch import forward
    if tensor.__dict__.get("_graphtui_name") == full_name and ids.is_announced(tensor):
        return
    tensor_id = forward.ensure_announced(tensor)
    trace.emit(trace.TensorNamed(tensor_id, full_name, tuple(tensor.shape),
                                 tensor.requires_grad))
