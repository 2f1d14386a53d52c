"""Event logs saved as JSON lines, and read back without trusting them.

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
import os
import types
import typing
from collections.abc import Iterable, Sequence

import numpy as np

from engine import trace
from graphtui import __version__
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
    """Write the events to ``path``; returns how many were written."""
    with open(path, "w", encoding="utf-8") as out:
        return write(events, out, scenario, backend)


def write(events: Iterable, out, scenario: str = "", backend: str = "engine",
          extra: dict | None = None) -> int:
    """Write a header line, then one JSON object per event, to a text stream. ``backend``:
    what the scenario's torch was ("engine" or "torch"); ``extra``: more keys for the header
    (dump's summaries; reading ignores them)."""
    header = {HEADER_KEY: FORMAT_VERSION, "graphtui": __version__, "scenario": scenario,
              "backend": backend, "first_step": getattr(events, "first_step", 0),
              **(extra or {})}
    out.write(json.dumps(header, allow_nan=False) + "\n")
    count = 0
    for event in events:
        out.write(json.dumps(_encode(event), separators=(",", ":"), allow_nan=False) + "\n")
        count += 1
    return count


def _encode(value):
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        encoded = {"$": type(value).__name__}
        for field in dataclasses.fields(value):
            encoded[field.name] = _encode(getattr(value, field.name))
        if type(value) is trace.NodeCreated:      # an in-process event: the node's own dict
            encoded["attrs"] = _encode(node_attrs(value.attrs))
        return encoded
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

def load(path: str | os.PathLike) -> tuple[dict, list]:
    """The header and the events of a recording, checked; RecordingError when unusable."""
    given = os.fspath(path)
    try:
        with open(given, encoding="utf-8") as source:
            lines = source.read().split("\n")
    except FileNotFoundError:
        raise RecordingError(f"{given}: no such file") from None
    except IsADirectoryError:
        raise RecordingError(f"{given}: is a directory, not a recording") from None
    except UnicodeDecodeError as error:
        raise RecordingError(f"{given}: not UTF-8 text ({error.reason})") from None
    except OSError as error:
        raise RecordingError(f"{given}: cannot be read ({error.strerror or error})") from None
    if lines and lines[-1] == "":
        lines.pop()
    header = _read_header(given, lines)
    events = [_read_event(given, number, line)
              for number, line in enumerate(lines[1:], start=2)]
    if not header.get("first_step"):
        _check_node_ids(given, events)
    _check_replay(given, events)
    return header, events


def _read_header(given: str, lines: Sequence[str]) -> dict:
    if not lines:
        raise RecordingError(f"{given}: empty file, not a graphtui recording")
    header = _parse_json(given, 1, lines[0])
    if not isinstance(header, dict) or HEADER_KEY not in header:
        raise RecordingError(f"{given}:1: not a graphtui recording (no header line)")
    if header[HEADER_KEY] not in READ_VERSIONS:
        raise RecordingError(f"{given}:1: recording format {header[HEADER_KEY]!r} is not "
                             f"supported (this graphtui reads format {FORMAT_VERSION})")
    return header


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
    if isinstance(raw, list):
        return tuple(_decode(item) for item in raw)
    if isinstance(raw, dict):
        if "$array" in raw:
            return _decode_array(raw)
        if "$float" in raw:
            return _decode_float(raw)
        return _decode_object(raw)
    if raw is None or isinstance(raw, (bool, int, float, str)):
        return raw
    raise ValueError(f"unexpected value {raw!r}")


def _decode_array(raw: dict) -> np.ndarray:
    dtype = raw.get("$array")
    if dtype not in ("float16", "float32", "float64", "int8", "int16", "int32", "int64",
                     "uint8", "bool", "complex64", "complex128"):
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
    names = {field.name for field in dataclasses.fields(cls)}
    unknown = sorted(set(raw) - names - {"$"})
    if unknown:
        raise ValueError(f"{type_name} has no field {unknown[0]!r}")
    values = {name: _decode(value) for name, value in raw.items() if name != "$"}
    for name, value in values.items():
        if not _fits(value, _FIELD_SHAPES.get(name, _HINTS[type_name][name])):
            raise ValueError(f"{type_name}.{name} cannot be {_short(value)}")
    try:
        return cls(**values)
    except TypeError as error:
        raise ValueError(f"{type_name}: {error}") from None


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


def _fits(value, hint) -> bool:
    """Whether a decoded value has the declared type (the annotations of the dataclasses)."""
    if hint == _SUMMARIES:
        return (value is None or isinstance(value, trace.Summary)
                or isinstance(value, tuple) and all(_fits(v, _SUMMARIES) for v in value))
    if hint == _ATTRS:
        return value is None or isinstance(value, tuple) and all(
            type(pair) is tuple and len(pair) == 2 and type(pair[0]) is str and is_plain(pair[1])
            for pair in value)
    if isinstance(hint, types.UnionType):
        return any(_fits(value, option) for option in typing.get_args(hint))
    if typing.get_origin(hint) is tuple:
        return isinstance(value, tuple) and _fits_tuple(value, typing.get_args(hint))
    if hint is type(None):
        return value is None
    if hint is int:
        return type(value) is int and -_ID_RANGE < value < _ID_RANGE
    if hint is float:
        return type(value) in (int, float, bool)
    return isinstance(value, hint)


def _fits_tuple(value: tuple, items: tuple) -> bool:
    if len(items) == 2 and items[1] is Ellipsis:
        return all(_fits(item, items[0]) for item in value)
    return len(value) == len(items) and all(_fits(v, h) for v, h in zip(value, items))


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


def _check_node_ids(given: str, events: list) -> None:
    created: set[int] = set()
    for index, event in enumerate(events):
        refer = NODE_REFERENCES.get(type(event))
        unknown = [n for n in refer(event) if n is not None and n not in created] if refer \
            else ()
        if unknown:
            raise RecordingError(f"{given}:{index + 2}: {type(event).__name__} names node "
                                 f"{unknown[0]}, which no earlier event created")
        if type(event) is trace.NodeCreated:
            created.add(event.node_id)


def _check_replay(given: str, events: list) -> None:
    """Apply every event once, so nonsense values fail here, with their line, not in the UI."""
    builder = StateBuilder(strict=True)
    for index, event in enumerate(events):
        try:
            builder.apply(event)
        except Exception as error:
            raise RecordingError(f"{given}:{index + 2}: {type(event).__name__} does not fit "
                                 f"the events before it ({type(error).__name__}: {error})"
                                 ) from None


def is_recording(path: str | os.PathLike) -> bool:
    return os.fspath(path).endswith(".jsonl")
