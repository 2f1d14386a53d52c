"""Statistics are computed once per value: summaries shared between events."""
import numpy as np

import engine
from engine import nn, trace


def of_kind(log, kind):
    return [e for e in log if type(e) is kind]


def test_a_gradient_flowing_unchanged_is_one_summary_in_both_events(events):
    x = engine.randn(5000, requires_grad=True)
    (x.exp() * 2).sum().backward()
    produced = {e.name: e.grad_inputs for e in of_kind(events, trace.NodeExecuted)}
    received = {e.name: e.grad_outputs for e in of_kind(events, trace.NodeExecuting)}
    # MulBackward0's gradient for exp's output flows into ExpBackward0 unchanged
    assert received["ExpBackward0"][0] is produced["MulBackward0"][0]
    assert received["ExpBackward0"][0].numel == 5000
    np.testing.assert_allclose(received["ExpBackward0"][0].values, 2.0)


def test_a_gradient_summed_from_two_paths_gets_its_own_summary(events):
    x = engine.ones(3, requires_grad=True)
    y = x * 2
    (y + y * 3).sum().backward()
    received = [e for e in of_kind(events, trace.NodeExecuting) if e.name == "MulBackward0"]
    produced = [s for e in of_kind(events, trace.NodeExecuted) for s in e.grad_inputs if s]
    summed = received[-1].grad_outputs[0]          # y's gradient: 1 + 3
    assert summed.values.tolist() == [4.0, 4.0, 4.0]
    assert all(summed is not s for s in produced)


def test_a_module_output_and_the_next_input_share_the_op_output_summary(events):
    engine.manual_seed(0)
    net = nn.Sequential(nn.Linear(4, 3000), nn.Tanh())
    net(engine.randn(2, 4))
    forwards = of_kind(events, trace.ModuleForward)
    linear_end = next(e for e in forwards if e.path == "0" and e.phase == "end")
    tanh_start = next(e for e in forwards if e.path == "1" and e.phase == "start")
    created = of_kind(events, trace.TensorCreated)
    addmm_out = next(e.summary for e in created if e.summary is linear_end.outputs[0])
    assert tanh_start.inputs[0] is addmm_out and addmm_out.numel == 6000
    assert addmm_out.values is None and addmm_out.norm > 0      # big: statistics only


def test_a_tensor_changed_in_place_gets_a_new_summary(events):
    net = nn.Identity()
    x = engine.ones(3)
    net(x)
    x.mul_(5)
    net(x)
    starts = [e for e in of_kind(events, trace.ModuleForward) if e.phase == "start"]
    assert starts[0].inputs[0] is not starts[1].inputs[0]
    assert starts[0].inputs[0].values.tolist() == [1.0] * 3
    assert starts[1].inputs[0].values.tolist() == [5.0] * 3
