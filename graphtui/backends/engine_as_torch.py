"""``import torch`` in a scenario that runs on the engine (``--backend engine``, the default).

``install()`` puts a meta-path finder first on ``sys.meta_path`` of the runner process, before
the scenario runs: ``torch`` resolves to the ``engine`` package itself, and ``torch.X.Y`` to
``engine.X.Y`` (``torch.nn``, ``torch.nn.functional``, ``torch.optim``, ``torch.autograd``,
``torch.utils.data``, ...). The modules are the engine's own objects, not copies, so
``sys.modules["torch"] is engine``, ``torch.Tensor is engine.Tensor``, and pickling, isinstance
checks and ``import engine as torch`` in the same program all agree. Every module that imports
``torch`` in that process gets the engine, third-party ones included.

A torch submodule the engine lacks (``torch.distributed``, ``torch._C``) raises a
``ModuleNotFoundError`` naming it and pointing to ``--backend torch`` (from the finder, so
``importlib.util.find_spec("torch.distributed")`` raises it too rather than answer None).
The engine's own modules that are not torch modules (``engine.ops``, ``engine.tensor``, ...)
are never reachable as ``torch.*``. ``torch.__version__`` is the engine's own version.

The debugger's process never installs this, and ``import engine`` never does.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import re
import sys

TORCH, ENGINE = "torch", "engine"
BACKEND_HINT = "run with --backend torch to use real PyTorch"
# The engine's modules that torch does not have as modules (torch.tensor is a function).
ENGINE_ONLY = frozenset({"creation", "dtypes", "kernels", "ops", "tensor", "trace"})


def engine_module_name(torch_name: str) -> str | None:
    """``engine.X.Y`` for ``torch.X.Y``, or None when it cannot be one of torch's modules."""
    parts = torch_name.split(".")
    if parts[0] != TORCH:
        return None
    rest = parts[1:]
    if rest and (rest[0] in ENGINE_ONLY or any(part.startswith("_") for part in rest)):
        return None
    return ".".join([ENGINE, *rest])


def lacks_module(torch_name: str) -> ModuleNotFoundError:
    """A module torch has and the engine lacks: the error says so and what to do. Its
    ``name`` is left unset so that ``from torch import fft`` raises it too (the import
    system swallows a ModuleNotFoundError naming the module it tried for ``from``)."""
    parent, _, last = torch_name.rpartition(".")
    from engine._torch_names import NAMES
    if parent in NAMES and last not in NAMES[parent] and not last.startswith("_"):
        return ModuleNotFoundError(f"No module named {torch_name!r}", name=torch_name)
    return ModuleNotFoundError(not_supported_text(torch_name))


def not_supported_text(torch_name: str) -> str:
    return f"{torch_name} is not supported by graphtui's engine; {BACKEND_HINT}"


class EngineAsTorch(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds ``torch`` and ``torch.*`` as the engine's modules (see the module docstring)."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != TORCH and not fullname.startswith(TORCH + "."):
            return None
        engine_name = engine_module_name(fullname)
        # Every torch.* name is answered here: returning None would let the path finder
        # load engine/<name>.py a second time, as a new module, under torch's name.
        if engine_name is None or not _engine_has(engine_name):
            raise lacks_module(fullname)
        module = importlib.import_module(engine_name)
        spec = importlib.machinery.ModuleSpec(
            fullname, self, origin=getattr(module.__spec__, "origin", None),
            is_package=hasattr(module, "__path__"))
        spec.loader_state = (module, module.__spec__)
        return spec

    def create_module(self, spec):
        return spec.loader_state[0]

    def exec_module(self, module) -> None:
        # The import system wrote torch's spec onto the engine's module: it goes back to
        # the engine's own (importlib.reload and pickling by module name read it).
        module.__spec__ = module.__spec__.loader_state[1]


def _engine_has(engine_name: str) -> bool:
    if engine_name in sys.modules:
        return True
    try:
        return importlib.util.find_spec(engine_name) is not None
    except ModuleNotFoundError:             # a parent that is not a package, or missing
        return False


_NOT_SUPPORTED = re.compile(r"^(torch[\w.]*) is not supported by graphtui's engine")
_CANNOT_IMPORT = re.compile(r"^cannot import name '(\w+)' from '(engine[\w.]*)'")


def add_backend_hint(error: BaseException) -> None:
    """Make the error that ends a run on the engine say which torch name the engine lacks
    and that real PyTorch is one option away: ``torch.fft is not supported by graphtui's
    engine; run with --backend torch to use real PyTorch``. Other errors stay as they are.
    The engine's own text does not name graphtui's options; this is where they are added."""
    text = str(error)
    if BACKEND_HINT in text:
        return
    name = None
    if isinstance(error, NotImplementedError) and (match := _NOT_SUPPORTED.match(text)):
        name = match[1]
    elif type(error) is ImportError and (match := _CANNOT_IMPORT.match(text)):
        namespace = TORCH + match[2][len(ENGINE):]
        from engine._torch_names import NAMES
        if match[1] in NAMES.get(namespace, ()):
            name = f"{namespace}.{match[1]}"
    if name is None:
        return
    hinted = not_supported_text(name)
    error.args = (hinted,)
    if isinstance(error, ImportError):
        error.msg = hinted


def install() -> EngineAsTorch:
    """Put the finder first on ``sys.meta_path`` (once); returns it."""
    for finder in sys.meta_path:
        if isinstance(finder, EngineAsTorch):
            return finder
    if TORCH in sys.modules and sys.modules[TORCH] is not sys.modules.get(ENGINE):
        raise RuntimeError("real PyTorch is already imported in this process; the engine "
                           "cannot stand in for it")
    finder = EngineAsTorch()
    sys.meta_path.insert(0, finder)
    return finder

