"""The module structure generation: bumped by any change to a module's parameters, buffers
or children, however made, and by nothing else; the parameter names a call announces follow
such changes."""
from __future__ import annotations

import copy
import pickle

import engine
from engine import nn, trace
from engine.nn.modules.module import structure_generation


def changes(action) -> bool:
    before = structure_generation()
    action()
    return structure_generation() != before


def test_every_way_of_changing_a_module_tree_bumps_the_generation():
    net = nn.Sequential(nn.Linear(2, 2))
    layer = net[0]
    assert changes(lambda: setattr(layer, "extra", nn.Parameter(engine.ones(1))))
    assert changes(lambda: setattr(layer, "extra", None))
    assert changes(lambda: layer.register_buffer("stat", engine.zeros(1)))
    assert changes(lambda: setattr(net, "head", nn.ReLU()))
    assert changes(lambda: delattr(net, "head"))
    assert changes(lambda: layer._parameters.__setitem__("w2", nn.Parameter(engine.ones(1))))
    assert changes(lambda: layer._parameters.pop("w2"))
    assert changes(lambda: layer._buffers.update(other=engine.ones(1)))
    assert changes(lambda: net.append(nn.Tanh()))
    assert changes(lambda: net._modules.clear())
    assert changes(lambda: setattr(layer, "_parameters", {}))      # a registry replaced


def test_using_a_module_does_not_bump_the_generation():
    net = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
    x = engine.ones(1, 2)
    assert not changes(lambda: net(x).sum().backward())
    assert not changes(lambda: net.eval())
    assert not changes(lambda: setattr(net[0], "in_features", 2))
    assert not changes(lambda: list(net.named_parameters()))


def test_copies_of_a_module_keep_registries_that_bump():
    net = nn.Sequential(nn.Linear(2, 2))
    for twin in (copy.deepcopy(net), pickle.loads(pickle.dumps(net))):
        assert [name for name, _ in twin.named_parameters()] == ["0.weight", "0.bias"]
        assert changes(lambda: twin[0].register_parameter("p", nn.Parameter(engine.ones(1))))
        assert type(twin._modules) is type(net._modules)


def test_a_call_announces_the_names_of_parameters_added_since_the_last():
    events = []
    net = nn.Sequential(nn.Linear(2, 2))
    x = engine.ones(1, 2)
    trace.subscribe(events.append)
    try:
        net(x)
        named = [e.name for e in events if type(e) is trace.TensorNamed]
        assert named == ["0.weight", "0.bias"]
        events.clear()
        net(x)                                       # nothing changed: nothing announced
        assert [e for e in events if type(e) is trace.TensorNamed] == []
        net.append(nn.Linear(2, 1))
        net(x)
        assert [e.name for e in events if type(e) is trace.TensorNamed] == [
            "1.weight", "1.bias"]
    finally:
        trace.unsubscribe(events.append)


def test_a_pickled_module_names_no_class_of_ours_for_its_registries():
    """A checkpoint of a whole module is loadable by weights_only with the module's own
    class allowlisted, as PyTorch's is (its registries are plain dicts)."""
    net = nn.Linear(2, 1)
    assert b"_Registry" not in pickle.dumps(net)
    assert copy.copy(net)._parameters is net._parameters      # a shallow copy shares them


def test_the_names_kept_for_a_model_go_with_it():
    import gc
    import weakref
    events = []
    net = nn.Sequential(nn.Linear(2, 2))
    trace.subscribe(events.append)
    try:
        net(engine.ones(1, 2))
    finally:
        trace.unsubscribe(events.append)
    weight = weakref.ref(net[0].weight)
    del net
    events.clear()                  # events refer to the parameters' summaries, not to them
    gc.collect()
    assert weight() is None
