"""Breakpoints without a process: specs (graphtui.breakpoints), matching on synthetic
engine events (graphtui.runner.breaker), the wire command, and the model's view of a hit."""
from __future__ import annotations

import numpy as np
import pytest

from tests.graphtui.conftest import mul_backward_events, mul_forward_events, summary
from engine import trace
from graphtui import wire
from graphtui.breakpoints import Breakpoint, BreakpointError, parse, parse_all
from graphtui.model import RUN_PAUSED, RUN_RUNNING, StateBuilder, describe_event
from graphtui.model import events as ev
from graphtui.runner.breaker import Breaker, nonfinite


@pytest.mark.parametrize("text, expected", [
    ("nan", Breakpoint("nan")),
    (" NaN ", Breakpoint("nan")),
    ("node:ConvolutionBackward0", Breakpoint("node", "ConvolutionBackward0")),
    ("module:features.0", Breakpoint("module", "features.0")),
    ("module:Conv2d", Breakpoint("module", "Conv2d")),
    ("hook", Breakpoint("hook")),
    ("hook:save_feat", Breakpoint("hook", "save_feat")),
    ("hook:<lambda>", Breakpoint("hook", "<lambda>")),
    ("backward", Breakpoint("backward")),
    ("backward:3", Breakpoint("backward", count=3)),
])
def test_specs_parse_and_print_back(text, expected):
    assert parse(text) == expected
    assert parse(expected.spec) == expected


@pytest.mark.parametrize("text, message", [
    ("", "unknown breakpoint ''"),
    ("grad:x", "unknown breakpoint 'grad:x'"),
    ("node", "'node' needs a name: node:NAME"),
    ("module: ", "'module' needs a name"),
    ("node:Mul Backward0", "'Mul Backward0' is not a node name"),
    ("backward:-1", "backward:N counts backward calls from 1"),
    ("backward:two", "backward:N counts backward calls from 1"),
    ("nan:x", "'nan' takes no argument"),
])
def test_bad_specs_say_what_is_wrong_in_one_line(text, message):
    with pytest.raises(BreakpointError) as raised:
        parse(text)
    assert message in str(raised.value) and "\n" not in str(raised.value)


def test_duplicates_are_dropped_in_order():
    assert [b.spec for b in parse_all(["hook", "nan", "HOOK", "nan"])] == ["hook", "nan"]


def test_nonfinite_reads_values_and_statistics():
    assert nonfinite(summary([1, 2])) is None
    assert nonfinite(summary([np.nan, 1])) == "NaN"
    assert nonfinite(summary([np.inf, 1])) == "Inf"
    assert nonfinite(summary([np.nan, -np.inf])) == "NaN and Inf"
    assert nonfinite(summary([1, 2], dtype="int64")) is None
    big = trace.summarize(np.full(trace.values_cap + 1, np.nan, dtype="float32"))
    assert big.values is None and nonfinite(big) == "NaN"
    assert nonfinite(None) is None


def hits_of(breaker: Breaker, events) -> list:
    return [(i, hit) for i, e in enumerate(events) if (hit := breaker.check(e)) is not None]


def test_nothing_hits_without_breakpoints():
    events = mul_forward_events() + mul_backward_events(pause=False)
    assert hits_of(Breaker(), events) == []


def test_node_and_backward_hits_before_the_node_runs():
    events = mul_forward_events() + mul_backward_events(pause=False) \
        + mul_backward_events(backward_id=2, pause=False)
    breaker = Breaker(["node:AccumulateGrad", "backward:2"])
    found = [(type(events[i]).__name__, hit.where, hit.node_id, hit.spec, hit.unit)
             for i, hit in hits_of(breaker, events)]
    assert found == [
        ("NodeExecuting", "node", 10, "node:AccumulateGrad", "node"),
        ("NodeExecuting", "node", 11, "backward:2", "node"),     # the pass's first node
        ("NodeExecuting", "node", 10, "node:AccumulateGrad", "node")]


def test_nan_hits_once_in_the_forward_and_once_in_gradients():
    nan = summary([np.nan, 1.0])
    events = [
        trace.NodeCreated(5, "SqrtBackward0", 0, (), (7,), (), None, "/tmp/a.py:3"),
        trace.TensorCreated(7, None, (2,), "float32", True, False, 5, nan),
        trace.TensorCreated(8, None, (2,), "float32", True, False, 5, nan),   # not again
        trace.BackwardStarted(1, "backward", ((5, 7),), False, False),
        trace.NodeExecuting(5, "SqrtBackward0", (summary([1.0, 1.0]),)),
        trace.NodeExecuted(5, "SqrtBackward0", (nan,)),
        trace.NodeExecuting(6, "AccumulateGrad", (nan,)),                   # not again
        trace.BackwardFinished(1, True),
    ]
    found = [(i, hit.where, hit.node_id, hit.detail) for i, hit in
             hits_of(Breaker(["nan"]), events)]
    assert found == [(1, "op", 5, "NaN in the forward output of SqrtBackward0 (a.py:3)"),
                     (5, "after", 5, "NaN in the gradient SqrtBackward0 produced")]


def test_a_nan_gradient_no_node_made_hits_before_the_node_it_reaches():
    events = [trace.BackwardStarted(1, "backward", ((5, 7),), False, False),
              trace.NodeExecuting(5, "MulBackward0", (summary([np.inf]),))]
    ((_, hit),) = hits_of(Breaker(["nan"]), events)
    assert (hit.where, hit.detail) == ("node", "Inf in the gradient flowing into MulBackward0")


def module_events():
    return [
        trace.ModuleForward("Net", "Net", "start"),
        trace.ModuleForward("fc", "Linear", "start"),
        trace.NodeCreated(3, "TBackward0", 0, (), (4,), (), "fc", None),
        trace.NodeCreated(5, "AddmmBackward0", 1, (), (6,), (), "fc", None),
        trace.ModuleForward("fc", "Linear", "end"),
        trace.NodeCreated(7, "ReluBackward0", 2, (), (8,), (), "Net", None),
        trace.ModuleForward("Net", "Net", "end"),
        trace.BackwardStarted(1, "backward", ((7, 8),), False, False),
        trace.NodeExecuting(7, "ReluBackward0", ()),
        trace.NodeExecuting(5, "AddmmBackward0", ()),
        trace.NodeExecuting(3, "TBackward0", ()),
    ]


@pytest.mark.parametrize("spec, expected", [
    ("module:fc", [(1, "module", "module fc (Linear): forward starts"),
                   (9, "node", "backward of module fc (Linear): AddmmBackward0 about to run"),
                   (10, "node", "backward of module fc (Linear): TBackward0 about to run")]),
    ("module:Linear", [(1, "module", "module fc (Linear): forward starts"),
                       (9, "node", "backward of module fc (Linear): AddmmBackward0 about to run"),
                       (10, "node", "backward of module fc (Linear): TBackward0 about to run")]),
    # The outer module: its forward, and every node made inside it, nested ones too.
    ("module:Net", [(0, "module", "module Net: forward starts"),
                    (8, "node", "backward of module Net: ReluBackward0 about to run"),
                    (9, "node", "backward of module Net: AddmmBackward0 about to run"),
                    (10, "node", "backward of module Net: TBackward0 about to run")]),
])
def test_module_hits_at_its_forward_and_before_its_nodes(spec, expected):
    found = [(i, hit.where, hit.detail) for i, hit in hits_of(Breaker([spec]), module_events())]
    assert found == expected


def test_hook_hits_after_it_fired_unless_muted():
    events = [
        trace.HookRegistered(1, "tensor", "tensor:4", "print_grad"),
        trace.HookRegistered(2, "grad_fn_pre", "node:9", "check"),
        trace.HookFired(1, "tensor", "tensor:4", ()),
        trace.BackwardStarted(1, "backward", ((9, 4),), False, False),
        trace.HookFired(2, "grad_fn_pre", "node:9", ()),
        trace.HookFired(2, "grad_fn_pre", "node:9", (), muted=True),
    ]
    found = [(i, hit.node_id, hit.unit, hit.detail)
             for i, hit in hits_of(Breaker(["hook"]), events)]
    assert found == [(2, None, "op", "hook print_grad fired (tensor hook on tensor:4)"),
                     (4, 9, "node", "hook check fired (grad_fn_pre hook on node:9)")]
    assert [i for i, _ in hits_of(Breaker(["hook:check"]), events)] == [4]


def test_breakpoints_replaced_while_running():
    breaker = Breaker(["nan"])
    breaker.set(["node:MulBackward0"])
    events = mul_forward_events() + mul_backward_events(pause=False)
    assert [hit.spec for _, hit in hits_of(breaker, events)] == ["node:MulBackward0"]


def test_the_breakpoints_command_round_trips_as_json():
    line = wire.command("breakpoints", ["nan", "hook:<lambda>"])
    assert line == b'breakpoints ["nan", "hook:<lambda>"]\n'
    assert wire.parse_command(line) == ("breakpoints", ["nan", "hook:<lambda>"])


def test_the_model_says_why_it_paused_and_keeps_the_hits():
    events = mul_forward_events() + [
        trace.BackwardStarted(1, "backward", ((11, 2),), False, False),
        trace.NodeExecuting(11, "MulBackward0", (summary([100, 0.1]),)),
        ev.BreakpointHit("node:MulBackward0", "MulBackward0 (node 11) about to run", "node", 11),
        ev.Paused("node", 11, "breakpoint"),
    ]
    state = StateBuilder(strict=True).apply_all(events).snapshot()
    assert state.run_state == RUN_PAUSED and state.paused_at == 11
    assert state.paused_why == "MulBackward0 (node 11) about to run"
    assert state.breakpoint_hits_total == 1 and state.breakpoint_hits[0].spec == \
        "node:MulBackward0"
    assert describe_event(events[-2], state) == \
        "breakpoint node:MulBackward0: MulBackward0 (node 11) about to run"
    resumed = StateBuilder(strict=True).apply_all(events + [ev.Resumed("step"),
                                                            ev.Paused("node", 10, "step")])
    state = resumed.snapshot()
    assert state.run_state == RUN_PAUSED and state.paused_why is None
    assert StateBuilder().apply_all(events + [ev.Resumed("continue")]).snapshot().run_state \
        == RUN_RUNNING
