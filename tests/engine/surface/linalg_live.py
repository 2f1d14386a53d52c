"""Shared by the linear-algebra tests: run one function of (module, *leaves) with torch and
with engine, and compare the node name, the value, the first gradients (create_graph), the
second gradients of each first gradient, and the leaves' .grad after backward()."""
import numpy as np
import torch

import engine


def _arrays(values):
    return [None if v is None else _array(v) for v in values]


def _array(v):
    """The values (torch's ZeroTensor, a second derivative that is zero, as zeros)."""
    if getattr(v, "_is_zerotensor", lambda: False)():
        return np.zeros(tuple(v.shape))
    return np.array(v.detach().tolist(), dtype=float)


def _first_float(y):
    """A tuple result (slogdet, eigh, ...) is compared through its last float output."""
    if isinstance(y, tuple):
        floats = [v for v in y if v.is_floating_point() and v.requires_grad]
        return y[0].grad_fn.name(), floats[-1]
    return y.grad_fn.name(), y


def run(t, fn, leaves, dtype, loss, second_order=True):
    xs = [t.tensor(x, dtype=dtype, requires_grad=True) for x in leaves]
    name, y = _first_float(fn(t, *xs))
    grads = t.autograd.grad(loss(t, y), xs, create_graph=True, allow_unused=True)
    second = []
    for g in grads:
        if g is not None and g.requires_grad and second_order:
            second += t.autograd.grad((g * g).sum(), xs, allow_unused=True, retain_graph=True)
        else:
            second += [None] * len(xs)
    return name, _arrays([y, *grads, *second, *_backward_grads(t, fn, leaves, dtype, loss)])


def _backward_grads(t, fn, leaves, dtype, loss):
    """The leaves' .grad after loss.backward(), which runs the executor's other path."""
    xs = [t.tensor(x, dtype=dtype, requires_grad=True) for x in leaves]
    loss(t, _first_float(fn(t, *xs))[1]).backward()
    return [x.grad for x in xs]


def default_loss(t, y):
    return (y * y.detach().sin()).sum()


def compare(fn, leaves, dtype, loss=default_loss, rtol=None, second_order=True):
    """second_order=False for an op whose gradients torch cannot differentiate (cdist's)."""
    expected = run(torch, fn, leaves, getattr(torch, dtype), loss, second_order)
    actual = run(engine, fn, leaves, getattr(engine, dtype), loss, second_order)
    assert actual[0] == expected[0]
    tol = rtol or (2e-4 if dtype == "float32" else 1e-9)
    for i, (got, want) in enumerate(zip(actual[1], expected[1])):
        assert (got is None) == (want is None), i
        if want is not None:
            np.testing.assert_allclose(got, want, rtol=tol, atol=tol, err_msg=str(i))
