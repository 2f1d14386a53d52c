"""A byte budget for the tensor values the history keeps.

``engine.trace.summarize`` keeps the values of small tensors in events (copies, or views of
gradients in flight) so any moment can show them, and ``summarize_later`` keeps a big op
output's array until its statistics are read. A long run would keep every copy forever; once the budget is spent, events keep
only their statistics and head (the Summary without ``values``). The event that crosses the
budget is kept whole, so the budget may be exceeded by one event's copies.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from engine.trace import Summary

DEFAULT_VALUE_BUDGET = 64 * 1024 * 1024     # ~ 400 training steps of a small MLP

# Event fields that may hold summaries (directly or in tuples), by engine.trace's names.
_SUMMARY_FIELDS = frozenset({"summary", "grad", "grad_outputs", "grad_inputs", "args",
                             "result", "inputs", "outputs"})
_fields_by_type: dict[type, tuple[str, ...]] = {}
_all_fields: dict[type, tuple[str, ...]] = {}


class ValueBudget:
    def __init__(self, max_bytes: int = DEFAULT_VALUE_BUDGET):
        self.max_bytes = max_bytes
        self.used = 0
        self.stripped = 0                 # events recorded without some of their values

    def admit(self, event):
        """The event itself while the budget lasts; after, a copy without values."""
        names = _summary_fields(type(event))
        if not names:
            return event
        if self.used < self.max_bytes:
            for name in names:        # a loop, not sum(generator): asked for every event
                self.used += _values_bytes(getattr(event, name))
            return event
        changes = {name: _without_values(getattr(event, name)) for name in names
                   if _values_bytes(getattr(event, name))}
        if not changes:
            return event
        self.stripped += 1
        return _replaced(event, changes)


def _replaced(event, changes: dict):
    """dataclasses.replace(event, **changes), without its per-call look at the fields (asked
    for nearly every event once the budget is spent)."""
    cls = type(event)
    names = _all_fields.get(cls)
    if names is None:
        names = _all_fields[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return cls(*[changes[name] if name in changes else getattr(event, name) for name in names])


def _summary_fields(event_type: type) -> tuple[str, ...]:
    names = _fields_by_type.get(event_type)
    if names is None:
        names = ()
        if dataclasses.is_dataclass(event_type) and event_type is not Summary:
            names = tuple(f.name for f in dataclasses.fields(event_type)
                          if f.name in _SUMMARY_FIELDS)
        _fields_by_type[event_type] = names
    return names


def _values_bytes(value) -> int:
    if value is None:
        return 0
    if isinstance(value, Summary):
        kept = value.kept_array()
        return _kept_alive_bytes(kept) if kept is not None else 0
    total = 0
    if isinstance(value, tuple):
        for item in value:
            total += _values_bytes(item)
    return total


def _kept_alive_bytes(values) -> int:
    """What keeping ``values`` costs: the engine may hand a read-only view of a gradient in
    flight rather than a copy, and a view keeps its whole base array alive."""
    owner = values
    while isinstance(owner.base, np.ndarray):
        owner = owner.base
    return max(values.nbytes, owner.nbytes)


def _without_values(value):
    if isinstance(value, Summary):
        if value.kept_array() is None:
            return value
        if hasattr(value, "without_values"):        # keeps statistics computed from values
            return value.without_values()
        return dataclasses.replace(value, values=None)
    if isinstance(value, tuple):
        return tuple(_without_values(item) for item in value)
    return value
