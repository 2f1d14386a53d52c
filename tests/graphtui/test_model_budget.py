"""The value budget keeps statistics but drops copied values once spent."""
import numpy as np

from engine import trace
from graphtui.budget import ValueBudget


def test_values_are_kept_until_the_budget_is_spent():
    budget = ValueBudget(max_bytes=3 * 8 * 4)           # three [8] float32 copies
    grad = trace.summarize(np.arange(8, dtype="float32"))
    events = [budget.admit(trace.GradAccumulated(1, grad, False)) for _ in range(5)]
    kept = [e.grad.values is not None for e in events]
    assert kept == [True, True, True, False, False]
    assert events[-1].grad.max == 7.0 and events[-1].grad.head[:2] == (0.0, 1.0)
    assert budget.stripped == 2


def test_nested_argument_tuples_are_budgeted_and_untouched_events_are_the_same_object():
    budget = ValueBudget(max_bytes=0)
    small = trace.summarize(np.ones(2, dtype="float32"))
    fired = trace.HookFired(3, "forward", "conv1", ((small, None), small))
    admitted = budget.admit(fired)
    assert admitted.args[0][0].values is None and admitted.args[0][1] is None
    assert admitted.args[1].values is None
    plain = trace.HookRemoved(3)
    assert budget.admit(plain) is plain


def test_a_view_costs_its_whole_base_array():
    base = np.zeros(1000, dtype="float32")
    view = base[:10].view()
    view.flags.writeable = False
    summary = trace.Summary((10,), "float32", 10, view)
    budget = ValueBudget(max_bytes=10_000)
    budget.admit(trace.GradAccumulated(1, summary, False))
    assert budget.used == base.nbytes
