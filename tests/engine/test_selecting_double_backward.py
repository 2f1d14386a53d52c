"""The backward of a value-selecting reduction (max/min/median/kthvalue/mode along a dim)
under create_graph is ATen's value_selecting_reduction_backward: zeros.scatter(dim,
indices, grad), a ScatterBackward0 (after UnsqueezeBackward0 when the dim was dropped), not
an index_put (core seed 1000300), live against torch: graphs, values and second
derivatives."""
import pytest

import oracle

REDUCTIONS = {
    "max dim -2": lambda t, x: t.max(x, dim=-2).values,
    "min keepdim": lambda t, x: t.min(x, dim=1, keepdim=True).values,
    "median": lambda t, x: t.median(x, dim=-1).values,
    "kthvalue": lambda t, x: t.kthvalue(x, 2, dim=0).values,
    "mode": lambda t, x: t.mode(x, dim=-1).values,
}


def chain_of(node):
    names = []
    while node is not None:
        names.append(node.name())
        node = node.next_functions[-1][0] if node.next_functions else None
    return names


def second_order(lib, name):
    torch = lib.torch
    x = torch.tensor([[[0.3, -1.2, 2.0, 0.7], [1.5, 0.1, -0.4, 0.9]],
                      [[-2.2, 0.8, 0.6, 1.1], [0.2, -0.3, 1.7, -1.0]]], requires_grad=True)
    values = REDUCTIONS[name](torch, x)
    grad, = torch.autograd.grad((values * values).sum(), [x], create_graph=True)
    second, = torch.autograd.grad((grad * grad).sum(), [x])
    return chain_of(grad.grad_fn), grad.detach().tolist(), second.tolist()


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
def test_selecting_backward_scatters_into_zeros(name):
    chain, _, _ = oracle.agree(second_order, name, namespace_arg=True)
    assert chain[0] == "ScatterBackward0"
