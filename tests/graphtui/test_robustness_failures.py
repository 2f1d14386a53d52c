"""A scenario that raises, at each place it can: the run fails with the scenario's own
traceback (no graphtui frames), keeps what was recorded before, and names the backward node
it was raised in; ``graphtui dump`` exits 1 and prints the same."""
from __future__ import annotations

import subprocess
import sys

import pytest

from graphtui.model import ERROR, RUN_FAILED

WAIT = 60      # seconds: only a guard against hanging, never a measured time

# name: (source, the line that raises, exception line, nodes recorded, node raised in)
PLACES = {
    "forward": ("""
        import engine as torch
        x = torch.ones(2, 3, requires_grad=True)
        y = x * 2
        z = y @ torch.ones(4, 5)
    """, 4, "RuntimeError: mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)",
        {"MulBackward0"}, None),
    "tensor-hook": ("""
        import engine as torch
        x = torch.ones(2, requires_grad=True)
        y = x * 3
        def broken(grad):
            raise ValueError("hook broke")
        y.register_hook(broken)
        y.sum().backward()
    """, 5, "ValueError: hook broke", {"MulBackward0", "SumBackward0"}, "MulBackward0"),
    "module-forward-hook": ("""
        import engine as torch
        lin = torch.nn.Linear(2, 2)
        def broken(module, inputs, output):
            raise ValueError("forward hook broke")
        lin.register_forward_hook(broken)
        y = lin(torch.ones(1, 2))
    """, 4, "ValueError: forward hook broke", {"AddmmBackward0"}, None),
    "backward": ("""
        import engine as torch
        x = torch.ones(2, requires_grad=True)
        y = (x * 2).sum()
        y.backward()
        y.backward()
    """, 5, "RuntimeError: Trying to backward through the graph a second time",
        {"MulBackward0", "SumBackward0"}, "MulBackward0"),
    "function-forward": ("""
        import engine as torch
        class Bad(torch.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                raise ValueError("forward broke")
            @staticmethod
            def backward(ctx, grad):
                return grad
        x = torch.ones(2, requires_grad=True)
        y = x * 2
        Bad.apply(y)
    """, 5, "ValueError: forward broke", {"MulBackward0"}, None),
    "function-backward": ("""
        import engine as torch
        class Bad(torch.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 1
            @staticmethod
            def backward(ctx, grad):
                raise ValueError("backward broke")
        x = torch.ones(2, requires_grad=True)
        y = Bad.apply(x * 2)
        y.sum().backward()
    """, 8, "ValueError: backward broke", {"MulBackward0", "BadBackward", "SumBackward0"},
        "BadBackward"),
}


@pytest.fixture
def failed(finished_state):
    return lambda place: finished_state(PLACES[place][0].lstrip("\n"))


@pytest.mark.parametrize("place", PLACES)
def test_the_failure_keeps_the_record_and_carries_the_scenarios_traceback(failed, place):
    _, line, last, recorded, _ = PLACES[place]
    state = failed(place)
    assert state.run_state == RUN_FAILED
    assert recorded <= {node.name for node in state.nodes.values()}
    error = state.error
    assert error.location == f"scenario.py:{line}"
    lines = error.traceback.splitlines()
    assert lines[0] == "Traceback (most recent call last):" and lines[-1].startswith(last)
    assert 'scenario.py", line' in lines[1]
    assert "graphtui" not in error.traceback and "runpy" not in error.traceback


@pytest.mark.parametrize("place", PLACES)
def test_a_failure_during_backward_names_its_node(failed, place):
    node_name = PLACES[place][4]
    state = failed(place)
    if node_name is None:
        assert state.error.node_id is None
    else:
        node = state.nodes[state.error.node_id]
        assert node.name == node_name and node.status == ERROR


@pytest.mark.parametrize("place", PLACES)
def test_dump_exits_1_with_the_node_and_the_traceback(write_scenario, place):
    source, _, last, _, node_name = PLACES[place]
    path = write_scenario(source.lstrip("\n"))
    result = subprocess.run([sys.executable, "-m", "graphtui", "dump", path],
                            capture_output=True, text=True, timeout=WAIT)
    assert result.returncode == 1, result.stderr
    report = result.stdout[result.stdout.index("\n== run failed\n"):]
    report = report.split("\n== gradients")[0]        # the gradient table ends the dump
    if node_name is not None:
        assert f"\nraised in backward at {node_name} (node " in report
    else:
        assert "raised in backward" not in report
    assert report.rstrip().splitlines()[-1].startswith(last)
    assert "graphtui" not in report.split("Traceback", 1)[1]
