"""huber_loss / HuberLoss and kl_div / KLDivLoss against torch 2.13, live: values, gradients
of input and target, node names along the graph, every reduction, broadcasting (with its
warning), weights, log_target, 'mean''s warning and the errors."""
import warnings

import numpy as np
import pytest

import oracle
from oracle import error_of

RNG = np.random.default_rng(8)
X = RNG.normal(size=(4, 3)).astype(np.float32) * 2
T = RNG.normal(size=(4, 3)).astype(np.float32) * 2
P = RNG.dirichlet(np.ones(3), size=4).astype(np.float32)


def graph_names(output) -> list:
    names, node = [], output.grad_fn
    while node is not None:
        names.append(node.name())
        node = next((f for f, _ in node.next_functions if f is not None), None)
    return names


def run_loss(torch, make):
    x = torch.tensor(X, requires_grad=True)
    t = torch.tensor(T, requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loss = make(torch, x, t)
    (loss * 1).sum().backward()
    return (graph_names(loss), [str(w.message)[:60] for w in caught]), loss.detach().numpy(), \
        x.grad.numpy(), t.grad.numpy()


HUBER = {
    "mean": lambda torch, x, t: torch.nn.functional.huber_loss(x, t),
    "sum_delta": lambda torch, x, t: torch.nn.functional.huber_loss(x, t, reduction="sum",
                                                                     delta=0.5),
    "none": lambda torch, x, t: torch.nn.HuberLoss(reduction="none", delta=2.0)(x, t),
    "broadcast": lambda torch, x, t: torch.nn.functional.huber_loss(x, t[:1]),
    "weighted": lambda torch, x, t: torch.nn.functional.huber_loss(
        x, t, weight=torch.linspace(0, 1, 12).reshape(4, 3)),
}


def close(case):
    exact, *expected = oracle.run(case, "torch")
    exact_engine, *actual = oracle.run(case, "engine")
    assert exact_engine == exact
    for mine, theirs in zip(actual, expected):
        np.testing.assert_allclose(mine, theirs, rtol=1e-6, atol=1e-7)
    return exact


@pytest.mark.parametrize("name", HUBER)
def test_huber_loss(name):
    names, _ = close(lambda torch: run_loss(torch, HUBER[name]))
    assert "HuberLossBackward0" in names


def run_kl(torch, reduction, log_target):
    x = torch.tensor(np.log(P[::-1].copy()), requires_grad=True)
    target = torch.tensor(np.log(P) if log_target else P)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loss = torch.nn.KLDivLoss(reduction=reduction, log_target=log_target)(x, target)
    (loss * 1).sum().backward()
    return (graph_names(loss), [str(w.message)[:40] for w in caught]), loss.detach().numpy(), \
        x.grad.numpy()


@pytest.mark.parametrize("log_target", [False, True])
@pytest.mark.parametrize("reduction", ["mean", "batchmean", "sum", "none"])
def test_kl_div(reduction, log_target):
    (names, caught) = close(lambda torch: run_kl(torch, reduction, log_target))
    assert (caught != []) == (reduction == "mean")


def test_kl_div_with_zero_target_probabilities():
    def case(torch):
        x = torch.tensor([[-1.0, -2.0, -0.5]], requires_grad=True)
        loss = torch.nn.functional.kl_div(x, torch.tensor([[0.0, 0.3, 0.7]]), reduction="sum")
        loss.backward()
        return (), loss.detach().numpy(), x.grad.numpy()
    close(case)


def test_module_reprs_and_errors():
    def case(torch):
        return ([repr(torch.nn.HuberLoss()), repr(torch.nn.KLDivLoss(reduction="batchmean"))],
                error_of(lambda: torch.nn.functional.huber_loss(torch.ones(2), torch.ones(2),
                                                                delta=0.0)),
                error_of(lambda: torch.nn.functional.huber_loss(
                    torch.ones(2), torch.ones(2), weight=torch.ones(3))),
                error_of(lambda: torch.nn.functional.huber_loss(torch.ones(2), torch.ones(2),
                                                                reduction="avg")))
    oracle.agree(case)
