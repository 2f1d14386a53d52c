"""Recordings (.jsonl): a log survives the round trip; bad files fail with their line."""
from __future__ import annotations

import json

import pytest

from engine import trace
from graphtui.model import state_at
from graphtui.recording import RecordingError, load, save
from graphtui.replay import ReplaySession
from tests.graphtui.conftest import MUL, X, mul_backward_events, mul_forward_events


@pytest.fixture
def recorded(tmp_path):
    events = mul_forward_events() + mul_backward_events()
    path = tmp_path / "run.jsonl"
    save(events, path, "lesson.py")
    return path, events


def test_round_trip_keeps_every_event_and_the_state(recorded):
    path, events = recorded
    header, loaded = load(path)
    assert header["scenario"] == "lesson.py" and len(loaded) == len(events)
    assert [type(e) for e in loaded] == [type(e) for e in events]
    before, after = state_at(events), state_at(loaded)
    assert after.tensors[X].grad.values.tolist() == before.tensors[X].grad.values.tolist()
    assert after.nodes[MUL].status == before.nodes[MUL].status
    assert after.nodes[MUL].saved == before.nodes[MUL].saved
    assert after.retained_bytes == before.retained_bytes


def test_replay_session_offers_time_travel(recorded):
    path, events = recorded
    session = ReplaySession.from_file(path)
    session.start()
    assert session.wait_until_finished() and session.is_finished
    grad_step = next(i for i, e in enumerate(events) if isinstance(e, trace.GradAccumulated))
    assert session.state_at(grad_step).tensors[X].grad is None
    assert session.state().tensors[X].grad is not None


def rewrite(path, line_number, text):
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[line_number - 1] = text
    path.write_text("\n".join(lines), encoding="utf-8")


def edit_field(path, line_number, **changes):
    lines = path.read_text(encoding="utf-8").split("\n")
    raw = json.loads(lines[line_number - 1])
    raw.update(changes)
    rewrite(path, line_number, json.dumps(raw))


def test_a_truncated_file_names_the_broken_line(recorded):
    path, _ = recorded
    text = path.read_text(encoding="utf-8")
    path.write_text(text[:len(text) // 2], encoding="utf-8")
    with pytest.raises(RecordingError, match=r"run\.jsonl:\d+: not valid JSON"):
        load(path)


@pytest.mark.parametrize("line, edit, message", [
    (3, {"$": "os.system"}, "3: unknown event or value type 'os.system'"),
    (3, {"colour": "red"}, "3: TensorCreated has no field 'colour'"),
    (4, {"$": "TensorNamed", "tensor_id": 1, "name": "x", "extra": 1}, "has no field 'extra'"),
])
def test_hand_edited_events_are_refused_with_their_line(recorded, line, edit, message):
    path, _ = recorded
    edit_field(path, line, **edit)
    with pytest.raises(RecordingError, match=message):
        load(path)


def test_a_missing_field_is_refused(recorded):
    path, _ = recorded
    rewrite(path, 4, json.dumps({"$": "TensorNamed", "tensor_id": 1}))
    with pytest.raises(RecordingError, match="4: TensorNamed: .*name"):
        load(path)


def test_values_that_do_not_fit_are_refused_with_their_line(recorded):
    path, _ = recorded
    node_line = 5         # NodeCreated AccumulateGrad: its edges must be pairs
    edit_field(path, node_line, next_functions=[1, 2, 3])
    with pytest.raises(RecordingError,
                       match=f"{node_line}: NodeCreated.next_functions cannot be tuple"):
        load(path)


@pytest.mark.parametrize("content, message", [
    ("", "empty file"),
    ('{"hello": 1}\n', "1: not a graphtui recording"),
    ('{"graphtui_recording": 99}\n', "format 99 is not supported"),
    ("[1, 2\n", "1: not valid JSON"),
])
def test_files_that_are_not_recordings(tmp_path, content, message):
    path = tmp_path / "other.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RecordingError, match=message):
        load(path)


def test_missing_and_binary_files(tmp_path):
    with pytest.raises(RecordingError, match="no such file"):
        load(tmp_path / "missing.jsonl")
    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(RecordingError, match="not UTF-8"):
        load(binary)
