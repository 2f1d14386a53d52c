"""torch.compile on the engine: the engine runs eagerly, so compiling returns what behaves as
torch's result (an OptimizedModule around a module, a wrapping function around a function)
and every call runs the original code.

What cannot agree: torch's compiled graph has one CompiledFunctionBackward node where the
engine keeps the eager nodes (which the debugger shows), and random ops inside a compiled
region (Dropout with p > 0 in training) draw from inductor's own generator in torch, so
their values differ from eager torch's and from the engine's.
"""
from __future__ import annotations

import functools

from engine.nn.modules.module import Module

MODES = ("default", "lite", "reduce-overhead", "max-autotune-no-cudagraphs", "max-autotune")


class OptimizedModule(Module):
    """torch._dynamo.eval_frame.OptimizedModule: the compiled module's wrapper. Its state
    dict keys carry the `_orig_mod.` prefix; attributes it does not own are the module's."""

    _opt_mod_attributes = frozenset({"_orig_mod", "dynamo_ctx", "forward", "_forward",
                                     "__dict__", "_super_module_initialized"})

    def __init__(self, mod: Module, dynamo_ctx=None) -> None:
        object.__setattr__(self, "_orig_mod", mod)
        object.__setattr__(self, "_super_module_initialized", False)
        super().__init__()
        object.__setattr__(self, "_super_module_initialized", True)
        self._orig_mod = mod
        self.dynamo_ctx = dynamo_ctx
        self.forward = mod.__call__

    @property
    def training(self) -> bool:
        return self._orig_mod.training

    @training.setter
    def training(self, value: bool) -> None:
        if self._super_module_initialized:
            self._orig_mod.training = value

    def __len__(self) -> int:
        if hasattr(type(self._orig_mod), "__len__"):
            return len(self._orig_mod)
        raise TypeError(f"{type(self._orig_mod).__name__} does not support len()")

    def __getattr__(self, name: str):
        if name == "_orig_mod":
            return self._modules["_orig_mod"]
        return getattr(self._orig_mod, name)

    def __setattr__(self, name: str, value) -> None:
        if hasattr(type(self), name) or name in self._opt_mod_attributes:
            return super().__setattr__(name, value)
        return setattr(self._orig_mod, name, value)

    def __delattr__(self, name: str) -> None:
        if hasattr(type(self), name) or name in self._opt_mod_attributes:
            return super().__delattr__(name)
        return delattr(self._orig_mod, name)

    def __reduce__(self):
        return (type(self), (self._orig_mod, self.dynamo_ctx))

    def __dir__(self):
        own = self._orig_mod.__dir__()
        return own + [name for name in super().__dir__() if name not in own]


_patched = []


def _patch_once() -> None:
    """torch's first compile patches the process (dynamo's TorchPatcher): among other
    things, distributions stop validating their arguments by default."""
    if not _patched:
        from engine.distributions import Distribution
        Distribution.set_default_validate_args(False)
        _patched.append(True)


def _compiled_function(fn):
    @functools.wraps(fn)
    def compile_wrapper(*args, **kwargs):
        return fn(*args, **kwargs)
    return compile_wrapper


def compile(model=None, *, fullgraph: bool = False, dynamic=None, backend=None, mode=None,
            options=None, name=None, disable: bool = False, recompile_limit=None,
            isolate_recompiles: bool = False, shapes_spec=None):
    if model is None:
        def fn(model):
            if model is None:
                raise RuntimeError("Model can't be None")
            return compile(model, fullgraph=fullgraph, dynamic=dynamic, backend=backend,
                           mode=mode, options=options, name=name, disable=disable,
                           recompile_limit=recompile_limit,
                           isolate_recompiles=isolate_recompiles, shapes_spec=shapes_spec)
        return fn
    if mode is not None and options is not None:
        raise RuntimeError("Either mode or options can be specified, but both can't be "
                           "specified at the same time.")
    if mode is not None and mode not in MODES:
        raise RuntimeError(f"Unrecognized mode={mode}, should be one of: {', '.join(MODES)}")
    if disable:
        return model
    _patch_once()
    if isinstance(model, Module):
        return OptimizedModule(model)
    return _compiled_function(model)
