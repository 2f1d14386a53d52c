"""Optimizer API against torch 2.13, live (tests/oracle.py): param_groups, state_dict layout,
zero_grad, versions, errors, StepLR's order warning. (Step values are in
tests/engine/nn/test_nn_values.py.)"""
import warnings

import numpy as np
import pytest

import oracle
from oracle import error_of


def params(torch):
    p = [torch.nn.Parameter(torch.ones(2, 2)), torch.nn.Parameter(torch.ones(2))]
    for q in p:
        q.grad = torch.ones_like(q)
    return p


def layout(state):
    """A state_dict with each tensor replaced by its shape and dtype (and a 0-d one by its
    value)."""
    def plain(value):
        if hasattr(value, "shape"):
            return ("tensor", tuple(value.shape), str(value.dtype),
                    value.item() if value.dim() == 0 else None)
        return value
    return {"param_groups": state["param_groups"],
            "state": {index: {key: plain(value) for key, value in entry.items()}
                      for index, entry in state["state"].items()}}


def test_sgd_state_dict_layout():
    def case(torch):
        opt = torch.optim.SGD(params(torch), lr=0.1, momentum=0.9)
        opt.step()
        return layout(opt.state_dict())
    assert list(oracle.agree(case)["state"][0]) == ["momentum_buffer"]


@pytest.mark.parametrize("name, options", [("Adam", {}), ("AdamW", {}),
                                           ("AdamW", {"weight_decay": 0.1, "amsgrad": True})])
def test_adam_and_adamw_state_dict_layout(name, options):
    def case(torch):
        opt = getattr(torch.optim, name)(params(torch), **options)
        opt.step()
        return [list(opt.state_dict()["param_groups"][0]), layout(opt.state_dict())]
    oracle.agree(case)


def test_state_is_keyed_by_parameter_and_round_trips():
    def case(torch):
        p = params(torch)
        opt = torch.optim.Adam(p, lr=0.01)
        opt.step()
        keys = set(opt.state[p[0]])
        fresh = torch.optim.Adam(p, lr=0.5)
        fresh.load_state_dict(opt.state_dict())
        return [keys, fresh.param_groups[0]["lr"],
                fresh.state[p[1]]["exp_avg"].tolist() == opt.state[p[1]]["exp_avg"].tolist()]
    assert oracle.agree(case)[2] is True


def test_zero_grad():
    def case(torch):
        p = params(torch)
        opt = torch.optim.SGD(p, lr=0.1)
        opt.zero_grad(set_to_none=False)
        kept = repr(p[0].grad)
        opt.zero_grad()
        return kept, p[0].grad
    assert oracle.agree(case)[1] is None


def test_step_bumps_the_version_and_skips_params_without_grad():
    def case(torch):
        p = params(torch)
        p[1].grad = None
        before = p[0]._version, p[1]._version
        torch.optim.SGD(p, lr=0.1).step()
        return before, (p[0]._version, p[1]._version)
    oracle.agree(case)


def test_param_groups_with_their_own_options():
    def case(torch):
        a, b = params(torch)
        opt = torch.optim.SGD([{"params": [a]}, {"params": [b], "lr": 1.0}], lr=0.1)
        opt.step()
        return a.tolist(), b.tolist(), [group["lr"] for group in opt.param_groups]
    oracle.agree(case)


@pytest.mark.parametrize("make", [
    lambda torch, p: torch.optim.SGD(p, lr=-1),
    lambda torch, p: torch.optim.SGD(p, lr=0.1, nesterov=True),
    lambda torch, p: torch.optim.Adam(p, betas=(1.0, 0.9)),
    lambda torch, p: torch.optim.SGD([], lr=0.1),
])
def test_errors(make):
    assert oracle.agree(lambda torch: error_of(lambda: make(torch, params(torch))))[0] == \
        "ValueError"


def step_lr_before_the_optimizer(torch):
    opt = torch.optim.SGD(params(torch), lr=1.0)
    scheduler = torch.optim.lr_scheduler.StepLR(opt, 2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scheduler.step()
    state = scheduler.state_dict()
    return ([(w.category.__name__, str(w.message)) for w in caught],
            opt.param_groups[0]["initial_lr"], state["last_epoch"], state["base_lrs"])


def test_step_lr_warns_when_stepped_before_the_optimizer():
    seen = oracle.agree(step_lr_before_the_optimizer)
    assert seen[0][0][1].startswith("Detected call of `lr_scheduler.step()` before "
                                    "`optimizer.step()`.")


def momentum_into_a_transposed_buffer(torch):
    # The buffer is a transposed view after load_state_dict; its update must land in it (it
    # used to go to a flattened copy, losing the momentum).
    w = torch.nn.Parameter(torch.ones(2, 3))
    sgd = torch.optim.SGD([w], lr=0.1, momentum=0.9)
    w.grad = torch.ones(2, 3)
    sgd.step()
    state = sgd.state_dict()
    state["state"][0]["momentum_buffer"] = torch.ones(3, 2).t() * 1.0
    sgd.load_state_dict(state)
    w.grad = torch.ones(2, 3)
    sgd.step()
    return sgd.state[w]["momentum_buffer"].detach().numpy(), w.detach().numpy()


def test_sgd_updates_a_loaded_momentum_buffer_that_is_not_contiguous():
    expected = oracle.run(momentum_into_a_transposed_buffer, "torch")
    actual = oracle.run(momentum_into_a_transposed_buffer, "engine")
    for got, want in zip(actual, expected):
        np.testing.assert_allclose(got, want, rtol=1e-6)
