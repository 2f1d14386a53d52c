"""Saved reduction dims as PyTorch reads them back, and non-differentiable Function outputs.
Expected values recorded from PyTorch 2.13."""
import engine


def test_reductions_save_dim_as_given_with_negative_dims_unsigned():
    x = engine.randn(2, 3, 4, requires_grad=True)
    assert x.mean((-1, -2), keepdim=True).grad_fn._saved_dim == (18446744073709551615,
                                                                  18446744073709551614)
    assert x.sum(-1).grad_fn._saved_dim == (18446744073709551615,)
    assert x.mean(1).grad_fn._saved_dim == (1,)


def test_mean_over_negative_dims_still_differentiates_right():
    x = engine.ones(2, 3, requires_grad=True)
    x.mean(-1).sum().backward()
    assert repr(x.grad) == "tensor([[0.3333, 0.3333, 0.3333],\n        [0.3333, 0.3333, 0.3333]])"


class ReturnsItsInput(engine.autograd.Function):
    @staticmethod
    def forward(ctx, a):
        ctx.mark_non_differentiable(a)
        return a

    @staticmethod
    def backward(ctx, grad):
        return grad


def test_an_input_returned_and_marked_non_differentiable_has_no_grad_fn():
    y = ReturnsItsInput.apply(engine.randn(2, requires_grad=True))
    assert (y.requires_grad, y.grad_fn) == (False, None)
