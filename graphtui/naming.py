"""Names for tensors, found where the scenario keeps them.

The engine gives parameter paths as hints; everything else is named after the variable
that holds it in the scenario (locals of the innermost scenario frame first, then outer
frames, then module globals), items of small lists (``feats[0]``), and parameters of
modules held in variables (``conv1.weight``, as PyTorch's ``named_parameters``). Only tensors the engine already gave an
id to are named: naming must not change what the engine reports.
"""
from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

from graphtui.scenario import is_scenario_frame

MAX_ITEMS_PER_LIST = 16
MAX_PARAMETERS_PER_MODULE = 10_000


def known_id(value) -> int:
    """The engine's id of a tensor, 0 when it has none (or ``value`` is not a tensor)."""
    if _kind_of(type(value)) is not _TENSOR:
        return 0
    tid = getattr(value, "_tid", 0)
    return tid if isinstance(tid, int) else 0


# Tensor classes of a backend other than the engine (real torch.Tensor under --backend
# torch): they carry their id in ``_tid`` as the engine's do.
_watched_classes: tuple = ()


def watch_tensor_class(cls) -> None:
    global _watched_classes
    if cls not in _watched_classes:
        _watched_classes += (cls,)
        _KINDS.clear()


def _tensor_class():
    module = sys.modules.get("engine.tensor")
    return getattr(module, "Tensor", None) if module is not None else None


# What a value of a type can give names to, decided once per type: a scan looks at every
# variable of the scenario's frames once per statement, and most are numbers, functions,
# classes and modules. A type decided before engine.tensor loads stays right: a class made
# later cannot be its base.
_OTHER, _TENSOR, _SEQUENCE, _MAYBE_MODULE = "other", "tensor", "sequence", "maybe module"
_KINDS: dict[type, str] = {}


def _kind_of(cls: type) -> str:
    kind = _KINDS.get(cls)
    if kind is None:
        kind = _KINDS[cls] = _classify(cls)
    return kind


def _classify(cls: type) -> str:
    tensor_class = _tensor_class()
    if (tensor_class is not None and issubclass(cls, tensor_class)) or \
            (_watched_classes and issubclass(cls, _watched_classes)):
        return _TENSOR
    if issubclass(cls, (list, tuple)):
        return _SEQUENCE
    if issubclass(cls, type) or cls.__module__.split(".")[0] == "builtins":
        return _OTHER          # a class, or a builtin value: never a module's instance
    return _MAYBE_MODULE       # an object: a module when it has named_parameters


def scenario_frames(scenario: Path, start=None) -> list:
    """The scenario's frames on the current stack, innermost first."""
    frames, frame = [], start or sys._getframe(1)
    while frame is not None:
        if _is_scenario_file(frame.f_code.co_filename, scenario):
            frames.append(frame)
        frame = frame.f_back
    return frames


def innermost_scenario_frame(scenario: Path, start=None):
    frame = start or sys._getframe(1)
    while frame is not None and not _is_scenario_file(frame.f_code.co_filename, scenario):
        frame = frame.f_back
    return frame


# (file name, scenario) -> whether it is the scenario: every scan walks the whole stack
# (the runner's and runpy's frames too), and resolving a path asks the file system.
_SCENARIO_FILES: dict[tuple[str, Path], bool] = {}


def _is_scenario_file(filename: str, scenario: Path) -> bool:
    key = (filename, scenario)
    known = _SCENARIO_FILES.get(key)
    if known is None:
        known = _SCENARIO_FILES[key] = is_scenario_frame(filename, scenario)
    return known


def names_in_frames(frames) -> Iterator[tuple[int, str, object]]:
    """(tensor id, name, tensor) for every named tensor visible in ``frames``, innermost
    first."""
    seen_globals: set[int] = set()
    for frame in frames:
        if frame.f_code.co_name != "<module>":
            yield from names_in_namespace(frame.f_locals)
    for frame in reversed(frames):
        if id(frame.f_globals) not in seen_globals:
            seen_globals.add(id(frame.f_globals))
            yield from names_in_namespace(frame.f_globals)


def names_in_namespace(namespace: dict) -> Iterator[tuple[int, str, object]]:
    kinds = _KINDS
    for name, value in list(namespace.items()):
        kind = kinds.get(type(value)) or _kind_of(type(value))
        if kind is _OTHER or name.startswith("__"):
            continue
        if kind is _TENSOR:
            tid = getattr(value, "_tid", 0)
            if tid and isinstance(tid, int):
                yield tid, name, value
        elif kind is _SEQUENCE:
            for index, item in enumerate(value[:MAX_ITEMS_PER_LIST]):
                item_id = known_id(item)
                if item_id:
                    yield item_id, f"{name}[{index}]", item
        elif callable(getattr(value, "named_parameters", None)):
            yield from _parameter_names(name, value)


def _parameter_names(prefix: str, module) -> Iterator[tuple[int, str, object]]:
    try:
        parameters = module.named_parameters()
        for count, (name, parameter) in enumerate(parameters):
            if count >= MAX_PARAMETERS_PER_MODULE:
                return
            tid = known_id(parameter)
            if tid:
                yield tid, name, parameter
    except Exception:       # a half-built module in the scenario must not break naming
        return
