"""torch.jit: the questions and markers model code uses (is_scripting(), @torch.jit.ignore)
hold on the engine, which never scripts or traces; script and trace themselves are not
supported (they raise NotImplementedError saying so)."""
from __future__ import annotations

from engine._unsupported import module_getattr, not_supported


def is_scripting() -> bool:
    return False


def is_tracing() -> bool:
    return False


def _marker(fn=None, **kwargs):
    if fn is None or not callable(fn):
        return lambda f: f
    return fn


ignore = unused = export = _marker


def script(obj, *args, **kwargs):
    raise not_supported("torch.jit", "script")


def trace(func, *args, **kwargs):
    raise not_supported("torch.jit", "trace")

__getattr__ = module_getattr("torch.jit")
