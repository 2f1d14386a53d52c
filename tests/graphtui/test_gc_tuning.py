"""gc_tuning.settle(): a finished run shown in the TUI is frozen out of the cyclic GC, with
fewer young collections; unsettle() puts everything back as it was."""
from __future__ import annotations

import gc
import io
import time

from graphtui import dump as dump_module
from graphtui import gc_tuning


def test_settle_freezes_and_unsettle_restores_the_collector():
    before = gc.get_threshold()
    frozen_before = gc.get_freeze_count()
    kept = [[] for _ in range(1000)]               # objects a run would hold
    try:
        gc_tuning.settle()
        assert gc.get_freeze_count() >= frozen_before + len(kept)
        assert gc.get_threshold()[0] == max(before[0], gc_tuning.RECORDING_THRESHOLD)
        gc_tuning.settle()                         # again: nothing more, nothing nested
        gc_tuning.unsettle()
        assert gc.get_freeze_count() == 0
        assert gc.get_threshold() == before
        gc_tuning.unsettle()                       # without settle: nothing
        assert gc.get_threshold() == before
    finally:
        gc_tuning.unsettle()
    del kept


def test_settled_freezes_for_its_duration_and_leaves_a_settle_in_place():
    before = gc.get_threshold()
    kept = [[] for _ in range(1000)]
    try:
        with gc_tuning.settled():
            assert gc.get_freeze_count() >= len(kept)
        assert gc.get_freeze_count() == 0 and gc.get_threshold() == before
        gc_tuning.settle()
        with gc_tuning.settled():
            pass
        assert gc.get_freeze_count() >= len(kept)      # the TUI's settle stays
    finally:
        gc_tuning.unsettle()
    assert gc.get_threshold() == before
    del kept


def test_dump_writes_with_the_run_settled(monkeypatch):
    from pathlib import Path

    from graphtui.dump import dump_session
    from graphtui.session import Session

    frozen = []
    write_state = dump_module.write_state
    monkeypatch.setattr(dump_module, "write_state", lambda *args: (
        frozen.append(gc.get_freeze_count()), write_state(*args)))
    scenario = Path(__file__).resolve().parents[2] / "scenarios" / "mlp_training.py"
    session = Session(scenario, break_on_backward=False)
    try:
        assert dump_session(session, io.StringIO())
    finally:
        session.stop()
    assert frozen and frozen[0] > 0
    assert gc.get_freeze_count() == 0


def test_a_settled_run_inside_a_recording_keeps_the_recording_threshold():
    before = gc.get_threshold()
    with gc_tuning.recording():
        gc_tuning.settle()
        gc_tuning.unsettle()
        assert gc.get_threshold()[0] == max(before[0], gc_tuning.RECORDING_THRESHOLD)
    assert gc.get_threshold() == before


async def test_the_tui_settles_a_finished_run_and_unsettles_when_it_closes(monkeypatch):
    from pathlib import Path

    from tui_support import running

    thawed = []
    unsettle = gc_tuning.unsettle
    monkeypatch.setattr(gc_tuning, "unsettle",
                        lambda: (thawed.append(gc_tuning._settled), unsettle()))

    scenario = Path(__file__).resolve().parents[2] / "scenarios" / "mlp_training.py"
    async with running(scenario, break_on_backward=False) as ui:
        assert ui.session.is_finished
        await ui.pilot.pause()
        assert gc_tuning._settled and gc.get_freeze_count() > 0
        await ui.press("r")                         # a re-run: the old run's objects thaw
        assert ui.session.is_finished and True in thawed
        await ui.pilot.pause()
        assert gc_tuning._settled                   # and the new run, once finished, settles
    assert not gc_tuning._settled and gc.get_freeze_count() == 0


def test_a_live_run_collects_less_in_the_debugger_until_it_ends(tmp_path):
    from graphtui.session import Session

    scenario = tmp_path / "paused.py"
    scenario.write_text("import torch\nx = torch.ones(2, requires_grad=True)\n"
                        "(x * 2).sum().backward()\n")
    before = gc.get_threshold()
    session = Session(scenario, break_on_backward=True)
    try:
        assert not session.collects_less and gc.get_threshold() == before
        session.start()
        assert session.wait_until_settled(60) and session.is_paused
        assert session.collects_less
        assert gc.get_threshold()[0] == max(before[0], gc_tuning.RECORDING_THRESHOLD)
        session.rerun()                 # the first run ends, the second begins: still one
        assert session.wait_until_settled(60) and session.is_paused
        session.continue_()
        assert session.wait_until_finished(60)
        deadline = time.monotonic() + 5
        while session.collects_less and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not session.collects_less and gc.get_threshold() == before
    finally:
        session.stop()
    assert gc.get_threshold() == before


def test_a_live_run_keeps_what_it_applied_frozen_until_it_ends():
    assert gc.get_freeze_count() == 0
    gc_tuning.keep_applied()                       # no live run: nothing frozen
    assert gc.get_freeze_count() == 0
    gc_tuning.begin_recording()
    gc_tuning.begin_recording()                    # a re-run overlapping the old run's end
    try:
        kept = [[] for _ in range(1000)]           # what the history applied
        gc_tuning.keep_applied()
        assert gc.get_freeze_count() >= len(kept)
        gc_tuning.end_recording()                  # one run still live: still frozen
        assert gc.get_freeze_count() >= len(kept)
    finally:
        gc_tuning.end_recording()
    assert gc.get_freeze_count() == 0              # the last one's end thaws it
    del kept


def test_a_run_that_ends_settled_is_thawed_by_unsettle():
    before = gc.get_threshold()
    gc_tuning.begin_recording()
    gc_tuning.keep_applied()
    gc_tuning.settle()                             # the TUI shows the finished run
    gc_tuning.end_recording()
    assert gc.get_freeze_count() > 0               # still frozen: it is shown
    gc_tuning.unsettle()
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == before


def test_a_session_freezes_what_its_history_applied_and_thaws_at_the_end(tmp_path):
    from graphtui.session import Session

    scenario = tmp_path / "chain.py"
    scenario.write_text("import engine as torch\n"
                        "h = torch.ones(3, requires_grad=True)\n"
                        "for _ in range(3000):\n"
                        "    h = h * 1.0001\n"
                        "h.sum().backward()\n")
    session = Session(scenario, break_on_backward=True)
    try:
        session.start()
        assert session.wait_until_settled(60) and session.is_paused
        session.state()
        deadline = time.monotonic() + 30
        while gc.get_freeze_count() == 0 and time.monotonic() < deadline:
            time.sleep(0.01)                       # the applier freezes after its slices
        assert gc.get_freeze_count() > 0
        session.continue_()
        assert session.wait_until_finished(60)
        deadline = time.monotonic() + 30
        while gc.get_freeze_count() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert gc.get_freeze_count() == 0
    finally:
        session.stop()
