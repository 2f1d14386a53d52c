"""engine.nn / functional / optim against torch 2.13, live.

The cases live in nn_cases.py; each takes a namespace `lib` (torch, nn, F, optim) and returns
(leaves, output). Every test runs the case with torch and with engine (tests/oracle.py) and
compares one thing: the forward value, the graph's node names, what each node saves, the
leaves' gradients for the same output gradient; then SimpleNet and the optimisers.
"""
import functools
import pathlib
import sys
import warnings

import numpy as np
import pytest

import oracle

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import nn_cases as cases  # noqa: E402

RTOL, ATOL = 1e-4, 1e-6
LIBS = ("torch", "engine")


def close(actual, expected, rtol=RTOL, atol=ATOL):
    np.testing.assert_allclose(np.asarray(actual, dtype=np.float64),
                               np.asarray(expected, dtype=np.float64), rtol=rtol, atol=atol)


def numpy_of(tensor):
    return None if tensor is None else tensor.detach().numpy().copy()


def observe_case(lib, name):
    """What a case gives on `lib`: output, graph, saved names and the leaves' gradients."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        leaves, out = cases.CASES[name](lib)
    seen = {"out": numpy_of(out), "graph": [], "saved": [], "grads": []}
    if out.grad_fn is not None:
        seen["graph"], seen["saved"] = cases.graph_names(out), sorted(cases.saved_names(out))
        out.backward(lib.torch.tensor(cases.det(tuple(out.shape), 99)))
        seen["grads"] = [numpy_of(tensor.grad) for tensor in leaves]
    return seen


@functools.cache
def both(name):
    """(torch's observation, engine's observation) of a case."""
    return tuple(oracle.run(observe_case, lib, name, namespace_arg=True) for lib in LIBS)


@pytest.mark.parametrize("name", sorted(cases.CASES))
def test_forward_value(name):
    expected, actual = both(name)
    assert actual["out"].shape == expected["out"].shape
    close(actual["out"], expected["out"])


@pytest.mark.parametrize("name", sorted(cases.CASES))
def test_graph_node_names(name):
    expected, actual = both(name)
    assert actual["graph"] == expected["graph"]


@pytest.mark.parametrize("name", sorted(cases.CASES))
def test_every_node_saves_what_torch_saves(name):
    expected, actual = both(name)
    assert actual["saved"] == expected["saved"]


@pytest.mark.parametrize("name", sorted(cases.CASES))
def test_gradients(name):
    expected, actual = both(name)
    assert [g is None for g in actual["grads"]] == [g is None for g in expected["grads"]]
    for actual_grad, expected_grad in zip(actual["grads"], expected["grads"]):
        if expected_grad is not None:
            close(actual_grad, expected_grad)


# ---------------------------------------------------------------- SimpleNet

def simplenet_step(lib, batch):
    net = cases.simplenet(lib)
    x, target = cases.simplenet_batch(lib, batch)
    loss = lib.nn.CrossEntropyLoss()(net(x), target)
    graph = cases.graph_names(loss)
    loss.backward()
    grads = {pname: numpy_of(param.grad) for pname, param in net.named_parameters()}
    return graph, loss.item(), grads


@pytest.mark.parametrize("batch", [1, 4])
def test_simplenet_loss_graph_and_every_gradient(batch):
    (graph, loss, grads), (expected_graph, expected_loss, expected_grads) = (
        oracle.run(simplenet_step, lib, batch, namespace_arg=True) for lib in ("engine", "torch"))
    assert graph == expected_graph
    close(loss, expected_loss)
    assert list(grads) == list(expected_grads)
    for pname, expected in expected_grads.items():
        close(grads[pname], expected, atol=1e-6 * max(1.0, float(np.abs(expected).max())))


def simplenet_sgd(lib):
    losses, net = cases.simplenet_sgd_steps(lib)
    return losses, {pname: numpy_of(param) for pname, param in net.named_parameters()}


def test_simplenet_sgd_steps():
    (losses, params), (expected_losses, expected_params) = (
        oracle.run(simplenet_sgd, lib, namespace_arg=True) for lib in ("engine", "torch"))
    close(losses, expected_losses)
    for pname, expected in expected_params.items():
        close(params[pname], expected, atol=1e-5)


# ---------------------------------------------------------------- optimisers

@pytest.mark.parametrize("name", sorted(cases.OPTIMIZERS))
def test_optimizer_steps(name):
    (losses, rows), (expected_losses, expected_rows) = (
        oracle.run(cases.optimizer_trajectory, lib, name, namespace_arg=True)
        for lib in ("engine", "torch"))
    close(losses, expected_losses)
    close(rows, expected_rows)


def test_step_lr():
    (lrs, rows), (expected_lrs, expected_rows) = (
        oracle.run(cases.step_lr_trajectory, lib, namespace_arg=True)
        for lib in ("engine", "torch"))
    np.testing.assert_allclose(lrs, expected_lrs, rtol=1e-12)
    close(rows, expected_rows)
