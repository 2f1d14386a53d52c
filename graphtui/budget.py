"""A byte budget for the tensor values the history keeps.

``engine.trace.summarize`` keeps the values of small tensors in events (copies, or views of
gradients in flight) so any moment can show them, and ``summarize_later`` keeps a big op
output's array until its statistics are read. A long run would keep every copy forever: the
recorder subscribes with an ``engine.trace.ValueBudget``, and once it is spent the engine
makes summaries with statistics and a head only, without copying values first (see
``engine.trace.ValueBudget`` for what counts).
"""
from __future__ import annotations

from engine.trace import ValueBudget

DEFAULT_VALUE_BUDGET = 64 * 1024 * 1024     # ~ 400 training steps of a small MLP

__all__ = ["DEFAULT_VALUE_BUDGET", "ValueBudget"]
