"""Saved reduction dims as PyTorch reads them back, and non-differentiable Function outputs,
compared with torch 2.13 live (tests/oracle.py)."""
import oracle


def test_reductions_save_dim_as_given_with_negative_dims_unsigned():
    def case(torch):
        x = torch.randn(2, 3, 4, requires_grad=True)
        return [x.mean((-1, -2), keepdim=True).grad_fn._saved_dim,
                x.sum(-1).grad_fn._saved_dim, x.mean(1).grad_fn._saved_dim]
    assert oracle.agree(case)[0] == (18446744073709551615, 18446744073709551614)


def test_mean_over_negative_dims_still_differentiates_right():
    def case(torch):
        x = torch.ones(2, 3, requires_grad=True)
        x.mean(-1).sum().backward()
        return repr(x.grad)
    oracle.agree(case)


def returns_its_input(torch):
    class ReturnsItsInput(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.mark_non_differentiable(a)
            return a

        @staticmethod
        def backward(ctx, grad):
            return grad

    y = ReturnsItsInput.apply(torch.randn(2, requires_grad=True))
    return y.requires_grad, y.grad_fn


def test_an_input_returned_and_marked_non_differentiable_has_no_grad_fn():
    assert oracle.agree(returns_its_input) == (False, None)
