"""conv2d keeps its unrolled input (columns) for grad_weight at small sizes: the gradients
are the same, the columns go when the saved tensors go, and an in-place change to the input
is still caught."""
import numpy as np
import pytest

import engine
import engine.nn.functional as F


def conv_case():
    x = engine.randn(2, 3, 6, 5, requires_grad=True)
    w = engine.randn(4, 3, 3, 2, requires_grad=True)
    b = engine.randn(4, requires_grad=True)
    return x, w, b


def grads(x, w, b):
    return [t.grad.numpy().copy() for t in (x, w, b)]


def test_the_columns_live_with_the_saved_tensors():
    x, w, b = conv_case()
    node = F.conv2d(x, w, b).grad_fn
    assert node._scratch is not None
    out = F.conv2d(x, w, b)
    out.sum().backward(retain_graph=True)
    assert out.grad_fn._scratch is not None          # kept for the next backward
    out.sum().backward()
    assert out.grad_fn._scratch is None              # freed with _saved_input / _saved_weight


def test_gradients_with_and_without_kept_columns_are_equal(monkeypatch):
    from engine.kernels import conv
    x, w, b = conv_case()
    F.conv2d(x, w, b).pow(2).sum().backward()
    kept = grads(x, w, b)
    for t in (x, w, b):
        t.grad = None
    monkeypatch.setattr(conv, "KEEP_COLUMNS_MAX_BYTES", 0)
    out = F.conv2d(x, w, b)
    assert out.grad_fn._scratch is None
    out.pow(2).sum().backward()
    for with_columns, without in zip(kept, grads(x, w, b)):
        np.testing.assert_array_equal(with_columns, without)


def test_no_columns_without_a_weight_gradient():
    x, w, b = conv_case()
    w.requires_grad_(False)
    assert F.conv2d(x, w, b).grad_fn._scratch is None
    with engine.no_grad():
        assert F.conv2d(x, w.detach().requires_grad_(), b).grad_fn is None


def test_an_input_changed_in_place_is_still_caught():
    x = engine.randn(2, 3, 6, 5)
    w = engine.randn(4, 3, 3, 2, requires_grad=True)
    out = F.conv2d(x, w)
    x.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.sum().backward()
