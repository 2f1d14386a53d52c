"""The torch backend under the debugger's controls: stepping, muting and re-runs through
Session, and the bundled scenario only PyTorch can run."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine import trace
from graphtui.model.state import RUN_FAILED, RUN_FINISHED, RUN_PAUSED
from graphtui.session import Session

from story import run, story_of

REPO = Path(__file__).resolve().parents[2]
WAIT = 240

SCENARIO = '''
import torch
x = torch.tensor([1.0, 2.0], requires_grad=True)
x.register_hook(lambda grad: grad * 10)
y = (x * 3).sum()
print("forward done")
y.backward()
print("grad", x.grad.tolist())
'''


@pytest.fixture
def scenario(tmp_path):
    path = tmp_path / "hooked.py"
    path.write_text(SCENARIO)
    return path


@pytest.fixture
def sessions():
    made: list[Session] = []

    def make(*args, **kwargs) -> Session:
        session = Session(*args, backend="torch", **kwargs)
        made.append(session)
        return session
    yield make
    for session in made:
        session.stop()


def _names(state):
    return {node.id: node.name for node in state.nodes.values()}


def test_break_and_step_one_node_at_a_time(scenario, sessions):
    session = sessions(scenario)
    session.start()
    assert session.wait_until_settled(WAIT)
    state = session.state()
    assert state.run_state == RUN_PAUSED
    assert _names(state)[state.paused_at] == "SumBackward0"
    assert [line.text for line in state.output] == ["forward done"]
    seen = []
    while session.state().run_state == RUN_PAUSED:
        seen.append(_names(session.state())[session.state().paused_at])
        session.step()
        assert session.wait_until_settled(WAIT)
    assert seen == ["SumBackward0", "MulBackward0", "AccumulateGrad"]
    assert session.state().run_state == RUN_FINISHED
    assert [line.text for line in session.state().output][-1] == "grad [30.0, 30.0]"


def test_a_muted_hook_is_skipped_and_stays_muted_in_a_rerun(scenario, sessions):
    session = sessions(scenario, break_on_backward=False)
    session.start()
    assert session.wait_until_finished(WAIT)
    (hook,) = session.state().hooks.values()
    assert (hook.kind, hook.times_fired) == ("tensor", 1)
    session.mute(hook.id)
    session.rerun()
    assert session.wait_until_finished(WAIT)
    state = session.state()
    (hook,) = state.hooks.values()
    assert (hook.muted, hook.times_fired, hook.times_muted) == (True, 0, 1)
    assert [line.text for line in state.output][-1] == "grad [3.0, 3.0]"
    fired = [e for e in session.log if isinstance(e, trace.HookFired)]
    assert [e.muted for e in fired] == [True]


def test_a_rerun_numbers_things_as_the_first_run(scenario, sessions):
    session = sessions(scenario, break_on_backward=False)
    session.start()
    assert session.wait_until_finished(WAIT)
    first = sorted((n.id, n.name) for n in session.state().nodes.values())
    session.rerun()
    assert session.wait_until_finished(WAIT)
    assert sorted((n.id, n.name) for n in session.state().nodes.values()) == first


def test_the_lstm_dict_model_runs_on_torch_and_the_engine_says_what_it_lacks():
    path = REPO / "scenarios" / "torch_lstm_dict.py"
    engine = run(path, "engine")
    try:
        state = engine.state()
        assert state.run_state == RUN_FAILED and state.error.exc_type == "NotSupportedError"
        assert state.error.message == ("torch.nn.LSTM(proj_size=...) is not supported by "
                                       "graphtui's engine; run it on PyTorch with --backend "
                                       "torch")
    finally:
        engine.stop()
    session = run(path, "torch")
    try:
        story = story_of(session)
    finally:
        session.stop()
    assert story.run_state == RUN_FINISHED and story.error is None
    losses = [float(line.split()[-1]) for line in story.output if line.startswith("step ")]
    assert len(losses) == 3 and losses[2] < losses[0]
    assert sum(line.startswith("embedding grad norm") for line in story.output) == 3
    names = {name for name, _ in story.nodes}
    assert {"EmbeddingBackward0", "UnsafeSplitBackward0", "MmBackward0",
            "NllLossBackward0", "AccumulateGrad"} <= names
    assert [h[:2] for h in story.hooks] == [("tensor", "tensor")] * 3
    assert {"lstm.weight_hr_l0", "lstm.weight_hr_l1", "embed.weight",
            "decoder.weight"} <= set(story.grads)


NODE_HOOKS = '''
import torch
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x * 3


def double_in(grad_outputs):
    return (grad_outputs[0] * 2,)


def add_one_out(grad_inputs, grad_outputs):
    return (grad_inputs[0] + 1, grad_inputs[1])


y.grad_fn.register_prehook(double_in)
handle = y.grad_fn.register_hook(add_one_out)
y.sum().backward()
print("grad", x.grad.tolist())
handle.remove()
'''


@pytest.mark.parametrize("backend", ["engine", "torch"])
def test_hooks_on_a_grad_fn_are_announced_fired_and_muted(tmp_path, backend):
    """`grad_fn.register_prehook` / `register_hook`: registered on MulBackward0, fired around
    it (before NodeExecuting, before NodeExecuted), removed; muted in a re-run, as the engine
    does."""
    path = tmp_path / "node_hooks.py"
    path.write_text(NODE_HOOKS)
    session = Session(path, break_on_backward=False, backend=backend)
    try:
        session.start()
        assert session.wait_until_finished(WAIT)
        state = session.state()
        assert [line.text for line in state.output] == ["grad [7.0, 7.0]"]
        names = _names(state)
        hooks = sorted(state.hooks.values(), key=lambda h: h.kind)
        assert [(h.kind, h.callable_name, names[int(h.target.split(":")[1])], h.times_fired)
                for h in hooks] == [("grad_fn_post", "add_one_out", "MulBackward0", 1),
                                    ("grad_fn_pre", "double_in", "MulBackward0", 1)]
        order = [(type(e).__name__, getattr(e, "kind", getattr(e, "name", None)))
                 for e in session.log
                 if isinstance(e, (trace.HookFired, trace.NodeExecuting, trace.NodeExecuted))
                 and getattr(e, "name", "MulBackward0") == "MulBackward0"]
        assert order == [("HookFired", "grad_fn_pre"), ("NodeExecuting", "MulBackward0"),
                         ("HookFired", "grad_fn_post"), ("NodeExecuted", "MulBackward0")]
        assert [e.hook_id for e in session.log if isinstance(e, trace.HookRemoved)] == \
            [h.id for h in hooks if h.kind == "grad_fn_post"]
        pre = next(h for h in hooks if h.kind == "grad_fn_pre")
        session.mute(pre.id)
        session.rerun()
        assert session.wait_until_finished(WAIT)
        state = session.state()
        assert [line.text for line in state.output] == ["grad [4.0, 4.0]"]
        fired = [(e.kind, e.muted) for e in session.log if isinstance(e, trace.HookFired)]
        assert fired == [("grad_fn_pre", True), ("grad_fn_post", False)]
    finally:
        session.stop()


def test_saved_values_are_named_as_the_engine_names_them(scenario):
    """PyTorch's `_saved_other` is `other` (the engine's name), with its shape and dtype, and
    a Python number's, which PyTorch wraps as a tensor, is told as a scalar."""
    stories = {}
    for backend in ("engine", "torch"):
        session = run(scenario, backend)
        try:
            stories[backend] = story_of(session).saved
        finally:
            session.stop()
    assert stories["torch"] == [("MulBackward0", (("AccumulateGrad", 0), (None, 0)),
                                 (("other", (), "int64", "scalar", None),))]
    assert stories["engine"] == stories["torch"]


MODERN = '''
import torch
torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1))
compiled = torch.compile(model)
x = torch.randn(5, 4)
loss = compiled(x).pow(2).mean()
loss.backward()
print("loss", round(loss.item(), 6), model[0].weight.grad.shape)
with torch.inference_mode():
    y = model(x)
    y.add_(1)
print(y.is_inference(), y.requires_grad, round(y.sum().item(), 4))
'''


def test_compile_and_inference_mode_run_as_in_pytorch(tmp_path):
    """torch.compile runs eagerly (Dynamo would trace into the backend's module hooks and
    fail, and a compiled graph hides the nodes), with a notice; inference tensors, which
    have no version counter, are watched without reading one."""
    import subprocess
    import sys
    path = tmp_path / "modern.py"
    path.write_text(MODERN)
    plain = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                           check=True).stdout.splitlines()
    session = run(path, "torch")
    try:
        state = session.state()
        assert state.run_state == RUN_FINISHED, state.error
        assert [line.text for line in state.output if line.stream == "stdout"] == plain
        assert [line.text for line in state.output if line.stream == "graphtui"] == [
            "graphtui: torch.compile runs the model eagerly under the debugger (as with "
            "disable=True), so that every op and node can be watched"]
        assert "AddmmBackward0" in _names(state).values()
    finally:
        session.stop()
