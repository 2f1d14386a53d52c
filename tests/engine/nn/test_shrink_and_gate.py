"""hardswish, hardsigmoid, selu, celu, threshold, softshrink, hardshrink, glu, prelu,
softsign, tanhshrink, softmin and their modules against torch 2.13, live: values, node
names, saved attributes, gradients and second derivatives, in-place forms, module reprs
and parameters, errors."""
import numpy as np
import pytest

import oracle

POINTS = [[-30.0, -3.5, -2.0, -0.5, -1e-3, 0.3, 2.0, 3.5, 15.0, 0.7],
          [0.25, -0.75, 1.5, -1.25, 2.75, -2.9, 0.05, -0.6, 4.0, -4.0]]

CALLS = {
    "hardswish": lambda F, x: F.hardswish(x),
    "hardsigmoid": lambda F, x: F.hardsigmoid(x),
    "selu": lambda F, x: F.selu(x),
    "celu": lambda F, x: F.celu(x),
    "celu_alpha": lambda F, x: F.celu(x, alpha=0.5),
    "threshold": lambda F, x: F.threshold(x, 0.1, 20.0),
    "softshrink": lambda F, x: F.softshrink(x),
    "hardshrink": lambda F, x: F.hardshrink(x, 0.6),
    "glu": lambda F, x: F.glu(x),
    "glu_dim0": lambda F, x: F.glu(x, 0),
    "prelu": lambda F, x: F.prelu(x, x.new_ones(1) * 0.25),
    "prelu_channels": lambda F, x: F.prelu(x.reshape(2, 2, 5), x[0, :2] * 0.1),
    "softsign": lambda F, x: F.softsign(x),
    "tanhshrink": lambda F, x: F.tanhshrink(x),
    "softmin": lambda F, x: F.softmin(x, 1),
}


def _run(torch, name, dtype):
    x = torch.tensor(np.array(POINTS, dtype=dtype), requires_grad=True)
    y = CALLS[name](torch.nn.functional, x)
    saved = {a: getattr(y.grad_fn, a) for a in dir(y.grad_fn)
             if a.startswith("_saved_") and not isinstance(getattr(y.grad_fn, a), torch.Tensor)}
    weights = torch.linspace(-1, 1, y.numel(), dtype=y.dtype).reshape(y.shape)
    (grad,) = torch.autograd.grad((y * weights).sum(), x, create_graph=True)
    second, second_error = None, None
    if grad.requires_grad:
        try:
            (second,) = torch.autograd.grad((grad * grad).sum(), x, allow_unused=True)
        except RuntimeError as error:     # hardsigmoid: ATen has no second derivative
            second_error = str(error)
    as_array = lambda v: None if v is None else np.array(v.detach().tolist())  # noqa: E731
    return (y.grad_fn.name(), saved, str(y.dtype), second_error), as_array(y), \
        as_array(grad), as_array(second)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", CALLS)
def test_values_gradients_and_nodes(name, dtype):
    exact, *expected = oracle.run(lambda t: _run(t, name, dtype), "torch")
    exact_engine, *actual = oracle.run(lambda t: _run(t, name, dtype), "engine")
    assert exact_engine == exact
    tol = 2e-6 if dtype == "float32" else 1e-12
    for mine, theirs in zip(actual, expected):
        assert (mine is None) == (theirs is None)
        if theirs is not None:
            np.testing.assert_allclose(mine, theirs, rtol=tol, atol=tol)


def test_modules_and_in_place_forms():
    def case(torch):
        nn, F = torch.nn, torch.nn.functional
        layers = [nn.Hardswish(), nn.Hardsigmoid(inplace=True), nn.SELU(), nn.CELU(0.5),
                  nn.Threshold(0.1, 20.0, inplace=True), nn.Softshrink(0.25), nn.Hardshrink(),
                  nn.GLU(0), nn.PReLU(3, init=0.1), nn.Softsign(), nn.Tanhshrink(),
                  nn.Softmin(dim=1)]
        x = torch.tensor([[-1.0, 0.5, 2.0], [0.25, -3.0, 4.0]])
        outputs = [(repr(layer), layer(x.clone()).tolist()) for layer in layers]
        prelu = nn.PReLU(3, init=0.1)
        params = [(name, p.shape, p.requires_grad) for name, p in prelu.named_parameters()]
        in_place = []
        for fn in [lambda z: F.hardswish(z, inplace=True), lambda z: F.selu(z, inplace=True),
                   lambda z: F.celu(z, inplace=True), lambda z: F.threshold_(z, 0.2, 3.0),
                   lambda z: F.hardsigmoid(z, inplace=True)]:
            y = x.clone().requires_grad_()
            z = y * 1
            fn(z)
            z.sum().backward()
            in_place.append((z.grad_fn.name(), z.tolist(), y.grad.tolist()))
        y = x.clone().requires_grad_()
        z = y * 1
        F.celu(z, inplace=True)
        F.threshold_(z, 0.2, 3.0)
        try:
            z.sum().backward()
        except RuntimeError as error:
            in_place.append(str(error))
        return outputs, params, in_place

    engine_result = oracle.run(case, "engine")
    torch_result = oracle.run(case, "torch")
    assert engine_result[1] == torch_result[1]
    for (e_repr, e_values), (t_repr, t_values) in zip(engine_result[0], torch_result[0]):
        assert e_repr == t_repr
        np.testing.assert_allclose(e_values, t_values, rtol=2e-6)
    *e_steps, e_error = engine_result[2]
    *t_steps, t_error = torch_result[2]
    assert e_error == t_error
    for (e_name, *e_values), (t_name, *t_values) in zip(e_steps, t_steps):
        assert e_name == t_name
        np.testing.assert_allclose(e_values, t_values, rtol=2e-6)


@pytest.mark.parametrize("call", [
    lambda F, t: F.glu(t.ones(3)),
    lambda F, t: F.glu(t.tensor(1.0)),
    lambda F, t: F.prelu(t.ones(2, 3), t.ones(2)),
    lambda F, t: F.softshrink(t.ones(2), -1.0),
    lambda F, t: F.hardswish(t.tensor([1, 2])),
])
def test_errors(call):
    def case(torch):
        try:
            call(torch.nn.functional, torch)
        except Exception as error:      # noqa: BLE001
            return type(error).__name__, str(error)
        return None
    assert oracle.run(case, "engine") == oracle.run(case, "torch")
