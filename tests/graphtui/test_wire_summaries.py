"""How the wire carries summaries: flat values as one record, one copy per array."""
from __future__ import annotations

import numpy as np

from engine import trace
from graphtui import wire


def _flat(values: np.ndarray) -> trace.Summary:
    return trace.Summary(values.shape, values.dtype.name, values.size, values)


def test_summaries_of_one_array_carry_its_bytes_once():
    gradient = np.arange(1000, dtype=np.float32)
    events = [trace.NodeExecuted(3, "MulBackward0", (_flat(gradient),)),
              trace.NodeExecuting(2, "AddBackward0", (_flat(gradient),))]
    payload = wire.encode_events(events)
    assert len(payload) < gradient.nbytes * 1.5
    received = [event.grad_inputs[0] if i == 0 else event.grad_outputs[0]
                for i, event in enumerate(wire.decode_events(payload))]
    for summary in received:
        assert type(summary) is trace.Summary and summary.values.dtype == np.float32
        assert summary.values.tolist() == gradient.tolist() and summary.stats is None


def test_a_summary_whose_statistics_were_read_keeps_them():
    summary = _flat(np.array([1.0, -3.0, np.inf]))
    summary.statistics()
    decoded, = wire.decode_events(wire.encode_events([summary]))
    assert decoded.stats == summary.stats and decoded.inf == 1
    assert decoded.values.tolist() == [1.0, -3.0, np.inf]


def test_a_summary_kept_by_reference_sends_its_statistics():
    array = np.array([2.0, 4.0], np.float32)
    summary = trace.later_summary(array, [0], 0)
    decoded, = wire.decode_events(wire.encode_events([summary]))
    assert decoded.values is None and (decoded.min, decoded.max, decoded.mean) == (2.0, 4.0, 3.0)


def test_a_summary_of_statistics_only_comes_back_with_them():
    summary = trace.summarize(np.linspace(-1.0, 1.0, trace.values_cap + 1, dtype=np.float32))
    assert summary.values is None
    decoded, = wire.decode_events(wire.encode_events([summary]))
    assert type(decoded) is trace.Summary and type(decoded.stats) is trace.Stats
    assert (decoded.shape, decoded.dtype, decoded.numel) == ((trace.values_cap + 1,),
                                                             "float32", trace.values_cap + 1)
    assert decoded.stats == summary.stats and decoded.values is None
