"""RMSprop and Adagrad against torch 2.13, live: parameters after several steps for each
option, in float32 and float64; state_dict layout; the constructors' errors.

float64 agrees to a few ulps. float32 agrees to float32 precision, not bit for bit: torch's
vectorised float32 sqrt is not correctly rounded (about 1 result in 5 is an ulp off
NumPy's), and RMSprop divides by that square root at every step."""
import numpy as np
import pytest

import oracle
from oracle import error_of


def trained(torch, name, options, dtype="float32", steps=5):
    """The parameters after `steps` steps with the same gradients on both libraries (drawn
    here, not computed, so only the optimizer's arithmetic is compared)."""
    rng = np.random.default_rng(0)
    weight = torch.nn.Parameter(torch.tensor(rng.normal(size=(4, 3)).astype(dtype)))
    bias = torch.nn.Parameter(torch.tensor(rng.normal(size=3).astype(dtype)))
    opt = getattr(torch.optim, name)([weight, bias], **options)
    for _ in range(steps):
        weight.grad = torch.tensor(rng.normal(size=(4, 3)).astype(dtype))
        bias.grad = torch.tensor(rng.normal(size=3).astype(dtype))
        opt.step()
    state = {key: (tuple(value.shape), str(value.dtype)) if hasattr(value, "shape") else value
             for key, value in opt.state[weight].items()}
    return weight.detach().numpy().copy(), bias.detach().numpy().copy(), state


OPTIONS = [
    ("RMSprop", {}),
    ("RMSprop", {"lr": 0.05, "momentum": 0.9}),
    ("RMSprop", {"centered": True, "weight_decay": 0.1, "alpha": 0.9}),
    ("RMSprop", {"centered": True, "momentum": 0.5, "maximize": True, "eps": 1e-3}),
    ("Adagrad", {}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.05}),
    ("Adagrad", {"initial_accumulator_value": 0.3, "maximize": True, "eps": 1e-4}),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name, options", OPTIONS)
def test_steps_match_torch(name, options, dtype):
    want = oracle.run(lambda torch: trained(torch, name, options, dtype), "torch")
    got = oracle.run(lambda torch: trained(torch, name, options, dtype), "engine")
    assert got[2] == want[2]
    for mine, theirs in zip(got[:2], want[:2]):
        if dtype == "float64":
            np.testing.assert_array_max_ulp(mine, theirs, maxulp=4)
        else:
            np.testing.assert_allclose(mine, theirs, rtol=2e-5, atol=1e-7)
    assert not np.array_equal(want[0], trained_before(name, dtype))


def trained_before(name, dtype):
    return oracle.run(lambda torch: trained(torch, name, {"lr": 0.0}, dtype, steps=1),
                      "torch")[0]


def test_state_dict_and_repr():
    def case(torch):
        p = torch.nn.Parameter(torch.ones(2))
        p.grad = torch.ones(2)
        rms = torch.optim.RMSprop([p], momentum=0.1, centered=True)
        ada = torch.optim.Adagrad([p], initial_accumulator_value=0.5)
        before = sorted(ada.state_dict()["state"][0])
        rms.step()
        ada.step()
        return (repr(rms), repr(ada), before, sorted(rms.state_dict()["state"][0]),
                rms.state_dict()["param_groups"], ada.state[p]["sum"].tolist())
    oracle.agree(case)


@pytest.mark.parametrize("name, options", [
    ("RMSprop", {"lr": -1.0}), ("RMSprop", {"eps": -1.0}), ("RMSprop", {"momentum": -1.0}),
    ("RMSprop", {"weight_decay": -1.0}), ("RMSprop", {"alpha": -1.0}),
    ("Adagrad", {"lr": -1.0}), ("Adagrad", {"lr_decay": -1.0}),
    ("Adagrad", {"weight_decay": -1.0}), ("Adagrad", {"initial_accumulator_value": -1.0}),
    ("Adagrad", {"eps": -1.0}),
])
def test_constructor_errors(name, options):
    def case(torch):
        return error_of(lambda: getattr(torch.optim, name)([torch.nn.Parameter(torch.ones(1))],
                                                           **options))
    assert oracle.agree(case)[0] == "ValueError"
