"""optim.Adafactor against torch 2.13, live: parameters bit for bit after each of 8 steps in
float32 and float64 for a vector, matrices and a 3-D tensor (factored variances), with
weight_decay, maximize, eps, d, beta2_decay, a tensor lr and foreach; its state and
state_dict; its constructor's errors. Also the reductions it relies on: a sum, mean or norm
over dims followed by size-1 dims adds in ATen's order."""
import numpy as np
import pytest

import oracle
from oracle import error_of

SHAPES = [(7,), (5, 9), (3, 4, 6), (1, 40), (33, 17)]


def _trace(dtype, steps=8, **options):
    def case(torch):
        rng = np.random.default_rng(0)
        params = [torch.nn.Parameter(torch.tensor(rng.normal(size=s).astype(dtype)))
                  for s in SHAPES]
        if options.get("lr") == "tensor":
            options["lr"] = torch.tensor(0.02)
        opt = torch.optim.Adafactor(params, **options)
        seen = []
        for step in range(steps):
            for param, shape in zip(params, SHAPES):
                param.grad = torch.tensor(rng.normal(size=shape).astype(dtype))
            opt.step()
            seen.append([p.detach().numpy().tolist() for p in params])
        state = opt.state[params[2]]
        return seen, sorted(state), float(state["step"]), state["row_var"].numpy().tolist(), \
            state["col_var"].numpy().tolist(), opt.state[params[0]]["variance"].tolist()
    return case


OPTIONS = {
    "defaults": {},
    "weight_decay": {"weight_decay": 0.1, "lr": 0.05},
    "maximize": {"maximize": True},
    "eps d beta2_decay": {"eps": (1e-30, 1e-2), "d": 1.5, "beta2_decay": -0.5},
    "tensor lr": {"lr": "tensor"},
    "foreach": {"foreach": True, "weight_decay": 0.01},
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", OPTIONS)
def test_updates_bit_for_bit(name, dtype):
    oracle.agree(_trace(getattr(np, dtype), **OPTIONS[name]))


def test_a_model_trains_as_on_torch():
    def case(torch):
        torch.manual_seed(0)
        model = torch.nn.Sequential(torch.nn.Linear(6, 8), torch.nn.Tanh(),
                                    torch.nn.Linear(8, 2))
        opt = torch.optim.Adafactor(model.parameters(), lr=0.03, weight_decay=0.01)
        x, y = torch.randn(16, 6), torch.randn(16, 2)
        losses = []
        for _ in range(6):
            opt.zero_grad()
            loss = torch.nn.functional.mse_loss(model(x), y)
            loss.backward()
            opt.step()
            losses.append(round(loss.item(), 5))   # the first forward's BLAS order
        state = opt.state_dict()
        return losses, sorted(state), state["param_groups"], \
            {k: sorted(v) for k, v in state["state"].items()}, repr(opt)
    oracle.agree(case)


def test_state_dict_round_trip():
    def case(torch):
        params = [torch.nn.Parameter(torch.ones(3, 2)), torch.nn.Parameter(torch.ones(4))]
        opt = torch.optim.Adafactor(params)
        for p in params:
            p.grad = torch.full(p.shape, 0.5)
        opt.step()
        other = torch.optim.Adafactor([torch.nn.Parameter(torch.ones(3, 2)),
                                       torch.nn.Parameter(torch.ones(4))])
        other.load_state_dict(opt.state_dict())
        for p in other.param_groups[0]["params"]:
            p.grad = torch.full(p.shape, -0.25)
        other.step()
        return [p.detach().numpy().tolist() for p in other.param_groups[0]["params"]]
    oracle.agree(case)


ERRORS = {
    "lr": {"lr": -1.0},
    "tensor lr": {"lr": "two"},
    "beta2_decay": {"beta2_decay": 0.5},
    "epsilon1": {"eps": (-1.0, 1e-3)},
    "epsilon2": {"eps": (None, -1e-3)},
    "d": {"d": 0.5},
    "weight_decay": {"weight_decay": -0.1},
}


@pytest.mark.parametrize("name", ERRORS)
def test_errors(name):
    def case(torch):
        options = dict(ERRORS[name])
        if options.get("lr") == "two":
            options["lr"] = torch.tensor([0.1, 0.2])
        return error_of(lambda: torch.optim.Adafactor([torch.nn.Parameter(torch.ones(2))],
                                                      **options))
    assert oracle.agree(case) is not None


@pytest.mark.parametrize("shape, dim", [((33, 1), 0), ((3, 33, 1), 1), ((2, 40, 1, 1), 1),
                                        ((5, 3, 1), (1, 2))])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_reductions_before_size_one_dims(shape, dim, dtype):
    def case(torch):
        x = torch.tensor(np.abs(np.random.default_rng(3).normal(size=shape)).astype(dtype))
        return [t.numpy().tolist() for t in (
            x.sum(dim), x.mean(dim, keepdim=True), x.norm(dim=dim),
            torch.norm(x, dim=dim, keepdim=True))]
    oracle.agree(case)


@pytest.mark.parametrize("shape, dim", [((17, 40), 0), ((64, 10), 0), ((3, 50, 9), 1),
                                        ((40, 2, 40), (0, 1)), ((1, 5, 3), (0, 2)),
                                        ((40, 1, 1, 1), (0, 2)), ((2, 40, 1, 40), (0, 1, 3))])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_sums_over_leading_dims(shape, dim, dtype):
    """Sums and means over leading dims (a Linear bias's gradient is one) add as ATen's
    outer reductions do; size-1 dims anywhere are left out."""
    def case(torch):
        x = torch.tensor(np.random.default_rng(4).normal(size=shape).astype(dtype))
        return [t.numpy().tolist() for t in (
            x.sum(dim), x.mean(dim, keepdim=True), x.sum(dim, keepdim=True))]
    oracle.agree(case)
