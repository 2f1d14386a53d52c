"""Making and changing the model's frozen slotted views without their dataclass machinery.

The builder makes a view, or a changed copy of one, for almost every event it applies: a
frozen dataclass's ``__init__`` writes each field through ``object.__setattr__`` (a lookup
and a call per field), and ``dataclasses.replace`` goes through ``__init__`` again after
reading every field by name. Here each view type gets two functions, written once for its
fields: ``maker(T)`` takes the same arguments as ``T(...)`` (defaults included) and writes
the slots through their own descriptors; ``replace(view, **changes)`` reads the slots at
once and writes each, changed or not, in one unrolled function (a loop over the fields
cost a third more, and the builder replaces a view for most events). Neither runs
``__post_init__`` or field validation: the model's views have none (both refuse a type with
a ``__post_init__``).
"""
from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable

_MAKERS: dict[type, Callable] = {}
_REPLACERS: dict[type, Callable] = {}
_KEEP = object()            # a field replace() was not asked to change


def maker(view_type: type) -> Callable:
    """A function building ``view_type`` instances from ``view_type``'s own arguments."""
    made = _MAKERS.get(view_type)
    if made is None:
        made = _MAKERS[view_type] = _write_maker(view_type)
    return made


def replace(view, /, **changes):
    """``dataclasses.replace`` for a frozen slotted view, without calling ``__init__``."""
    copy = _REPLACERS.get(type(view))
    if copy is None:
        copy = _REPLACERS[type(view)] = _write_replacer(type(view))
    return copy(view, **changes)


def _fields(view_type: type) -> tuple:
    if not (dataclasses.is_dataclass(view_type) and "__slots__" in vars(view_type)):
        raise TypeError(f"{view_type.__name__} is not a slotted dataclass")
    if hasattr(view_type, "__post_init__"):
        raise TypeError(f"{view_type.__name__} has a __post_init__, which a maker would skip")
    return dataclasses.fields(view_type)


def _write_maker(view_type: type) -> Callable:
    namespace: dict = {"_new": object.__new__, "_type": view_type}
    parameters, lines = [], []
    for index, field in enumerate(_fields(view_type)):
        if field.default_factory is not dataclasses.MISSING:
            raise TypeError(f"{view_type.__name__}.{field.name} has a default factory")
        if field.default is dataclasses.MISSING:
            parameters.append(field.name)
        else:
            namespace[f"_default{index}"] = field.default
            parameters.append(f"{field.name}=_default{index}")
        namespace[f"_set{index}"] = getattr(view_type, field.name).__set__
        lines.append(f"    _set{index}(view, {field.name})")
    source = (f"def make({', '.join(parameters)}):\n    view = _new(_type)\n"
              + "\n".join(lines) + "\n    return view\n")
    exec(source, namespace)      # the same technique dataclasses uses for __init__
    make = namespace["make"]
    make.__qualname__ = make.__name__ = f"make_{view_type.__name__}"
    return make


def _write_replacer(view_type: type) -> Callable:
    names = [field.name for field in _fields(view_type)]
    if any(name.startswith("_") for name in names):
        raise TypeError(f"{view_type.__name__} has a field named with _, which replace uses")
    namespace: dict = {"_new": object.__new__, "_type": view_type, "_KEEP": _KEEP,
                       "_read": operator.attrgetter(*names, *names[:1])}  # a tuple even for one
    lines = [f"def replace(_view, /, *, {', '.join(f'{name}=_KEEP' for name in names)}):",
             f"    {''.join(f'_{name}, ' for name in names)}_ = _read(_view)",
             "    _twin = _new(_type)"]
    for index, name in enumerate(names):
        namespace[f"_set{index}"] = getattr(view_type, name).__set__
        lines.append(f"    _set{index}(_twin, _{name} if {name} is _KEEP else {name})")
    exec("\n".join(lines) + "\n    return _twin\n", namespace)
    copy = namespace["replace"]
    copy.__qualname__ = copy.__name__ = f"replace_{view_type.__name__}"
    return copy
