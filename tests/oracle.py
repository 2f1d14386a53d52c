"""PyTorch 2.13 CPU as the tests' oracle, live.

A *case* is a function whose first argument is the library it runs on: either the torch-like
module itself (`torch` or `engine`) or, with `namespace_arg=True`, a namespace `lib` holding
`torch`, `nn`, `F` and `optim`. It returns plain values (reprs, names, orders, (type, text)
of errors, warnings) that can be compared with `==`. `agree(case)` runs it with torch, then
with engine, and asserts that engine saw what torch saw (`agree_printed` the same for what
it prints); global modes either library keeps (grad mode, anomaly mode, print options,
default dtype) are reset after each run. `run_fresh` runs a case in a new process, for what
torch does once per process.

Test files collect their `sc_*` functions with `scenarios(globals())` and parametrise over
`params(SCENARIOS, KNOWN_DIVERGENCES)`, which marks a known engine divergence as a strict
xfail carrying the exact difference.
"""
from __future__ import annotations

import contextlib
import inspect
import io
import json
import subprocess
import sys
import types

import pytest
import torch

import engine
import engine.nn
import engine.nn.functional
import engine.optim

LIBRARIES = {"torch": torch, "engine": engine}


def namespace(library) -> types.SimpleNamespace:
    """`lib` for a case written against torch, nn, F and optim."""
    return types.SimpleNamespace(torch=library, nn=library.nn, F=library.nn.functional,
                                 optim=library.optim)


def reset(library) -> None:
    """Put back the global modes a case may have changed."""
    library.set_grad_enabled(True)
    library.autograd.set_detect_anomaly(False)
    library.set_printoptions(profile="default")
    library.set_default_dtype(library.float32)


def run(case, library, *args, namespace_arg: bool = False):
    """What `case` returns on `library` (a module or its name)."""
    if isinstance(library, str):
        library = LIBRARIES[library]
    try:
        return case(namespace(library) if namespace_arg else library, *args)
    finally:
        reset(library)


def printed(case, library, *args, namespace_arg: bool = False) -> str:
    """What `case` prints on `library`."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        run(case, library, *args, namespace_arg=namespace_arg)
    return buffer.getvalue()


def agree(case, *args, namespace_arg: bool = False):
    """Assert that `case` returns the same on engine as on torch; returns torch's result."""
    expected = run(case, torch, *args, namespace_arg=namespace_arg)
    actual = run(case, engine, *args, namespace_arg=namespace_arg)
    assert actual == expected
    return expected


def agree_printed(case, *args, namespace_arg: bool = False) -> str:
    """Assert that `case` prints the same on engine as on torch; returns torch's text."""
    expected = printed(case, torch, *args, namespace_arg=namespace_arg)
    actual = printed(case, engine, *args, namespace_arg=namespace_arg)
    assert actual == expected
    return expected


def scenarios(module_globals: dict, prefix: str = "sc_") -> dict:
    """name -> case for every function named `prefix...` in a test module, in source order."""
    return {name[len(prefix):]: fn for name, fn in list(module_globals.items())
            if name.startswith(prefix) and callable(fn)}


def params(names, known_divergences: dict | None = None) -> list:
    """pytest parameters over `names`; each known divergence (name -> the exact difference)
    is a strict xfail, so it turns red the day engine agrees."""
    known = known_divergences or {}
    unknown = set(known) - set(names)
    if unknown:
        raise ValueError(f"known divergences name no case: {sorted(unknown)}")
    return [pytest.param(name, marks=pytest.mark.xfail(reason=known[name], strict=True))
            if name in known else name for name in names]


def error_of(fn):
    """(type name, message) of the exception `fn()` raises, or None."""
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the error is the observation
        return (type(e).__name__, str(e))
    return None


def warning_text(w) -> str:
    """A warning's whole text: the engine prints torch's C++ warnings with their
    "(Triggered internally at ...)" suffix too (engine/_cpp_warning.py)."""
    return str(w.message)


def run_fresh(case, library: str = "torch"):
    """What `case(library)` returns in a new Python process, as JSON gives it back (tuples
    become lists): for what a library does once per process, such as warn-once warnings.
    `case` must be a module-level function whose source stands alone."""
    code = (f"import json\nimport {library} as library\n{inspect.getsource(case)}\n"
            f"print(json.dumps({case.__name__}(library)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=300)
    return json.loads(out.stdout.splitlines()[-1])
