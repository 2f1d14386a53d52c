"""History on a training loop: stepping through backward passes from the live state shows
the same states as a rebuild from scratch, whichever builder (live, checkpoint, pass end,
travelling) it replays from."""
from __future__ import annotations

from engine import trace
from graphtui.model import EventLog, History, state_at
from graphtui.model import history as history_module
from tests.graphtui.test_model_bounds import batch_steps


def pass_ends(events) -> list[int]:
    return [i + 1 for i, e in enumerate(events) if isinstance(e, trace.BackwardFinished)]


def live_history(events, **options) -> History:
    log = EventLog()
    history = History(log, **options)
    for start in range(0, len(events), 50):       # arriving in batches, applied as they come
        for event in events[start:start + 50]:
            log.append(event)
        history.compact()
    return history


def test_stepping_back_and_forth_through_passes_matches_a_rebuild(monkeypatch):
    monkeypatch.setattr(history_module, "PASS_END_GAP", 10)
    events = batch_steps(60)
    history = live_history(events, checkpoint_every=64)
    ends = pass_ends(events)
    for step in ends[::-1][:25] + ends[-25:] + [3, ends[-1] - 2, len(events)]:
        assert history.state_at(step) == state_at(events, step), step


def test_the_live_builder_keeps_pass_ends_spaced_by_its_size(monkeypatch):
    monkeypatch.setattr(history_module, "PASS_END_GAP", 10)
    events = batch_steps(200)
    history = live_history(events)
    ends = pass_ends(events)
    late = ends[len(ends) // 2:]          # once the pruned state has its full size
    kept_late = [step for step in history._pass_ends if step >= late[0]]
    assert 0 < len(kept_late) <= len(late) // 4
    assert ends[-1] not in history._pass_ends
    back = ends[-2]                       # behind the live state: time travel
    assert history.state_at(back) == state_at(events, back)
    # That replay kept the ends of passes it went through.
    assert any(max(kept_late) < step <= back for step in history._pass_ends)


def test_a_running_pass_counts_its_nodes_at_every_step():
    events = batch_steps(1)             # total 12 <- mul 11, which saves xb
    start = max(i for i, e in enumerate(events) if isinstance(e, trace.BackwardStarted))
    events[start + 1:start + 1] = [
        trace.NodeExecuting(12, "SumBackward0", (None,)),
        trace.NodeExecuted(12, "SumBackward0", (None,)),
        trace.NodeExecuting(11, "MulBackward0", (None,)),
        trace.NodeExecuted(11, "MulBackward0", (None, None)),
        trace.BufferFreed(11, ("self",), 96)]
    history = live_history(events, checkpoint_every=2)
    # Checkpoints inside the pass: each keeps its own counts as the live builder goes on.
    assert any(start < c.step < start + 6 for c in history._checkpoints)
    for step in [start + 3, start + 6, start + 2, start + 5, start + 1, len(events)]:
        state = history.state_at(step)
        ran = sum(isinstance(e, trace.NodeExecuted) for e in events[start:step])
        freed = sum(isinstance(e, trace.BufferFreed) for e in events[start:step])
        counted = state.backward_passes[-1]
        iteration = state.iterations.current
        assert (counted.nodes_run, counted.freed_buffers) == (ran, freed), step
        assert (iteration.nodes_run, iteration.buffers_freed) == (ran, freed), step
        assert state == state_at(events, step)
    assert (ran, freed) == (2, 1)


def test_a_history_that_does_not_travel_keeps_no_pass_ends_and_still_can(monkeypatch):
    monkeypatch.setattr(history_module, "PASS_END_GAP", 10)
    events = batch_steps(100)
    history = live_history(events, travels=False)
    assert not history._pass_ends
    assert history.latest() == state_at(events)
    back = pass_ends(events)[-3]
    assert history.state_at(back) == state_at(events, back)
