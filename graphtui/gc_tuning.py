"""Fewer cyclic garbage collections while a scenario is recorded.

A run keeps almost everything it records (events, summaries, the model's frozen views) for
as long as the run lives, and all of it is tracked by the cyclic GC. With Python's default
first threshold (700 allocations) a full collection comes every few hundred thousand
allocations and walks the whole heap: on scenarios/long_chain.py (10,000 ops) four of them
took 0.6-0.8 s of the ~2 s recording. ``recording()`` raises the first threshold while runs
record (100,000 allocations: none there instead of four; on a 100,000-op chain the
runner's CPU fell from 3.1 to 2.7 s against 10,000); the threshold goes back to what it was
when the last run ends. Garbage without cycles is freed
at once as ever; cycles wait a little longer for their collection.

The debugger's process does the same while a run is live (``Session``): it decodes and
applies every event the runner sends, and keeps most of what that makes.

While a run is live, the debugger's history calls ``keep_applied()`` after each slice of
events it applies: what exists then (the run's log and model, as they grow) is frozen, so the
young collections do not walk it again and again on its way to the oldest generation (on a
100,000-node chain a third of the debugger's CPU went to the collector). The last live run's
end thaws it; cyclic garbage made meanwhile waits until then to be collected.

``settle()`` does the same for the debugger's UI once a run has finished and is shown, and
freezes what exists then (``gc.freeze``): the run's log and model live as long as it is
shown, and without this every full collection walked them again, stopping the UI for
hundreds of ms while keys waited (issue 15). ``unsettle()`` (a new run, or the app closing)
puts them back under the collector, so cyclic garbage of a run never outlives it.
"""
from __future__ import annotations

import gc
import threading
from contextlib import contextmanager

RECORDING_THRESHOLD = 100_000     # allocations between young collections while recording

_lock = threading.Lock()
_recording = 0                     # runs recording now (a re-run overlaps the old run's end)
_live_runs = 0                     # of them, live runs in this process (begin_recording)
_live_frozen = False               # keep_applied() froze objects since the last thaw
_saved: tuple[int, ...] | None = None   # the thresholds before the first of them


@contextmanager
def recording():
    """Collect garbage less often for the duration (process-wide; nests across runs)."""
    _enter()
    try:
        yield
    finally:
        _leave()


def begin_recording() -> None:
    """``recording()`` for a span that does not fit a ``with`` block (a live run, from its
    start to its end on another thread); each call needs one ``end_recording()``."""
    global _live_runs
    with _lock:
        _live_runs += 1
    _enter()


def end_recording() -> None:
    """The end of a live run: the last one's end thaws what ``keep_applied`` froze."""
    global _live_runs, _live_frozen
    with _lock:
        _live_runs -= 1
        if _live_runs == 0 and _live_frozen:
            _live_frozen = False
            if not _settled:               # else unsettle() thaws everything
                gc.unfreeze()
    _leave()


def keep_applied() -> None:
    """A live run's events were applied: freeze what exists (see the module's doc). Does
    nothing when no live run records."""
    global _live_frozen
    with _lock:
        if _live_runs > 0:
            gc.freeze()
            _live_frozen = True


_settled = False                   # a finished run's objects are frozen


def settle() -> None:
    """A finished run is shown: freeze what exists, and collect young garbage less often."""
    global _settled
    if _settled:
        return
    _settled = True
    _enter()
    gc.freeze()


@contextmanager
def settled():
    """``settle()`` for the duration (dump writing a finished run: without it, the first full
    collection the writing's allocations set off walks the whole run, a second on a
    100,000-node chain), then ``unsettle()`` unless it was settled already."""
    already = _settled
    settle()
    try:
        yield
    finally:
        if not already:
            unsettle()


def unsettle() -> None:
    """Undo ``settle()`` (nothing when it was not called)."""
    global _settled, _live_frozen
    if not _settled:
        return
    _settled = False
    _live_frozen = False
    gc.unfreeze()
    _leave()


def _enter() -> None:
    global _recording, _saved
    with _lock:
        _recording += 1
        if _recording == 1:
            _saved = gc.get_threshold()
            if _saved[0] < RECORDING_THRESHOLD:
                gc.set_threshold(RECORDING_THRESHOLD, *_saved[1:])


def _leave() -> None:
    global _recording, _saved
    with _lock:
        _recording -= 1
        if _recording == 0 and _saved is not None:
            # A scenario that set thresholds of its own keeps them.
            if gc.get_threshold()[0] == max(RECORDING_THRESHOLD, _saved[0]):
                gc.set_threshold(*_saved)
            _saved = None
