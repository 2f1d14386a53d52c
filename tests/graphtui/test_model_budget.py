"""The value budget: the engine keeps values in summaries until it is spent, then makes
summaries with statistics only, without copying first."""
import numpy as np
import pytest

import engine
from engine import trace
from graphtui.budget import ValueBudget


@pytest.fixture
def budgeted():
    """Subscribe a listener with a budget of the given bytes; yields the budget."""
    listeners = []

    def start(max_bytes):
        budget = ValueBudget(max_bytes)
        listener = lambda event: None               # noqa: E731
        listeners.append(listener)
        trace.subscribe(listener, budget)
        return budget
    yield start
    for listener in listeners:
        trace.unsubscribe(listener)


def test_values_are_kept_until_the_budget_is_spent(budgeted):
    budget = budgeted(3 * 100 * 4)                  # three [100] float32 copies
    values = np.arange(100, dtype="float32")
    summaries = [trace.summarize(values) for _ in range(5)]
    assert [s.values is not None for s in summaries] == [True, True, True, False, False]
    assert summaries[-1].max == 99.0 and summaries[-1].head[:2] == (0.0, 1.0)
    assert budget.used == 3 * values.nbytes and budget.stripped == 2


def test_tiny_values_are_kept_past_the_budget_and_not_counted(budgeted):
    budget = budgeted(0)
    summary = trace.summarize(np.ones(trace.TINY, dtype="float32"))
    assert summary.values is not None and budget.used == 0 and budget.stripped == 0
    bigger = trace.summarize(np.ones(trace.TINY + 1, dtype="float32"))
    assert bigger.values is None and bigger.norm == pytest.approx(np.sqrt(trace.TINY + 1))


def test_a_view_costs_its_whole_base_array(budgeted):
    budget = budgeted(10_000)
    base = np.zeros(1000, dtype="float32")
    summary = trace.summarize(base[:100].reshape(10, 10), copy=False)   # a gradient in flight
    assert summary.values is not None and summary.values.base is not None
    assert budget.used == base.nbytes


def test_a_big_gradient_in_flight_has_statistics_at_once_under_a_budget(budgeted):
    gradient = np.full(trace.values_cap + 1, 0.5, dtype="float32")
    assert trace.summarize(gradient, copy=False).values is gradient     # nobody sends it
    budget = budgeted(1 << 30)
    summary = trace.summarize(gradient, copy=False)
    assert summary.values is None and summary.kept_array() is None
    assert summary.mean == 0.5 and summary.numel == trace.values_cap + 1
    assert budget.used == 0
    small = trace.summarize(gradient[:trace.values_cap], copy=False)
    assert small.values is not None and budget.used == gradient.nbytes    # its whole base


def test_a_big_output_is_kept_by_reference_only_within_the_budget(budgeted):
    budget = budgeted(0)
    x = engine.ones(trace.values_cap + 1, requires_grad=True)
    summary = trace.summarize_later(x * 2)         # (x * 2 announced itself the same way)
    assert summary.kept_array() is None and summary.max == 2.0     # computed at once
    assert budget.stripped == 2 and budget.used == 0


def test_the_budget_ends_with_its_subscriber():
    listener = lambda event: None                   # noqa: E731
    trace.subscribe(listener, ValueBudget(0))
    trace.unsubscribe(listener)
    assert trace.summarize(np.ones(1000, dtype="float32")).values is not None


def test_recorded_events_past_the_budget_keep_statistics(budgeted):
    budgeted(0)
    seen = []
    trace.subscribe(seen.append)
    try:
        x = engine.ones(1000, requires_grad=True)
        (x * 3).sum().backward()
    finally:
        trace.unsubscribe(seen.append)
    grads = [e.grad for e in seen if type(e) is trace.GradAccumulated]
    assert grads[0].values is None and grads[0].mean == 3.0
    flowing = [s for e in seen if type(e) is trace.NodeExecuted for s in e.grad_inputs if s]
    assert flowing and all(s.values is None for s in flowing if s.numel > trace.TINY)
