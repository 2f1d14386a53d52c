"""The event log of a run watched through the channel: batches kept as they arrived, decoded
when someone reads them.

Same interface as ``graphtui.model.history.EventLog`` (a Sequence whose step index is the
position, ``append``, ``first_step``, ``discard_before``), so ``History``, the TUI, dump and
recordings use it unchanged. A batch from the runner is stored as its encoded bytes with its
event count: the log's length grows at once, and the events are built only when read (the
history applying them, a pane showing them), a few batches kept decoded for repeated reads
(more for a reader that goes through the whole run again, like dump: ``events_kept``).
The channel's reader thread therefore only copies bytes, whatever the event rate.
"""
from __future__ import annotations

import bisect
import threading
from collections import OrderedDict
from collections.abc import Sequence

from graphtui import wire
from graphtui.model.events import Discarded

DECODED_KEPT = 8            # batches kept decoded for repeated reads


class _Chunk:
    __slots__ = ("start", "count", "payload", "events")

    def __init__(self, start: int, count: int, payload: bytes | None, events: list | None):
        self.start, self.count, self.payload, self.events = start, count, payload, events


class BatchLog(Sequence):
    recorded_from = 0           # as EventLog's

    def __init__(self, events_kept: int = 0) -> None:
        """``events_kept``: batches stay decoded while they hold at most this many events
        together (the last ``DECODED_KEPT`` batches stay in any case)."""
        self._chunks: list[_Chunk] = []
        self._starts: list[int] = []
        self._first = 0
        self._total = 0
        self._decoded: OrderedDict[int, list] = OrderedDict()
        self._decoded_events = 0
        self._events_kept = events_kept
        self._hot: tuple[int, int, list] = (0, 0, [])   # the batch read last: start, end
        self._lock = threading.RLock()

    @property
    def first_step(self) -> int:
        return self._first

    def __len__(self) -> int:
        return self._total

    def append(self, event) -> int:
        """Add one event of the debugger's own; returns its step."""
        with self._lock:
            last = self._chunks[-1] if self._chunks else None
            if last is not None and last.payload is None:
                last.events.append(event)
                last.count += 1
            else:
                self._add(_Chunk(self._total, 1, None, [event]))
            self._total += 1
            return self._total - 1

    def append_encoded(self, count: int, payload: bytes) -> None:
        """Add a batch as it came over the wire (``count`` events)."""
        if count <= 0:
            return
        with self._lock:
            self._add(_Chunk(self._total, count, payload, None))
            self._total += count

    def encoded_batches(self):
        """(count, payload) of each batch from ``first_step`` on, as the wire frames it: a
        batch from the runner as it came, the debugger's own events encoded (what a compact
        recording writes)."""
        with self._lock:
            chunks = [(chunk, chunk.count) for chunk in self._chunks]
        for chunk, count in chunks:
            if chunk.payload is not None:
                yield count, chunk.payload
            else:
                yield count, wire.encode_events(chunk.events[:count])

    def _add(self, chunk: _Chunk) -> None:
        self._chunks.append(chunk)
        self._starts.append(chunk.start)

    def __getitem__(self, index):
        if type(index) is int and index >= self._first:
            start, end, events = self._hot         # one batch read event by event: no lock
            if start <= index < end:
                return events[index - start]
        with self._lock:
            if isinstance(index, slice):
                start, stop, stride = index.indices(self._total)
                pieces = self._pieces(max(start, self._first), stop)
            else:
                if index < 0:
                    index += self._total
                if not 0 <= index < self._total:
                    raise IndexError("event index out of range")
                if index < self._first:
                    return Discarded(index)
                chunk = self._chunk_at(index)
        if isinstance(index, slice):
            out: list = []
            for chunk, begin, end in pieces:
                out.extend(self._events_of(chunk)[begin:end])
            return out[::stride]
        events = self._events_of(chunk)
        if chunk.payload is not None:
            self._hot = (chunk.start, chunk.start + chunk.count, events)
        return events[index - chunk.start]

    def __iter__(self):
        for _, begin, end, events in self._chunks_from(self._first):
            yield from events[begin:end]

    def steps_of(self, types: tuple[type, ...], start: int = 0) -> list[int]:
        """The steps, from ``start``, of the events of these types, ascending. A batch is
        decoded only when its bytes name one of the types: a pickle names the class of
        every object it builds, so a batch that does not cannot hold one."""
        names = [t.__name__.encode() for t in types]
        found: list[int] = []
        for first, begin, end, events in self._chunks_from(
                max(start, self._first),
                lambda chunk: chunk.payload is None or any(n in chunk.payload for n in names)):
            if events is not None:
                found.extend(first + index for index in range(begin, end)
                             if isinstance(events[index], types))
        return found

    def _chunks_from(self, step: int, decode=lambda chunk: True):
        """For each batch from ``step`` on, those that arrive meanwhile included: its first
        step, the offsets in it of ``step`` and of its end as it was looked up, and its
        events (None where ``decode(chunk)`` is false). Each batch is looked up under the
        lock, not the whole walk: a walk that ``discard_before`` overtakes resumes at the
        first step kept."""
        while step < self._total:
            with self._lock:
                step = max(step, self._first)
                if step >= self._total:
                    return
                chunk = self._chunk_at(step)
                count = chunk.count          # the debugger's own batch may grow meanwhile
            events = self._events_of(chunk) if decode(chunk) else None
            yield chunk.start, step - chunk.start, count, events
            step = chunk.start + count

    def _pieces(self, start: int, stop: int) -> list[tuple[_Chunk, int, int]]:
        """(chunk, first offset, end offset) covering steps ``start`` to ``stop``."""
        pieces = []
        step = start
        while step < stop:
            chunk = self._chunk_at(step)
            end = min(stop, chunk.start + chunk.count)
            pieces.append((chunk, step - chunk.start, end - chunk.start))
            step = end
        return pieces

    def _chunk_at(self, step: int) -> _Chunk:
        return self._chunks[bisect.bisect_right(self._starts, step) - 1]

    def _events_of(self, chunk: _Chunk) -> list:
        """A batch's events, decoded without holding the lock (a batch takes milliseconds,
        and the UI thread asks the log for its length and its newest events meanwhile)."""
        if chunk.payload is None:
            return chunk.events
        key = chunk.start
        with self._lock:
            events = self._decoded.get(key)
            if events is not None:
                self._decoded.move_to_end(key)
                return events
        events = wire.decode_events(chunk.payload)
        if len(events) != chunk.count:
            raise wire.WireError(f"a batch said {chunk.count} events and held {len(events)}")
        with self._lock:
            if chunk is self._chunk_at_or_none(key) and key not in self._decoded:
                self._decoded[key] = events      # (not cut by discard_before meanwhile)
                self._decoded_events += len(events)
                while len(self._decoded) > DECODED_KEPT and \
                        self._decoded_events > self._events_kept:
                    self._decoded_events -= len(self._decoded.popitem(last=False)[1])
        return events

    def _forget_decoded(self, key: int) -> None:
        events = self._decoded.pop(key, None)
        if events is not None:
            self._decoded_events -= len(events)

    def _chunk_at_or_none(self, step: int) -> _Chunk | None:
        return self._chunk_at(step) if self._chunks and step >= self._first else None

    def discard_before(self, step: int) -> None:
        """Forget the events before ``step`` (their effect lives in a checkpoint)."""
        with self._lock:
            step = min(step, self._total)
            if step <= self._first:
                return
            cut = bisect.bisect_right(self._starts, step) - 1
            for chunk in self._chunks[:cut + 1]:
                self._forget_decoded(chunk.start)
            kept = self._chunks[cut:]
            head = kept[0]
            if head.start < step:       # keep the tail of the batch the step falls in
                tail = self._events_of(head)[step - head.start:]
                self._forget_decoded(head.start)
                kept[0] = _Chunk(step, len(tail), None, list(tail))
            self._chunks = [chunk for chunk in kept if chunk.count]
            self._starts = [chunk.start for chunk in self._chunks]
            self._first = step
            self._hot = (0, 0, [])
