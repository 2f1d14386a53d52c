"""Recordings and `dump --json` are strict JSON (no bare NaN or Infinity, which strict
parsers such as JavaScript's JSON.parse refuse), non-finite values read back as they were,
and a hostile file (deep nesting, huge integers, random damage) gets one line with its line
number and exit 2, never an internal error."""
from __future__ import annotations

import json
import math
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine import trace
from graphtui.recording import RecordingError, load, save
from tests.graphtui.conftest import mul_backward_events, mul_forward_events

REPO = Path(__file__).resolve().parents[2]
WAIT = 120     # seconds: only a guard against hanging, never a measured time


def _refuse_constant(name):
    raise AssertionError(f"bare {name} in a line: not strict JSON")


def strict_lines(text: str) -> list:
    return [json.loads(line, parse_constant=_refuse_constant) for line in text.splitlines()]


def _non_finite_summary() -> trace.Summary:
    values = np.array([np.nan, np.inf, -np.inf, 1.5], dtype=np.float32)
    return trace.summarize(values)




def test_a_summary_with_non_finite_values_round_trips_strictly(tmp_path):
    from graphtui.recording import _decode, _encode
    summary = _non_finite_summary()
    line = json.dumps(_encode(summary), allow_nan=False)
    back = _decode(json.loads(line, parse_constant=_refuse_constant))
    assert back.shape == summary.shape and back.dtype == summary.dtype
    assert np.array_equal(np.asarray(back.values), np.asarray(summary.values), equal_nan=True)
    path = tmp_path / "run.jsonl"
    save(mul_forward_events(), path, "lesson.py")
    assert strict_lines(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "bool", ">f4"])
def test_a_big_array_is_written_as_base64_and_reads_back_exactly(dtype):
    from graphtui.recording import DATA_LIST_MAX, _decode, _encode
    values = np.arange(DATA_LIST_MAX * 3).astype(dtype)
    if values.dtype.kind == "f":
        values[:3] = [np.nan, np.inf, -np.inf]
    encoded = _encode(values)
    assert set(encoded) == {"$array", "b64"}
    back = _decode(json.loads(json.dumps(encoded, allow_nan=False)))
    assert back.dtype == values.dtype.newbyteorder("=") and not back.flags.writeable
    assert np.array_equal(back, values, equal_nan=values.dtype.kind == "f")
    small = _encode(values[:DATA_LIST_MAX])
    assert set(small) == {"$array", "data"}          # small ones stay readable by eye


def test_base64_arrays_cut_a_recording_to_about_a_third(tmp_path):
    from graphtui import recording
    values = np.random.default_rng(0).standard_normal(4096).astype(np.float32)
    events = [trace.GradAccumulated(1, trace.summarize(values), False)]
    as_lists = tmp_path / "lists.jsonl"
    with open(as_lists, "w", encoding="utf-8") as out:
        original = recording.DATA_LIST_MAX
        recording.DATA_LIST_MAX = 10 ** 9
        try:
            recording.write(events, out)
        finally:
            recording.DATA_LIST_MAX = original
    as_base64 = tmp_path / "b64.jsonl"
    save(events, as_base64)
    assert as_base64.stat().st_size < as_lists.stat().st_size / 2.5
    for path in (as_lists, as_base64):            # format 1's lists are still read
        header, (event,) = load(path)
        assert np.array_equal(event.grad.values, values)


def test_a_format_1_header_is_still_read(tmp_path):
    path = tmp_path / "old.jsonl"
    save(mul_forward_events(), path, "lesson.py")
    lines = path.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    header["graphtui_recording"] = 1
    path.write_text("\n".join([json.dumps(header), *lines[1:]]) + "\n", encoding="utf-8")
    assert len(load(path)[1]) == len(mul_forward_events())


def test_a_non_finite_float_field_round_trips():
    from graphtui.recording import _decode, _encode
    for value in (math.nan, math.inf, -math.inf):
        encoded = _encode(value)
        assert json.dumps(encoded, allow_nan=False)
        decoded = _decode(encoded)
        assert (math.isnan(decoded) if math.isnan(value) else decoded == value)


def test_dump_json_of_uninitialised_conv_weights_is_strict():
    """A layer's parameters are announced while still torch.empty's memory: whatever bits
    it holds (NaN, infinities), every line is strict JSON."""
    result = subprocess.run(
        [sys.executable, "-m", "graphtui", "dump", "--json",
         str(REPO / "scenarios" / "seed_08_backward_hook.py")],
        capture_output=True, text=True, timeout=WAIT, cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert len(strict_lines(result.stdout)) > 10


def test_dump_json_of_nonfinite_values_is_strict_and_reads_back(tmp_path):
    """NaN and the infinities (which uninitialised memory may hold too, but not every time)
    are written as strict JSON and read back as themselves."""
    scenario = tmp_path / "nonfinite.py"
    scenario.write_text("import torch\n"
                        "x = torch.tensor([float('nan'), float('inf'), -float('inf'), 1.0],"
                        " requires_grad=True)\n"
                        "y = (x * 2).sum()\n")
    result = subprocess.run([sys.executable, "-m", "graphtui", "dump", "--json", str(scenario)],
                            capture_output=True, text=True, timeout=WAIT, cwd=REPO)
    assert result.returncode == 0, result.stderr
    strict_lines(result.stdout)
    path = tmp_path / "run.jsonl"
    path.write_text(result.stdout, encoding="utf-8")
    summaries = [e.summary for e in load(path)[1] if type(e) is trace.TensorCreated]
    kept = [s.values for s in summaries if s.values is not None and s.values.size == 4]
    assert kept and all(np.isnan(v[0]) and v[1] == np.inf and v[2] == -np.inf for v in kept)


def _dump(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "graphtui", "dump", str(path)],
                          capture_output=True, text=True, timeout=WAIT, cwd=REPO)


@pytest.mark.parametrize("line, says", [
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ('{"$":"RunStarted","scenario":' + "9" * 5000 + "}", "not a value graphtui writes"),
    ('{"$float":"NaN","x":1}', "$float"),
    ('{"$":"GradAccumulated","tensor_id":1,"grad":{"$float":"nope"}}', "$float"),
    ('{"$":"GradAccumulated","tensor_id":1,"grad":{"$":"Summary","shape":[2],"dtype":'
     '"float32","numel":2,"values":{"$array":"float32","b64":"AAAA"}},"accumulated":false}',
     "whole float32 values"),
    ('{"$":"GradAccumulated","tensor_id":1,"grad":{"$":"Summary","shape":[2],"dtype":'
     '"float32","numel":2,"values":{"$array":"float32","b64":"@@"}},"accumulated":false}',
     "not base64"),
    ('{"$":"GradAccumulated","tensor_id":1,"grad":{"$":"Summary","shape":[2],"dtype":'
     '"float32","numel":2,"values":{"$array":"float32","b64":"","data":[]}},'
     '"accumulated":false}', "data or b64"),
], ids=["deep-nesting", "5000-digit-int", "float-with-extra-keys", "unknown-float-name",
        "b64-cut-value", "b64-not-base64", "b64-and-data"])
def test_a_hostile_line_is_refused_with_its_number(tmp_path, line, says):
    path = tmp_path / "run.jsonl"
    save(mul_forward_events(), path, "lesson.py")
    text = path.read_text(encoding="utf-8").splitlines()
    text.insert(2, line)
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(RecordingError, match=r":3: ") as raised:
        load(path)
    assert says in str(raised.value)
    result = _dump(path)
    assert result.returncode == 2, result.stderr
    assert ":3: " in result.stderr and "internal error" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def _mutations(text: str, rng: random.Random):
    lines = text.splitlines()
    for _ in range(300):
        damaged = list(lines)
        index = rng.randrange(1, len(damaged))
        line = damaged[index]
        kind = rng.randrange(5)
        cut = rng.randrange(len(line) + 1)
        if kind == 0:
            line = line[:cut]
        elif kind == 1:
            line = line[:cut] + rng.choice('[]{}",:0123456789-eE.') + line[cut:]
        elif kind == 2:
            line = line[:cut] + line[cut + 1:]
        elif kind == 3:
            line = line.replace(rng.choice(["1", "0", "true", "null", '"']),
                                rng.choice(["-1", "1e400", "[]", "{}", '"x"', "9" * 30]), 1)
        else:
            damaged.insert(index, rng.choice(damaged[1:]))
        damaged[index] = line
        yield "\n".join(damaged) + "\n"


def test_damaged_recordings_load_or_are_refused_cleanly(tmp_path):
    """A fuzz over real recordings: whatever the damage, the loader either reads it or
    raises RecordingError naming a line; nothing else escapes."""
    path = tmp_path / "run.jsonl"
    save(mul_forward_events() + mul_backward_events(), path, "lesson.py")
    text = path.read_text(encoding="utf-8")
    refused = 0
    for number, damaged in enumerate(_mutations(text, random.Random(12))):
        path.write_text(damaged, encoding="utf-8")
        try:
            load(path)
        except RecordingError as error:
            refused += 1
            assert str(error).startswith(str(path))
    assert refused > 100
