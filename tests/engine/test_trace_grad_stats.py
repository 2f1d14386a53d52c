"""What the gradients view reads from events: mean |x| in a summary's statistics, and the
size of each optimizer step (TensorModified.update_norm), checked against numpy and torch."""
import numpy as np
import pytest
import torch

import engine
from engine import trace


@pytest.mark.parametrize("size", [5, trace.values_cap + 7])     # values kept, or statistics only
def test_abs_mean_matches_numpy(size):
    values = np.random.default_rng(size).standard_normal(size).astype(np.float32)
    summary = trace.summarize(values)
    assert summary.abs_mean == pytest.approx(float(np.abs(values.astype(np.float64)).mean()),
                                             rel=1e-5)


def test_abs_mean_skips_nan_and_inf():
    summary = trace.summarize(np.array([np.nan, -2.0, np.inf, 4.0], dtype=np.float32))
    assert (summary.nan, summary.inf, summary.abs_mean) == (1, 1, 3.0)


def test_abs_mean_of_integers():
    assert trace.summarize(np.array([-3, 1], dtype=np.int64)).abs_mean == 2.0


def _steps(lib, make_optimizer, steps=3):
    """Parameters before and after each of ``steps`` optimizer steps of a small net."""
    lib.manual_seed(0)
    net = lib.nn.Sequential(lib.nn.Linear(4, 3), lib.nn.Tanh(), lib.nn.Linear(3, 1))
    optimizer = make_optimizer(lib, net.parameters())
    x, y = lib.ones(8, 4) * 0.5, lib.ones(8, 1)
    norms = []
    for _ in range(steps):
        optimizer.zero_grad()
        lib.nn.functional.mse_loss(net(x), y).backward()
        before = [p.detach().clone() for p in net.parameters()]
        optimizer.step()
        norms += [float((p.detach() - b).norm()) for p, b in zip(net.parameters(), before)]
    return norms


OPTIMIZERS = {
    "sgd": lambda lib, params: lib.optim.SGD(params, lr=0.1),
    "sgd_momentum": lambda lib, params: lib.optim.SGD(params, lr=0.1, momentum=0.9,
                                                      weight_decay=0.01),
    "adam": lambda lib, params: lib.optim.Adam(params, lr=0.01),
}


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_update_norm_is_the_size_of_each_step(events, name):
    expected = _steps(torch, OPTIMIZERS[name])
    seen = _steps(engine, OPTIMIZERS[name])
    steps = [e for e in events if isinstance(e, trace.TensorModified) and e.update_norm is not None]
    assert len(steps) == 3 * 4
    reported = [e.update_norm for e in steps]
    assert reported == pytest.approx(seen, rel=1e-6, abs=1e-12)
    assert reported == pytest.approx(expected, rel=1e-3, abs=1e-9)


def test_no_update_norm_without_a_step(events):
    x = engine.zeros(3, requires_grad=True)
    with engine.no_grad():
        x.add_(1)
    modified = [e for e in events if isinstance(e, trace.TensorModified)]
    assert modified and all(e.update_norm is None for e in modified)
