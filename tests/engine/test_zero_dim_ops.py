"""Ops on a 0-dim tensor, live against torch. ATen treats a 0-dim operand as having one dim
of size 1 in many places (gather, scatter and their relatives, restore_reduced_dims), where
NumPy refuses or answers with a 1-dim array: results' shapes and values, error texts, and
the graphs of gradients under create_graph (core seed 1118959: min along dim 0 of a 0-dim
tensor, whose gradient is a ScatterBackward0 in torch)."""
import math

import pytest

import oracle

FORWARD = {
    "gather": lambda t, x: x.gather(0, t.tensor(0)),
    "gather 1-dim index": lambda t, x: x.gather(0, t.tensor([0, 0])),
    "gather of a vector by a 0-dim index": lambda t, x: t.tensor([1.0, 2.0]).gather(0, t.tensor(1)),
    "scatter": lambda t, x: x.scatter(0, t.tensor([0]), t.tensor([3.0])),
    "scatter value": lambda t, x: x.scatter(-1, t.tensor(0), 5.0),
    "scatter out of bounds": lambda t, x: x.scatter(0, t.tensor(1), t.tensor(2.0)),
    "scatter_add": lambda t, x: x.scatter_add(0, t.tensor([0, 0]), t.tensor([2.0, 1.0])),
    "scatter_reduce": lambda t, x: x.scatter_reduce(0, t.tensor(0), t.tensor(2.0), "amax"),
    "scatter into a vector": lambda t, x: t.zeros(3).scatter_reduce(0, t.tensor(2), x, "sum"),
    "mode": lambda t, x: x.mode(0),
    "kthvalue": lambda t, x: x.kthvalue(1, 0),
    "cummax": lambda t, x: x.cummax(0),
    "cummin": lambda t, x: x.cummin(-1),
    "layer_norm": lambda t, x: t.nn.functional.layer_norm(x, ()),
    "nonzero": lambda t, x: [x.nonzero(), t.tensor(0.0).nonzero(), t.argwhere(x)],
    "nonzero as_tuple": lambda t, x: [x.nonzero(as_tuple=True), t.tensor(0.0).nonzero(as_tuple=True)],
    "renorm": lambda t, x: x.renorm(2, 0, 1),
    "renorm 1-dim": lambda t, x: t.ones(3).renorm(2, 0, 1),
    "renorm order of checks": lambda t, x: t.ones(3).renorm(-1, 0, -1),
    "movedim": lambda t, x: [x.movedim(0, 0), x.movedim((-1,), (0,)).grad_fn.name()],
    "movedim out of range": lambda t, x: x.movedim(1, 0),
    "narrow": lambda t, x: x.narrow(0, 0, 1),
    "index_select": lambda t, x: [x.index_select(0, t.tensor([0])), x.index_select(0, t.tensor(0))],
    "index_select two": lambda t, x: x.index_select(0, t.tensor([5, 5])),
    "index_select none": lambda t, x: x.index_select(0, t.tensor([], dtype=t.long)),
    "amax": lambda t, x: [x.amax(0), x.amin(()), x.amax(-1, True)],
}


def plain(value):
    """A result as values the oracle compares: a tensor's shape, dtype, values, node."""
    if isinstance(value, (tuple, list)):
        return [plain(item) for item in value]
    if hasattr(value, "shape"):
        node = value.grad_fn.name() if value.grad_fn is not None else None
        return tuple(value.shape), str(value.dtype), value.tolist(), node
    return value


def forward(lib, name):
    torch = lib.torch
    x = torch.tensor(0.5, requires_grad=True)
    try:
        return plain(FORWARD[name](torch, x))
    except (RuntimeError, IndexError) as error:
        return type(error).__name__, str(error)


@pytest.mark.parametrize("name", sorted(FORWARD))
def test_forward(name):
    oracle.agree(forward, name, namespace_arg=True)


SELECTING = {
    "min": lambda t, x: t.min(x, dim=-1).values,
    "max keepdim": lambda t, x: t.max(x, 0, keepdim=True).values,
    "median": lambda t, x: x.median(0).values,
    "kthvalue": lambda t, x: x.kthvalue(1, -1).values,
    "mode": lambda t, x: x.mode(0).values,
    "sort": lambda t, x: x.sort(0).values,
    "topk": lambda t, x: x.topk(1, 0).values,
    "cummax": lambda t, x: x.cummax(0).values,
    "amax": lambda t, x: x.amax(0),
    "amin of all": lambda t, x: x.amin(),
    "amax keepdim": lambda t, x: x.amax(-1, True),
}


def graph(node):
    if node is None:
        return None
    return [node.name(), [graph(child) for child, _ in node.next_functions]]


def second_order(lib, name):
    torch = lib.torch
    x = torch.tensor(0.286, requires_grad=True)
    value = SELECTING[name](torch, x)
    grad, = torch.autograd.grad((value * value).sum(), [x], create_graph=True)
    second, = torch.autograd.grad(grad * 3, [x])
    return graph(grad.grad_fn), tuple(grad.shape), grad.item(), second.item()


@pytest.mark.parametrize("name", sorted(SELECTING))
def test_gradient_graph(name):
    _, shape, grad, second = oracle.agree(second_order, name, namespace_arg=True)
    assert shape == () and math.isclose(grad, 0.572, rel_tol=1e-6) and second == 6.0
