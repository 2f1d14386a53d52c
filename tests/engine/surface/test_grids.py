"""torch.meshgrid, broadcast_tensors and broadcast_shapes against torch 2.13, live: shapes,
values, strides (they are expands of views), node names, gradients, and the errors and the
indexing warning."""
import pytest
import torch

import engine
from surface_live import check


def leaf(t, values):
    return t.tensor(values, requires_grad=True)


MESHGRID = {
    "ij": lambda t: t.meshgrid(leaf(t, [1., 2., 3.]), leaf(t, [4., 5.]), indexing="ij"),
    "xy": lambda t: t.meshgrid(leaf(t, [1., 2., 3.]), leaf(t, [4., 5.]), indexing="xy"),
    "list": lambda t: t.meshgrid([t.arange(3), t.arange(2), t.arange(4)], indexing="xy"),
    "zero_dim": lambda t: t.meshgrid(leaf(t, 2.), leaf(t, [4., 5.]), indexing="ij"),
    "one": lambda t: t.meshgrid(leaf(t, [1., 2.]), indexing="xy"),
    "empty": lambda t: t.meshgrid(t.ones(0), t.ones(2), indexing="ij"),
    "no_indexing": lambda t: t.meshgrid(t.arange(2.), t.arange(3.)),
    "bad_indexing": lambda t: t.meshgrid(t.arange(2.), indexing="ji"),
    "two_dims": lambda t: t.meshgrid(t.arange(3.).view(3, 1), indexing="ij"),
    "long_two_dims": lambda t: t.meshgrid(t.arange(4).view(2, 2), indexing="ij"),
    "dtypes": lambda t: t.meshgrid(t.arange(2.), t.arange(2), indexing="ij"),
    "none": lambda t: t.meshgrid(indexing="ij"),
    "grad": lambda t: _grid_grads(t),
}

BROADCAST = {
    "three": lambda t: t.broadcast_tensors(leaf(t, [1., 2., 3.]), leaf(t, [[1.], [2.]]),
                                           t.ones(2, 3)),
    "one": lambda t: t.broadcast_tensors(leaf(t, [1., 2.])),
    "none": lambda t: t.broadcast_tensors(),
    "mismatch": lambda t: t.broadcast_tensors(t.ones(3), t.ones(2)),
    "zero_size": lambda t: t.broadcast_tensors(t.ones(0, 1), t.ones(3)),
    "shapes": lambda t: t.broadcast_shapes((3,), (2, 1), 1, t.Size([4, 1, 1])),
    "shapes_empty": lambda t: t.broadcast_shapes(),
    "shapes_mismatch": lambda t: t.broadcast_shapes((2, 3), (5, 1), (4,)),
    "shapes_negative": lambda t: t.broadcast_shapes((-1,)),
}


def _grid_grads(t):
    x, y = leaf(t, [1., 2., 3.]), leaf(t, [4., 5.])
    gx, gy = t.meshgrid(x, y, indexing="xy")
    (gx * gy * gy).sum().backward()
    return x.grad, y.grad, gx.grad_fn.next_functions[0][0].name()


@pytest.mark.parametrize("name", MESHGRID)
def test_meshgrid_as_torch(name):
    check(MESHGRID[name])


@pytest.mark.parametrize("name", BROADCAST)
def test_broadcast_as_torch(name):
    check(BROADCAST[name])


@pytest.mark.parametrize("indexing", ["ij", "xy"])
def test_meshgrid_results_are_views_with_torchs_strides(indexing):
    def layout(t):
        x = t.arange(3.)
        grids = t.meshgrid(x, t.arange(2.), t.arange(4.), indexing=indexing)
        return [(g.stride(), g._base is x) for g in grids]
    assert layout(engine) == layout(torch)


def test_broadcast_tensors_returns_a_tensor_of_the_shape_itself():
    full = engine.ones(2, 3)
    assert engine.broadcast_tensors(engine.ones(3), full)[1] is full
