"""Optimizer API against torch 2.13: param_groups, state_dict layout, zero_grad, errors,
StepLR's order warning. (Step values are in tests/engine/nn/test_nn_values.py.)"""
import warnings

import numpy as np
import pytest

import engine
import engine.nn as nn
import engine.optim as optim


def params():
    p = [nn.Parameter(engine.ones(2, 2)), nn.Parameter(engine.ones(2))]
    for q in p:
        q.grad = engine.ones_like(q)
    return p


def test_sgd_state_dict_layout():
    opt = optim.SGD(params(), lr=0.1, momentum=0.9)
    opt.step()
    state = opt.state_dict()
    assert state["param_groups"] == [{
        "lr": 0.1, "momentum": 0.9, "dampening": 0, "weight_decay": 0, "nesterov": False,
        "maximize": False, "foreach": None, "differentiable": False, "fused": None,
        "params": [0, 1]}]
    assert list(state["state"]) == [0, 1]
    assert list(state["state"][0]) == ["momentum_buffer"]
    assert tuple(state["state"][0]["momentum_buffer"].shape) == (2, 2)


def test_adam_and_adamw_state_dict_layout():
    for cls, decoupled, weight_decay in ((optim.Adam, False, 0), (optim.AdamW, True, 0.01)):
        opt = cls(params())
        opt.step()
        group = opt.state_dict()["param_groups"][0]
        assert list(group) == ["lr", "betas", "eps", "weight_decay", "amsgrad", "maximize",
                               "foreach", "capturable", "differentiable", "fused",
                               "decoupled_weight_decay", "params"]
        assert group["decoupled_weight_decay"] is decoupled
        assert group["weight_decay"] == weight_decay
        state = opt.state_dict()["state"][0]
        assert list(state) == ["step", "exp_avg", "exp_avg_sq"]
        assert state["step"].item() == 1.0


def test_state_is_keyed_by_parameter_and_round_trips():
    p = params()
    opt = optim.Adam(p, lr=0.01)
    opt.step()
    assert set(opt.state[p[0]]) == {"step", "exp_avg", "exp_avg_sq"}
    saved = opt.state_dict()
    fresh = optim.Adam(p, lr=0.5)
    fresh.load_state_dict(saved)
    assert fresh.param_groups[0]["lr"] == 0.01
    np.testing.assert_array_equal(fresh.state[p[1]]["exp_avg"].numpy(),
                                  opt.state[p[1]]["exp_avg"].numpy())


def test_zero_grad():
    p = params()
    opt = optim.SGD(p, lr=0.1)
    opt.zero_grad(set_to_none=False)
    assert p[0].grad is not None and float(p[0].grad.sum()) == 0.0
    opt.zero_grad()
    assert p[0].grad is None


def test_step_bumps_the_version_and_skips_params_without_grad():
    p = params()
    p[1].grad = None
    before = p[0]._version, p[1]._version
    optim.SGD(p, lr=0.1).step()
    assert p[0]._version == before[0] + 1 and p[1]._version == before[1]


def test_param_groups_with_their_own_options():
    a, b = params()
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 1.0}], lr=0.1)
    opt.step()
    np.testing.assert_allclose(a.detach().numpy(), 0.9)
    np.testing.assert_allclose(b.detach().numpy(), 0.0)


@pytest.mark.parametrize("make, message", [
    (lambda p: optim.SGD(p, lr=-1), "Invalid learning rate: -1"),
    (lambda p: optim.SGD(p, lr=0.1, nesterov=True),
     "Nesterov momentum requires a momentum and zero dampening"),
    (lambda p: optim.Adam(p, betas=(1.0, 0.9)), "Invalid beta parameter at index 0: 1.0"),
    (lambda p: optim.SGD([], lr=0.1), "optimizer got an empty parameter list"),
])
def test_errors(make, message):
    with pytest.raises(ValueError) as error:
        make(params())
    assert str(error.value) == message


def test_step_lr_warns_when_stepped_before_the_optimizer():
    opt = optim.SGD(params(), lr=1.0)
    scheduler = optim.lr_scheduler.StepLR(opt, 2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scheduler.step()
    assert [str(w.message) for w in caught] == [optim.lr_scheduler.ORDER_WARNING]
    assert str(caught[0].message).startswith("Detected call of `lr_scheduler.step()` before "
                                             "`optimizer.step()`.")
    assert opt.param_groups[0]["initial_lr"] == 1.0
    state = scheduler.state_dict()
    assert state["last_epoch"] == 1 and state["base_lrs"] == [1.0]


def test_sgd_updates_a_loaded_momentum_buffer_that_is_not_contiguous():
    # The buffer is a transposed view after load_state_dict; its update must land in it (it
    # used to go to a flattened copy, losing the momentum). Values from torch 2.13.
    w = nn.Parameter(engine.ones(2, 3))
    sgd = optim.SGD([w], lr=0.1, momentum=0.9)
    w.grad = engine.ones(2, 3)
    sgd.step()
    state = sgd.state_dict()
    state["state"][0]["momentum_buffer"] = engine.ones(3, 2).t() * 1.0
    sgd.load_state_dict(state)
    w.grad = engine.ones(2, 3)
    sgd.step()
    np.testing.assert_allclose(sgd.state[w]["momentum_buffer"].numpy(), np.full((2, 3), 1.9))
    np.testing.assert_allclose(w.detach().numpy(), np.full((2, 3), 0.71), rtol=1e-6)
