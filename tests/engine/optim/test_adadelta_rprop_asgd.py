"""Adadelta, Rprop and ASGD against torch 2.13, live: parameters and state after several
steps for each option, in float32 and float64; state_dict round trips; constructor errors.

Rprop and ASGD take no square root: bit-identical in both dtypes. Adadelta divides square
roots: float64 agrees to a few ulps; float32 to float32 precision, as PyTorch's float32
sqrt is an ulp off for about 1 input in 5 (engine/optim/_pointwise.py)."""
import numpy as np
import pytest

import oracle
from oracle import error_of


def trained(torch, name, options, dtype="float32", steps=6):
    """The parameters and state after `steps` steps with the same gradients on both
    libraries (drawn here, not computed, so only the optimizer's arithmetic is compared)."""
    rng = np.random.default_rng(0)
    weight = torch.nn.Parameter(torch.tensor(rng.normal(size=(4, 3)).astype(dtype)))
    bias = torch.nn.Parameter(torch.tensor(rng.normal(size=3).astype(dtype)))
    opt = getattr(torch.optim, name)([weight, bias], **options)
    for _ in range(steps):
        weight.grad = torch.tensor(rng.normal(size=(4, 3)).astype(dtype))
        bias.grad = torch.tensor(rng.normal(size=3).astype(dtype))
        opt.step()
    state = {key: (tuple(value.shape), str(value.dtype).split(".")[-1],
                   value.numpy().copy())
             for key, value in opt.state[weight].items()}
    return weight.detach().numpy().copy(), bias.detach().numpy().copy(), state


OPTIONS = [
    ("Adadelta", {}),
    ("Adadelta", {"lr": 0.5, "rho": 0.5, "eps": 1e-3, "weight_decay": 0.1}),
    ("Adadelta", {"maximize": True}),
    ("Rprop", {}),
    ("Rprop", {"lr": 0.1, "etas": (0.3, 1.5), "step_sizes": (1e-3, 0.2)}),
    ("Rprop", {"maximize": True, "step_sizes": (0.005, 1.0)}),
    ("ASGD", {}),
    ("ASGD", {"lr": 0.1, "lambd": 0.01, "alpha": 0.5, "t0": 2, "weight_decay": 0.1}),
    ("ASGD", {"maximize": True, "t0": 0}),
]
EXACT = {"Rprop", "ASGD"}


def assert_close(mine, theirs, name, dtype):
    if name in EXACT:
        np.testing.assert_array_equal(mine, theirs)
    elif dtype == "float64":
        np.testing.assert_array_max_ulp(mine, theirs, maxulp=8)
    else:
        np.testing.assert_allclose(mine, theirs, rtol=2e-5, atol=1e-7)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name, options", OPTIONS)
def test_steps_match_torch(name, options, dtype):
    want = oracle.run(lambda torch: trained(torch, name, options, dtype), "torch")
    got = oracle.run(lambda torch: trained(torch, name, options, dtype), "engine")
    assert sorted(got[2]) == sorted(want[2])
    for key, (shape, kind, value) in want[2].items():
        assert got[2][key][:2] == (shape, kind), key
        assert_close(got[2][key][2], value, name, dtype)
    for mine, theirs in zip(got[:2], want[:2]):
        assert_close(mine, theirs, name, dtype)


@pytest.mark.parametrize("name", ["Adadelta", "Rprop", "ASGD"])
def test_state_dict_round_trip_and_repr(name):
    def case(torch):
        p = torch.nn.Parameter(torch.tensor([1.0, -2.0, 0.5]))
        opt = getattr(torch.optim, name)([p], lr=0.1)
        for _ in range(2):
            p.grad = torch.tensor([0.5, -0.25, 2.0])
            opt.step()
        saved = opt.state_dict()
        q = torch.nn.Parameter(p.detach().clone())
        again = getattr(torch.optim, name)([q], lr=0.5)
        again.load_state_dict(saved)
        q.grad = torch.tensor([0.5, -0.25, 2.0])
        again.step()
        return (repr(opt), sorted(saved["state"][0]), saved["param_groups"],
                float(again.state[q]["step"]), again.param_groups[0]["lr"])
    oracle.agree(case)


def test_param_groups_and_a_scheduler():
    def case(torch):
        a = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
        b = torch.nn.Parameter(torch.tensor([-1.0]))
        opt = torch.optim.Rprop([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
        for _ in range(5):
            a.grad = (torch.tensor([0.5, -1.0]) * a).detach()
            b.grad = (torch.tensor([2.0]) - b).detach()
            opt.step()
            sched.step()
        return a.tolist(), b.tolist(), [g["lr"] for g in opt.param_groups]
    oracle.agree(case)


@pytest.mark.parametrize("name, options", [
    ("Adadelta", {"lr": -1}), ("Adadelta", {"rho": 1.5}), ("Adadelta", {"eps": -1.0}),
    ("Adadelta", {"weight_decay": -0.5}), ("Rprop", {"lr": -1}), ("Rprop", {"etas": (1.5, 2)}),
    ("Rprop", {"etas": (0.5, 0.9)}), ("ASGD", {"lr": -1}), ("ASGD", {"weight_decay": -0.5}),
])
def test_constructor_errors(name, options):
    def case(torch):
        return error_of(lambda: getattr(torch.optim, name)([torch.nn.Parameter(torch.ones(1))],
                                                           **options))
    assert oracle.agree(case)[0] == "ValueError"
