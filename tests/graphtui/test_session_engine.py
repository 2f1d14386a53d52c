"""graphtui.session on the tutorial's lessons, run on the real engine."""
from __future__ import annotations

import pytest

from engine import trace
from graphtui.model import (
    DONE, ERROR, FREED, NEXT, NO_GRAD_FN, PENDING, RUN_FAILED, RUN_FINISHED, RUN_PAUSED,
    root_entries,
)

WAIT = 60      # seconds: only a guard against hanging, never a measured time

MUL = """
    import engine as torch
    x = torch.randn(2, requires_grad=True)
    y = x * 3
    gradients = torch.tensor([100, 0.1], dtype=torch.float)
    y.backward(gradients{retain})
    print(x.grad)
"""

TWICE = MUL + "    y.backward(gradients)\n    print(x.grad)\n"



def settled(session):
    assert session.wait_until_settled(WAIT)
    return session.state()


def finished(session):
    assert session.wait_until_finished(WAIT)
    state = session.state()
    assert state.unreadable_events == 0      # every engine event fits the model
    return state


def by_name(state, name):
    (tensor,) = [t for t in state.tensors.values() if t.name == name]
    return tensor


def node_named(state, name):
    (node,) = [n for n in state.nodes.values() if n.name == name]
    return node


def grad_of(state, name):
    grad = by_name(state, name).grad
    return None if grad is None else grad.values.tolist()


def test_stepping_x_times_3_node_by_node(run):
    session = run(MUL.format(retain=""))
    state = settled(session)
    mul = node_named(state, "MulBackward0")
    assert state.run_state == RUN_PAUSED and state.paused_at == mul.id
    assert mul.status == NEXT and grad_of(state, "x") is None
    assert mul.grad_outputs[0].values.tolist() == pytest.approx([100, 0.1])

    session.step()
    state = settled(session)
    accumulate = node_named(state, "AccumulateGrad")
    assert state.paused_at == accumulate.id and state.node_label(accumulate.id) == \
        "AccumulateGrad (x)"
    assert node_named(state, "MulBackward0").status == FREED
    assert grad_of(state, "x") is None

    session.step()
    state = finished(session)
    assert state.run_state == RUN_FINISHED
    assert node_named(state, "AccumulateGrad").status == DONE
    assert grad_of(state, "x") == pytest.approx([300, 0.3])
    assert state.output[-1].text == "tensor([300.0000,   0.3000])"


def test_backward_twice_fails_at_the_freed_node_and_keeps_what_came_before(run):
    session = run(TWICE.format(retain=""), break_on_backward=False)
    state = finished(session)
    assert state.run_state == RUN_FAILED
    error = state.error
    assert error.exc_type == "RuntimeError"
    assert error.message.startswith("Trying to backward through the graph a second time")
    mul = node_named(state, "MulBackward0")
    assert error.node_id == mul.id and mul.status == ERROR
    assert all(buffer.freed for buffer in mul.saved) and state.retained_bytes == 0
    assert error.location == "scenario.py:8"
    assert error.traceback.splitlines()[1].strip().startswith('File "')
    assert "y.backward(gradients)" in error.traceback
    assert grad_of(state, "x") == pytest.approx([300, 0.3])
    assert [line.text for line in state.output] == ["tensor([300.0000,   0.3000])"]


def test_buffers_turn_from_retained_to_freed_during_the_first_backward(run):
    session = run(TWICE.format(retain=""))
    state = settled(session)
    mul = node_named(state, "MulBackward0")
    assert mul.saved and not any(buffer.freed for buffer in mul.saved)
    assert state.retained_bytes == mul.retained_bytes > 0
    session.step()
    state = settled(session)
    assert all(buffer.freed for buffer in node_named(state, "MulBackward0").saved)
    assert state.retained_bytes == 0


def test_retain_graph_keeps_buffers_and_grad_accumulates_step_by_step(run):
    session = run(TWICE.format(retain=", retain_graph=True"), break_on_backward=False)
    state = finished(session)
    assert state.run_state == RUN_FINISHED
    assert grad_of(state, "x") == pytest.approx([600, 0.6])
    x = by_name(state, "x")
    assert [change.accumulated for change in x.grad_history] == [False, True]
    first_change = x.grad_history[0].step
    assert grad_of(session.state_at(first_change + 1), "x") == pytest.approx([300, 0.3])
    assert grad_of(session.state_at(first_change), "x") is None
    assert len(state.backward_passes) == 2
    assert state.backward_passes[0].retain_graph


def test_second_backward_with_retained_graph_starts_from_pending(run):
    session = run(TWICE.format(retain=", retain_graph=True"))
    settled(session)
    session.continue_()
    state = settled(session)
    assert len(state.backward_passes) == 2
    assert node_named(state, "MulBackward0").status == NEXT
    assert node_named(state, "AccumulateGrad").status == PENDING
    assert node_named(state, "MulBackward0").retained_bytes > 0
    session.continue_()
    assert finished(session).run_state == RUN_FINISHED


def test_backward_on_a_tensor_without_grad_fn_is_shown_at_that_tensor(run):
    session = run("""
        import engine as torch
        x = torch.randn(2, requires_grad=False)
        y = x * 3
        y.backward(torch.tensor([100, 0.1], dtype=torch.float))
    """)
    state = finished(session)
    assert state.error.message == ("element 0 of tensors does not require grad and does "
                                   "not have a grad_fn")
    y = by_name(state, "y")
    assert state.error.tensor_id == y.id and y.grad_fn_id is None
    (root,) = root_entries(state)
    assert (root.kind, root.label) == (NO_GRAD_FN, "y")


@pytest.mark.filterwarnings("ignore:The .grad attribute of a Tensor that is not a leaf")
def test_reading_a_non_leaf_grad_warns_about_that_tensor(run):
    session = run("""
        import engine as torch
        x = torch.randn(2, requires_grad=True)
        y = x * 3
        y.backward(torch.tensor([100, 0.1], dtype=torch.float))
        print(y.grad)
    """, break_on_backward=False)
    state = finished(session)
    (warning,) = [p for p in state.problems if p.category == "UserWarning"]
    assert warning.tensor_id == by_name(state, "y").id
    assert "not a leaf Tensor" in warning.message
    assert state.output[-1].text == "None"


def test_graph_names_and_edges_of_lesson_6(run):
    session = run("""
        import engine as torch
        x = torch.randn(2, requires_grad=True)
        y = x * 3
        w = x + y
        z = x / 2
    """)
    state = finished(session)
    roots = {state.tensor_name(root.tensor_id): state.nodes[root.node_id].name
             for root in state.roots}
    assert roots == {"w": "AddBackward0", "z": "DivBackward0"}
    div = node_named(state, "DivBackward0")
    labels = [state.node_label(e.node_id) if e.node_id else None for e in div.next_edges]
    assert labels == ["AccumulateGrad (x)", None]


def test_muting_a_tensor_hook_skips_it(run):
    session = run("""
        import engine as torch
        x = torch.randn(2, requires_grad=True)
        handle = x.register_hook(lambda grad: grad * 2)
        y = x * 3
        y.backward(torch.tensor([100, 0.1], dtype=torch.float))
        print(x.grad)
    """)
    state = settled(session)
    (hook,) = state.hooks.values()
    assert hook.kind == "tensor" and hook.target == f"tensor:{by_name(state, 'x').id}"
    session.mute(hook.id)
    session.continue_()
    state = finished(session)
    assert grad_of(state, "x") == pytest.approx([300, 0.3])
    assert (state.hooks[hook.id].times_fired, state.hooks[hook.id].times_muted) == (0, 1)
    assert not trace.muted_hooks


def test_unmuted_tensor_hook_doubles_the_grad_and_rerun_keeps_the_mute(run):
    session = run("""
        import engine as torch
        x = torch.randn(2, requires_grad=True)
        x.register_hook(lambda grad: grad * 2)
        y = x * 3
        y.backward(torch.tensor([100, 0.1], dtype=torch.float))
    """)
    state = settled(session)
    (hook,) = state.hooks.values()
    session.continue_()
    state = finished(session)
    assert grad_of(state, "x") == pytest.approx([600, 0.6])
    assert state.hooks[hook.id].times_fired == 1

    session.mute(hook.id)
    session.rerun()
    state = settled(session)
    (new_hook,) = state.hooks.values()
    assert new_hook.muted and new_hook.id == hook.id      # a re-run numbers as the first did
    session.continue_()
    assert grad_of(finished(session), "x") == pytest.approx([300, 0.3])


def test_module_parameters_hooks_and_paths(run):
    session = run("""
        import engine as torch
        import engine.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(3, 2)

            def forward(self, x):
                return self.fc(x).sum()

        def show(module, inputs, output):
            print("fc", tuple(inputs[0].shape), "->", tuple(output.shape))

        net = Net()
        handle = net.fc.register_forward_hook(show)
        loss = net(torch.ones(1, 3))
        loss.backward()
    """, break_on_backward=False)
    state = finished(session)
    assert state.run_state == RUN_FINISHED, state.error
    weight = by_name(state, "fc.weight")
    assert weight.shape == (2, 3) and weight.value is not None and weight.grad is not None
    labels = {state.node_label(n.id) for n in state.nodes.values()}
    assert {"AccumulateGrad (fc.weight)", "AccumulateGrad (fc.bias)"} <= labels
    assert node_named(state, "AddmmBackward0").module == "fc"
    (hook,) = state.hooks.values()
    assert (hook.kind, hook.target, hook.callable_name, hook.times_fired) == (
        "forward", "fc", "show", 1)
    assert [line.text for line in state.output] == ["fc (1, 3) -> (1, 2)"]


def test_rerun_from_the_middle_of_a_backward_starts_clean(run):
    session = run(MUL.format(retain=""))
    settled(session)
    session.step()
    paused = settled(session)
    assert node_named(paused, "MulBackward0").status == FREED
    session.rerun()
    state = settled(session)
    assert state.run_number == 2 and state.run_state == RUN_PAUSED
    assert node_named(state, "MulBackward0").status == NEXT
    assert state.paused_at == node_named(state, "MulBackward0").id
    session.continue_()
    state = finished(session)
    assert grad_of(state, "x") == pytest.approx([300, 0.3])
    assert [line.text for line in state.output] == ["tensor([300.0000,   0.3000])"]
