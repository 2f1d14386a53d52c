"""prod's backward under create_graph, live against torch. Without a zero in the input it
is grad * (result / input); with one it is ATen's prod_safe_zeros_backward, the products of
the elements before and after each, made of cat, cumprod, flip and narrow, so that the
gradient has a graph through the input (core seed 1114277: it had none, and did not
require grad). Graphs, values and second derivatives, over the whole tensor and along a
dim, contiguous or not."""
import pytest

import oracle

INPUTS = {
    "one zero": [[1.0, 0.0], [2.0, 3.0]],
    "two zeros": [[0.0, 2.0], [3.0, 0.0]],
    "zeros and a negative": [[0.0, 0.0], [-2.0, 3.0]],
    "no zero": [[1.0, 4.0], [-2.0, 3.0]],
}
REDUCTIONS = {
    "all": lambda x: x.prod(),
    "dim 0": lambda x: x.prod(0),
    "dim 1 keepdim": lambda x: x.prod(1, keepdim=True),
    "dim -1 of a transpose": lambda x: x.t().prod(-1),
}


def graph(node):
    if node is None:
        return None
    return [node.name(), [graph(child) for child, _ in node.next_functions]]


def second_order(lib, reduction, values):
    torch = lib.torch
    leaf = torch.tensor(values, requires_grad=True)
    x = leaf * 1
    product = REDUCTIONS[reduction](x)
    weights = torch.arange(1.0, product.numel() + 1).reshape(product.shape)
    grad, = torch.autograd.grad((product * weights).sum(), [x], create_graph=True)
    second, = torch.autograd.grad((grad * grad).sum(), [leaf])
    return grad.requires_grad, graph(grad.grad_fn), grad.tolist(), second.tolist()


@pytest.mark.parametrize("reduction", sorted(REDUCTIONS))
@pytest.mark.parametrize("values", sorted(INPUTS))
def test_prod_backward_has_a_graph(reduction, values):
    requires_grad, _, _, _ = oracle.agree(second_order, reduction, INPUTS[values],
                                          namespace_arg=True)
    assert requires_grad
