"""CyclicLR against torch 2.13, live: the lr and the cycled momentum (SGD) or beta1 (Adam)
after each of 300 steps for every mode, custom scale functions in both scale modes, the
warnings, state_dict and its round trip, resuming, and the constructor's errors."""
import math
import warnings

import pytest

import oracle
from cycling import adam as _adam, sgd as _sgd, stepped
from oracle import error_of


def _adagrad(torch):
    return torch.optim.Adagrad([torch.nn.Parameter(torch.ones(2))], lr=0.1)


class Halving:
    """A callable object as scale_fn: state_dict keeps its __dict__."""

    def __init__(self) -> None:
        self.base = 0.5

    def __call__(self, x):
        return self.base ** (x - 1)


CASES = {
    "triangular": (_sgd, lambda s, o: s.CyclicLR(o, 0.01, 0.1, step_size_up=7)),
    "triangular uneven": (_sgd, lambda s, o: s.CyclicLR(o, [0.01, 0.02], [0.1, 0.3],
                                                        step_size_up=5, step_size_down=13)),
    "triangular2": (_sgd, lambda s, o: s.CyclicLR(o, 0.001, 0.1, step_size_up=11,
                                                  mode="triangular2")),
    "exp_range": (_sgd, lambda s, o: s.CyclicLR(o, 0.01, 0.2, step_size_up=9,
                                                mode="exp_range", gamma=0.993)),
    "custom cycle": (_sgd, lambda s, o: s.CyclicLR(
        o, 0.01, 0.1, 6, scale_fn=lambda x: 0.5 * (1 + math.sin(x * math.pi / 2)))),
    "custom iterations": (_sgd, lambda s, o: s.CyclicLR(
        o, 0.01, 0.1, 6, 4, scale_fn=lambda x: 1 / (1 + x / 50), scale_mode="iterations")),
    "callable object": (_sgd, lambda s, o: s.CyclicLR(o, 0.01, 0.1, 5, scale_fn=Halving())),
    "adam betas": (_adam, lambda s, o: s.CyclicLR(o, 0.001, 0.01, 8, base_momentum=0.85,
                                                  max_momentum=0.95)),
    "momentum lists": (_sgd, lambda s, o: s.CyclicLR(o, 0.01, 0.1, 4, mode="triangular2",
                                                     base_momentum=[0.7, 0.75],
                                                     max_momentum=[0.9, 0.95])),
    "no momentum cycle": (_adagrad, lambda s, o: s.CyclicLR(o, 0.01, 0.1, 3,
                                                           cycle_momentum=False)),
}


def _trace(name, steps=300):
    make_optimizer, make_scheduler = CASES[name]

    def case(torch):
        opt = make_optimizer(torch)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            scheduler = make_scheduler(torch.optim.lr_scheduler, opt)
            seen = [scheduler.get_last_lr(), scheduler.base_lrs, scheduler.total_size,
                    scheduler.step_ratio, scheduler.scale_mode]
            seen += stepped(opt, scheduler, steps)
        return seen, [str(w.message) for w in caught]
    return case


@pytest.mark.parametrize("name", CASES)
def test_each_step_as_torch(name):
    seen, caught = oracle.agree(_trace(name))
    assert len({repr(step) for step in seen}) > 10


def test_warnings_and_get_lr_outside_step():
    def case(torch):
        opt = _sgd(torch)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            scheduler = torch.optim.lr_scheduler.CyclicLR(opt, 0.01, 0.1, 4)
            scheduler.step()                    # before optimizer.step()
            outside = scheduler.get_lr()
            scheduler.step(3)                   # the epoch argument is deprecated
        return scheduler.get_last_lr(), outside, [str(w.message) for w in caught]
    oracle.agree(case)


def test_state_dict_and_resume():
    def case(torch):
        opt = _sgd(torch)
        scheduler = torch.optim.lr_scheduler.CyclicLR(opt, 0.01, 0.1, 5, scale_fn=Halving())
        for _ in range(7):
            opt.step()
            scheduler.step()
        state = scheduler.state_dict()
        keys = sorted(state)
        custom = state["_scale_fn_custom"]
        plain = torch.optim.lr_scheduler.CyclicLR(_sgd(torch), 0.01, 0.1, 5, mode="exp_range",
                                                  gamma=0.9)
        plain_state = plain.state_dict()
        state["_scale_fn_custom"] = {"base": 0.25}
        other = torch.optim.lr_scheduler.CyclicLR(_sgd(torch), 0.01, 0.1, 5,
                                                  scale_fn=Halving())
        other.load_state_dict(state)
        other.optimizer.step()
        other.step()
        resumed = torch.optim.lr_scheduler.CyclicLR(opt, 0.01, 0.1, 5, last_epoch=7)
        opt.step()
        resumed.step()
        return (keys, custom, sorted(plain_state), plain_state["_scale_fn_custom"],
                other.get_last_lr(), other._scale_fn_custom.base, other.last_epoch,
                resumed.get_last_lr(), [g["momentum"] for g in opt.param_groups])
    oracle.agree(case)


ERRORS = {
    "mode": lambda t, o: t.optim.lr_scheduler.CyclicLR(o, 0.01, 0.1, mode="cosine"),
    "base_lr length": lambda t, o: t.optim.lr_scheduler.CyclicLR(o, [0.01], 0.1),
    "max_lr length": lambda t, o: t.optim.lr_scheduler.CyclicLR(o, 0.01, (0.1, 0.2, 0.3)),
    "momentum length": lambda t, o: t.optim.lr_scheduler.CyclicLR(o, 0.01, 0.1,
                                                                  base_momentum=[0.8]),
    "no momentum": lambda t, o: t.optim.lr_scheduler.CyclicLR(_adagrad(t), 0.01, 0.1),
    "not an optimizer": lambda t, o: t.optim.lr_scheduler.CyclicLR(None, 0.01, 0.1),
    "resume without initial_lr": lambda t, o: t.optim.lr_scheduler.CyclicLR(
        o, 0.01, 0.1, last_epoch=3),
}


@pytest.mark.parametrize("name", ERRORS)
def test_errors(name):
    oracle.agree(lambda torch: error_of(lambda: ERRORS[name](torch, _sgd(torch))))
