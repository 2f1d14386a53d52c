"""Names for tensors, found where the scenario keeps them.

The engine gives parameter paths as hints; everything else is named after the variable
that holds it in the scenario (locals of the innermost scenario frame first, then outer
frames, then module globals), items of small lists (``feats[0]``), and parameters of
modules held in variables (``conv1.weight``, as PyTorch's ``named_parameters``). Only tensors the engine already gave an
id to are named: naming must not change what the engine reports.
"""
from __future__ import annotations

import inspect

import sys
import weakref
from collections.abc import Iterator
from operator import is_
from types import ModuleType
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
    global _watched_classes, _LAST_FRESH
    if cls not in _watched_classes:
        _watched_classes += (cls,)
        _KINDS.clear()
        _LAST_FRESH = ((), (), ())


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
    if issubclass(cls, (type, ModuleType)) or cls.__module__.split(".")[0] == "builtins":
        # A class, a builtin value, or a Python module (engine's own module class answers
        # a missing attribute slowly, through its lazy API): never an nn.Module.
        return _OTHER
    return _MAYBE_MODULE       # an object: a module when it has named_parameters


def scenario_frames(scenario: Path, start=None) -> list:
    """The scenario's frames on the current stack, innermost first."""
    known = _scenario_files(scenario)
    frames, frame = [], start or sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        ours = known.get(filename)
        if ours is None:
            ours = known[filename] = is_scenario_frame(filename, scenario)
        if ours:
            frames.append(frame)
        frame = frame.f_back
    return frames


def innermost_scenario_frame(scenario: Path, start=None):
    frame = start or sys._getframe(1)
    while frame is not None and not _is_scenario_file(frame.f_code.co_filename, scenario):
        frame = frame.f_back
    return frame


# scenario -> {file name: whether it is the scenario}: every scan walks the whole stack (the
# runner's and runpy's frames too), and resolving a path asks the file system. Looked up by
# the file name alone: hashing a Path is a Python call.
_SCENARIO_FILES: dict[Path, dict[str, bool]] = {}


def _scenario_files(scenario: Path) -> dict[str, bool]:
    known = _SCENARIO_FILES.get(scenario)
    if known is None:
        known = _SCENARIO_FILES[scenario] = {}
    return known


def _is_scenario_file(filename: str, scenario: Path) -> bool:
    known = _scenario_files(scenario)
    ours = known.get(filename)
    if ours is None:
        ours = known[filename] = is_scenario_frame(filename, scenario)
    return ours


def names_in_frames(frames) -> Iterator[tuple[int, str, object]]:
    """(tensor id, name, tensor) for every named tensor visible in ``frames``, innermost
    first."""
    global _LAST_SCAN
    innermost = frames[0] if frames else None
    last_frames, outer_variables, namespaces, current = _LAST_SCAN[1:]
    if not (_still_inside(innermost) and len(frames) == len(last_frames)
            and all(map(is_, frames, last_frames))):
        outer_variables, namespaces, current = _frames_read(frames)
        _LAST_SCAN = (innermost, tuple(frames), outer_variables, namespaces, current)
    looked_at = [] if innermost is None or innermost.f_code.co_name == "<module>" else \
        [_fresh_variables(innermost.f_locals)]
    looked_at += outer_variables
    looked_at += [_fresh_variables(namespace)
                  if id(namespace) == current else _worth_looking_at(namespace)
                  for namespace in namespaces]
    found: list = []
    for variables in looked_at:
        if variables:
            _names_of(variables, found)
    return iter(found)


def _frames_read(frames) -> tuple[list, list, int | None]:
    """For a scan in other frames than the last: the variables worth looking at of the outer
    function frames, the global namespaces (outermost first) and the id of the one the
    innermost frame writes to (None: it is a function's)."""
    innermost = frames[0] if frames else None
    # The namespace the innermost frame writes to changes at every statement, and a
    # snapshot of it would keep a value it deletes alive: it is read afresh at each scan,
    # not kept (names_in_frames).
    outer_variables = [_variables_worth_looking_at(list(frame.f_locals.items()))
                       for frame in frames
                       if frame is not innermost and frame.f_code.co_name != "<module>"]
    namespaces = []
    seen_globals: set[int] = set()
    for frame in reversed(frames):
        if id(frame.f_globals) not in seen_globals:
            seen_globals.add(id(frame.f_globals))
            namespaces.append(frame.f_globals)
    current = id(innermost.f_globals) if innermost is not None and \
        innermost.f_code.co_name == "<module>" else None
    _SNAPSHOTS.pop(current, None)
    _forget_other_namespaces(namespaces)
    return outer_variables, namespaces, current


# (the innermost frame of the last scan, its frames, the variables worth looking at of its
# outer function frames, its global namespaces, the id of the one the innermost frame writes
# to). While the innermost frame is the same frame, the frames that called it have been
# suspended since: none rebound a local, so their variables are taken as found then, without
# reading ``f_locals`` (which copies every local into a dict); a list's items or a module's
# parameters are looked at again all the same. A generator's or coroutine's frame may have
# been resumed from code that ran meanwhile, so it never vouches for its callers. Only the
# last scan's frames are kept.
_NO_SCAN: tuple = (None, (), [], [], None)
_LAST_SCAN: tuple = _NO_SCAN
RESUMABLE = inspect.CO_GENERATOR | inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR | \
    inspect.CO_ITERABLE_COROUTINE


def _still_inside(innermost) -> bool:
    """Whether the scan runs inside the same call as the last (see _LAST_SCAN)."""
    return innermost is not None and innermost is _LAST_SCAN[0] and \
        not innermost.f_code.co_flags & RESUMABLE


def names_in_namespace(namespace: dict) -> Iterator[tuple[int, str, object]]:
    found: list = []
    _names_of(_variables_worth_looking_at(list(namespace.items())), found)
    return iter(found)


# id(namespace) -> (its keys, its values, the variables worth looking at) as last scanned.
# The outer frames of a scenario and its module's globals rarely change from one statement
# to the next: when every key and value is the same object as before, the scan looks again
# only at the variables that can name something (a list's items or a module's parameters
# may have changed). Only the outer namespaces of the last scan are kept (not the innermost
# frame's, which changes and deletes), so no value outlives its frame by more than a scan.
_SNAPSHOTS: dict[int, tuple[list, list, list]] = {}


def _worth_looking_at(namespace: dict) -> list:
    keys = list(namespace)
    values = list(namespace.values())
    known = _SNAPSHOTS.get(id(namespace))
    if known is not None and known[0] == keys and len(values) == len(known[1]) and \
            all(map(is_, values, known[1])):
        return known[2]
    variables = _variables_worth_looking_at(zip(keys, values))
    if len(keys) == len(values):     # else another thread changed it between the two reads
        _SNAPSHOTS[id(namespace)] = (keys, values, variables)
    return variables


def _forget_other_namespaces(namespaces: list) -> None:
    if len(_SNAPSHOTS) > len(namespaces):
        current = {id(namespace) for namespace in namespaces}
        for key in [key for key in _SNAPSHOTS if key not in current]:
            del _SNAPSHOTS[key]


def forget_namespaces() -> None:
    global _LAST_SCAN, _LAST_FRESH
    _SNAPSHOTS.clear()
    _LAST_SCAN = _NO_SCAN
    _LAST_FRESH = ((), (), ())


# (keys, their values' types, [(position, kind)] of the variables worth looking at) of the
# namespace read afresh last: which variables are worth looking at depends only on their names
# and types, so while those stay the same (a statement rebinding a tensor variable to a new
# tensor, say) the decision is taken again from here. No value is kept.
_LAST_FRESH: tuple = ((), (), ())


def _fresh_variables(namespace: dict) -> list[tuple[str, object, str]]:
    """_variables_worth_looking_at for a namespace that changes from one scan to the next."""
    global _LAST_FRESH
    keys = list(namespace)
    values = list(namespace.values())
    types = list(map(type, values))
    known_keys, known_types, positions = _LAST_FRESH
    if keys == known_keys and types == known_types:
        return [(keys[at], values[at], kind) for at, kind in positions]
    if len(keys) != len(values):     # another thread changed it between the two reads
        return _variables_worth_looking_at(list(namespace.items()))
    variables = _variables_worth_looking_at(zip(keys, values))
    kinds = {name: kind for name, _, kind in variables}
    _LAST_FRESH = (keys, types,
                   tuple((at, kinds[name]) for at, name in enumerate(keys) if name in kinds))
    return variables


def _variables_worth_looking_at(items) -> list[tuple[str, object, str]]:
    kinds = _KINDS
    variables = []
    for name, value in items:
        kind = kinds.get(type(value)) or _kind_of(type(value))
        if kind is not _OTHER and not name.startswith("__"):
            variables.append((name, value, kind))
    return variables


def _names_of(variables: list, found: list) -> None:
    """Append (tensor id, name, tensor) to ``found`` for each tensor the variables name."""
    for name, value, kind in variables:
        if kind is _TENSOR:
            tid = getattr(value, "_tid", 0)
            if tid and isinstance(tid, int):
                found.append((tid, name, value))
        elif kind is _SEQUENCE:
            items = value[:MAX_ITEMS_PER_LIST]
            if _may_hold_tensors(items):
                for index, item in enumerate(items):
                    item_id = known_id(item)
                    if item_id:
                        found.append((item_id, f"{name}[{index}]", item))
        elif callable(getattr(value, "named_parameters", None)):
            found.extend(_parameter_names(name, value))


def _may_hold_tensors(items) -> bool:
    """Whether a tensor is among ``items``, by their types (most lists a scenario keeps hold
    numbers, a loss history say, and are looked at once per statement)."""
    kinds = _KINDS
    for cls in set(map(type, items)):
        if (kinds.get(cls) or _kind_of(cls)) is _TENSOR:
            return True
    return False


def _parameter_names(prefix: str, module) -> list | tuple:
    """(tensor id, name, parameter) of the module's parameters the engine gave an id to.
    An engine module's are kept until a module's registries change (its structure
    generation) and every parameter has its id: a scan looks at every module variable at
    every statement, and walking a big model costs tens of microseconds."""
    generation = _structure_generation(module)
    if generation is not None:
        known = _PARAMETER_NAMES.get(id(module))
        if known is not None and known[0] == generation and known[1]() is module:
            return known[2]
    found, complete = _walk_parameters(module)
    if generation is not None and complete:
        if len(_PARAMETER_NAMES) >= PARAMETER_NAMES_KEPT:
            _PARAMETER_NAMES.clear()
        key = id(module)
        _PARAMETER_NAMES[key] = (generation, weakref.ref(module, _forgetter(key)),
                                 tuple(found))
    return found


def _forgetter(key: int):
    """Drops a module's entry when it dies: the entry holds its parameters."""
    return lambda _: _PARAMETER_NAMES.pop(key, None)


# id(module) -> (structure generation, weak reference to it, what _parameter_names found),
# for engine modules whose every parameter had an id (later ids would be missed otherwise).
_PARAMETER_NAMES: dict[int, tuple] = {}
PARAMETER_NAMES_KEPT = 64


def _walk_parameters(module) -> tuple[list, bool]:
    """What _parameter_names finds, and whether every parameter had an id."""
    found: list = []
    complete = True
    try:
        for count, (name, parameter) in enumerate(module.named_parameters()):
            if count >= MAX_PARAMETERS_PER_MODULE:
                break
            tid = known_id(parameter)
            if tid:
                found.append((tid, name, parameter))
            else:
                complete = False
    except Exception:       # a half-built module in the scenario must not break naming
        complete = False
    return found, complete


def _structure_generation(module) -> int | None:
    """The engine's module structure generation, for an engine module (None otherwise)."""
    engine_modules = sys.modules.get("engine.nn.modules.module")
    if engine_modules is None or not isinstance(module, engine_modules.Module):
        return None
    return engine_modules.structure_generation()
