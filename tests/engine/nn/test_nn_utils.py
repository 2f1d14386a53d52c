"""torch.nn.utils against torch 2.13, live: clip_grad_norm_ (every norm type, the total it
returns, the scaled gradients, parameters without a grad, non-finite norms),
clip_grad_value_, get_total_norm, and parameters_to_vector / vector_to_parameters."""
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import oracle
from oracle import error_of

RUN_WITH_ENGINE = Path(__file__).resolve().parents[2] / "scenarios" / "run_with_engine.py"


def model_with_grads(torch, scale=1.0):
    torch.manual_seed(3)
    net = torch.nn.Sequential(torch.nn.Linear(4, 5), torch.nn.Tanh(), torch.nn.Linear(5, 2))
    (net(torch.randn(6, 4)) * scale).pow(2).sum().backward()
    net[0].bias.grad = None                       # a parameter without a grad is skipped
    return net


def grads(net):
    return [None if p.grad is None else p.grad.numpy().copy() for p in net.parameters()]


def agree_closely(case):
    """`case` returns (exact part, gradients): the exact part must be equal on both
    libraries, the gradients equal up to float32 summation order; returns torch's result."""
    exact, expected = oracle.run(case, "torch")
    exact_engine, actual = oracle.run(case, "engine")
    assert exact_engine == exact
    assert [g is None for g in actual] == [g is None for g in expected]
    for got, want in zip(actual, expected):
        if want is not None:
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    return exact, expected


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, float("inf"), "inf"])
@pytest.mark.parametrize("max_norm", [0.5, 1e6])
def test_clip_grad_norm_scales_in_place_and_returns_the_total(norm_type, max_norm):
    def case(torch):
        net = model_with_grads(torch)
        total = torch.nn.utils.clip_grad_norm_(net.parameters(), max_norm, norm_type)
        versions = [p.grad._version for p in net.parameters() if p.grad is not None]
        return ((round(total.item(), 4), str(total.dtype), total.requires_grad, total.grad_fn,
                 versions), grads(net))
    agree_closely(case)


def test_clip_grad_norm_of_one_tensor_and_of_none():
    def case(torch):
        w = torch.nn.Parameter(torch.full((3,), 2.0))
        w.grad = torch.full((3,), 4.0)
        total = torch.nn.utils.clip_grad_norm_(w, 1.0)
        empty = torch.nn.utils.clip_grad_norm_([torch.nn.Parameter(torch.ones(2))], 1.0)
        return round(total.item(), 5), w.grad.tolist(), repr(empty)
    assert oracle.agree(case)[2] == "tensor(0.)"


def test_non_finite_norms():
    def case(torch):
        w = torch.nn.Parameter(torch.ones(2))
        w.grad = torch.tensor([float("inf"), 1.0])
        error = error_of(lambda: torch.nn.utils.clip_grad_norm_([w], 1.0,
                                                                error_if_nonfinite=True))
        total = torch.nn.utils.clip_grad_norm_([w], 1.0)
        return error, repr(total), repr(w.grad)
    assert oracle.agree(case)[0][0] == "RuntimeError"


def test_warnings():
    def case(torch):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            torch.nn.utils.clip_grad_norm_((p for p in []), 1.0)
            w = torch.nn.Parameter(torch.ones(2))
            w.grad = torch.ones(2)
            torch.nn.utils.clip_grad_norm([w], 1.0)
        return [(w.category.__name__, str(w.message)) for w in caught]
    assert [kind for kind, _ in oracle.agree(case)] == ["UserWarning", "FutureWarning"]


def test_clip_grad_value_and_get_total_norm():
    def case(torch):
        net = model_with_grads(torch, scale=3.0)
        total = torch.nn.utils.get_total_norm([p.grad for p in net.parameters()
                                               if p.grad is not None], 1.0)
        torch.nn.utils.clip_grad_value_(net.parameters(), 0.25)
        return round(total.item(), 3), grads(net)
    flat = np.concatenate([g.ravel() for g in agree_closely(case)[1] if g is not None])
    assert flat.max() == pytest.approx(0.25) and flat.min() == pytest.approx(-0.25)


def test_parameters_to_vector_and_back():
    def case(torch):
        net = model_with_grads(torch)
        vector = torch.nn.utils.parameters_to_vector(net.parameters())
        graph = (vector.shape, vector.grad_fn.name(),
                 [f.name() for f, _ in vector.grad_fn.next_functions])
        torch.nn.utils.vector_to_parameters(torch.arange(vector.numel()) * 1.0,
                                            net.parameters())
        error = error_of(lambda: torch.nn.utils.vector_to_parameters([1.0], net.parameters()))
        return graph, [p.tolist() for p in net.parameters()], error
    graph, _, error = oracle.agree(case)
    assert graph[1] == "CatBackward0" and error[0] == "TypeError"


def test_a_training_step_with_clipping_under_import_torch(tmp_path):
    """A script as users write it (`import torch`, `from torch.nn.utils import ...`), run on
    the engine through the runner's import redirection, prints what torch prints."""
    script = tmp_path / "clipped.py"
    script.write_text("import torch\n"
                      "from torch.nn.utils import clip_grad_norm_\n"
                      "torch.manual_seed(0)\n"
                      "net = torch.nn.Linear(3, 2)\n"
                      "opt = torch.optim.SGD(net.parameters(), lr=0.5)\n"
                      "sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)\n"
                      "for _ in range(3):\n"
                      "    opt.zero_grad()\n"
                      "    net(torch.randn(4, 3)).pow(2).mean().backward()\n"
                      "    print(clip_grad_norm_(net.parameters(), 0.1), sched.get_last_lr())\n"
                      "    opt.step()\n"
                      "    sched.step()\n"
                      "print(net.weight)\n", encoding="utf-8")
    on_torch = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
    on_engine = subprocess.run([sys.executable, str(RUN_WITH_ENGINE), str(script)],
                               capture_output=True, text=True)
    assert on_torch.returncode == 0, on_torch.stderr
    assert on_engine.stdout == on_torch.stdout, on_engine.stderr
    assert on_torch.stdout.count("tensor(") == 4
