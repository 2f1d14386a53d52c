"""Event logs saved as JSON lines, and read back without trusting them. A file whose name
ends in ``.gtr`` is written compact instead (``graphtui.compact_recording``); ``load`` tells
the two apart by the header line and checks a compact one's events as it checks these.

Line 1 is a header (``{"graphtui_recording": 2, ...}``), then one event per line. Events
and the values inside them (summaries, saved-buffer records, arrays) are encoded by type
name and field; an array is ``{"$array": dtype, "data": [values]}`` up to 64 values and
``{"$array": dtype, "b64": base64 of its little-endian bytes}`` past that (format 1, still
read, wrote every array as a list: three times the text); reading accepts only the types in a fixed registry (the engine's events and
graphtui's own), so nothing in a file is ever executed. Every field must have its declared
type, and every node an event names must have been created earlier in the file (unless the
recording starts mid-run, ``first_step`` > 0, after older events were folded away). A
truncated, corrupted or hand-edited file gives a ``RecordingError`` naming the line.
"""
from __future__ import annotations

import base64
import dataclasses
import json
import math
import operator
import os
import types
import typing
from collections.abc import Iterable, Sequence

import numpy as np

from engine import trace
from graphtui import __version__, compact_recording, is_recording_name
from graphtui.model import events as graphtui_events
from graphtui.model.builder import StateBuilder
from graphtui.model.node_attrs import is_plain, node_attrs

FORMAT_VERSION = 2                # 2: arrays of more than DATA_LIST_MAX values as base64
READ_VERSIONS = (1, 2)
HEADER_KEY = "graphtui_recording"
DATA_LIST_MAX = 64                # values an array writes as a JSON list (readable by eye)


class RecordingError(Exception):
    """A recording that cannot be read; ``str()`` is the one line to print."""


def _registry() -> dict[str, type]:
    types = {}
    for module in (trace, graphtui_events):
        for name, value in vars(module).items():
            if isinstance(value, type) and dataclasses.is_dataclass(value):
                types[name] = value
    return types


_TYPES = _registry()
_HINTS = {name: typing.get_type_hints(cls) for name, cls in _TYPES.items()}
_ID_RANGE = 1 << 64                 # ids and counters are at most 64-bit (sequence_nr is)


# ---------------------------------------------------------------- writing

def save(events: Iterable, path: str | os.PathLike, scenario: str = "",
         backend: str = "engine") -> int:
    """Write the events to ``path`` (a compact recording when it ends in ``.gtr``, JSON
    lines otherwise); returns how many were written."""
    if os.fspath(path).endswith(compact_recording.SUFFIX):
        with open(path, "wb") as out:
            return compact_recording.write(events, out, header(events, scenario, backend))
    with open(path, "w", encoding="utf-8") as out:
        return write(events, out, scenario, backend)


def header(events, scenario: str = "", backend: str = "engine",
           extra: dict | None = None) -> dict:
    """A recording's first line. ``backend``: what the scenario's torch was ("engine" or
    "torch"); ``extra``: more keys (dump's summaries; reading ignores them)."""
    return {HEADER_KEY: FORMAT_VERSION, "graphtui": __version__, "scenario": scenario,
            "backend": backend,
            "first_step": getattr(events, "first_step", 0) + getattr(events, "recorded_from", 0),
            **(extra or {})}


def write(events: Iterable, out, scenario: str = "", backend: str = "engine",
          extra: dict | None = None) -> int:
    """Write the header line (see ``header``), then one JSON object per event, to a text
    stream."""
    out.write(json.dumps(header(events, scenario, backend, extra), allow_nan=False) + "\n")
    count = 0
    for event in events:
        out.write(json.dumps(_encode(event), separators=(",", ":"), allow_nan=False) + "\n")
        count += 1
    return count


def _encode(value):
    """A value as JSON data. The common types (every event of a run goes through here, with
    each field and item) are told apart by their exact type first."""
    kind = type(value)
    if kind in _AS_THEY_ARE:
        return value
    if kind is float:
        return value if math.isfinite(value) else {"$float": _NON_FINITE_NAMES[
            _non_finite_key(value)]}
    if kind is tuple or kind is list:
        return [_encode(item) for item in value]
    names = _FIELD_NAMES.get(kind)
    if names is None and dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = _FIELD_NAMES[kind] = tuple(field.name for field in dataclasses.fields(value))
    if names is not None:
        encoded = {"$": kind.__name__}
        for name in names:
            encoded[name] = _encode(getattr(value, name))
        if kind is trace.NodeCreated:      # an in-process event: the node's own dict
            encoded["attrs"] = _encode(node_attrs(value.attrs))
        return encoded
    return _encode_other(value)


_AS_THEY_ARE = frozenset({str, int, bool, type(None)})
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}      # a dataclass -> its fields' names


def _encode_other(value):
    if isinstance(value, np.ndarray):
        if value.size > DATA_LIST_MAX:       # raw little-endian bytes: a third of the text
            little = value.astype(value.dtype.newbyteorder("<"), copy=False)
            return {"$array": value.dtype.name,
                    "b64": base64.b64encode(little.tobytes()).decode("ascii")}
        return {"$array": value.dtype.name, "data": _array_data(value)}
    if isinstance(value, (tuple, list)):
        return [_encode(item) for item in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return {"$float": _NON_FINITE_NAMES[_non_finite_key(value)]}
    return value


# Strict JSON has no NaN or Infinity: a non-finite float is written as one of these names
# ({"$float": name} alone, a bare name inside an array's data, which NumPy reads back).
_NON_FINITE_NAMES = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}
_NON_FINITE_VALUES = {name: float(key) for key, name in _NON_FINITE_NAMES.items()}


def _non_finite_key(value: float) -> str:
    return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")


def _array_data(array: np.ndarray) -> list:
    data = array.tolist()
    if array.dtype.kind != "f" or np.isfinite(array).all():
        return data
    return [item if math.isfinite(item) else _NON_FINITE_NAMES[_non_finite_key(item)]
            for item in array.reshape(-1).tolist()]


# ---------------------------------------------------------------- reading

def load(path: str | os.PathLike) -> tuple[dict, Sequence]:
    """The header and the events of a recording, checked; RecordingError when unusable. A
    compact recording's events come as a log of encoded batches (a ``BatchLog``)."""
    given = os.fspath(path)
    try:
        with open(given, "rb") as source:
            data = source.read()
    except FileNotFoundError:
        raise RecordingError(f"{given}: no such file") from None
    except IsADirectoryError:
        raise RecordingError(f"{given}: is a directory, not a recording") from None
    except OSError as error:
        raise RecordingError(f"{given}: cannot be read ({error.strerror or error})") from None
    header_end = data.find(b"\n")
    header_end = len(data) if header_end < 0 else header_end
    header = _read_header(given, [_text(given, data[:header_end])] if data else [])
    if compact_recording.is_compact(header):
        return header, _load_compact(given, header, data, header_end + 1)
    if header[HEADER_KEY] not in READ_VERSIONS:
        raise RecordingError(f"{given}:1: recording format {header[HEADER_KEY]!r} is not "
                             f"supported (this graphtui reads format {FORMAT_VERSION})")
    lines = _text(given, data).split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    events = [_read_event(given, number, line)
              for number, line in enumerate(lines[1:], start=2)]
    _check_events(header, events, lambda index: f"{given}:{index + 2}")
    return header, events


def _text(given: str, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise RecordingError(f"{given}: not UTF-8 text ({error.reason})") from None


def _read_header(given: str, lines: Sequence[str]) -> dict:
    if not lines:
        raise RecordingError(f"{given}: empty file, not a graphtui recording")
    header = _parse_json(given, 1, lines[0])
    if not isinstance(header, dict) or HEADER_KEY not in header:
        raise RecordingError(f"{given}:1: not a graphtui recording (no header line)")
    return header


def _load_compact(given: str, header: dict, data: bytes, offset: int) -> Sequence:
    """The batches of a compact recording, each event checked as a JSON line's is."""
    if header[HEADER_KEY] != compact_recording.FORMAT_VERSION:
        raise RecordingError(f"{given}:1: compact recording format {header[HEADER_KEY]!r} "
                             f"is not supported (this graphtui reads format "
                             f"{compact_recording.FORMAT_VERSION})")
    log = compact_recording.read_batches(given, data, offset, RecordingError)
    events: list = []
    for batch, event in compact_recording.decoded_events(given, log, RecordingError):
        try:
            check_object(event)
        except ValueError as error:
            raise RecordingError(f"{given}: event {len(events) + 1} (batch {batch}): "
                                 f"{error}") from None
        events.append(event)
    _check_events(header, events, lambda index: f"{given}: event {index + 1}")
    return log


def _check_events(header: dict, events: list, place) -> None:
    """Node references and one replay; ``place(index)`` says where an event is."""
    if not header.get("first_step"):
        _check_node_ids(place, events)
    _check_replay(place, events)


def _parse_json(given: str, number: int, line: str):
    try:
        return json.loads(line)
    except json.JSONDecodeError as error:
        raise RecordingError(f"{given}:{number}: not valid JSON ({error.msg} at column "
                             f"{error.colno}); the file may be truncated or edited") from None
    except RecursionError:
        raise RecordingError(f"{given}:{number}: nested too deeply to be a graphtui "
                             f"event") from None
    except ValueError as error:          # e.g. an integer of thousands of digits
        raise RecordingError(f"{given}:{number}: not a value graphtui writes "
                             f"({error})") from None


def _read_event(given: str, number: int, line: str):
    raw = _parse_json(given, number, line)
    try:
        event = _decode(raw)
    except (TypeError, ValueError, KeyError) as error:
        raise RecordingError(f"{given}:{number}: {error}") from None
    except RecursionError:
        raise RecordingError(f"{given}:{number}: nested too deeply to be a graphtui "
                             f"event") from None
    if not dataclasses.is_dataclass(event):
        raise RecordingError(f"{given}:{number}: expected an event object, got "
                             f"{type(event).__name__}")
    return event


def _decode(raw):
    kind = type(raw)
    if kind in _AS_THEY_ARE or kind is float:
        return raw
    if kind is list:
        return tuple([_decode(item) for item in raw])
    if kind is dict:
        if "$array" in raw:
            return _decode_array(raw)
        if "$float" in raw:
            return _decode_float(raw)
        return _decode_object(raw)
    if raw is None or isinstance(raw, (bool, int, float, str)):
        return raw
    raise ValueError(f"unexpected value {raw!r}")


_ARRAY_DTYPES = ("float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8",
                 "bool", "complex64", "complex128")


def _decode_array(raw: dict) -> np.ndarray:
    dtype = raw.get("$array")
    if dtype not in _ARRAY_DTYPES:
        raise ValueError(f"unknown array dtype {dtype!r}")
    if set(raw) == {"$array", "b64"}:
        array = _array_of_bytes(raw["b64"], np.dtype(dtype).newbyteorder("<"))
    elif set(raw) <= {"$array", "data"}:
        array = np.asarray(raw.get("data", ()), dtype=dtype).reshape(-1)
    else:
        raise ValueError(f"an array has data or b64, not {sorted(set(raw) - {'$array'})}")
    array.flags.writeable = False
    return array


def _array_of_bytes(text, dtype: np.dtype) -> np.ndarray:
    if not isinstance(text, str):
        raise ValueError(f"an array's b64 is text, not {_short(text)}")
    try:
        data = base64.b64decode(text, validate=True)
    except ValueError:
        raise ValueError(f"an array's b64 is not base64: {_short(text)}") from None
    if len(data) % dtype.itemsize:
        raise ValueError(f"an array's b64 holds {len(data)} bytes, not whole {dtype.name} values")
    return np.frombuffer(data, dtype=dtype).astype(dtype.newbyteorder("="), copy=False)


def _decode_float(raw: dict) -> float:
    name = raw["$float"]
    if set(raw) != {"$float"} or name not in _NON_FINITE_VALUES:
        raise ValueError(f"a $float is one of NaN, Infinity, -Infinity: {_short(raw)}")
    return _NON_FINITE_VALUES[name]


def _decode_object(raw: dict):
    type_name = raw.get("$")
    if "$" not in raw:
        raise ValueError(f"an object without a \"$\" type name: {_short(raw)}")
    cls = _TYPES.get(type_name) if isinstance(type_name, str) else None
    if cls is None:
        raise ValueError(f"unknown event or value type {type_name!r}")
    checks = _shallow_checks_of(type_name)
    values = {}
    for name, value in raw.items():
        if name == "$":
            continue
        fits = checks.get(name)
        if fits is None:
            raise ValueError(f"{type_name} has no field {name!r}")
        value = values[name] = _decode(value)
        if not fits(value):
            raise ValueError(f"{type_name}.{name} cannot be {_short(value)}")
    try:
        return cls(**values)
    except TypeError as error:
        raise ValueError(f"{type_name}: {error}") from None


def check_object(value) -> None:
    """An object decoded from a compact recording, checked as ``_decode_object`` checks a
    JSON one: an event or value type of the registry, every field of its declared type,
    the objects and arrays inside it likewise; ValueError otherwise."""
    cls = type(value)
    name = cls.__name__
    if _TYPES.get(name) is not cls:
        raise ValueError(f"expected an event or value object, got {_short(value)}")
    fields, checks = _checks_of(name)
    try:
        items = fields(value)
    except AttributeError as error:
        raise ValueError(f"{name} lacks a field ({error})") from None
    for (field, fits), item in zip(checks, items):
        if not fits(item):
            raise ValueError(f"{name}.{field} cannot be {_short(item)}")


_CHECKS: dict[str, tuple] = {}          # deep checks, with a getter of all the fields
_SHALLOW_CHECKS: dict[str, dict] = {}   # shallow checks by field name


def _field_checks(name: str, deep: bool) -> tuple:
    """(field, check) of each field of the type, its hint made once into a function of
    the value (every field of every event of a recording is checked)."""
    hints = _HINTS[name]
    return tuple((field.name, _check_for(_FIELD_SHAPES.get(field.name, hints[field.name]),
                                         deep))
                 for field in dataclasses.fields(_TYPES[name]))


def _shallow_checks_of(name: str) -> dict:
    """{field: check} of the type, for a JSON object whose values were decoded, and so
    checked, before it: objects inside are taken as they are."""
    checks = _SHALLOW_CHECKS.get(name)
    if checks is None:
        checks = _SHALLOW_CHECKS[name] = dict(_field_checks(name, False))
    return checks


def _checks_of(name: str) -> tuple:
    """(a getter of the type's fields as a tuple, its _field_checks, deep): for an object
    of a compact recording, built by the unpickler with whatever is inside it."""
    checks = _CHECKS.get(name)
    if checks is None:
        fields = _field_checks(name, True)
        getter = operator.attrgetter(*[field for field, _ in fields])
        checks = _CHECKS[name] = (
            getter if len(fields) > 1 else lambda value: (getter(value),), fields)
    return checks


def _check_for(hint, deep: bool = True):
    """Whether a value has the declared type (a dataclass annotation, or a _FIELD_SHAPES
    entry), as a function of the value; ``deep``: the objects inside are checked too
    (False: they were, as they were decoded)."""
    inside = _checked if deep else _unchecked
    if hint == _SUMMARIES:
        def summaries(value):
            return value is None or (type(value) is trace.Summary and inside(value)) or \
                (type(value) is tuple and all(map(summaries, value)))
        return summaries
    if hint == _ATTRS:
        return _attrs_fit
    if isinstance(hint, types.UnionType):
        options = typing.get_args(hint)
        if len(options) == 2 and options[1] is type(None):
            inner = _check_for(options[0], deep)
            return lambda value: value is None or inner(value)
        checks = tuple(_check_for(option, deep) for option in options)
        return lambda value: any(fits(value) for fits in checks)
    if typing.get_origin(hint) is tuple:
        items = typing.get_args(hint)
        if len(items) == 2 and items[1] is Ellipsis:
            each = _check_for(items[0], deep)
            return lambda value: type(value) is tuple and all(map(each, value))
        checks = tuple(_check_for(item, deep) for item in items)
        return lambda value: type(value) is tuple and len(value) == len(checks) and \
            all(fits(item) for fits, item in zip(checks, value))
    if hint is type(None):
        return lambda value: value is None
    if hint is int:
        return lambda value: type(value) is int and -_ID_RANGE < value < _ID_RANGE
    if hint is float:
        return lambda value: type(value) in (int, float, bool)
    if hint is np.ndarray:
        return lambda value: type(value) is np.ndarray and value.ndim == 1 and \
            value.dtype.name in _ARRAY_DTYPES
    if dataclasses.is_dataclass(hint):
        return lambda value: type(value) is hint and inside(value)
    return lambda value: isinstance(value, hint)


def _checked(value) -> bool:
    check_object(value)             # raises for a value that does not fit
    return True


def _unchecked(value) -> bool:
    return True


# Fields declared as a bare ``tuple``: what they hold.
_SUMMARIES = "summaries"          # Summary or None, in tuples nested at any depth
_ATTRS = "attrs"                  # a node's plain values: ((name, plain value), ...)
_FIELD_SHAPES = {
    "next_functions": tuple[tuple[int | None, int], ...],
    "roots": tuple[tuple[int | None, int | None], ...],
    "grad_outputs": tuple[trace.Summary | None, ...],
    "grad_inputs": tuple[trace.Summary | None, ...],
    "args": _SUMMARIES, "result": _SUMMARIES, "inputs": _SUMMARIES, "outputs": _SUMMARIES,
    "head": tuple[float, ...],
    "attrs": _ATTRS,
}


def _attrs_fit(value) -> bool:
    return value is None or isinstance(value, tuple) and all(
        type(pair) is tuple and len(pair) == 2 and type(pair[0]) is str and is_plain(pair[1])
        for pair in value)


def _short(value) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 40 else text[:37] + '...'}"


# Events that name a node, and where: a node id must come from an earlier NodeCreated.
NODE_REFERENCES = {
    trace.NodeExecuting: lambda e: (e.node_id,),
    trace.NodeExecuted: lambda e: (e.node_id,),
    trace.BufferFreed: lambda e: (e.node_id,),
    trace.NodeCreated: lambda e: tuple(node for node, _ in e.next_functions),
    trace.BackwardStarted: lambda e: tuple(node for node, _ in e.roots),
}


def _check_node_ids(place, events: list) -> None:
    """``place(index)``: where the event at ``index`` is, for the error."""
    created: set[int] = set()
    for index, event in enumerate(events):
        refer = NODE_REFERENCES.get(type(event))
        unknown = [n for n in refer(event) if n is not None and n not in created] if refer \
            else ()
        if unknown:
            raise RecordingError(f"{place(index)}: {type(event).__name__} names node "
                                 f"{unknown[0]}, which no earlier event created")
        if type(event) is trace.NodeCreated:
            created.add(event.node_id)


def _check_replay(place, events: list) -> None:
    """Apply every event once, so nonsense values fail here, with their line, not in the UI."""
    builder = StateBuilder(strict=True)
    for index, event in enumerate(events):
        try:
            builder.apply(event)
        except Exception as error:
            raise RecordingError(f"{place(index)}: {type(event).__name__} does not fit "
                                 f"the events before it ({type(error).__name__}: {error})"
                                 ) from None


def is_recording(path: str | os.PathLike) -> bool:
    return is_recording_name(os.fspath(path))
