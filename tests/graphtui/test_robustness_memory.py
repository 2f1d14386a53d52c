"""Memory stays bounded under floods and long runs, measured, not assumed.

Peak memory is read with ``resource`` (peak RSS) in a child process, so what other tests
allocated cannot hide growth; each test would fail if the recorder kept every event.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

resource = pytest.importorskip("resource")

REPO = Path(__file__).resolve().parents[2]
WAIT = 120     # seconds: only a guard against hanging, never a measured time
MB = 1024      # ru_maxrss is in KiB on Linux

# Runs SCENARIO under a Session with the given keyword arguments, continuing at every pause;
# peaks (KiB) are taken at the pauses listed in MARKS (the first node of a backward pass).
PROBE = """
import json, resource, sys
from graphtui.session import Session
path, argv, kwargs, marks = sys.argv[1], *map(json.loads, sys.argv[2:5])
session = Session(path, argv, break_on_backward=bool(marks), **kwargs)
session.start()
pauses, peaks = 0, {}
while session.wait_until_settled(120) and not session.is_finished:
    pauses += 1
    if pauses in marks:
        peaks[pauses] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    session.continue_()
state = session.state()
print(json.dumps({"state": state.run_state, "peaks": peaks, "kept": len(session.log)
                  - session.log.first_step, "first_step": session.log.first_step,
                  "output": [line.text for line in state.output]}))
"""


def probe(path, argv=(), marks=(), **kwargs) -> dict:
    result = subprocess.run([sys.executable, "-c", PROBE, str(path), json.dumps(list(argv)),
                             json.dumps(kwargs), json.dumps(list(marks))],
                            capture_output=True, text=True, timeout=WAIT, cwd=REPO)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


EVENT_FLOOD = """
    import resource, sys
    import numpy as np
    from engine import trace

    count = int(sys.argv[1])
    trace.emit(trace.TensorCreated(1, "w", (4,), "float32", True, True, None, None))
    values = np.arange(4, dtype="float32")
    for i in range(count):
        trace.emit(trace.GradAccumulated(1, trace.summarize(values + i), True))
        if i + 1 in (count // 5, count):
            print("peak", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def test_a_flood_of_events_keeps_memory_bounded(write_scenario):
    """300,000 events (scaled down from a million to keep the suite quick) with a
    20,000-event window: peak memory after the first fifth does not grow; keeping every
    event would add about 60 MB."""
    count = 300_000
    result = probe(write_scenario(EVENT_FLOOD), [str(count)], max_events=20_000)
    assert result["state"] == "finished"
    (_, early), (_, late) = (line.split() for line in result["output"])
    assert int(late) - int(early) < 8 * MB, (early, late)
    assert result["kept"] <= 20_000 + 5_000 and result["first_step"] > count - 25_000


def test_500_training_steps_of_mlp_training_keep_memory_bounded(tmp_path):
    """mlp_training.py for 500 steps instead of 8, with budgets small enough to be spent
    before step 100 (4,000 events, 1 MiB of values): from step 100 to step 500 the peak
    grows by less than 8 MiB. Keeping every event costs ~60 KB a step (~24 MB here)."""
    source = (REPO / "scenarios" / "mlp_training.py").read_text(encoding="utf-8")
    assert "range(8)" in source
    path = tmp_path / "mlp_training_500.py"
    path.write_text(source.replace("range(8)", "range(500)"), encoding="utf-8")
    result = probe(path, marks=(100, 500), max_events=4000, value_budget=1 << 20)
    assert result["state"] == "finished" and result["output"][-2].endswith("True")
    peaks = {int(k): v for k, v in result["peaks"].items()}
    assert peaks[500] - peaks[100] < 8 * MB, peaks
    assert result["kept"] <= 4000 + 1000 and result["first_step"] > 0


BIG = """
    import engine as torch
    big = torch.ones(10_000_000, requires_grad=True)
    loss = (big * 2).sum()
    loss.backward()
    print(big.grad.shape)
"""


def test_a_ten_million_element_tensor_is_summarised_never_copied(write_scenario):
    """What the session holds after a run over 40 MB tensors (values, grads, saved
    buffers): statistics and a head, a few kilobytes, not a copy."""
    import gc
    import tracemalloc

    from graphtui.session import Session

    session = Session(write_scenario(BIG), break_on_backward=False)
    tracemalloc.start()
    try:
        session.start()
        assert session.wait_until_finished(WAIT)
        state = session.state()
        gc.collect()
        held, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        session.stop()
    assert state.run_state == "finished", state.error
    big = next(t for t in state.tensors.values() if t.name == "big")
    assert big.value.values is None and big.grad.values is None
    assert big.grad.numel == 10_000_000 and big.grad.max == pytest.approx(2.0)
    assert held < 4 * MB * 1024, held           # one copy would be 40 MB


def test_dump_says_when_older_events_were_folded_away():
    import io

    from graphtui.dump import write_state
    from graphtui.model import EventLog, History
    from graphtui.model import events as ev

    log = EventLog()
    history = History(log, max_events=40)
    for number in range(100):
        log.append(ev.OutputWritten("stdout", f"line {number}"))
    history.compact()
    out = io.StringIO()
    write_state(log, history.latest(), out)
    lines = out.getvalue().splitlines()
    first = log.first_step
    assert first > 0
    assert lines[1].strip() == (f"({first} earlier events were folded into the state to "
                                "bound memory; they are not listed)")
    assert lines[2].split() == [str(first + 1), "line", str(first)]    # numbered from 1
