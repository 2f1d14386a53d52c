"""Saved memory as the model counts it (graphtui.model.memory): each storage once, only
what the graph alone keeps alive, with its peak, timeline, and what each backward freed or
kept. Checked on made-up logs, then on the engine's own events against PyTorch live."""
from __future__ import annotations

import pytest
import torch

import engine
import engine.nn as enn
from engine import trace
from graphtui.model import state_at
from graphtui.model import events as ev
from graphtui.model.memory import costs_of, kept_by, memory_report, sparkline

ACC_W, MM1, RELU, MM2 = 1, 2, 3, 4
KIB = 1024


def saved(name, nbytes, storage, kind="activation", storage_nbytes=None, shape=(2,)):
    return trace.SavedInfo(name, shape, "float32", nbytes, None, storage,
                           storage_nbytes if storage_nbytes is not None else nbytes, 0, kind)


def relu_chain_events():
    """mm(x, w.t()) -> relu -> mm(relu, w.t()): w's view saved twice, relu's output twice."""
    return [
        ev.RunStarted("mlp.py", ("mlp.py",), 1),
        trace.NodeCreated(ACC_W, "AccumulateGrad", 2**64 - 1, (), (1,), (), None, None),
        trace.NodeCreated(MM1, "MmBackward0", 0, ((ACC_W, 0),), (5,),
                          (saved("self", 2 * KIB, 10, "input"),
                           saved("mat2", 4 * KIB, 11, "parameter")), "fc1", "mlp.py:3"),
        trace.NodeCreated(RELU, "ReluBackward0", 1, ((MM1, 0),), (6,),
                          (saved("result", 1 * KIB, 12),), None, "mlp.py:4"),
        trace.NodeCreated(MM2, "MmBackward0", 2, ((RELU, 0), (ACC_W, 0)), (7,),
                          (saved("self", 1 * KIB, 12),
                           saved("mat2", 4 * KIB, 11, "parameter")), "fc2", "mlp.py:5"),
    ]


def backward_events(retain_graph):
    freed = [] if retain_graph else [
        trace.BufferFreed(MM2, ("self", "mat2"), 5 * KIB),
        trace.BufferFreed(RELU, ("result",), 1 * KIB),
        trace.BufferFreed(MM1, ("self", "mat2"), 6 * KIB)]
    return [trace.BackwardStarted(1, "backward", ((MM2, 7),), retain_graph, False),
            *freed, trace.BackwardFinished(1, True)]


def test_aliases_count_once_and_parameters_and_inputs_not_at_all():
    state = state_at(relu_chain_events())
    assert state.retained_bytes == 1 * KIB          # the relu output, once
    report = memory_report(state)
    assert report.parameter_bytes == 4 * KIB and report.input_bytes == 2 * KIB
    assert report.costs[(RELU, "result")].charged == 1 * KIB
    alias = report.costs[(MM2, "self")]
    assert alias.charged == 0 and alias.alias_of == (RELU, "result") and alias.what == "alias"
    assert report.costs[(MM2, "mat2")].what == "parameter"
    assert report.by_module == {"fc1": report.by_module["fc1"], "(top level)":
                                report.by_module["(top level)"], "fc2": report.by_module["fc2"]}
    assert [(m, u.retained) for m, u in report.by_module.items()] == [
        ("fc1", 0), ("(top level)", 1 * KIB), ("fc2", 0)]


def test_a_node_keeps_what_its_activations_hold_each_block_once():
    state = state_at(relu_chain_events())
    assert state.nodes[MM1].retained_bytes == 0      # an input and a parameter: nothing extra
    assert state.nodes[MM2].retained_bytes == 1 * KIB


def test_a_view_keeps_its_whole_storage():
    events = relu_chain_events()[:1] + [
        trace.NodeCreated(RELU, "SelectBackward0", 0, (), (6,),
                          (saved("self", 8, 20, storage_nbytes=4 * KIB),), None, None)]
    state = state_at(events)
    assert state.retained_bytes == 4 * KIB
    assert "keeps its 4.0 KiB storage" in _what(state, RELU, "self")


@pytest.mark.parametrize("freed", [False, True])
def test_one_nodes_costs_are_the_reports(freed):
    events = relu_chain_events() + (backward_events(retain_graph=False) if freed else [])
    state = state_at(events)
    report = memory_report(state).costs
    for node in state.nodes.values():
        assert costs_of(state, node.saved) == {(node.id, b.name): report[(node.id, b.name)]
                                               for b in node.saved}
    alias = costs_of(state, state.nodes[MM2].saved)[(MM2, "self")]
    assert alias.alias_of == (RELU, "result") and alias.charged == 0


def test_a_wrapped_number_is_its_own_block_in_one_nodes_costs():
    """A saved scalar has no storage: costs_of charges it to its own buffer without the walk
    over every node's buffers, and still agrees with the report."""
    scalar = trace.SavedInfo("other", (), "float64", 8, None, None, None, 0, "scalar")
    events = relu_chain_events() + [
        trace.NodeCreated(5, "MulBackward0", 3, ((MM2, 0),), (8,),
                          (scalar, saved("self", 1 * KIB, 12)), None, "mlp.py:6"),
        trace.NodeCreated(6, "MulBackward0", 4, ((5, 0),), (9,), (scalar,), None, "mlp.py:7")]
    state = state_at(events)
    report = memory_report(state).costs
    for node_id in (5, 6):
        costs = costs_of(state, state.nodes[node_id].saved)
        assert costs == {(node_id, b.name): report[(node_id, b.name)]
                         for b in state.nodes[node_id].saved}
        assert costs[(node_id, "other")].charged == 8
    assert costs_of(state, state.nodes[5].saved)[(5, "self")].alias_of == (RELU, "result")


def _what(state, node_id, name):
    from graphtui.model.memory import what_text
    return what_text(state, memory_report(state).costs[(node_id, name)])


def test_backward_frees_the_memory_once_and_the_peak_and_timeline_remember_it():
    state = state_at(relu_chain_events() + backward_events(retain_graph=False))
    assert state.retained_bytes == 0 and state.freed_bytes == 1 * KIB
    assert state.peak_retained_bytes == 1 * KIB and state.peak_step == 4   # after RELU's node
    assert list(state.memory_timeline) == [(4, 1 * KIB), (8, 0)]
    backward = state.backward_passes[0]
    assert (backward.freed_buffers, backward.freed_bytes) == (5, 1 * KIB)
    report = memory_report(state)
    assert report.by_node[RELU].freed == 1 * KIB and report.by_node[MM2].freed == 0


def test_retain_graph_says_what_it_keeps_alive():
    state = state_at(relu_chain_events() + backward_events(retain_graph=True))
    backward = state.backward_passes[0]
    assert (backward.kept_buffers, backward.kept_bytes) == (2, 1 * KIB)
    assert [(b.node_id, b.name) for b in kept_by(state, backward)] == [(RELU, "result"),
                                                                      (MM2, "self")]
    assert state.retained_bytes == 1 * KIB and state.freed_bytes == 0


def test_a_recording_without_storages_counts_each_buffer():
    events = relu_chain_events()[:1] + [trace.NodeCreated(
        MM1, "MulBackward0", 0, (), (5,), (trace.SavedInfo("other", (), "float32", 4),
                                           trace.SavedInfo("self", (2,), "float32", 8)),
        None, None)]
    assert state_at(events).retained_bytes == 12


def test_sparkline_shows_the_highest_value_of_each_span():
    assert sparkline([(2, 8), (4, 4), (6, 0)], 8, 4) == "██▄ "
    assert sparkline([(3, 8), (5, 4)], 8, 4) == " ██▄"
    assert sparkline([], 8, 4) == "    "


# ---------------------------------------------------------------- the engine, against torch

def mlp(nn):
    """The issue's 5-layer MLP: 256-512-512-512-10, ReLU between."""
    return nn.Sequential(nn.Linear(256, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                         nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))


def cnn(nn):
    """Convolutions, max-pool indices, a view, cross-entropy's internals."""
    return nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(8 * 13 * 13, 10))


def mlp_loss(lib, model):
    x, target = lib.randn(64, 256), lib.randn(64, 10)
    return lib.nn.functional.mse_loss(model(x), target), (x, target)


def cnn_loss(lib, model):
    x, target = lib.randn(4, 1, 28, 28), lib.tensor([1, 0, 3, 9])
    return lib.nn.functional.cross_entropy(model(x), target), (x, target)


CASES = {"mlp": (mlp, mlp_loss), "cnn": (cnn, cnn_loss)}


def engine_state(build):
    log = []
    trace.subscribe(log.append)
    try:
        kept = build()
    finally:
        trace.unsubscribe(log.append)
    return state_at(log), kept


def torch_saved_activation_bytes(case):
    """PyTorch's own answer: the storages of the tensors autograd saved (pack hooks), each
    once, leaving out the parameters' storages and the caller's data (x, target)."""
    make_model, make_loss = CASES[case]
    model = make_model(torch.nn)
    storages = {}
    with torch.autograd.graph.saved_tensors_hooks(
            lambda tensor: storages.setdefault(tensor.untyped_storage().data_ptr(),
                                               (tensor.untyped_storage().nbytes(), tensor))[1],
            lambda tensor: tensor):
        loss, data = make_loss(torch, model)
    held = {t.untyped_storage().data_ptr() for t in (*model.parameters(), *data)}
    return sum(nbytes for ptr, (nbytes, _) in storages.items() if ptr not in held)


@pytest.mark.parametrize("case", CASES)
def test_retained_memory_is_what_torch_keeps_for_backward(case):
    make_model, make_loss = CASES[case]
    state, loss = engine_state(lambda: make_loss(engine, make_model(enn)))
    assert state.retained_bytes == torch_saved_activation_bytes(case)


def test_the_mlp_retains_what_its_activations_take():
    engine.manual_seed(0)
    state, loss = engine_state(lambda: mlp_loss(engine, mlp(enn)))
    # From the shapes: three ReLU outputs (each saved twice, one storage) and the model's
    # output, saved by MseLossBackward0; x, target and the weights cost nothing extra.
    assert state.retained_bytes == 3 * 64 * 512 * 4 + 64 * 10 * 4 == 395_776
    report = memory_report(state)
    assert report.parameter_bytes == (512 * 512 * 2 + 512 * 10) * 4     # the saved w.t()s
    assert report.input_bytes == (64 * 256 + 64 * 10) * 4               # x and target
    before = sum(b.nbytes for b in state.saved_buffers())
    assert before == 2_974_720            # what the Saved tab summed before: 2.8 MiB


@pytest.mark.parametrize("operand", [1.5, 2, True], ids=["float", "int", "bool"])
def test_a_python_scalar_is_saved_as_torch_saves_it(operand):
    theirs = (torch.ones(3, requires_grad=True) * operand).grad_fn._saved_other
    state, _ = engine_state(lambda: engine.ones(3, requires_grad=True) * operand)
    other = next(b for b in state.saved_buffers() if b.name == "other")
    assert other.kind == "scalar" and other.dtype == str(theirs.dtype).removeprefix("torch.")
    assert other.nbytes == theirs.untyped_storage().nbytes() and other.shape == ()


def test_the_timeline_is_shared_by_forks_and_read_as_pairs():
    from graphtui.model.seq import SharedIntPairs

    timeline = SharedIntPairs(cap=3)
    timeline.append(4, 1 * KIB)
    fork = timeline.fork()
    timeline.append(8, 0)
    fork.append(8, 0)                   # what the first wrote there: not written again
    fork.append(9, 2 * KIB)
    fork.append(10, 3 * KIB)            # past the cap: counted, not kept
    assert list(timeline.view()) == [(4, 1 * KIB), (8, 0)]
    view = fork.view()
    assert list(view) == [(4, 1 * KIB), (8, 0), (9, 2 * KIB)] and fork.dropped == 1
    assert view[-1] == (9, 2 * KIB) and view[1:] == [(8, 0), (9, 2 * KIB)]
    assert len(view) == 3 and view == [(4, 1 * KIB), (8, 0), (9, 2 * KIB)]
    with pytest.raises(IndexError):
        view[3]
