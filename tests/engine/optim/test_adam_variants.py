"""NAdam, RAdam and Adamax against torch 2.13, live: parameters and state after several
steps for each option, in float32 and float64; state_dict round trips; constructor errors.

Adamax takes no square root: bit-identical in both dtypes. NAdam and RAdam divide by a
square root: float64 agrees to an ulp or two; float32 to float32 precision, as PyTorch's
float32 sqrt is an ulp off for about 1 input in 5 (engine/optim/_pointwise.py)."""
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
    ("NAdam", {}),
    ("NAdam", {"lr": 0.05, "momentum_decay": 0.01, "weight_decay": 0.1}),
    ("NAdam", {"weight_decay": 0.1, "decoupled_weight_decay": True, "maximize": True}),
    ("RAdam", {}),
    ("RAdam", {"lr": 0.05, "betas": (0.5, 0.6), "weight_decay": 0.1}),
    ("RAdam", {"weight_decay": 0.1, "decoupled_weight_decay": True, "maximize": True,
               "betas": (0.8, 0.7)}),
    ("Adamax", {}),
    ("Adamax", {"lr": 0.05, "betas": (0.6, 0.9), "weight_decay": 0.1, "eps": 1e-3}),
    ("Adamax", {"maximize": True}),
]
EXACT = {"Adamax"}


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


@pytest.mark.parametrize("name", ["NAdam", "RAdam", "Adamax"])
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
        opt = torch.optim.Adamax([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
        for _ in range(5):
            a.grad, b.grad = torch.tensor([0.5, -1.0]), torch.tensor([2.0])
            opt.step()
            sched.step()
        return a.tolist(), b.tolist(), [g["lr"] for g in opt.param_groups]
    oracle.agree(case)


@pytest.mark.parametrize("name, options", [
    (name, options) for name in ("NAdam", "RAdam", "Adamax")
    for options in ({"lr": -1}, {"eps": -1.0}, {"betas": (1.0, 0.9)}, {"betas": (0.9, -0.1)},
                    {"weight_decay": -0.5})
] + [("NAdam", {"momentum_decay": -1.0})])
def test_constructor_errors(name, options):
    def case(torch):
        return error_of(lambda: getattr(torch.optim, name)([torch.nn.Parameter(torch.ones(1))],
                                                           **options))
    assert oracle.agree(case)[0] == "ValueError"
