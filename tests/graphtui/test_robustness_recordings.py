"""Recordings are data, never code: every bundled scenario's recording reads back, and a
hand-edited one (wrong types, unknown kinds, nodes that do not exist, pickle-like payloads)
is refused with its line number, by the loader and by the CLI (exit 2, nothing executed)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from graphtui.recording import RecordingError, load, save, write
from graphtui.session import Session
from tests.graphtui.conftest import mul_backward_events, mul_forward_events

REPO = Path(__file__).resolve().parents[2]
WAIT = 120     # seconds: only a guard against hanging, never a measured time
SCENARIOS = sorted(p.name for p in (REPO / "scenarios").glob("*.py")
                   if p.name != "long_chain.py")      # 50,000 events: too slow for here


@pytest.mark.filterwarnings("ignore")      # the scenarios' own warnings, expected
@pytest.mark.parametrize("name", SCENARIOS)
def test_every_bundled_scenarios_recording_reads_back(name, tmp_path):
    session = Session(REPO / "scenarios" / name, break_on_backward=False)
    session.start()
    try:
        assert session.wait_until_finished(WAIT)
        path = tmp_path / "run.jsonl"
        save(session.log, path, name)
        _, events = load(path)
        assert len(events) == len(session.log)
    finally:
        session.stop()


@pytest.fixture
def recording(tmp_path):
    """Line 1 the header, then RunStarted (2), TensorCreated x (3), TensorNamed (4),
    NodeCreated AccumulateGrad (5), NodeCreated MulBackward0 (6), TensorCreated y (7),
    TensorNamed (8), BackwardStarted (9), NodeExecuting MulBackward0 (10), ..."""
    path = tmp_path / "run.jsonl"
    save(mul_forward_events() + mul_backward_events(), path, "lesson.py")
    return path


def edit(path, line_number, change):
    lines = path.read_text(encoding="utf-8").split("\n")
    raw = json.loads(lines[line_number - 1])
    lines[line_number - 1] = json.dumps(change(raw))
    path.write_text("\n".join(lines), encoding="utf-8")


def setting(**fields):
    return lambda raw: {**raw, **fields}


MARKER = "/tmp/graphtui-recording-was-executed"
PICKLE_LIKE = {"$": "TensorNamed", "tensor_id": 1,
               "name": {"__reduce__": ["os.system", [f"touch {MARKER}"]]}}

EDITS = {
    "id-as-text": (3, setting(tensor_id="one"), "3: TensorCreated.tensor_id cannot be str 'one'"),
    "shape-as-text": (3, setting(shape="2x2"), "3: TensorCreated.shape cannot be str"),
    "flag-as-text": (3, setting(requires_grad="yes"), "3: TensorCreated.requires_grad cannot be"),
    "summary-as-number": (3, setting(summary=3), "3: TensorCreated.summary cannot be int 3"),
    "name-as-number": (6, setting(name=5), "6: NodeCreated.name cannot be int 5"),
    "edge-not-a-pair": (6, setting(next_functions=[[1, 2, 3]]), "6: NodeCreated.next_functions"),
    "id-out-of-range": (4, setting(tensor_id=10 ** 30), "4: TensorNamed.tensor_id cannot be int"),
    "unknown-kind": (4, setting(**{"$": "Teleported"}), "4: unknown event or value type"),
    "node-never-created": (10, setting(node_id=999),
                           "10: NodeExecuting names node 999, which no earlier event created"),
    "edge-to-nowhere": (6, setting(next_functions=[[999, 0]]), "6: NodeCreated names node 999"),
    "pickle-like-value": (4, lambda raw: PICKLE_LIKE, '4: an object without a "$" type name'),
    "reduce-as-kind": (4, lambda raw: {"$": "__reduce__", "args": ["os.system", "true"]},
                       "4: unknown event or value type '__reduce__'"),
    "object-array": (3, lambda raw: {**raw, "summary": {**raw["summary"], "values": {
        "$array": "object", "data": ["os.system"]}}}, "3: unknown array dtype 'object'"),
}


@pytest.mark.parametrize("case", EDITS)
def test_a_hand_edited_line_is_refused_with_its_number(recording, case):
    line, change, message = EDITS[case]
    edit(recording, line, change)
    with pytest.raises(RecordingError, match=f"^{recording}:") as refused:
        load(recording)
    assert message in str(refused.value)


@pytest.mark.parametrize("command", ["open", "dump"])
def test_the_cli_refuses_a_pickle_like_payload_and_runs_nothing(recording, command, tmp_path):
    Path(MARKER).unlink(missing_ok=True)
    edit(recording, 4, lambda raw: PICKLE_LIKE)
    extra = ["--headless", "--screenshot", tmp_path / "o.svg"] if command == "open" else []
    result = subprocess.run([sys.executable, "-m", "graphtui", command, recording, *extra],
                            capture_output=True, text=True, timeout=WAIT)
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"graphtui: {recording}:4: ") and "Traceback" not in result.stderr
    assert not Path(MARKER).exists() and result.stdout == ""


def test_a_recording_that_starts_mid_run_still_reads(tmp_path):
    """Once older events were folded away the file starts mid-run: nodes made before are
    named without their NodeCreated, which is allowed then (the header says so)."""
    from graphtui.model import EventLog

    log = EventLog()
    for event in mul_forward_events() + mul_backward_events():
        log.append(event)
    log.discard_before(6)               # both NodeCreated events are gone
    path = tmp_path / "late.jsonl"
    with open(path, "w", encoding="utf-8") as out:
        write(log, out, "lesson.py")
    header, events = load(path)
    assert header["first_step"] == 6 and len(events) == len(log) - 6
