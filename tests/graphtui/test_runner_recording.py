"""How the runner records: the scenario runs with graphtui's recording GC setting."""
from __future__ import annotations

from graphtui import gc_tuning
from graphtui.model import RUN_FINISHED

WAIT = 60      # seconds: only a guard against hanging, never a measured time


def test_the_scenario_runs_with_fewer_young_collections(run):
    session = run("""
    import gc
    print("threshold", gc.get_threshold()[0])
    """, break_on_backward=False)
    assert session.wait_until_finished(WAIT)
    state = session.state()
    assert state.run_state == RUN_FINISHED, state.error
    assert [line.text for line in state.output] == [
        f"threshold {gc_tuning.RECORDING_THRESHOLD}"]
