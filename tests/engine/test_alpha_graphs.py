"""add / sub / rsub with alpha: the gradient for `other` is ATen's maybe_multiply(grad,
alpha), a mul.Scalar (MulBackward1) under create_graph (core seed 530339), and rsub of two
tensors is its own node, RsubBackward0; graphs and values live against torch."""
import numpy as np
import pytest

import oracle
from tests.differential.execution import graph_of

EXPRESSIONS = ["torch.sub(x.reciprocal(), y, alpha=2)", "torch.add(x, y, alpha=-3)",
               "torch.rsub(x, 2.0, alpha=3)", "torch.rsub(x, y, alpha=3)",
               "torch.rsub(y, x, alpha=-0.5)", "x.sub(y, alpha=0.5)", "torch.add(x, y, alpha=1)"]


def gradient_graphs(lib, expression):
    x = lib.torch.tensor([1.606, -0.206], requires_grad=True)
    y = lib.torch.tensor([[-0.118, -0.299]], requires_grad=True)
    v = eval(expression, {"torch": lib.torch, "x": x, "y": y})
    grads = lib.torch.autograd.grad((v * v).sum(), [x, y], create_graph=True,
                                    allow_unused=True)
    names = {id(x): "x", id(y): "y"}
    return [graph_of(v.grad_fn, names)] + [
        None if g is None else
        (graph_of(g.grad_fn, names), np.round(g.detach().numpy(), 5).tolist())
        for g in grads]


@pytest.mark.parametrize("expression", EXPRESSIONS)
def test_alpha_gradients_have_torchs_graph(expression):
    oracle.agree(gradient_graphs, expression, namespace_arg=True)
