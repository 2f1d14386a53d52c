"""torch.linalg.matrix_norm for every order, linalg.norm's matrix orders and linalg.cond
against torch 2.13, live: node names, values, first and second gradients, error texts."""
import math

import pytest

from linalg_live import compare
from surface_live import check

A = [[4.0, 1.0, 0.5], [1.0, -3.0, 0.2], [0.5, 0.2, 2.0]]
STACK = [[[1.0, 2.0, 0.3], [0.5, -1.0, 0.8]], [[0.3, 0.7, -0.4], [1.5, -0.2, 0.1]]]

ORDERS = ["fro", "nuc", 2, -2, 1, -1, math.inf, -math.inf]
OPS = {}
for order in ORDERS:
    OPS[f"matrix_norm_{order}"] = lambda t, a, s, o=order: t.linalg.matrix_norm(a, o)
    OPS[f"matrix_norm_{order}_dims_keepdim"] = lambda t, a, s, o=order: t.linalg.matrix_norm(
        s, o, dim=(0, 2), keepdim=True)
    OPS[f"matrix_norm_{order}_batch"] = lambda t, a, s, o=order: t.linalg.matrix_norm(s, o)
    OPS[f"norm_{order}"] = lambda t, a, s, o=order: t.linalg.norm(a, o)
    OPS[f"norm_{order}_dims"] = lambda t, a, s, o=order: t.linalg.norm(s, o, dim=(2, 1))
OPS["cond_default_batch"] = lambda t, a, s: t.linalg.cond(s)
OPS["cond_2"] = lambda t, a, s: t.linalg.cond(a, 2)
OPS["cond_-2"] = lambda t, a, s: t.linalg.cond(a, -2)
OPS["cond_nuc"] = lambda t, a, s: t.linalg.cond(a, "nuc")
OPS["norm_vector_dim"] = lambda t, a, s: t.linalg.norm(s, 3, dim=1)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", OPS)
def test_values_and_gradients(name, dtype):
    compare(OPS[name], [A, STACK], dtype, rtol=1e-3 if dtype == "float32" else 1e-8)


SINGULAR = [[1.0, 2.0], [2.0, 4.0]]

def _cond_backward(t, order):
    """ATen's cond for an order other than +-2 fills the inverse inv_ex saved, in place: its
    backward raises."""
    a = t.tensor(A, requires_grad=True)
    t.linalg.cond(a, order).backward()


SNIPPETS = {
    "matrix_norm_order": lambda t: t.linalg.matrix_norm(t.ones(2, 2), 3),
    "matrix_norm_float_order": lambda t: t.linalg.matrix_norm(t.ones(2, 2), 2.5),
    "matrix_norm_string": lambda t: t.linalg.matrix_norm(t.ones(2, 2), "bad"),
    "matrix_norm_vector": lambda t: t.linalg.matrix_norm(t.ones(3)),
    "matrix_norm_integer": lambda t: t.linalg.matrix_norm(t.ones(2, 2, dtype=t.long), 1),
    "matrix_norm_same_dims": lambda t: t.linalg.matrix_norm(t.ones(2, 2), dim=(1, -1)),
    "matrix_norm_three_dims": lambda t: t.linalg.matrix_norm(t.ones(2, 2, 2), dim=(0, 1, 2)),
    "norm_dims": lambda t: t.linalg.norm(t.ones(2, 2, 2), dim=(0, 1, 2)),
    "norm_3d_ord": lambda t: t.linalg.norm(t.ones(2, 2, 2), 2),
    "norm_3d_default": lambda t: t.linalg.norm(t.ones(2, 2, 2)),
    "norm_3d_fro": lambda t: t.linalg.norm(t.ones(2, 2, 2), "fro"),
    "norm_vector_nuc": lambda t: t.linalg.norm(t.ones(3), "nuc"),
    "cond_vector": lambda t: t.linalg.cond(t.ones(3)),
    "cond_order": lambda t: t.linalg.cond(t.eye(2), 3),
    "cond_not_square_1": lambda t: t.linalg.cond(t.ones(2, 3), 1),
    "cond_not_square_1.0": lambda t: t.linalg.cond(t.ones(2, 3), 1.0),
    "cond_not_square_inf": lambda t: t.linalg.cond(t.ones(2, 3), math.inf),
    "cond_not_square_fro": lambda t: t.linalg.cond(t.ones(2, 3), "fro"),
    "cond_rectangular": lambda t: t.linalg.cond(t.tensor(STACK[0])),
    "cond_singular": lambda t: t.linalg.cond(t.tensor(SINGULAR), 1),
}
for order in ORDERS:
    SNIPPETS[f"cond_{order}"] = lambda t, o=order: t.linalg.cond(t.tensor(A), o)
    SNIPPETS[f"cond_{order}_backward"] = lambda t, o=order: _cond_backward(t, o)


@pytest.mark.parametrize("name", SNIPPETS)
def test_as_torch(name):
    check(SNIPPETS[name])
