"""silu, mish, elu, softplus, hardtanh, relu6 and their modules against torch 2.13, live:
values and gradients (to float32 rounding: torch's vectorised exp is not NumPy's), node
names, saved attributes, second derivatives where PyTorch composes them of elementwise
nodes too, module reprs, and the errors."""
import numpy as np
import pytest

import oracle
from oracle import error_of

POINTS = np.array([-30, -2, -0.5, -1e-3, 0.3, 2, 15, 25, np.nan], dtype=np.float32)

CALLS = {
    "silu": lambda F, x: F.silu(x),
    "mish": lambda F, x: F.mish(x),
    "elu": lambda F, x: F.elu(x),
    "elu_alpha": lambda F, x: F.elu(x, alpha=0.4),
    "softplus": lambda F, x: F.softplus(x),
    "softplus_beta": lambda F, x: F.softplus(x, beta=2, threshold=10),
    "hardtanh": lambda F, x: F.hardtanh(x),
    "hardtanh_range": lambda F, x: F.hardtanh(x, -2.0, 20.0),
    "relu6": lambda F, x: F.relu6(x),
}


def forward_and_backward(torch, name, dtype):
    x = torch.tensor(POINTS.astype(dtype), requires_grad=True)
    y = CALLS[name](torch.nn.functional, x)
    saved = {a: getattr(y.grad_fn, a) for a in dir(y.grad_fn)
             if a.startswith("_saved_") and a != "_saved_self"}
    (grad,) = torch.autograd.grad((y * torch.linspace(-1, 1, len(POINTS))).sum(), x)
    return (y.grad_fn.name(), saved, str(y.dtype)), y.detach().numpy(), grad.numpy()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", CALLS)
def test_values_gradients_and_nodes(name, dtype):
    exact, *expected = oracle.run(lambda t: forward_and_backward(t, name, dtype), "torch")
    exact_engine, *actual = oracle.run(lambda t: forward_and_backward(t, name, dtype), "engine")
    assert exact_engine == exact
    for mine, theirs in zip(actual, expected):
        np.testing.assert_allclose(mine, theirs, rtol=1e-6 if dtype == "float32" else 1e-13,
                                   atol=1e-30)


@pytest.mark.parametrize("name", ["silu", "mish", "softplus"])
def test_second_derivatives(name):
    def case(torch):
        x = torch.tensor(POINTS[:-1].astype("float64"), requires_grad=True)
        (grad,) = torch.autograd.grad(CALLS[name](torch.nn.functional, x).sum(), x,
                                      create_graph=True)
        (second,) = torch.autograd.grad(grad.sum(), x)
        return second.numpy()
    np.testing.assert_allclose(oracle.run(case, "engine"), oracle.run(case, "torch"),
                               rtol=1e-9, atol=1e-300)


def test_modules():
    def case(torch):
        nn = torch.nn
        layers = [nn.SiLU(), nn.Mish(), nn.ELU(), nn.ELU(alpha=0.5), nn.Softplus(),
                  nn.Softplus(beta=2, threshold=5), nn.Hardtanh(), nn.Hardtanh(-2, 3),
                  nn.ReLU6()]
        x = torch.linspace(-3, 3, 7)
        return [repr(layer) for layer in layers], [layer(x).numpy().round(5).tolist()
                                                   for layer in layers]
    oracle.agree(case)


@pytest.mark.parametrize("make", [
    lambda t: t.nn.functional.silu(t.tensor([1, 2])),
    lambda t: t.nn.functional.mish(t.tensor([1, 2])),
    lambda t: t.nn.functional.elu(t.tensor([1, 2])),
    lambda t: t.nn.functional.softplus(t.tensor([1, 2])),
    lambda t: t.nn.Hardtanh(2, 1),
    lambda t: t.nn.functional.hardtanh(t.ones(2), 2.0, 1.0),
])
def test_errors(make):
    assert oracle.agree(lambda torch: error_of(lambda: make(torch))) is not None


def test_integer_hardtanh_and_relu6():
    def case(torch):
        x = torch.tensor([1, -2, 9])
        return repr(torch.nn.functional.hardtanh(x)), repr(torch.nn.functional.relu6(x))
    oracle.agree(case)
