"""Recordings in the wire's own encoding (``.gtr``): the batches a run sent, kept as they came.

A ``.jsonl`` recording is readable text written event by event, at about 10 us an event: a
1000-step training loop's 130,000 events take 1.4 s to write, against 2.3 s for its run. A
compact recording is the header line of a JSON-lines one (``"graphtui_recording": 3`` and
``"encoding": "wire"``), then the run's events as batches framed as the channel frames them
(``graphtui.wire``: a 9-byte header, then one pickled batch). The batches a live run received
go to the file as they came, without being decoded; the debugger's own events (the run's
start and end, output lines) and an in-process log are encoded the same way.

Reading trusts such a file no more than JSON lines: the unpickler builds only the event and
value classes of ``graphtui.wire``, and every event is checked as a JSON-lines event is (each
field of its declared type, every node it names created before it, one replay) before
anything is shown. The events then stay encoded, decoded again when read, as in a live run. A
truncated or damaged file gives a ``RecordingError`` naming the batch or the event.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from graphtui import wire
from graphtui.batchlog import BatchLog

FORMAT_VERSION = 3
ENCODING = "wire"
SUFFIX = ".gtr"                  # one of graphtui.RECORDING_SUFFIXES
BATCH_EVENTS = 4096              # events per batch encoded here (an in-process log's)


def write(events: Iterable, out, header: dict) -> int:
    """The header line, then the events as framed batches, to a binary stream; returns how
    many events were written."""
    out.write(json.dumps({**header, "graphtui_recording": FORMAT_VERSION,
                          "encoding": ENCODING}, allow_nan=False).encode() + b"\n")
    written = 0
    for count, payload in _batches(events):
        out.write(wire.frame_header(wire.BATCH, count, len(payload)))
        out.write(payload)
        written += count
    return written


def _batches(events: Iterable) -> Iterator[tuple[int, bytes]]:
    if isinstance(events, BatchLog):
        yield from events.encoded_batches()
        return
    batch: list = []
    for event in events:
        batch.append(event)
        if len(batch) == BATCH_EVENTS:
            yield len(batch), wire.encode_events(batch)
            batch = []
    if batch:
        yield len(batch), wire.encode_events(batch)


def is_compact(header: dict) -> bool:
    return header.get("encoding") == ENCODING


def read_batches(given: str, data: bytes, offset: int, fail) -> BatchLog:
    """The framed batches of ``data`` from ``offset`` on, as a log of encoded batches (not
    decoded yet). ``fail(message)`` returns the exception to raise."""
    log = BatchLog()
    number = 0
    while offset < len(data):
        number += 1
        if len(data) - offset < wire.HEADER.size:
            raise fail(f"{given}: batch {number} is cut short (the file may be truncated)")
        length, kind, count = wire.HEADER.unpack_from(data, offset)
        offset += wire.HEADER.size
        if kind != wire.BATCH or length > wire.MAX_FRAME:
            raise fail(f"{given}: batch {number} has a damaged header (kind {kind}, "
                       f"length {length})")
        if len(data) - offset < length:
            raise fail(f"{given}: batch {number} is cut short (the file may be truncated)")
        log.append_encoded(count, data[offset:offset + length])
        offset += length
    return log


def decoded_events(given: str, log: BatchLog, fail) -> Iterator[tuple[int, object]]:
    """(batch number, event) for every event of the log, decoded batch by batch."""
    for number, (count, payload) in enumerate(log.encoded_batches(), start=1):
        try:
            events = wire.decode_events(payload)
        except wire.WireError as error:
            raise fail(f"{given}: batch {number}: {error}") from None
        except RecursionError:
            raise fail(f"{given}: batch {number}: nested too deeply to be graphtui "
                       f"events") from None
        if len(events) != count:
            raise fail(f"{given}: batch {number} says {count} events and holds "
                       f"{len(events)}")
        for event in events:
            yield number, event
