"""graphtui.model.gradients: per-parameter gradient statistics per iteration, checked against
the same training loop run in torch, and the vanishing / exploding flags."""

import numpy as np
import pytest
import torch

import engine
from engine import trace
from graphtui.model import gradients
from graphtui.model.gradient_rows import FROZEN, NO_GRAD, NOT_YET, table_rows
from graphtui.model.gradients import EXPLODING, VANISHING, GradientTracker, tracker_for
from graphtui.model.history import EventLog

STEPS = 4


def train(lib, steps=STEPS, lr=0.1, momentum=0.0):
    """A 3-8-1 tanh MLP, SGD; returns per step (loss, {name: grad array}, {name: update/weight})."""
    lib.manual_seed(0)
    net = lib.nn.Sequential(lib.nn.Linear(3, 8), lib.nn.Tanh(), lib.nn.Linear(8, 1))
    optimizer = lib.optim.SGD(net.parameters(), lr=lr, momentum=momentum)
    x = lib.linspace(-1, 1, 30).reshape(10, 3)
    y = x.sum(1, keepdim=True)
    history = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = lib.nn.functional.mse_loss(net(x), y)
        loss.backward()
        grads = {n: p.grad.detach().numpy().astype(np.float64).copy()
                 for n, p in net.named_parameters()}
        before = {n: p.detach().clone() for n, p in net.named_parameters()}
        optimizer.step()
        ratios = {n: float((p.detach() - before[n]).norm() / p.detach().norm())
                  for n, p in net.named_parameters()}
        history.append((loss.item(), grads, ratios))
    return history


@pytest.fixture
def engine_events():
    log = []
    trace.subscribe(log.append)
    try:
        yield log
    finally:
        trace.unsubscribe(log.append)


def tracked(events):
    tracker = GradientTracker()
    for event in events:
        tracker.apply(event)
    return tracker


def test_statistics_per_iteration_match_torch(engine_events):
    train(engine)
    expected = train(torch)
    tracker = tracked(engine_events)
    assert [it.number for it in tracker.iterations] == [1, 2, 3, 4]
    names = [p.name for p in tracker.layer_order()]
    assert names == ["0.weight", "0.bias", "2.weight", "2.bias"]
    by_name = {p.name: p.tensor_id for p in tracker.params.values()}
    for iteration, (loss, grads, ratios) in zip(tracker.iterations, expected):
        assert iteration.loss == pytest.approx(loss, rel=1e-5)
        for name, grad in grads.items():
            stat = iteration.grads[by_name[name]]
            assert stat.norm == pytest.approx(np.linalg.norm(grad), rel=1e-5)
            assert stat.min == pytest.approx(grad.min(), rel=1e-5, abs=1e-7)
            assert stat.max == pytest.approx(grad.max(), rel=1e-5, abs=1e-7)
            assert stat.abs_mean == pytest.approx(np.abs(grad).mean(), rel=1e-5)
            assert (stat.nan, stat.inf) == (0, 0)
            assert stat.update_ratio == pytest.approx(ratios[name], rel=1e-4)


def test_modules_sparkline_series_and_losses(engine_events):
    train(engine)
    expected = train(torch)
    tracker = tracked(engine_events)
    weight = next(p for p in tracker.params.values() if p.name == "2.weight")
    assert (weight.module, weight.short_name, weight.shape) == ("2", "weight", (1, 8))
    assert tracker.module_label("0") == "0 (Linear)"
    assert tracker.norms(weight.tensor_id) == pytest.approx(
        [np.linalg.norm(grads["2.weight"]) for _, grads, _ in expected], rel=1e-5)
    assert [n for n, _ in tracker.losses()] == [1, 2, 3, 4]
    assert [v for _, v in tracker.losses()] == pytest.approx([e[0] for e in expected], rel=1e-5)


def test_no_ratio_without_an_optimizer_step(engine_events):
    layer = engine.nn.Linear(2, 1)
    layer(engine.ones(1, 2)).sum().backward()
    tracker = tracked(engine_events)
    assert [s.update_ratio for s in tracker.iterations[0].grads.values()] == [None, None]


def test_iteration_at_a_moment(engine_events):
    train(engine, steps=2)
    tracker = tracked(engine_events)
    first, second = tracker.iterations
    assert tracker.iteration_at(first.step) is None           # before the first backward
    assert tracker.iteration_at(first.step + 1) is first
    assert tracker.iteration_at(second.step) is first
    assert tracker.iteration_at(second.step + 1) is second
    assert tracker.iteration_at(None) is second


def test_sigmoid_stack_is_flagged_vanishing(engine_events):
    engine.manual_seed(0)
    layers = []
    for _ in range(10):
        layers += [engine.nn.Linear(32, 32), engine.nn.Sigmoid()]
    net = engine.nn.Sequential(*layers, engine.nn.Linear(32, 1))
    engine.nn.functional.mse_loss(net(engine.randn(16, 32)), engine.randn(16, 1)).backward()
    tracker = tracked(engine_events)
    flags = tracker.flags(tracker.iterations[0])
    flagged = {tracker.params[f.tensor_id].name for f in flags}
    assert {f.kind for f in flags} == {VANISHING}
    assert "0.weight" in flagged and "20.weight" not in flagged
    assert tracker.flagged_iterations() == {VANISHING: [1], EXPLODING: []}


def test_exploding_by_norm_and_by_nan():
    tracker = GradientTracker()
    big = np.full(4, 1e3, dtype=np.float32)
    for event in [
        trace.TensorCreated(1, "w", (4,), "float32", True, True, None, None),
        trace.TensorCreated(2, "v", (2,), "float32", True, True, None, None),
        trace.BackwardStarted(1, "backward", ((None, 3),), False, False),
        trace.GradAccumulated(1, trace.summarize(big), False),
        trace.GradAccumulated(2, trace.summarize(np.array([np.nan, 1], np.float32)), False),
        trace.BackwardFinished(1, True),
    ]:
        tracker.apply(event)
    flags = tracker.flags(tracker.iterations[0])
    assert [(f.kind, f.tensor_id, f.reason) for f in flags] == [
        (EXPLODING, 1, "‖g‖ 2.0e+03 > 1e+03"), (EXPLODING, 2, "NaN 1 Inf 0")]


def test_grads_outside_a_backward_and_retained_copies_are_ignored():
    tracker = GradientTracker()
    for event in [
        trace.GradAccumulated(1, trace.summarize(np.ones(2, np.float32)), False),
        trace.BackwardStarted(1, "backward", ((None, 3),), False, False),
        trace.GradAccumulated(3, trace.summarize(np.ones(2, np.float32)), False, retained=True),
        trace.BackwardFinished(1, True),
    ]:
        tracker.apply(event)
    assert tracker.params == {} and tracker.iterations[0].grads == {}


def test_iterations_are_thinned_past_the_cap(monkeypatch):
    monkeypatch.setattr(gradients, "MAX_ITERATIONS", 8)
    tracker = GradientTracker()
    for number in range(1, 21):
        tracker.apply(trace.BackwardStarted(number, "backward", ((None, 1),), False, False))
        tracker.apply(trace.BackwardFinished(number, True))
    kept = [it.number for it in tracker.iterations]
    assert len(kept) <= 8 and kept[-1] == 20 and tracker.thinned
    assert kept == sorted(kept) and kept[0] == 1


def test_tracker_for_a_log_reads_only_new_events(engine_events):
    train(engine, steps=1)
    log = EventLog()
    for event in engine_events:
        log.append(event)
    tracker = tracker_for(log)
    assert len(tracker.iterations) == 1 and tracker.step == len(log)
    log.append(trace.BackwardStarted(99, "backward", ((None, 1),), False, False))
    assert tracker_for(log) is tracker and len(tracker.iterations) == 2


def test_tracker_for_a_plain_list_reads_it_afresh(engine_events):
    train(engine, steps=2)
    assert len(tracker_for(list(engine_events)).iterations) == 2


def test_folded_events_are_counted():
    log = EventLog()
    for number in range(1, 4):
        log.append(trace.BackwardStarted(number, "backward", ((None, 1),), False, False))
    log.discard_before(2)
    tracker = GradientTracker().update(log)
    assert tracker.folded == 2 and [it.number for it in tracker.iterations] == [1]
    assert tracker.step == 3


def bias_before_norm(lib, between=None, norm="BatchNorm1d", steps=2):
    """Linear -> [between] -> norm -> Linear; returns the first Linear's bias grad norm."""
    lib.manual_seed(0)
    layers = [lib.nn.Linear(4, 8)] + ([between] if between else [])
    layers += [getattr(lib.nn, norm)(8), lib.nn.Tanh(), lib.nn.Linear(8, 1)]
    net = lib.nn.Sequential(lib.nn.Sequential(*layers[:1]), *layers[1:])
    x = lib.randn(16, 4)
    for _ in range(steps):
        net.zero_grad()
        net(x).pow(2).mean().backward()
    return float(net[0][0].bias.grad.norm())


def test_a_bias_a_batchnorm_cancels_is_a_note_not_a_flag(engine_events):
    assert bias_before_norm(torch) < gradients.VANISHING_NORM     # torch: zero up to rounding
    assert bias_before_norm(engine) < gradients.VANISHING_NORM
    tracker = tracked(engine_events)
    assert tracker.findings() == []
    assert [flag for it in tracker.iterations for flag in tracker.flags(it)] == []
    [note] = tracker.notes()
    assert note.name == "0.0.bias" and note.norm_module == "1 (BatchNorm1d)"
    assert "normalises its output over the batch" in note.text


def test_a_vanishing_bias_without_a_batchnorm_after_it_is_flagged(engine_events):
    """A LayerNorm does not cancel the bias, and a module between the bias and a BatchNorm
    breaks the cancellation: neither makes a note."""
    bias_before_norm(engine, norm="LayerNorm")
    bias_before_norm(engine, between=engine.nn.ReLU())
    tracker = tracked(engine_events)
    assert tracker.notes() == []
    assert tracker._normalised == {"1": "2"}      # the ReLU is what the BatchNorm follows
    params = {tracker.params[tid].name for tid in tracker.params}
    assert {"0.0.bias", "0.0.weight"} <= params
    # Cancelling only ever silences a vanishing flag; an exploding one stays.
    iteration = gradients.Iteration(1, 0, None, None, True,
                                    {tid: gradients.GradStat(1e9, 0, 1, 1, 0, 0)
                                     for tid in tracker.params})
    cancelled = frozenset(p.module for p in tracker.params.values())
    kinds = {f.kind for f in gradients.param_flags(tracker.params, iteration, cancelled)}
    assert kinds == {EXPLODING}


def test_tracker_for_stops_where_it_is_told(engine_events):
    train(engine, steps=2)
    log = EventLog()
    for event in engine_events:
        log.append(event)
    first_end = next(i for i, e in enumerate(log) if type(e) is trace.BackwardFinished) + 1
    tracker = tracker_for(log, first_end)
    assert tracker.step == first_end and len(tracker.iterations) == 1
    assert tracker_for(log) is tracker and tracker.step == len(log)
    assert len(tracker.iterations) == 2


def frozen_body_net(lib):
    """body.0 and head train; body.1 (a Linear) is frozen; body.2 a BatchNorm (buffers)."""
    class Net(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.body = lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.Linear(8, 8),
                                          lib.nn.BatchNorm1d(8))
            self.head = lib.nn.Linear(8, 1)

        def forward(self, x):
            return self.head(self.body(x))

    lib.manual_seed(0)
    net = Net()
    for param in net.body[1].parameters():
        param.requires_grad_(False)
    return net


def step(net, lib, rows=6):
    net(lib.randn(rows, 4)).pow(2).mean().backward()


def test_the_engine_names_a_parameter_with_its_shape_and_requires_grad(engine_events):
    step(frozen_body_net(engine), engine)
    named = {e.name: (e.param_shape, e.requires_grad)
             for e in engine_events if isinstance(e, trace.TensorNamed)}
    assert named["body.1.weight"] == ((8, 8), False)
    assert named["body.0.bias"] == ((8,), True)
    assert named["body.2.running_mean"] == (None, None)        # a buffer
    assert named["body.2.num_batches_tracked"] == (None, None)


def test_frozen_parameters_are_listed_as_frozen(engine_events):
    net = frozen_body_net(engine)
    step(net, engine)
    tracker = tracked(engine_events)
    expected = [n for n, _ in frozen_body_net(torch).named_parameters()]
    assert [p.name for p in tracker.layer_order()] == expected     # every one, in order
    frozen = {p.name for p in tracker.params.values() if not p.requires_grad}
    assert frozen == {"body.1.weight", "body.1.bias"}
    rows = table_rows(tracker, tracker.iterations[0])
    assert [(r.label, r.missing) for r in rows if r.module == "body.1"] == [
        ("body.1 (Linear)", ""), ("weight", FROZEN), ("bias", FROZEN)]
    assert all(r.stat is not None for r in rows if r.param is not None and r.module != "body.1")


def test_a_parameter_unfrozen_later_is_listed_without_gradient_where_it_had_none(
        engine_events):
    net = frozen_body_net(engine)
    step(net, engine)
    for param in net.body[1].parameters():
        param.requires_grad_(True)
    step(net, engine)
    tracker = tracked(engine_events)
    assert all(p.requires_grad for p in tracker.params.values())
    first, second = (table_rows(tracker, it) for it in tracker.iterations)
    missing = [(r.label, r.missing) for r in first if r.module == "body.1" and r.param]
    assert missing == [("weight", NO_GRAD), ("bias", NO_GRAD)]
    assert all(r.stat is not None for r in second if r.param is not None)


def test_another_models_parameters_stay_out_of_an_iteration(engine_events):
    first, second = engine.nn.Linear(2, 3), engine.nn.Linear(3, 1)
    first(engine.ones(1, 2)).sum().backward()
    second.weight.requires_grad_(False)
    second(engine.ones(1, 3)).sum().backward()
    tracker = tracked(engine_events)
    one, two = tracker.iterations
    ids = {name: trace.tensor_id(tensor) for name, tensor in
           (("first.weight", first.weight), ("first.bias", first.bias),
            ("second.weight", second.weight), ("second.bias", second.bias))}
    assert [p.tensor_id for p in tracker.listed(one)] == [ids["first.weight"], ids["first.bias"]]
    assert [(p.tensor_id, p.requires_grad) for p in tracker.listed(two)] == [
        (ids["second.weight"], False), (ids["second.bias"], True)]


def test_a_running_backward_lists_the_parameters_not_reached_yet(engine_events):
    net = frozen_body_net(engine)
    step(net, engine)
    first_grad = next(i for i, e in enumerate(engine_events)
                      if isinstance(e, trace.GradAccumulated))
    tracker = tracked(engine_events[:first_grad + 1])      # the backward's first .grad landed
    rows = [r for r in table_rows(tracker, tracker.iterations[0]) if r.param is not None]
    assert sum(r.stat is not None for r in rows) == 1
    assert {r.missing for r in rows if r.stat is None} == {NOT_YET, FROZEN}


def test_a_frozen_backbone_called_on_its_own_is_listed_frozen(engine_events):
    backbone = engine.nn.Sequential(engine.nn.Linear(3, 4), engine.nn.ReLU())
    backbone.requires_grad_(False)
    head = engine.nn.Linear(4, 1)
    for _ in range(2):
        head(backbone(engine.randn(5, 3))).sum().backward()
    tracker = tracked(engine_events)
    for iteration in tracker.iterations:
        rows = table_rows(tracker, iteration)
        assert [(r.label, r.missing) for r in rows] == [
            ("0 (Linear)", ""), ("weight", FROZEN), ("bias", FROZEN),
            ("Linear (Linear)", ""), ("weight", ""), ("bias", "")]
