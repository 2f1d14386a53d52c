"""narrow, movedim, tile, outer, atleast_1d/2d, hstack/vstack, diff, repeat_interleave,
isclose, nonzero and count_nonzero against torch 2.13, live: values, node names of the
graph ATen composes, gradients, views, and the errors."""
import pytest
import torch

import engine
from surface_live import check


def leaf(t, shape=(2, 3)):
    n = 1
    for s in shape:
        n *= s
    return t.arange(1.0, n + 1).reshape(shape).requires_grad_()


def graph(y, depth=4):
    node = y.grad_fn
    names = []
    while node is not None and depth:
        names.append(node.name())
        node = node.next_functions[0][0] if node.next_functions else None
        depth -= 1
    return names


def with_grad(fn):
    def run(t):
        x = leaf(t)
        y = fn(t, x)
        (y * t.arange(1.0, y.numel() + 1).reshape(y.shape)).sum().backward()
        return y, graph(y), x.grad
    return run


CASES = {
    "narrow": with_grad(lambda t, x: x.narrow(1, 1, 2)),
    "narrow_negative": with_grad(lambda t, x: t.narrow(x, -1, -2, 2)),
    "narrow_too_long": with_grad(lambda t, x: x.narrow(1, 2, 2)),
    "narrow_start_out": with_grad(lambda t, x: x.narrow(0, 5, 1)),
    "movedim": with_grad(lambda t, x: x.movedim(0, 1)),
    "moveaxis_lists": with_grad(lambda t, x: t.moveaxis(x.unsqueeze(0), [0, 2], [2, 0])),
    "movedim_mismatch": with_grad(lambda t, x: x.movedim([0, 1], [1])),
    "tile": with_grad(lambda t, x: x.tile(2)),
    "tile_more_dims": with_grad(lambda t, x: t.tile(x, (2, 1, 2))),
    "outer": with_grad(lambda t, x: t.outer(x[0], x[1])),
    "ger": with_grad(lambda t, x: x[0].ger(x[1])),
    "hstack_1d": with_grad(lambda t, x: t.hstack([x[0], x[1]])),
    "hstack_2d": with_grad(lambda t, x: t.hstack((x, x))),
    "vstack": with_grad(lambda t, x: t.vstack([x, x[0]])),
    "row_stack": with_grad(lambda t, x: t.row_stack([x[0], x[1]])),
    "atleast": lambda t: [tuple(r.shape) for r in (t.atleast_1d(t.tensor(1.)),
                                                   t.atleast_2d(t.tensor(1.)),
                                                   t.atleast_2d(t.ones(3)))],
    "diff": with_grad(lambda t, x: t.diff(x)),
    "diff_twice_dim0": with_grad(lambda t, x: t.diff(t.cat([x, x * 2]), n=2, dim=0)),
    "diff_append": with_grad(lambda t, x: x.diff(append=t.ones(2, 1))),
    "repeat_interleave": with_grad(lambda t, x: x.repeat_interleave(2)),
    "repeat_interleave_dim": with_grad(lambda t, x: x.repeat_interleave(3, dim=1)),
    "repeat_interleave_tensor": with_grad(lambda t, x: t.repeat_interleave(
        x, t.tensor([1, 2]), dim=0)),
    "repeat_interleave_counts": lambda t: t.repeat_interleave(t.tensor([2, 0, 3])),
    "isclose": lambda t: t.isclose(t.tensor([1.0, 2.0, float("nan")]),
                                   t.tensor([1.0 + 1e-9, 2.1, float("nan")])),
    "isclose_nan": lambda t: t.tensor([float("nan"), 1.0]).isclose(
        t.tensor([float("nan"), 1.0]), equal_nan=True),
    "nonzero": lambda t: t.nonzero(t.tensor([[0, 1], [2, 0]])),
    "nonzero_tuple": lambda t: t.tensor([0.0, 3.0, 0.5]).nonzero(as_tuple=True),
    "count_nonzero": lambda t: (t.count_nonzero(t.tensor([[0, 1], [2, 3]])),
                                t.tensor([[0, 1], [2, 3]]).count_nonzero(dim=0)),
}


@pytest.mark.parametrize("name", CASES)
def test_as_torch(name):
    check(CASES[name])


def test_narrow_is_a_view():
    x = engine.ones(2, 3)
    assert x.narrow(1, 1, 2)._base is x
