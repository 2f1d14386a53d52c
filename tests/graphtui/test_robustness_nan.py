"""NaN/Inf: the first node whose output or gradient holds one is marked and the run goes on;
under anomaly mode the engine raises at that node, as PyTorch does."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from engine import trace
from graphtui.model import (
    ERROR, NAN_FORWARD, NAN_GRAD_IN, NAN_GRAD_OUT, PENDING, RUN_FAILED, RUN_FINISHED, state_at,
)
from graphtui.session import Session
from tests.graphtui.conftest import MUL, mul_forward_events, summary

WAIT = 60      # seconds: only a guard against hanging, never a measured time

MASKED_SQRT = """
    import engine as torch
    x = torch.tensor([-1.0, 4.0], requires_grad=True)
    y = torch.where(x > 0, torch.sqrt(x), torch.zeros_like(x))
    y.sum().backward()
    print("grad", x.grad)
"""
UNDER_ANOMALY = MASKED_SQRT.replace(
    "    y = torch.where", "    torch.autograd.set_detect_anomaly(True)\n    y = torch.where")


def node_named(state, name):
    return next(node for node in state.nodes.values() if node.name == name)


def test_a_forward_output_holding_nan_marks_its_node():
    nan_output = trace.TensorCreated(7, None, (2,), "float32", True, False, MUL,
                                     summary([np.nan, 1.0]))
    state = state_at(mul_forward_events() + [nan_output])
    assert state.nodes[MUL].nonfinite == (NAN_FORWARD,) and state.nodes[MUL].status == PENDING
    assert state.first_nan_node == MUL and state.first_nan_place == NAN_FORWARD


def test_an_inf_written_in_place_marks_the_node_that_wrote_it():
    written = trace.TensorModified(2, "mul_", 1, MUL, summary([np.inf, 1.0]))
    state = state_at(mul_forward_events() + [written])
    assert state.nodes[MUL].nonfinite == (NAN_FORWARD,) and state.first_nan_node == MUL


def test_the_first_nan_is_marked_and_the_run_goes_on(finished_state):
    state = finished_state(MASKED_SQRT)
    assert state.run_state == RUN_FINISHED
    sqrt = node_named(state, "SqrtBackward0")
    # sqrt(-1) is NaN in the forward; in backward it receives [0, 1] and makes [nan, 0.25].
    assert state.first_nan_node == sqrt.id and state.first_nan_place == NAN_FORWARD
    assert sqrt.nonfinite == (NAN_FORWARD, NAN_GRAD_OUT)
    assert node_named(state, "WhereBackward0").nonfinite == ()
    assert state.output[-1].text == "grad tensor([   nan, 0.2500])"


def test_a_minus_inf_mask_is_not_the_first_nan_a_nan_fill_is(finished_state):
    state = finished_state("""
        import engine as torch
        scores = torch.tensor([[0.5, 1.0], [2.0, -1.0]], requires_grad=True)
        mask = torch.tensor([[False, True], [False, False]])
        att = scores.masked_fill(mask, float("-inf")) * 2
        torch.softmax(att, dim=-1).sum().backward()
        bad = scores.masked_fill(mask, float("nan"))
    """)
    first = state.nodes[state.first_nan_node]
    assert first.name == "MaskedFillBackward0" and first.location.endswith(":7")
    assert all(node.nonfinite == () for node in state.nodes.values() if node is not first)


@pytest.mark.filterwarnings("ignore:Error detected in SqrtBackward0")
@pytest.mark.filterwarnings("ignore:Anomaly Detection has been enabled")
def test_anomaly_mode_raises_at_the_node_as_torch_does(finished_state):
    state = finished_state(UNDER_ANOMALY)
    assert state.run_state == RUN_FAILED
    assert state.error.exc_type == "RuntimeError"
    assert state.error.message == "Function 'SqrtBackward0' returned nan values in its 0th output."
    node = state.nodes[state.error.node_id]
    assert node.name == "SqrtBackward0" and node.status == ERROR
    assert not any(line.text.startswith("grad") for line in state.output)


@pytest.mark.parametrize("source, status", [(MASKED_SQRT, 0), (UNDER_ANOMALY, 1)],
                         ids=["plain", "anomaly"])
def test_dump_names_the_first_nan_node(write_scenario, source, status):
    result = subprocess.run([sys.executable, "-m", "graphtui", "dump", write_scenario(source)],
                            capture_output=True, text=True, timeout=WAIT)
    assert result.returncode == status, result.stderr
    assert "SqrtBackward0  [freed; NaN/Inf in forward output, gradient produced]" in result.stdout \
        or "SqrtBackward0  [error; NaN/Inf in forward output]" in result.stdout
    assert "\n== first NaN/Inf: SqrtBackward0 (node " in result.stdout
    assert ") in its forward output\n" in result.stdout


@pytest.mark.filterwarnings("ignore:Anomaly Detection has been enabled")
def test_modes_a_run_left_on_do_not_leak_into_the_next(write_scenario):
    import engine

    session = Session(write_scenario("""
        import engine as torch
        print(torch.is_anomaly_enabled(), torch.is_grad_enabled(), torch.get_default_dtype())
        torch.autograd.set_detect_anomaly(True)
        torch.set_grad_enabled(False)
        torch.set_default_dtype(torch.float64)
    """), break_on_backward=False)
    try:
        for _ in range(2):            # the second run starts as the first did
            session.rerun()
            assert session.wait_until_finished(WAIT)
            assert session.state().run_state == RUN_FINISHED
            assert session.state().output[0].text == "False True torch.float32"
    finally:
        session.stop()
        engine.set_detect_anomaly(False)
        engine.set_grad_enabled(True)
        engine.set_default_dtype(engine.float32)
