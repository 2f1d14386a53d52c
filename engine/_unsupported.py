"""What a name the engine lacks raises: NotImplementedError when PyTorch has it (a script
written for torch reaches something graphtui does not support yet), else AttributeError.

PyTorch's names come from engine/_torch_names.py (scripts/gen_torch_names.py writes it).
"""
from __future__ import annotations

SUPPORTED_DOC = "docs/supported.md"


class NotSupportedError(NotImplementedError, AttributeError):
    """A torch name the engine lacks. Also an AttributeError, so that hasattr() and
    getattr(..., default) see a missing name (feature checks such as
    `hasattr(torch, "compile")`, and `from package import submodule`, rely on that)."""


def torch_has(namespace: str, name: str) -> bool:
    from engine._torch_names import NAMES
    return name in NAMES.get(namespace, ())


def not_supported(namespace: str, name: str) -> NotSupportedError:
    return NotSupportedError(f"{namespace}.{name} is not supported by graphtui's engine "
                               f"(see {SUPPORTED_DOC} for what is)")


def missing(namespace: str, name: str, owner_text: str) -> Exception:
    """The error for `name` missing from the engine's `namespace`; owner_text is the start
    of the plain AttributeError ("module 'engine' has no attribute")."""
    if not name.startswith("_") and torch_has(namespace, name):
        return not_supported(namespace, name)
    return AttributeError(f"{owner_text} '{name}'")


def module_getattr(namespace: str):
    """A module-level __getattr__ (PEP 562) for the engine's mirror of `namespace`."""
    def __getattr__(name: str):
        module = "engine" + namespace[len("torch"):]
        raise missing(namespace, name, f"module '{module}' has no attribute")
    return __getattr__
