"""Compact recordings (``.gtr``): the run's batches as the runner sent them. They read back
to the same events as JSON lines, are written without decoding a batch, and a damaged or
hostile file is refused in one line naming the batch or the event, never run."""
from __future__ import annotations

import io
import json
import pickle
import random
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import graphtui
from engine import trace
from graphtui import compact_recording, wire
from graphtui.batchlog import BatchLog
from graphtui.model import events as ev
from graphtui.recording import RecordingError, load, save
from graphtui.replay import ReplaySession
from tests.graphtui.conftest import mul_backward_events, mul_forward_events

WAIT = 120     # seconds: only a guard against hanging, never a measured time

TRAIN = """
    import engine as torch
    torch.manual_seed(0)
    w = torch.randn(3, requires_grad=True)
    for step in range(3):
        loss = (w * w).sum()
        loss.backward()
        print("step", step, round(loss.item(), 4))
        with torch.no_grad():
            w -= 0.1 * w.grad
        w.grad = None
"""


def graphtui_cli(*args):
    return subprocess.run([sys.executable, "-m", "graphtui", *map(str, args)],
                          capture_output=True, text=True, timeout=WAIT)


def as_json_lines(events, tmp_path, name: str) -> list[str]:
    """The events as a JSON-lines recording writes them, header left out."""
    path = tmp_path / name
    save(events, path, "lesson.py")
    return path.read_text(encoding="utf-8").splitlines()[1:]


def test_a_recorded_program_reads_back_as_its_json_lines_would(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent(TRAIN), encoding="utf-8")
    compact = tmp_path / "run.gtr"
    result = graphtui_cli("record", "-o", compact, "--", sys.executable, script)
    assert result.returncode == 0, result.stderr
    assert f"written to {compact}" in result.stderr
    header, log = load(compact)
    assert isinstance(log, BatchLog)           # kept encoded, decoded when read
    assert (header["encoding"], header["scenario"]) == ("wire", str(script))
    events = list(log)
    printed = [e.text for e in events if type(e) is ev.OutputWritten]
    assert [line.rsplit(" ", 1)[0] for line in printed] == ["step 0", "step 1", "step 2"]
    assert events[-1] == ev.RunFinished("finished")
    # The same run written as JSON lines, read back and written again: the same events.
    jsonl = tmp_path / "run.jsonl"
    save(events, jsonl, str(script))
    assert as_json_lines(load(jsonl)[1], tmp_path, "a.jsonl") == \
        as_json_lines(events, tmp_path, "b.jsonl")
    # ... and both show the same thing (what `graphtui open` shows, as text).
    dumped = [graphtui_cli("dump", path) for path in (compact, jsonl)]
    assert dumped[0].returncode == dumped[1].returncode == 0
    assert dumped[0].stdout == dumped[1].stdout
    assert "MulBackward0" in dumped[0].stdout and "== run finished" in dumped[0].stdout
    import engine as torch
    torch.manual_seed(0)
    start = torch.randn(3).tolist()
    state = ReplaySession.from_file(compact).state()
    w = next(t for t in state.tensors.values() if t.name == "w")
    assert w.value.values.tolist() == pytest.approx([v * 0.8 ** 3 for v in start], rel=1e-5)


def test_the_batches_a_run_received_are_written_without_decoding_them(tmp_path, monkeypatch):
    events = mul_forward_events()
    payload = wire.encode_events(events)
    log = BatchLog()
    log.append_encoded(len(events), payload)
    log.append(ev.RunFinished("finished"))          # the debugger's own: encoded here

    def refuse(_payload):
        raise AssertionError("a batch was decoded to be written")
    monkeypatch.setattr(wire, "decode_events", refuse)
    path = tmp_path / "run.gtr"
    assert save(log, path) == len(events) + 1
    assert payload in path.read_bytes()
    monkeypatch.undo()
    _, read = load(path)
    assert as_json_lines(read, tmp_path, "a.jsonl") == \
        as_json_lines(events + [ev.RunFinished("finished")], tmp_path, "b.jsonl")


def test_an_in_process_log_is_cut_into_batches(tmp_path, monkeypatch):
    monkeypatch.setattr(compact_recording, "BATCH_EVENTS", 4)
    events = mul_forward_events() + mul_backward_events()
    path = tmp_path / "run.gtr"
    save(events, path)
    _, log = load(path)
    batches = list(log.encoded_batches())
    assert [count for count, _ in batches] == [4] * (len(events) // 4) + \
        ([len(events) % 4] if len(events) % 4 else [])
    assert as_json_lines(log, tmp_path, "a.jsonl") == as_json_lines(events, tmp_path, "b.jsonl")


def test_the_record_context_manager_writes_a_compact_recording(tmp_path):
    import engine as torch

    out = tmp_path / "block.gtr"
    x = torch.ones(2, requires_grad=True)
    with graphtui.record(out):
        y = x * 3
        y.backward(torch.tensor([100, 0.1]))
    header, log = load(out)
    assert header["encoding"] == "wire"
    assert [e.name for e in log if type(e) is trace.NodeCreated][-1] == "MulBackward0"
    state = ReplaySession.from_file(out).state()
    x_state = next(t for t in state.tensors.values() if t.name == "x")
    assert x_state.grad.values.tolist() == pytest.approx([300, 0.3])


def test_a_recording_name_says_its_format(tmp_path):
    result = graphtui_cli("record", "-o", tmp_path / "run.txt", "--", "train.py")
    assert result.returncode == 2
    assert result.stderr.strip() == (f"graphtui: -o {tmp_path / 'run.txt'}: a recording's name "
                                     f"ends in .gtr (compact) or .jsonl (JSON lines)")
    with pytest.raises(ValueError, match=r"ends in \.gtr \(compact\) or \.jsonl"):
        graphtui.record(tmp_path / "run.json")


def compact_file(tmp_path, payloads, header=None) -> str:
    """A .gtr file of these (count, payload) batches after a header line (by default the
    one graphtui writes)."""
    path = tmp_path / "hostile.gtr"
    out = io.BytesIO()
    if header is None:
        compact_recording.write([], out, {})
    else:
        out.write(json.dumps(header).encode() + b"\n")
    for count, payload in payloads:
        out.write(wire.frame_header(wire.BATCH, count, len(payload)) + payload)
    path.write_bytes(out.getvalue())
    return str(path)


class Evil:
    def __reduce__(self):
        return (print, ("this must never run",))


def _pickled(value) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


@pytest.mark.parametrize("payloads, says", [
    ([(1, _pickled([Evil()]))], r"batch 1: a frame names builtins\.print, which is not an "
                                r"event type"),
    ([(1, _pickled([42]))], r"event 1 \(batch 1\): expected an event or value object, got "
                            r"int 42"),
    ([(1, _pickled({"not": "a list"}))], r"batch 1: a batch of events is not a list"),
    ([(2, wire.encode_events([ev.RunFinished("finished")]))],
     r"batch 1 says 2 events and holds 1"),
    ([(1, wire.encode_events([trace.NodeExecuting(7, "MulBackward0", ())]))],
     r"event 1: NodeExecuting names node 7, which no earlier event created"),
    ([(1, wire.encode_events([trace.BufferFreed("seven", ("self",), 8)]))],
     r"event 1 \(batch 1\): BufferFreed\.node_id cannot be str 'seven'"),
    ([(1, wire.encode_events([trace.TensorCreated(
        1, None, (2,), "float32", False, True, None,
        trace.Summary((2,), "float32", 2, np.zeros((1, 2), np.float32)))]))],
     r"event 1 \(batch 1\): Summary\.values cannot be ndarray"),
    ([(1, b"\x80\x05garbage")], r"batch 1: a batch of events cannot be decoded"),
])
def test_a_hostile_batch_is_refused_naming_it(tmp_path, payloads, says):
    path = compact_file(tmp_path, payloads)
    with pytest.raises(RecordingError, match=says) as raised:
        load(path)
    assert str(raised.value).startswith(path)


def test_a_later_compact_format_is_refused_by_name(tmp_path):
    path = compact_file(tmp_path, [], {"graphtui_recording": 4, "encoding": "wire"})
    with pytest.raises(RecordingError, match=r":1: compact recording format 4 is not "
                                             r"supported \(this graphtui reads format 3\)"):
        load(path)


def test_a_truncated_compact_recording_names_the_batch_cut_short(tmp_path):
    path = tmp_path / "run.gtr"
    save(mul_forward_events() + mul_backward_events(), path)
    data = path.read_bytes()
    path.write_bytes(data[:-10])
    with pytest.raises(RecordingError, match=r"batch 1 is cut short \(the file may be "
                                             r"truncated\)"):
        load(path)


def _damaged(data: bytes, body: int, rng: random.Random):
    """Copies of ``data`` with its batches (from offset ``body``) cut, flipped or grown."""
    for _ in range(400):
        damaged = bytearray(data)
        at = rng.randrange(body, len(data))
        kind = rng.randrange(4)
        if kind == 0:
            del damaged[at:]
        elif kind == 1:
            damaged[at] ^= 1 << rng.randrange(8)
        elif kind == 2:
            damaged[at:at] = bytes([rng.randrange(256)])
        else:
            del damaged[at]
        yield bytes(damaged)


def test_damaged_compact_recordings_load_or_are_refused_cleanly(tmp_path):
    """Whatever the damage to the batches, the loader reads the file or raises
    RecordingError naming it; nothing else escapes."""
    path = tmp_path / "run.gtr"
    save(mul_forward_events() + mul_backward_events(), path, "lesson.py")
    data = path.read_bytes()
    body = data.index(b"\n") + 1
    refused = 0
    for damaged in _damaged(data, body, random.Random(26)):
        path.write_bytes(damaged)
        try:
            load(path)
        except RecordingError as error:
            refused += 1
            assert str(error).startswith(str(path))
    assert refused > 200


@pytest.mark.parametrize("suffix", [".gtr", ".jsonl"])
def test_a_recording_of_a_folded_run_says_so_again_when_written_anew(tmp_path, suffix):
    """A run folded before it was saved starts mid-run (nodes named before its first
    event): a recording made from its replay (dump --json, --record) keeps its first_step,
    so it reads back too."""
    from graphtui.model.history import EventLog
    events = mul_forward_events() + mul_backward_events()
    log = EventLog()
    for event in events:
        log.append(event)
    folded = next(index for index, event in enumerate(events)
                  if type(event) is trace.NodeExecuting)
    log.discard_before(folded)
    path = tmp_path / f"folded{suffix}"
    save(log, path, "lesson.py")
    session = ReplaySession.from_file(path)
    again = tmp_path / f"again{suffix}"
    save(session.log, again, "lesson.py")
    header, read = load(again)
    assert header["first_step"] == folded
    assert as_json_lines(read, tmp_path, "a.jsonl") == \
        as_json_lines(events[folded:], tmp_path, "b.jsonl")
