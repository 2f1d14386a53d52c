"""linalg.solve_triangular, cholesky_solve, cholesky_inverse, the deprecated torch.cholesky
and linalg.lstsq against torch 2.13, live: node names, values, first and second gradients,
error texts, warnings."""
import pytest

from linalg_live import compare
from surface_live import check

A = [[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]]
B = [[1.0, 2.0], [0.5, -1.0], [0.3, 0.7]]
TALL = [[1.0, 2.0], [3.0, 4.0], [5.0, 7.0], [0.5, -1.0]]

OPS = {
    "solve_triangular_upper": lambda t, a, b: t.linalg.solve_triangular(a, b, upper=True),
    "solve_triangular_lower": lambda t, a, b: t.linalg.solve_triangular(a, b, upper=False),
    "solve_triangular_right": lambda t, a, b: t.linalg.solve_triangular(a, b.mT, upper=True,
                                                                        left=False),
    "solve_triangular_unit": lambda t, a, b: t.linalg.solve_triangular(
        a, b, upper=False, unitriangular=True),
    "solve_triangular_batch": lambda t, a, b: t.linalg.solve_triangular(
        t.stack([a, a * 2]), b, upper=True),
    "cholesky_solve": lambda t, a, b: t.cholesky_solve(b, t.linalg.cholesky(a)),
    "cholesky_solve_leaf_factor": lambda t, a, b: t.cholesky_solve(b, a.tril()),
    "cholesky_solve_upper": lambda t, a, b: t.cholesky_solve(b, a.triu(), upper=True),
    "cholesky_solve_method": lambda t, a, b: b.cholesky_solve(a.tril()),
    "cholesky_inverse": lambda t, a, b: t.cholesky_inverse(a.tril()),
    "cholesky_inverse_upper": lambda t, a, b: t.cholesky_inverse(a.triu(), upper=True),
    "torch_cholesky": lambda t, a, b: t.cholesky(a),
    "torch_cholesky_upper": lambda t, a, b: a.cholesky(upper=True),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", OPS)
def test_values_and_gradients(name, dtype):
    compare(OPS[name], [A, B], dtype)


LSTSQ = {
    "solution": lambda t, a, b: t.linalg.lstsq(a, b).solution,
    "solution_vector": lambda t, a, b: t.linalg.lstsq(a, b[:, 0]).solution,
    "solution_wide": lambda t, a, b: t.linalg.lstsq(a.mT, b[:2]).solution,
    "residuals_gelsd": lambda t, a, b: t.linalg.lstsq(a, b, driver="gelsd").residuals,
    "both_gelss": lambda t, a, b: (lambda r: r.solution.sum(0) * r.residuals)(
        t.linalg.lstsq(a, b, driver="gelss")),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", LSTSQ)
def test_lstsq(name, dtype):
    compare(LSTSQ[name], [TALL, [[1.0, 0.5], [2.0, -1.0], [4.0, 0.0], [0.2, 0.3]]], dtype,
            rtol=2e-3 if dtype == "float32" else 1e-8)


SNIPPETS = {
    "cholesky_solve_vector": lambda t: t.cholesky_solve(t.ones(2), t.eye(2)),
    "cholesky_solve_vector_factor": lambda t: t.cholesky_solve(t.ones(2, 1), t.ones(2)),
    "cholesky_solve_sizes": lambda t: t.cholesky_solve(t.ones(3, 1), t.eye(2)),
    "cholesky_solve_dtypes": lambda t: t.cholesky_solve(t.ones(2, 1),
                                                        t.eye(2, dtype=t.float64)),
    "cholesky_solve_not_square": lambda t: t.cholesky_solve(t.ones(2, 1), t.ones(2, 3)),
    "solve_triangular_not_square": lambda t: t.linalg.solve_triangular(
        t.ones(2, 3), t.ones(2, 1), upper=True),
    "solve_triangular_sizes": lambda t: t.linalg.solve_triangular(t.eye(3), t.ones(2, 1),
                                                                  upper=True),
    "solve_triangular_vector": lambda t: t.linalg.solve_triangular(t.eye(2), t.ones(2),
                                                                   upper=True),
    "solve_triangular_singular": lambda t: t.linalg.solve_triangular(
        t.tensor([[0.0, 1.0], [0.0, 2.0]]), t.ones(2, 1), upper=True),
    "cholesky_inverse_not_square": lambda t: t.cholesky_inverse(t.ones(2, 3)),
    "torch_cholesky_warns": lambda t: t.cholesky(t.tensor([[4.0, 2.0], [2.0, 3.0]])),
    "torch_cholesky_not_pd": lambda t: t.cholesky(-t.eye(2)),
    "lstsq": lambda t: t.linalg.lstsq(t.tensor(TALL), t.tensor([[1.0], [2.0], [4.0], [0.0]])),
    "lstsq_gelsd": lambda t: t.linalg.lstsq(t.tensor(TALL), t.ones(4, 1), driver="gelsd"),
    "lstsq_gelss_wide": lambda t: t.linalg.lstsq(t.tensor(TALL).mT, t.ones(2, 1),
                                                 driver="gelss"),
    "lstsq_gels": lambda t: t.linalg.lstsq(t.tensor(TALL), t.ones(4, 1), driver="gels"),
    "lstsq_rank_deficient": lambda t: t.linalg.lstsq(t.ones(3, 2), t.ones(3)),
    "lstsq_sizes": lambda t: t.linalg.lstsq(t.ones(3, 2), t.ones(2, 1)),
    "lstsq_driver": lambda t: t.linalg.lstsq(t.ones(3, 2), t.ones(3, 1), driver="x"),
}


@pytest.mark.parametrize("name", SNIPPETS)
def test_as_torch(name):
    check(SNIPPETS[name])
