"""torch.linalg.matrix_exp against torch 2.13, live: node name, values (to the dtype's
rounding: the algorithms differ), first and second gradients, error texts."""
import pytest

from linalg_live import compare
from surface_live import check

A = [[0.4, 1.0, -0.5], [-1.0, 0.3, 0.2], [0.5, -0.2, 0.1]]
BIG = [[4.0, 7.0, -2.5], [-6.0, 3.0, 2.0], [5.0, -2.0, 1.0]]

OPS = {
    "matrix_exp": lambda t, a, b: t.linalg.matrix_exp(a),
    "matrix_exp_scaled": lambda t, a, b: t.linalg.matrix_exp(b) / 1000,
    "matrix_exp_batch": lambda t, a, b: t.linalg.matrix_exp(t.stack([a, a.mT, a * 0])),
    "torch_matrix_exp": lambda t, a, b: t.matrix_exp(a - a.mT),
    "method": lambda t, a, b: (a * 2).matrix_exp(),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", OPS)
def test_values_and_gradients(name, dtype):
    compare(OPS[name], [A, BIG], dtype, rtol=2e-4 if dtype == "float32" else 1e-9)


SNIPPETS = {
    "not_square": lambda t: t.linalg.matrix_exp(t.ones(2, 3)),
    "vector": lambda t: t.linalg.matrix_exp(t.ones(3)),
    "integer": lambda t: t.linalg.matrix_exp(t.eye(2, dtype=t.long)),
    "empty": lambda t: t.linalg.matrix_exp(t.ones(0, 0)),
    "one_by_one": lambda t: t.linalg.matrix_exp(t.tensor([[2.0]])),
    "rotation": lambda t: t.linalg.matrix_exp(t.tensor([[0.0, -1.5], [1.5, 0.0]])),
}


@pytest.mark.parametrize("name", SNIPPETS)
def test_as_torch(name):
    check(SNIPPETS[name])
