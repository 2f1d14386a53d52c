"""`graphtui dump` on saved memory: the --json header's summary, and a recording that keeps
what the text says (storages and kinds travel in the events)."""
from __future__ import annotations

import json
import subprocess
import sys

from graphtui.model import state_at
from graphtui.model.memory import memory_report
from graphtui.recording import load

WAIT = 120       # seconds: a guard against hanging, not a measured time
ACTIVATIONS = 3 * 64 * 512 * 4 + 64 * 10 * 4        # memory_mlp: 3 ReLU outputs + its output


def test_json_dump_carries_the_memory_summary_and_the_storages(tmp_path):
    out = tmp_path / "run.jsonl"
    result = subprocess.run([sys.executable, "-m", "graphtui", "dump", "--json", "-o", str(out),
                             "scenarios/memory_mlp.py"], capture_output=True, text=True,
                            timeout=WAIT)
    assert result.returncode == 0, result.stderr
    header = json.loads(out.read_text().splitlines()[0])
    memory = header["memory"]
    assert (memory["retained_bytes"], memory["peak_bytes"], memory["freed_bytes"]) == (
        0, ACTIVATIONS, ACTIVATIONS)
    assert memory["parameter_bytes"] == 0 and memory["input_bytes"] == 0    # all freed by now
    assert memory["backward"] == [
        {"id": 1, "retain_graph": True, "freed_buffers": 0, "freed_bytes": 0,
         "kept_buffers": 7, "kept_bytes": ACTIVATIONS},
        {"id": 2, "retain_graph": False, "freed_buffers": 12, "freed_bytes": ACTIVATIONS,
         "kept_buffers": 0, "kept_bytes": 0}]
    assert memory["by_module"]["1"] == {"retained": 0, "freed": 128 * 1024}
    assert max(nbytes for _, nbytes in memory["timeline"]) == ACTIVATIONS
    assert memory["timeline"][-1][1] == 0
    events_at_peak = [event for event, nbytes in memory["timeline"] if nbytes == ACTIVATIONS]
    assert events_at_peak[0] == memory["peak_after_event"]

    _, events = load(out)         # the recording reads back to the same accounting
    state = state_at(events)
    assert state.peak_retained_bytes == ACTIVATIONS and state.freed_bytes == ACTIVATIONS
    kinds = {(b.name, b.kind) for b in state.saved_buffers()}
    assert kinds == {("mat1", "input"), ("mat1", "activation"), ("mat2", "parameter"),
                     ("result", "activation"), ("self", "activation"), ("target", "input")}
    costs = memory_report(state).costs.values()
    assert sum(cost.charged for cost in costs) == ACTIVATIONS
