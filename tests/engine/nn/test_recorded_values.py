"""engine.nn / functional / optim against values recorded from torch 2.13.

The cases live in recorded_cases.py and run here with engine; benchmarks/record_nn_fixtures.py
ran the same source with torch and wrote fixtures/torch_recorded.npz.
"""
import pathlib
import sys
import types
import warnings

import numpy as np
import pytest

import engine
import engine.nn as nn
import engine.nn.functional as F
import engine.optim as optim

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import recorded_cases as cases  # noqa: E402

LIB = types.SimpleNamespace(torch=engine, nn=nn, F=F, optim=optim)
RECORDED = np.load(pathlib.Path(__file__).parent / "fixtures" / "torch_recorded.npz")
RTOL, ATOL = 1e-4, 1e-6


def close(actual, expected, rtol=RTOL, atol=ATOL):
    np.testing.assert_allclose(np.asarray(actual, dtype=np.float64),
                               np.asarray(expected, dtype=np.float64), rtol=rtol, atol=atol)


def run_case(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cases.CASES[name](LIB)


@pytest.mark.parametrize("name", sorted(cases.CASES))
def test_forward_value(name):
    _, out = run_case(name)
    expected = RECORDED[f"{name}/out"]
    assert tuple(out.shape) == expected.shape
    close(out.detach().numpy(), expected)


@pytest.mark.parametrize("name", sorted(cases.CASES))
def test_graph_node_names(name):
    _, out = run_case(name)
    expected = [str(s) for s in RECORDED[f"{name}/graph"]]
    actual = cases.graph_names(out) if out.grad_fn is not None else []
    assert actual == expected


@pytest.mark.parametrize("name", sorted(cases.CASES))
def test_every_node_saves_what_torch_saves(name):
    _, out = run_case(name)
    if out.grad_fn is None:
        return
    assert sorted(cases.saved_names(out)) == sorted(str(s) for s in RECORDED[f"{name}/saved"])


@pytest.mark.parametrize("name", sorted(cases.CASES))
def test_gradients(name):
    leaves, out = run_case(name)
    if out.grad_fn is None:
        return
    out.backward(engine.tensor(cases.det(tuple(out.shape), 99)))
    for index, tensor in enumerate(leaves):
        key = f"{name}/grad{index}"
        if key in RECORDED.files:
            assert tensor.grad is not None, key
            close(tensor.grad.numpy(), RECORDED[key])
        else:
            assert tensor.grad is None, key


# ---------------------------------------------------------------- SimpleNet

@pytest.mark.parametrize("batch", [1, 4])
def test_simplenet_loss_graph_and_every_gradient(batch):
    net = cases.simplenet(LIB)
    x, target = cases.simplenet_batch(LIB, batch)
    loss = nn.CrossEntropyLoss()(net(x), target)
    assert cases.graph_names(loss) == [str(s) for s in RECORDED[f"simplenet{batch}/graph"]]
    loss.backward()
    close(loss.item(), RECORDED[f"simplenet{batch}/loss"])
    for pname, param in net.named_parameters():
        expected = RECORDED[f"simplenet{batch}/grad/{pname}"]
        actual = param.grad.numpy() if batch == 1 else cases.summary(param.grad.numpy())
        close(actual, expected, atol=1e-6 * max(1.0, float(np.abs(expected).max())))


def test_simplenet_sgd_steps():
    losses, net = cases.simplenet_sgd_steps(LIB)
    close(losses, RECORDED["simplenet_sgd/losses"])
    for pname, param in net.named_parameters():
        close(cases.summary(param.detach().numpy()), RECORDED[f"simplenet_sgd/param/{pname}"],
              atol=1e-5)


# ---------------------------------------------------------------- optimisers

@pytest.mark.parametrize("name", sorted(cases.OPTIMIZERS))
def test_optimizer_steps(name):
    losses, rows = cases.optimizer_trajectory(LIB, name)
    close(losses, RECORDED[f"optim/{name}/losses"])
    close(rows, RECORDED[f"optim/{name}/params"])


def test_step_lr():
    lrs, rows = cases.step_lr_trajectory(LIB)
    np.testing.assert_allclose(lrs, RECORDED["optim/step_lr/lrs"], rtol=1e-12)
    close(rows, RECORDED["optim/step_lr/params"])
