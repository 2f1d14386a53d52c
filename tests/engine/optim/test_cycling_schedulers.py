"""OneCycleLR, CosineAnnealingWarmRestarts, PolynomialLR, SequentialLR and ChainedScheduler
against torch 2.13, live: the lr (and the cycled momentum or beta1) after every step, the
warnings they give (SequentialLR's switch gives none), step(epoch) where it means something,
and the constructors' errors."""
import warnings

import pytest

import oracle
from cycling import adam as _adam, sgd as _sgd, stepped
from oracle import error_of


CASES = {
    "one_cycle_cos": (_sgd, lambda s, o: s.OneCycleLR(o, max_lr=[1.0, 2.0], total_steps=12)),
    "one_cycle_adam_linear_three_phase": (_adam, lambda s, o: s.OneCycleLR(
        o, max_lr=0.5, epochs=3, steps_per_epoch=4, anneal_strategy="linear",
        three_phase=True)),
    "one_cycle_no_momentum_cycle": (lambda t: _sgd(t, 0.0), lambda s, o: s.OneCycleLR(
        o, max_lr=0.3, total_steps=12, cycle_momentum=False, pct_start=0.5)),
    "warm_restarts": (_sgd, lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=3, eta_min=0.01)),
    "warm_restarts_growing": (_sgd, lambda s, o: s.CosineAnnealingWarmRestarts(o, 2, T_mult=2)),
    "polynomial": (_sgd, lambda s, o: s.PolynomialLR(o, total_iters=6, power=2.0)),
    "sequential_warmup": (_sgd, lambda s, o: s.SequentialLR(
        o, [s.LinearLR(o, start_factor=0.1, total_iters=3), s.CosineAnnealingLR(o, T_max=8)],
        milestones=[3])),
    "sequential_three": (_sgd, lambda s, o: s.SequentialLR(
        o, [s.ConstantLR(o, factor=0.5, total_iters=2), s.ExponentialLR(o, gamma=0.8),
            s.StepLR(o, step_size=2)], milestones=[2, 6])),
    "chained": (_sgd, lambda s, o: s.ChainedScheduler(
        [s.ConstantLR(o, factor=0.5, total_iters=2), s.ExponentialLR(o, gamma=0.9)])),
}


def _trace(name, steps=12):
    make_optimizer, make_scheduler = CASES[name]

    def case(torch):
        opt = make_optimizer(torch)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            scheduler = make_scheduler(torch.optim.lr_scheduler, opt)
            seen = [scheduler.get_last_lr()]
            seen += stepped(opt, scheduler, steps)
        return seen, [str(w.message)[:50] for w in caught]
    return case


@pytest.mark.parametrize("name", CASES)
def test_each_step_as_torch(name):
    seen, caught = oracle.agree(_trace(name))
    assert len({repr(step) for step in seen}) > 2


def test_warm_restarts_step_with_an_epoch():
    def case(torch):
        opt = _sgd(torch)
        scheduler = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, 2, T_mult=3)
        seen = []
        for epoch in [0.5, 1, 2.25, 7, 9.5, 30]:
            scheduler.step(epoch)
            seen.append((scheduler.get_last_lr(), scheduler.T_cur, scheduler.T_i,
                         scheduler.last_epoch))
        return seen
    oracle.agree(case)


def test_one_cycle_past_its_total_steps():
    def case(torch):
        opt = _sgd(torch)
        scheduler = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=3)
        for _ in range(3):
            opt.step()
            scheduler.step()
        return error_of(scheduler.step)
    assert oracle.agree(case)[0] == "ValueError"


@pytest.mark.parametrize("make", [
    lambda t, s: s.OneCycleLR(t.optim.Adagrad([t.nn.Parameter(t.ones(1))]), max_lr=1.0,
                              total_steps=5),
    lambda t, s: s.OneCycleLR(_sgd(t), max_lr=1.0),
    lambda t, s: s.OneCycleLR(_sgd(t), max_lr=1.0, total_steps=0),
    lambda t, s: s.OneCycleLR(_sgd(t), max_lr=1.0, total_steps=5, pct_start=1.5),
    lambda t, s: s.OneCycleLR(_sgd(t), max_lr=1.0, total_steps=5, anneal_strategy="exp"),
    lambda t, s: s.CosineAnnealingWarmRestarts(_sgd(t), T_0=0),
    lambda t, s: s.CosineAnnealingWarmRestarts(_sgd(t), T_0=2, T_mult=0),
    lambda t, s: s.SequentialLR(_sgd(t), [], milestones=[]),
    lambda t, s: s.SequentialLR(_sgd(t), [s.StepLR(_sgd(t), 2)], milestones=[]),
])
def test_constructor_errors(make):
    def case(torch):
        return error_of(lambda: make(torch, torch.optim.lr_scheduler))[0]
    assert oracle.agree(case) == "ValueError"
