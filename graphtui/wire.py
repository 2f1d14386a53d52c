"""The wire format between the runner (the scenario's process) and the debugger.

Up (runner -> debugger), a stream of frames, each a 9-byte header and a payload::

    length: u32 little-endian   bytes of payload
    kind:   u8                  BATCH, PAUSED, FINISHED or HOOK (below)
    count:  u32 little-endian   events in the payload (0 for HOOK)

BATCH, PAUSED and FINISHED carry a batch of events pickled together (one pickle per batch,
not per event). Events are reduced to their class and a tuple of their fields (a C
``attrgetter``, no ``__dict__``), arrays to their bytes, dtype and shape; a summary holding
flat values and no statistics yet, or statistics only (most of them), to one record with
its values' bytes (summaries of one array share them) or its statistics' fields. Reading
accepts only the event and value classes of ``engine.trace`` and ``graphtui.model.events``
and the three rebuilders below (of an array, of either summary), so a frame cannot name
any other callable. PAUSED: the batch ends with a ``Paused`` event and the step gate holds
the scenario. FINISHED: the batch ends with the ``RunFinished`` event; nothing follows.
HOOK is JSON ``[hook_id, key, muted]``: the key under which a hook is muted again in a
re-run (see ``graphtui.runner.hookkeys``), so the debugger knows it without decoding
batches.

Down (debugger -> runner): one command per line of UTF-8 text. The first line is the run's
configuration as a JSON object (``start``); then ``step``, ``continue``, ``pause``,
``break 0|1``, ``mute ID``, ``unmute ID``, ``breakpoints JSON`` (the whole list of
breakpoint specs, replacing the last one sent), ``stop``.
"""
from __future__ import annotations

import copyreg
import dataclasses
import io
import json
import operator
import pickle
import struct

import numpy as np

from engine import trace
from graphtui.model import events as graphtui_events
from graphtui.model.node_attrs import node_attrs

HEADER = struct.Struct("<IBI")
BATCH, PAUSED, FINISHED, HOOK = 1, 2, 3, 4
KINDS = (BATCH, PAUSED, FINISHED, HOOK)
MAX_FRAME = 1 << 30                 # a longer length is a corrupted stream, not a batch

COMMANDS = ("step", "continue", "pause", "break", "mute", "unmute", "breakpoints", "stop")
JSON_COMMANDS = frozenset({"breakpoints"})     # their argument is JSON, not an integer


class WireError(Exception):
    """A frame that cannot be read: the stream is corrupted."""


# ---------------------------------------------------------------- events

def _event_classes() -> dict[str, type]:
    classes = {}
    for module in (trace, graphtui_events):
        for value in vars(module).values():
            if isinstance(value, type) and dataclasses.is_dataclass(value) \
                    and value.__module__ == module.__name__:
                classes[f"{value.__module__}.{value.__qualname__}"] = value
    return classes


_CLASSES = _event_classes()


def _rebuild_array(data: bytes, dtype: str, shape: tuple) -> np.ndarray:
    array = np.frombuffer(data, dtype)                    # read-only: backed by bytes
    # A reshaped array is a second array object kept beside the first: most values the
    # debugger receives are 1-D, which frombuffer's array already is.
    return array if len(shape) == 1 else array.reshape(shape)


# dtype -> its ``str`` ("<f4"): the property costs about a microsecond, and a batch reduces
# an array for most of its events.
_DTYPE_STRS: dict = {}


def _reduce_array(array: np.ndarray):
    dtype = array.dtype
    text = _DTYPE_STRS.get(dtype)
    if text is None:
        text = _DTYPE_STRS[dtype] = dtype.str
    return _rebuild_array, (array.tobytes(), text, array.shape)


def _summary_with_values(shape: tuple, dtype: str, numel: int, data: bytes,
                         values_dtype: str) -> trace.Summary:
    return trace.Summary(shape, dtype, numel, np.frombuffer(data, values_dtype))


_SUMMARY_FIELDS = operator.attrgetter("shape", "dtype", "numel", "values")
# The stored statistics of a summary, read past ``Summary.stats`` (a Python descriptor, which
# also computes those of a summary kept by reference: one without values).
_STATS_SLOT = getattr(getattr(trace.Summary, "stats", None), "slot", None)
_stored_stats = _STATS_SLOT.__get__ if _STATS_SLOT is not None else operator.attrgetter("stats")


def _summary_with_stats(shape: tuple, dtype: str, numel: int, *stats) -> trace.Summary:
    return trace.Summary(shape, dtype, numel, None, trace.Stats(*stats))


_STATS_FIELDS = operator.attrgetter(*[field.name for field in dataclasses.fields(trace.Stats)])


def _summary_reducer(copies: dict):
    """How one batch reduces summaries. Most hold either their values flat and no statistics
    yet, or statistics only (past the value budget, or a big tensor's): those are one record,
    their values as bytes or their statistics' fields inline (one reduction instead of two).
    ``copies`` maps id(values) -> (values, their bytes, dtype): summaries sharing an array (a
    gradient leaving one node and entering the next) share one copy of its bytes."""
    def reduce(summary: trace.Summary):
        shape, dtype, numel, values = _SUMMARY_FIELDS(summary)
        if values is None:
            stats = _stored_stats(summary)
            if stats is None:
                stats = summary.stats         # computed now for a summary kept by reference
            if type(stats) is trace.Stats:
                return _summary_with_stats, (shape, dtype, numel) + _STATS_FIELDS(stats)
            return trace.Summary, (shape, dtype, numel, None, stats)
        stats = _stored_stats(summary)
        if stats is not None or type(values) is not np.ndarray or values.ndim != 1:
            return trace.Summary, (shape, dtype, numel, values, stats)
        copy = copies.get(id(values))
        if copy is None:
            text = _DTYPE_STRS.get(values.dtype)
            if text is None:
                text = _DTYPE_STRS[values.dtype] = values.dtype.str
            copy = copies[id(values)] = (values, values.tobytes(), text)
        return _summary_with_values, (shape, dtype, numel, copy[1], copy[2])
    return reduce


def _reducer(cls: type):
    names = [field.name for field in dataclasses.fields(cls)]
    fields = operator.attrgetter(*names)
    if len(names) == 1:
        return lambda event: (cls, (fields(event),))
    return lambda event: (cls, fields(event))


def _reduce_node_created(event):
    """NodeCreated carries the node's own attrs dict, with the rule's private entries
    (closures, arrays): only its plain public part crosses the wire."""
    fields = _NODE_CREATED_FIELDS(event)
    return trace.NodeCreated, fields[:-1] + (node_attrs(fields[-1]),)


_NODE_CREATED_FIELDS = operator.attrgetter(
    *[field.name for field in dataclasses.fields(trace.NodeCreated)])
assert dataclasses.fields(trace.NodeCreated)[-1].name == "attrs"


_DISPATCH = copyreg.dispatch_table.copy()
_DISPATCH.update({cls: _reducer(cls) for cls in _CLASSES.values()})
_DISPATCH[trace.NodeCreated] = _reduce_node_created
_DISPATCH[np.ndarray] = _reduce_array
_ALLOWED = {**_CLASSES, f"{__name__}._rebuild_array": _rebuild_array,
            f"{__name__}._summary_with_values": _summary_with_values,
            f"{__name__}._summary_with_stats": _summary_with_stats}


def encode_events(events: list) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {**_DISPATCH, trace.Summary: _summary_reducer({})}
    pickler.dump(events)
    return buffer.getvalue()


class _EventUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        found = _ALLOWED.get(f"{module}.{name}")
        if found is None:
            raise WireError(f"a frame names {module}.{name}, which is not an event type")
        return found


def decode_events(payload: bytes) -> list:
    try:
        events = _EventUnpickler(io.BytesIO(payload)).load()
    except WireError:
        raise
    except Exception as error:
        raise WireError(f"a batch of events cannot be decoded ({error!r})") from None
    if type(events) is not list:
        raise WireError("a batch of events is not a list")
    return events


# ---------------------------------------------------------------- frames

def frame(kind: int, count: int, payload: bytes) -> bytes:
    return frame_header(kind, count, len(payload)) + payload


def frame_header(kind: int, count: int, length: int) -> bytes:
    """The header of a frame whose payload of ``length`` bytes is written after it (a
    batch's payload can be tens of MB: not copied to join it to its header)."""
    return HEADER.pack(length, kind, count)


def hook_frame(hook_id: int, key: tuple, muted: bool) -> bytes:
    return frame(HOOK, 0, json.dumps([hook_id, list(key), muted]).encode())


def read_hook(payload: bytes) -> tuple[int, tuple, bool]:
    hook_id, key, muted = json.loads(payload)
    return hook_id, tuple(key), bool(muted)


class FrameReader:
    """Splits a byte stream into (kind, count, payload) frames as bytes arrive."""

    def __init__(self) -> None:
        self._pending = bytearray()

    def feed(self, data: bytes) -> list[tuple[int, int, bytes]]:
        self._pending += data
        frames, offset, pending = [], 0, self._pending
        while len(pending) - offset >= HEADER.size:
            length, kind, count = HEADER.unpack_from(pending, offset)
            if kind not in KINDS or length > MAX_FRAME:
                raise WireError(f"bad frame header (kind {kind}, length {length})")
            end = offset + HEADER.size + length
            if end > len(pending):
                break
            frames.append((kind, count, bytes(pending[offset + HEADER.size:end])))
            offset = end
        del pending[:offset]
        return frames

    @property
    def partial(self) -> bool:
        """Bytes of an unfinished frame are waiting (the writer died in the middle)."""
        return bool(self._pending)


# ---------------------------------------------------------------- commands

def command(name: str, argument: object = None) -> bytes:
    if name not in COMMANDS:
        raise ValueError(f"unknown command {name!r}")
    if name in JSON_COMMANDS:
        return f"{name} {json.dumps(argument)}".encode() + b"\n"
    return (name if argument is None else f"{name} {int(argument)}").encode() + b"\n"


def start_line(config: dict) -> bytes:
    return json.dumps(config).encode() + b"\n"


def parse_command(line: bytes) -> tuple[str, object]:
    name, _, argument = line.decode().strip().partition(" ")
    if name not in COMMANDS:
        raise WireError(f"unknown command {name!r}")
    if name in JSON_COMMANDS:
        return name, json.loads(argument)
    return name, int(argument) if argument else None
