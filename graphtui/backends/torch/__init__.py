"""``--backend torch``: the scenario runs on real PyTorch, watched through its public hooks.

``install(recorder, config)`` is called by the runner before the scenario runs. It makes the
scenario's ``import engine`` / ``import engine.nn as nn`` name real PyTorch (``import torch``
does already), and watches PyTorch so that the recorder receives the engine's own event
types (``engine.trace``): the model, the TUI, dump, JSONL and DOT need nothing of their own
for this backend. Only this package imports torch; the default path never loads it.

What PyTorch's public API does not show is listed in docs/torch_backend.md.
"""
from __future__ import annotations

import builtins
import functools
import sys
import warnings

import torch

from engine import trace
from graphtui import naming
from graphtui.backends.torch import backward, forward, hooks, ids, modules

__all__ = ["install"]

_installed = False


def install(recorder, config: dict) -> None:
    """Watch PyTorch for ``recorder`` in this process (the runner's), once."""
    global _installed
    if _installed:
        return
    _installed = True
    backward._report_error = lambda error: recorder.output(
        "graphtui", f"graphtui: torch backend error: {error!r}")
    ids.reset()
    backward.reset()
    hooks.reset()
    naming.watch_tensor_class(torch.Tensor)
    mode = forward.RecordingMode()
    modules.install()
    hooks.install(mode)
    _alias_engine_imports()
    _compile_eagerly(recorder)
    _watch_warnings()
    mode.__enter__()        # for the rest of the process: the runner runs one scenario


EAGER_NOTICE = ("graphtui: torch.compile runs the model eagerly under the debugger (as with "
                "disable=True), so that every op and node can be watched")


def _compile_eagerly(recorder) -> None:
    """``torch.compile`` as with ``disable=True``: Dynamo would trace into the backend's own
    module hooks (and fail), and a compiled graph hides the ops and nodes the debugger
    shows. The scenario is told once."""
    original = torch.compile
    told = []

    @functools.wraps(original)
    def compile(model=None, **options):
        if not told:
            told.append(True)
            recorder.output("graphtui", EAGER_NOTICE)
        return original(model, **{**options, "disable": True})
    torch.compile = compile


def _alias_engine_imports() -> None:
    """``import engine ...`` in the scenario's code (and in modules it imports) names torch:
    the runner has imported the engine for itself, so a finder would never be asked; the
    import statement is answered instead, for code outside graphtui and the engine."""
    original = builtins.__import__

    def __import__(name, globals=None, locals=None, fromlist=(), level=0):
        if level == 0 and (name == "engine" or name.startswith("engine.")) and \
                not _is_ours(globals):
            name = "torch" + name[len("engine"):]
        return original(name, globals, locals, fromlist, level)

    builtins.__import__ = __import__


def _is_ours(globals) -> bool:
    module = (globals or {}).get("__name__") or ""
    return module.split(".", 1)[0] in ("engine", "graphtui")


_OWN_DIR = __file__.rsplit("/", 1)[0] + "/"


def _user_frame() -> tuple[str, int]:
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not (filename.startswith(_OWN_DIR) or filename.startswith(forward.TORCH_DIR)
                or filename.startswith("<frozen") or filename == warnings.__file__):
            return filename, frame.f_lineno
        frame = frame.f_back
    return "<unknown>", 0


def _watch_warnings() -> None:
    """Every warning shown while the scenario runs is a WarningRaised (PyTorch's C++
    warnings arrive through Python's warnings module too)."""
    original = warnings.showwarning

    def showwarning(message, category, filename, lineno, file=None, line=None):
        if filename.startswith(_OWN_DIR):       # a C++ warning names the innermost frame
            filename, lineno = _user_frame()
        original(message, category, filename, lineno, file, line)
        if trace.active:
            trace.emit(trace.WarningRaised(category.__name__, str(message)))

    warnings.showwarning = showwarning
