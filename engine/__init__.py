"""engine: an autograd and nn engine with PyTorch's API, for the subset it supports.

`import engine as torch` should run a torch tutorial unchanged for what is supported.

Importing the package is light: it loads the events (`engine.trace`) and NumPy. PyTorch's
top-level names (`engine.ones`, `engine.Tensor`, `engine.nn`, ...) are in `engine/_api.py`
and load all together the first time one of them is read (PEP 562), or with
`import engine._api`; after that they are plain attributes of this module. All together,
because loading the ops binds Tensor's methods. A process that only reads events (the
debugger) never loads the ops, the Numba kernels or nn. A new torch name is one line in
`_api.py`.
"""
from __future__ import annotations

import sys as _sys
from importlib import import_module as _import_module
from types import ModuleType as _ModuleType

import numpy as _np

from engine import trace

__version__ = "0.1.0"


def quiet_numpy_warnings() -> None:
    """PyTorch computes log(-1), 1/0 or inf - inf silently; NumPy warns. NumPy keeps its error
    state per thread, so a thread that runs engine code calls this once (import does it for
    the importing thread; graphtui's worker does it for the scenario's thread)."""
    _np.seterr(all="ignore")


quiet_numpy_warnings()


def __getattr__(name: str):
    if name.startswith("__") and name != "__all__":
        raise AttributeError(f"module 'engine' has no attribute '{name}'")
    if _loaded is None and name not in _NOT_MODULES and name in _submodules():
        # `from engine import dtypes` in a module that loads before `_api` (`import
        # engine.nn` first): the submodule, without the API, which would need that module.
        return _import_module(f"engine.{name}")
    names = _load_api().__dict__
    if name in names:
        return names[name]
    # `__all__` included: `from engine import *` then takes the public names of the module's
    # dict, now complete, as it did when the package loaded everything eagerly.
    from engine._unsupported import missing
    raise missing("torch", name, "module 'engine' has no attribute")


def __dir__() -> list[str]:
    _load_api()
    return sorted(globals())


_loaded = None               # engine._api, once complete and its names copied here
_submodule_names = None
# Submodules whose name the API gives to something else: `engine.tensor` is torch.tensor.
_NOT_MODULES = frozenset({"tensor"})


class _Package(_ModuleType):
    """The import system names a submodule on its package once it loaded it
    (`engine.tensor = <module engine.tensor>`); for the names above the API's object
    stays, or is found by `__getattr__` until the API is in."""

    def __setattr__(self, name, value):
        if name in _NOT_MODULES and isinstance(value, _ModuleType):
            return
        super().__setattr__(name, value)


_sys.modules[__name__].__class__ = _Package


def _submodules() -> frozenset[str]:
    global _submodule_names
    if _submodule_names is None:
        from pkgutil import iter_modules
        _submodule_names = frozenset(info.name for info in iter_modules(__path__))
    return _submodule_names


def _load_api():
    """`engine._api`, its names copied here once it is complete, so later reads are plain
    lookups. While it is still loading (one of its modules reads `engine.X`), the module
    as far as it got."""
    global _loaded
    if _loaded is not None:
        return _loaded
    api = _import_module("engine._api")
    # Within _api's own import the import system hands back the module being initialised.
    if not getattr(api.__spec__, "_initializing", False):
        globals().update((name, value) for name, value in api.__dict__.items()
                         if not name.startswith("__"))
        _loaded = api
    return api
