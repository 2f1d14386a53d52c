"""Learning-rate schedulers against torch 2.13, live: the lr after every step (chainable
form), with step(epoch) (closed form and its deprecation warning), the order warnings,
ReduceLROnPlateau's patience/cooldown/min_lr, and the constructors' errors."""
import math
import warnings

import pytest

import oracle
from oracle import error_of

EPOCHS = 14


def optimizer(torch, lr=0.1, groups=1):
    params = [torch.nn.Parameter(torch.ones(2)) for _ in range(groups)]
    return torch.optim.SGD([{"params": [p], "lr": lr * (i + 1)} for i, p in enumerate(params)],
                           lr=lr)


SCHEDULERS = {
    "StepLR": lambda s, opt: s.StepLR(opt, step_size=3, gamma=0.5),
    "MultiStepLR": lambda s, opt: s.MultiStepLR(opt, milestones=[2, 5, 5, 9], gamma=0.3),
    "ExponentialLR": lambda s, opt: s.ExponentialLR(opt, gamma=0.9),
    "LambdaLR": lambda s, opt: s.LambdaLR(opt, lambda epoch: 0.95 ** epoch + 0.01 * epoch),
    "MultiplicativeLR": lambda s, opt: s.MultiplicativeLR(opt, lambda epoch: 0.9),
    "ConstantLR": lambda s, opt: s.ConstantLR(opt, factor=0.5, total_iters=4),
    "LinearLR": lambda s, opt: s.LinearLR(opt, start_factor=0.25, end_factor=0.9,
                                          total_iters=6),
    "CosineAnnealingLR": lambda s, opt: s.CosineAnnealingLR(opt, T_max=5, eta_min=0.001),
}


def lrs_over_epochs(make, epochs=EPOCHS, with_epoch=False):
    def case(torch):
        opt = optimizer(torch, groups=2)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            scheduler = make(torch.optim.lr_scheduler, opt)
            seen = [scheduler.get_last_lr()]
            for epoch in range(1, epochs):
                opt.step()
                scheduler.step(epoch) if with_epoch else scheduler.step()
                seen.append(scheduler.get_last_lr() + [g["lr"] for g in opt.param_groups])
        return seen, sorted({str(w.message)[:40] for w in caught})
    return case


@pytest.mark.parametrize("name", SCHEDULERS)
def test_each_step_gives_torchs_learning_rates(name):
    seen, caught = oracle.agree(lrs_over_epochs(SCHEDULERS[name]))
    assert caught == []
    assert len({tuple(lrs) for lrs in seen}) > 1 or name == "ConstantLR"


@pytest.mark.parametrize("name", SCHEDULERS)
def test_step_with_an_epoch_uses_the_closed_form_and_warns(name):
    seen, caught = oracle.agree(lrs_over_epochs(SCHEDULERS[name], with_epoch=True))
    assert caught == ["The epoch parameter in `scheduler.step()"]


def test_cosine_annealing_passes_eta_min_and_climbs_back():
    seen, _ = oracle.agree(lrs_over_epochs(SCHEDULERS["CosineAnnealingLR"], epochs=12))
    assert math.isclose(seen[5][0], 0.001) and seen[10][0] > 0.09


def warnings_of_misordered_steps(torch):
    opt = optimizer(torch)
    scheduler = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scheduler.step()                           # before any optimizer.step()
        scheduler.get_lr()                         # outside step()
        second = torch.optim.lr_scheduler.StepLR(opt, step_size=2)
        opt.step = lambda closure=None: None       # replaced after the scheduler wrapped it
        second.step()
    return [(w.category.__name__, str(w.message)) for w in caught], opt.param_groups[0]["lr"]


def test_order_and_get_lr_warnings():
    caught, _ = oracle.agree(warnings_of_misordered_steps)
    assert [text[:30] for _, text in caught] == [
        "Detected call of `lr_scheduler", "To get the last learning rate ",
        "Seems like `optimizer.step()` "]


def plateau(torch, **options):
    opt = optimizer(torch, lr=1.0, groups=2)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, **options)
    losses = [5, 4, 4.5, 4.2, 4.1, 4.0, 3.9999, 4.3, 4.4, 4.6, 2.0, 2.5, 2.6, 2.7, 2.8, 2.9]
    seen = []
    for loss in losses:
        scheduler.step(torch.tensor(loss))
        seen.append((scheduler.get_last_lr(), scheduler.num_bad_epochs,
                     scheduler.cooldown_counter, scheduler.best))
    return seen


@pytest.mark.parametrize("options", [
    {"patience": 2},
    {"patience": 1, "cooldown": 2, "factor": 0.5, "min_lr": [0.3, 0.0]},
    {"mode": "max", "patience": 0, "threshold_mode": "abs", "threshold": 0.5},
    {"patience": 0, "factor": 0.9, "eps": 0.2},
])
def test_reduce_on_plateau(options):
    seen = oracle.agree(lambda torch: plateau(torch, **options))
    assert seen[-1][0] != seen[0][0] or options.get("eps") == 0.2


@pytest.mark.parametrize("make", [
    lambda s, opt: s.ReduceLROnPlateau(opt, factor=1.0),
    lambda s, opt: s.ReduceLROnPlateau(opt, mode="median"),
    lambda s, opt: s.ReduceLROnPlateau(opt, threshold_mode="ratio"),
    lambda s, opt: s.ReduceLROnPlateau(opt, min_lr=[0.1, 0.2]),
    lambda s, opt: s.ConstantLR(opt, factor=1.5),
    lambda s, opt: s.LinearLR(opt, start_factor=0),
    lambda s, opt: s.LinearLR(opt, end_factor=2),
    lambda s, opt: s.LambdaLR(opt, [lambda e: 1.0] * 3),
    lambda s, opt: s.MultiplicativeLR(opt, 0.9),
    lambda s, opt: s.StepLR(opt, step_size=2, last_epoch=4),
    lambda s, opt: s.StepLR(object(), step_size=2),
])
def test_constructor_errors(make):
    error = oracle.agree(lambda torch: error_of(
        lambda: make(torch.optim.lr_scheduler, optimizer(torch))))
    assert error is not None


def test_state_dict_round_trip():
    def case(torch):
        opt = optimizer(torch)
        first = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
        for _ in range(3):
            opt.step()
            first.step()
        state = first.state_dict()
        again = torch.optim.lr_scheduler.StepLR(optimizer(torch), step_size=9)
        again.load_state_dict(state)
        return sorted(state), again.last_epoch, again.step_size, again.get_last_lr()
    assert oracle.agree(case)[1] == 3
