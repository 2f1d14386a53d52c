"""What the debugger sees of engine.nn: module forwards, parameter names, the module each
node was made in, and module hooks' registration, firing, muting and removal."""
import pathlib
import sys
import types
import warnings

import pytest

import engine
from engine import trace

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import nn_cases as cases  # noqa: E402

LIB = types.SimpleNamespace(torch=engine, nn=engine.nn, F=engine.nn.functional,
                            optim=engine.optim)


def of(events, name):
    return [e for e in events if type(e).__name__ == name]


def run_simplenet(net):
    x, target = cases.simplenet_batch(LIB, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loss = engine.nn.CrossEntropyLoss()(net(x), target)
    loss.backward()
    return loss


def test_module_forward_events_nest_with_paths(events):
    run_simplenet(cases.simplenet(LIB))
    seen = [(e.path, e.phase) for e in of(events, "ModuleForward")]
    assert seen[:4] == [("SimpleNet", "start"), ("conv1", "start"), ("conv1", "end"),
                        ("pool1", "start")]
    assert ("SimpleNet", "end") in seen and ("CrossEntropyLoss", "start") in seen
    start = of(events, "ModuleForward")[1]
    assert start.class_name == "Conv2d" and start.inputs[0].shape == (1, 1, 28, 28)
    assert trace.module_stack == []


def test_parameters_are_named_by_module_path(events):
    run_simplenet(cases.simplenet(LIB))
    names = [e.name for e in of(events, "TensorNamed")]
    assert names == ["conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc.weight",
                     "fc.bias", "out.weight", "out.bias"]


def test_a_tied_weight_keeps_its_first_name_as_named_parameters_gives_it(events):
    nn = engine.nn
    model = nn.Sequential(nn.Embedding(5, 3), nn.Linear(3, 5, bias=False))
    model[1].weight = model[0].weight
    model(engine.tensor([1, 2])).sum().backward()
    names = [e.name for e in of(events, "TensorNamed")]
    assert names == ["0.weight"] == [name for name, _ in model.named_parameters()]


def test_nodes_record_the_module_they_were_made_in(events):
    run_simplenet(cases.simplenet(LIB))
    made_in = {(e.name, e.module) for e in of(events, "NodeCreated")}
    assert ("ConvolutionBackward0", "conv1") in made_in
    assert ("MaxPool2DWithIndicesBackward0", "pool2") in made_in
    assert ("AddmmBackward0", "fc") in made_in and ("TBackward0", "out") in made_in
    assert ("ViewBackward0", "SimpleNet") in made_in
    assert ("NllLossBackward0", "CrossEntropyLoss") in made_in


def test_nested_paths_and_standalone_modules():
    net = engine.nn.Sequential(engine.nn.Sequential(engine.nn.ReLU()), engine.nn.Linear(2, 2))
    assert net[0][0]._trace_path() == "0.0"
    assert net[1]._trace_path() == "1"
    assert net._trace_path() == "Sequential"


def test_module_hooks_registered_fired_removed(events):
    net = cases.simplenet(LIB)
    forward = net.conv1.register_forward_hook(lambda m, i, o: None)
    legacy = net.conv1.register_backward_hook(lambda m, gi, go: None)
    full = net.fc.register_full_backward_hook(lambda m, gi, go: None)
    pre = net.fc.register_full_backward_pre_hook(lambda m, go: None)
    run_simplenet(net)
    registered = {e.hook_id: (e.kind, e.target) for e in of(events, "HookRegistered")}
    assert registered == {forward.id: ("forward", "conv1"), legacy.id: ("backward", "conv1"),
                          full.id: ("full_backward", "fc"), pre.id: ("full_backward_pre", "fc")}
    fired = {e.hook_id: e for e in of(events, "HookFired")}
    assert set(fired) == set(registered)
    assert (fired[forward.id].kind, fired[forward.id].target) == ("forward", "conv1")
    assert fired[full.id].kind == "full_backward"
    # The legacy hook fires as a post-hook of conv1's ConvolutionBackward0, under its own id.
    assert fired[legacy.id].kind == "grad_fn_post"
    forward.remove()
    assert of(events, "HookRemoved")[-1].hook_id == forward.id
    assert any(isinstance(e, trace.WarningRaised) and "non-full backward hook" in e.message
               for e in events)


def test_muted_module_hook_is_skipped_and_logged(events):
    layer = engine.nn.Linear(2, 2)
    calls = []
    handle = layer.register_forward_hook(lambda m, i, o: calls.append(1))
    trace.muted_hooks.add(handle.id)
    try:
        layer(engine.ones(1, 2))
    finally:
        trace.muted_hooks.discard(handle.id)
    assert calls == []
    assert of(events, "HookFired")[-1].muted


def test_no_subscriber_takes_the_fast_path(monkeypatch):
    from engine.nn.modules import _call
    monkeypatch.setattr(_call, "call_with_hooks", lambda *a: pytest.fail("slow path"))
    layer = engine.nn.Linear(2, 2)
    assert tuple(layer(engine.ones(1, 2)).shape) == (1, 2)
