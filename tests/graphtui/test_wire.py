"""The channel's wire format and the log that keeps batches encoded until read."""
from __future__ import annotations

import dataclasses
import pickle

import numpy as np
import pytest

from engine import trace
from graphtui import batchlog, wire
from graphtui.batchlog import BatchLog
from graphtui.model import events as ev
from graphtui.model.history import History
from graphtui.model.node_attrs import node_attrs

from tests.graphtui.conftest import mul_backward_events, mul_forward_events

EVENTS = mul_forward_events() + mul_backward_events()


def same(a, b) -> bool:
    """Events equal field by field, arrays by value (Summary compares by identity); a
    NodeCreated's attrs as the wire sends them (plain pairs, None as ())."""
    if isinstance(a, trace.NodeCreated) and isinstance(b, trace.NodeCreated):
        a = dataclasses.replace(a, attrs=node_attrs(a.attrs))
        b = dataclasses.replace(b, attrs=node_attrs(b.attrs))
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and np.array_equal(a, b)
    if isinstance(a, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(map(same, a, b))
    if hasattr(a, "__slots__") and hasattr(type(a), "__dataclass_fields__"):
        return type(a) is type(b) and all(same(getattr(a, f), getattr(b, f))
                                          for f in type(a).__dataclass_fields__)
    return a == b


def test_a_batch_of_events_comes_back_field_for_field():
    decoded = wire.decode_events(wire.encode_events(EVENTS))
    assert len(decoded) == len(EVENTS) and all(map(same, EVENTS, decoded))
    values = decoded[1].summary.values
    assert values.tolist() == [0.5, -1.0] and not values.flags.writeable


def test_values_of_every_rank_come_back_with_their_shape():
    arrays = [np.array(2.5, np.float32), np.arange(3, dtype=np.float64),
              np.arange(6, dtype=np.int64).reshape(2, 3), np.zeros((0,), np.float32),
              np.ones((2, 0, 1), np.float16)]
    summaries = [trace.Summary(a.shape, a.dtype.name, a.size, values=a) for a in arrays]
    decoded = wire.decode_events(wire.encode_events(summaries))
    for sent, received in zip(arrays, (s.values for s in decoded)):
        assert received.shape == sent.shape and received.dtype == sent.dtype
        assert np.array_equal(received, sent) and not received.flags.writeable


def test_a_batch_is_smaller_than_one_pickle_per_event():
    one_by_one = sum(len(pickle.dumps(e)) for e in EVENTS)
    assert len(wire.encode_events(EVENTS)) < one_by_one / 2


class NotAnEvent:
    def __reduce__(self):
        return (print, ("a frame must not call this",))


def test_reading_refuses_anything_but_event_types():
    with pytest.raises(wire.WireError, match="builtins.print, which is not an event type"):
        wire.decode_events(pickle.dumps([NotAnEvent()]))
    with pytest.raises(wire.WireError, match="not a list"):
        wire.decode_events(wire.encode_events(ev.OutputWritten("stdout", "x")))


def test_frames_are_split_whatever_the_reads_cut():
    stream = (wire.frame(wire.BATCH, 2, wire.encode_events(EVENTS[:2]))
              + wire.hook_frame(7, ("tensor", "tensor", "show", 0), True)
              + wire.frame(wire.PAUSED, 1, wire.encode_events([ev.Paused("node", 11, "break")])))
    reader, frames = wire.FrameReader(), []
    for start in range(0, len(stream), 5):            # five bytes at a time
        frames += reader.feed(stream[start:start + 5])
    assert [(kind, count) for kind, count, _ in frames] == [
        (wire.BATCH, 2), (wire.HOOK, 0), (wire.PAUSED, 1)]
    assert wire.read_hook(frames[1][2]) == (7, ("tensor", "tensor", "show", 0), True)
    assert not reader.partial
    reader.feed(stream[:7])
    assert reader.partial


def test_a_corrupted_header_is_an_error():
    with pytest.raises(wire.WireError, match="bad frame header"):
        wire.FrameReader().feed(b"\xff" * 20)


def test_commands_round_trip():
    assert wire.parse_command(wire.command("mute", 12)) == ("mute", 12)
    assert wire.parse_command(wire.command("continue")) == ("continue", None)
    with pytest.raises(wire.WireError):
        wire.parse_command(b"format c:\n")


def batch_log(*batches, own=(), events_kept: int = 0) -> BatchLog:
    log = BatchLog(events_kept)
    for batch in batches:
        log.append_encoded(len(batch), wire.encode_events(batch))
    for event in own:
        log.append(event)
    return log


def test_the_log_reads_like_a_list_across_batches():
    log = batch_log(EVENTS[:5], EVENTS[5:9], own=EVENTS[9:])
    assert len(log) == len(EVENTS)
    assert all(map(same, log, EVENTS))
    assert all(map(same, log[3:12], EVENTS[3:12]))
    assert same(log[-1], EVENTS[-1]) and same(log[6], EVENTS[6])
    with pytest.raises(IndexError):
        log[len(EVENTS)]


def test_walking_the_log_while_the_debugger_appends_gives_each_event_once():
    log = batch_log(EVENTS[:5], own=EVENTS[5:7])
    walk = iter(log)
    seen = [next(walk) for _ in range(6)]          # into the debugger's own batch
    for event in EVENTS[7:]:
        log.append(event)                          # it grows while the walk is in it
    seen.extend(walk)
    assert len(seen) == len(EVENTS) and all(map(same, seen, EVENTS))


def test_a_batch_is_decoded_once_for_readers_that_follow_each_other(monkeypatch):
    log = batch_log(EVENTS[:5], EVENTS[5:9], EVENTS[9:])
    decoded = []
    real = wire.decode_events
    monkeypatch.setattr(wire, "decode_events", lambda payload: decoded.append(1) or real(payload))
    assert all(map(same, log[0:len(EVENTS)], EVENTS))
    assert all(map(same, log, EVENTS)) and same(log[6], EVENTS[6])
    assert len(decoded) == 3


def decodes_of_two_walks(monkeypatch, log: BatchLog) -> int:
    decoded = []
    real = wire.decode_events
    monkeypatch.setattr(wire, "decode_events", lambda payload: decoded.append(1) or real(payload))
    for _ in range(2):
        assert all(map(same, log, EVENTS))
    return len(decoded)


def test_a_log_read_again_keeps_its_batches_decoded_up_to_its_event_bound(monkeypatch):
    batches = [EVENTS[i:i + 1] for i in range(len(EVENTS))]      # more than DECODED_KEPT
    assert len(batches) > batchlog.DECODED_KEPT
    assert decodes_of_two_walks(monkeypatch, batch_log(*batches)) == 2 * len(batches)
    kept_all = batch_log(*batches, events_kept=len(EVENTS))
    assert decodes_of_two_walks(monkeypatch, kept_all) == len(batches)
    assert kept_all._decoded_events == len(EVENTS)
    kept_all.discard_before(3)
    assert kept_all._decoded_events == sum(map(len, kept_all._decoded.values())) <= len(EVENTS) - 3
    kept_some = batch_log(*batches, events_kept=len(EVENTS) - 2)
    assert decodes_of_two_walks(monkeypatch, kept_some) == 2 * len(batches)    # LRU, cycling
    assert kept_some._decoded_events == len(EVENTS) - 2


def test_the_log_finds_events_by_type_without_decoding_batches_that_lack_them():
    paused, muted = ev.Paused("node", 3, "step"), ev.HookMuteChanged(1, True)
    events = [*EVENTS[:9], paused, muted, *EVENTS[9:]]
    log = batch_log(events[:5], events[5:10], events[10:15], own=events[15:])
    wanted = (ev.Paused, ev.HookMuteChanged)
    expected = [step for step, event in enumerate(events) if isinstance(event, wanted)]
    assert expected[:2] == [9, 10] and log.steps_of(wanted) == expected
    assert log.steps_of(wanted, 10) == expected[1:]
    assert 0 not in log._decoded and 5 in log._decoded      # the first batch names neither
    log.discard_before(7)
    assert log.steps_of(wanted) == expected


def test_event_numbers_skip_the_debuggers_events_in_a_batch_log():
    from graphtui.model.describe import EventNumbers

    events = [*EVENTS[:9], ev.Paused("node", 3, "step"), *EVENTS[9:]]
    log = batch_log(events[:5], events[5:10], own=events[10:])
    numbers, listed = EventNumbers().update(log), EventNumbers().update(events)
    assert numbers.number(9) is None and numbers.number(8) == 9
    assert [numbers.number(i) for i in range(len(events))] == [
        listed.number(i) for i in range(len(events))]
    assert numbers.count(len(log)) == listed.count(len(events)) < len(events)


def test_discarding_keeps_the_tail_of_a_batch_and_answers_discarded_below():
    log = batch_log(EVENTS[:5], EVENTS[5:9], EVENTS[9:])
    log.discard_before(7)
    assert log.first_step == 7 and len(log) == len(EVENTS)
    assert log[3] == ev.Discarded(3)
    assert all(map(same, log, EVENTS[7:]))
    assert all(map(same, log[0:10], EVENTS[7:10]))


def test_history_builds_the_same_state_from_a_batch_log():
    lazy = History(batch_log(EVENTS[:4], EVENTS[4:], own=[ev.RunFinished("finished")]))
    eager = History(EVENTS + [ev.RunFinished("finished")])
    assert lazy.latest().run_state == eager.latest().run_state == "finished"
    grad = lazy.latest().tensors[1].grad.values.tolist()
    assert grad == pytest.approx(eager.latest().tensors[1].grad.values.tolist())
    assert lazy.state_at(8).nodes.keys() == eager.state_at(8).nodes.keys()


def test_statistics_not_computed_in_the_runner_are_computed_when_read():
    summary = trace.summarize(np.array([1.0, 3.0], dtype="float32"))
    assert summary.stats is None
    (event,) = wire.decode_events(wire.encode_events([trace.GradAccumulated(1, summary, False)]))
    assert (event.grad.min, event.grad.max, event.grad.mean) == (1.0, 3.0, 2.0)


def test_arrays_keep_their_dtype_and_byte_order_across_the_wire():
    arrays = [np.array([1.5, -2.0], "<f4"), np.array([1.5, -2.0], ">f4"),
              np.array([3, 4], "<i8"), np.array([True, False]), np.array([1.5, -2.0], "<f4")]
    decoded = wire.decode_events(wire.encode_events(arrays))
    assert [a.dtype.str for a in decoded] == ["<f4", ">f4", "<i8", "|b1", "<f4"]
    assert [a.tolist() for a in decoded] == [a.tolist() for a in arrays]
