"""Breakpoints on the real engine: each kind pauses the run at the right event, with the
right state, says why, and lets the run continue to the next hit."""
from __future__ import annotations

import pytest

from graphtui.breakpoints import BreakpointError
from graphtui.model import FREED, NEXT, RUN_FINISHED, RUN_PAUSED
from graphtui.model import events as ev

WAIT = 60      # seconds: only a guard against hanging, never a measured time

NAN = """
    import engine as torch
    x = torch.tensor([-1.0, 4.0], requires_grad=True)
    y = torch.where(x > 0, torch.sqrt(x), torch.zeros_like(x))
    y.sum().backward()
    print(x.grad)
"""

NET = """
    import engine as torch
    import engine.nn as nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 2, 3)
            self.fc = nn.Linear(18, 2)

        def forward(self, x):
            return self.fc(torch.relu(self.conv1(x)).view(1, -1))

    def save_feat(module, inputs, output):
        print("hook", tuple(output.shape))

    torch.manual_seed(0)
    net = Net()
    net.conv1.register_forward_hook(save_feat)
    for step in range(3):
        loss = net(torch.randn(1, 1, 5, 5)).sum()
        loss.backward()
        print("step", step)
"""


def settled(session):
    assert session.wait_until_settled(WAIT)
    return session.state()


def finished(session):
    assert session.wait_until_finished(WAIT)
    return session.state()


def hits(session):
    return [(e.spec, e.detail) for e in session.log if isinstance(e, ev.BreakpointHit)]


def pauses(session):
    return [e for e in session.log if isinstance(e, ev.Paused)]


def printed(state):
    return [line.text for line in state.output]


def test_nan_pauses_at_the_forward_output_then_at_the_gradient_that_made_it(run):
    session = run(NAN, break_on_backward=False, breakpoints=["nan"])
    state = settled(session)
    sqrt = state.nodes[state.paused_at]
    assert state.run_state == RUN_PAUSED and state.paused_where == "op"
    assert sqrt.name == "SqrtBackward0"
    assert state.paused_why.startswith("NaN in the forward output of SqrtBackward0")
    assert not state.backward_passes            # still in the forward

    session.continue_()
    state = settled(session)
    assert state.paused_where == "after" and state.nodes[state.paused_at].name == "SqrtBackward0"
    assert state.paused_why == "NaN in the gradient SqrtBackward0 produced"
    grad = state.nodes[state.paused_at].grad_inputs[0].values.tolist()
    assert grad[1] == pytest.approx(0.25) and grad[0] != grad[0]       # [nan, 0.25]
    assert printed(state) == []                 # x.grad not printed yet

    session.continue_()                          # each kind of NaN once a run
    state = finished(session)
    assert state.run_state == RUN_FINISHED and state.paused_why is None
    assert [spec for spec, _ in hits(session)] == ["nan", "nan"]


def test_node_name_pauses_before_each_backward_run_of_that_node(run):
    session = run(NET, break_on_backward=False, breakpoints=["node:ConvolutionBackward0"])
    for step in range(3):
        state = settled(session)
        node = state.nodes[state.paused_at]
        assert node.name == "ConvolutionBackward0" and node.status == NEXT
        assert state.paused_where == "node"
        assert state.paused_why == f"ConvolutionBackward0 (node {node.id}) about to run"
        assert printed(state)[-1] == "hook (1, 2, 3, 3)"           # step's forward, not done
        assert [line for line in printed(state) if line.startswith("step")] == \
            [f"step {n}" for n in range(step)]
        session.continue_()
    assert finished(session).run_state == RUN_FINISHED
    assert len(hits(session)) == 3


def test_module_by_path_pauses_at_its_forward_and_its_backward_nodes(run):
    session = run(NET.replace("range(3)", "range(1)"), break_on_backward=False,
                  breakpoints=["module:fc"])
    state = settled(session)
    assert state.paused_where == "module" and state.paused_at is None
    assert state.paused_why == "module fc (Linear): forward starts"
    assert state.modules["fc"].running
    names = []
    for _ in range(2):                           # Linear's two backward nodes
        session.continue_()
        state = settled(session)
        assert state.paused_where == "node"
        names.append(state.nodes[state.paused_at].name)
        assert state.paused_why.startswith("backward of module fc (Linear): ")
    assert sorted(names) == ["AddmmBackward0", "TBackward0"]
    session.continue_()
    assert finished(session).run_state == RUN_FINISHED


def test_module_by_class_matches_every_module_of_that_class(run):
    session = run(NET.replace("range(3)", "range(1)"), break_on_backward=False,
                  breakpoints=["module:Conv2d"])
    state = settled(session)
    assert state.paused_why == "module conv1 (Conv2d): forward starts"
    session.continue_()
    state = settled(session)
    assert state.nodes[state.paused_at].name == "ConvolutionBackward0"
    session.continue_()
    assert finished(session).run_state == RUN_FINISHED


def test_hook_by_name_pauses_after_it_fired(run):
    session = run(NET.replace("range(3)", "range(2)"), break_on_backward=False,
                  breakpoints=["hook:save_feat"])
    state = settled(session)
    assert state.paused_where == "hook"
    assert state.paused_why == "hook save_feat fired (forward hook on conv1)"
    assert printed(state) == ["hook (1, 2, 3, 3)"]      # it ran: its print is in
    session.continue_()
    state = settled(session)
    assert printed(state) == ["hook (1, 2, 3, 3)", "step 0", "hook (1, 2, 3, 3)"]
    session.continue_()
    assert finished(session).run_state == RUN_FINISHED


def test_any_hook_and_a_muted_hook(run):
    session = run(NET.replace("range(3)", "range(2)"), break_on_backward=False,
                  breakpoints=["hook"])
    state = settled(session)
    (hook_id,) = state.hooks
    session.mute(hook_id)                        # a muted hook does not fire: no more hits
    session.continue_()
    assert finished(session).run_state == RUN_FINISHED
    assert len(hits(session)) == 1


def test_the_nth_backward(run):
    session = run(NET, break_on_backward=False, breakpoints=["backward:2"])
    state = settled(session)
    assert len(state.backward_passes) == 2
    assert state.paused_why == "backward 2 starts at SumBackward0"
    assert state.nodes[state.paused_at].name == "SumBackward0"
    assert [line for line in printed(state) if line.startswith("step")] == ["step 0"]
    session.continue_()
    assert finished(session).run_state == RUN_FINISHED
    assert len(pauses(session)) == 1


def test_a_step_from_a_breakpoint_goes_one_node_on(run):
    session = run(NET.replace("range(3)", "range(1)"), break_on_backward=False,
                  breakpoints=["node:ReluBackward0"])
    state = settled(session)
    relu = state.paused_at
    session.step()
    state = settled(session)
    assert state.nodes[relu].status == FREED
    assert state.nodes[state.paused_at].name == "ConvolutionBackward0"
    assert state.paused_why is None and pauses(session)[-1].reason == "step"


def test_breakpoints_set_while_running_and_kept_across_reruns(run):
    session = run(NET, break_on_backward=True)
    settled(session)                             # the first backward's first node
    assert session.add_breakpoint(" node:ReluBackward0 ") == "node:ReluBackward0"
    session.continue_()
    state = settled(session)
    assert state.nodes[state.paused_at].name == "ReluBackward0"
    assert session.remove_breakpoint("node:ReluBackward0") is True
    assert session.remove_breakpoint("node:ReluBackward0") is False
    session.set_breakpoints(["backward:3"])
    session.toggle_break()                       # breaking at every backward: off
    session.continue_()
    state = settled(session)
    assert state.paused_why == "backward 3 starts at SumBackward0"

    session.rerun()
    assert session.breakpoints == ("backward:3",)
    state = settled(session)
    assert state.run_number == 2 and state.paused_why == "backward 3 starts at SumBackward0"


def test_a_bad_spec_is_refused_and_changes_nothing(run):
    session = run(NAN, break_on_backward=False, breakpoints=["nan"])
    with pytest.raises(BreakpointError, match="unknown breakpoint 'nope'"):
        session.add_breakpoint("nope")
    with pytest.raises(BreakpointError):
        session.set_breakpoints(["node:SqrtBackward0", "backward:0"])
    assert session.breakpoints == ("nan",)


def test_not_held_breakpoints_are_recorded_and_the_run_goes_on(run):
    session = run(NAN, break_on_backward=False, breakpoints=["nan", "node:SqrtBackward0"],
                  hold_breakpoints=False)
    state = finished(session)
    assert not pauses(session)
    assert hits(session) == [
        ("nan", "NaN in the forward output of SqrtBackward0 (scenario.py:4)"),
        ("node:SqrtBackward0", "SqrtBackward0 (node 1) about to run"),
        ("nan", "NaN in the gradient SqrtBackward0 produced")]
    assert state.breakpoint_hits_total == 3
