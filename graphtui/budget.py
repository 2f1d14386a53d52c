"""A byte budget for the tensor values the history keeps.

``engine.trace.summarize`` copies the values of small tensors into events so any moment can
show them. A long run would keep every copy forever; past the budget, events keep only
their statistics and head (the Summary without ``values``).
"""
from __future__ import annotations

import dataclasses

from engine.trace import Summary

DEFAULT_VALUE_BUDGET = 256 * 1024 * 1024


class ValueBudget:
    def __init__(self, max_bytes: int = DEFAULT_VALUE_BUDGET):
        self.max_bytes = max_bytes
        self.used = 0
        self.stripped = 0                 # summaries recorded without their values

    def admit(self, event):
        """The event, with values dropped from its summaries once the budget is spent."""
        if not dataclasses.is_dataclass(event) or isinstance(event, Summary):
            return event
        changes = {}
        for field in dataclasses.fields(event):
            value = getattr(event, field.name)
            kept = self._admit_value(value)
            if kept is not value:
                changes[field.name] = kept
        return dataclasses.replace(event, **changes) if changes else event

    def _admit_value(self, value):
        if isinstance(value, Summary):
            return self._admit_summary(value)
        if isinstance(value, tuple) and value:
            kept = tuple(self._admit_value(item) for item in value)
            return value if all(a is b for a, b in zip(kept, value)) else kept
        return value

    def _admit_summary(self, summary: Summary) -> Summary:
        if summary.values is None:
            return summary
        size = summary.values.nbytes
        if self.used + size <= self.max_bytes:
            self.used += size
            return summary
        self.stripped += 1
        return dataclasses.replace(summary, values=None)
