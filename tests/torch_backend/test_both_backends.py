"""One test suite, two backends: every bundled scenario runs on the engine and under
``--backend torch`` (real PyTorch, watched), and the two runs agree on what both can know:
node names and edges, saved values per node (name, shape, dtype), hook firing order, errors
and warnings, printed output and ``.grad`` values. The differences docs/torch_backend.md
lists are encoded here, each with its reason; any other difference fails.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from story import run, story_of

REPO = Path(__file__).resolve().parents[2]
TORCH_ONLY = {"torch_lstm_dict"}
SCENARIOS = sorted(p.stem for p in (REPO / "scenarios").glob("*.py") if p.stem not in TORCH_ONLY)

# torch.autograd.gradcheck is Python code over torch ops: it builds graphs of its own
# (clones, differences, quotients); the engine's gradcheck computes on arrays.
GRADCHECK_NODES = {"CloneBackward0", "SubBackward0", "DivBackward0", "UndefinedGradBackward"}


def _stories(name: str):
    path = REPO / "scenarios" / f"{name}.py"

    def story(backend):
        session = run(path, backend)
        try:
            return story_of(session)
        finally:
            session.stop()

    with ThreadPoolExecutor(2) as pool:
        engine, torch = pool.map(story, ("engine", "torch"))
    return engine, torch


def _without_forward_stacks(problems):
    """Anomaly mode's "Error detected in X. Traceback of forward call ..." up to its stack:
    under the torch backend PyTorch's stack also holds the runner's frames (a plain run's
    holds the scenario's only, as the engine's does)."""
    return [(kind, text.split(" Traceback of forward call")[0]) for kind, text in problems]


def _distinct(items, leave_out=()):
    return sorted({item for item in items if item[0] not in leave_out}, key=repr)


@pytest.mark.parametrize("name", SCENARIOS)
def test_the_backends_agree(name):
    engine, torch = _stories(name)
    assert (engine.run_state, engine.error) == (torch.run_state, torch.error)
    assert engine.output == torch.output
    if name == "custom_function":
        assert _distinct(engine.nodes) == _distinct(torch.nodes, GRADCHECK_NODES)
        assert _distinct(engine.saved) == _distinct(torch.saved, GRADCHECK_NODES)
    else:
        assert engine.nodes == torch.nodes
        assert engine.saved == torch.saved
        assert engine.shared == torch.shared
    assert engine.hooks == torch.hooks
    torch_problems = _without_forward_stacks(torch.problems)
    engine_problems = _without_forward_stacks(engine.problems)
    if name == "full_vs_legacy_hooks":
        # Python's warning filters show a warning once per place; the torch backend sees
        # the warnings shown, the engine announces each one it gives.
        assert sorted(set(engine_problems)) == sorted(set(torch_problems))
    else:
        assert engine_problems == torch_problems
    # .grad values by tensor name, for names one tensor has in each run: a variable name
    # reused for several tensors (x in a forward and at top level) may name a different
    # number of them, as each backend announces a different set of intermediate tensors
    common = sorted(set(engine.grads) & set(torch.grads))
    assert sorted(engine.grads) == common or name == "full_vs_legacy_hooks", \
        (sorted(engine.grads), sorted(torch.grads))
    assert common or not engine.grads
    for tensor in common:
        values, other = engine.grads[tensor], torch.grads[tensor]
        assert values.shape == other.shape, tensor
        scale = max(1.0, float(np.abs(values).max(initial=0.0)))
        assert np.allclose(values, other, rtol=1e-3, atol=1e-4 * scale, equal_nan=True), tensor
