"""torch.linalg's inverses, determinants, solves, Cholesky and matrix_power against torch
2.13, live: node names, values, first and second gradients, error texts."""
import pytest

from linalg_live import compare
from surface_live import check

A = [[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]]
B = [[1.0, 2.0], [0.5, -1.0], [0.3, 0.7]]

OPS = {
    "inv": lambda t, a, b: t.linalg.inv(a),
    "inverse": lambda t, a, b: t.inverse(a),
    "inverse_method": lambda t, a, b: (a * 2).inverse(),
    "inv_ex": lambda t, a, b: t.linalg.inv_ex(a),
    "inv_batch": lambda t, a, b: t.linalg.inv(t.stack([a, a + 1])),
    "det": lambda t, a, b: t.linalg.det(a),
    "det_method": lambda t, a, b: (a - 1).det(),
    "det_batch": lambda t, a, b: t.det(t.stack([a, -a])),
    "slogdet": lambda t, a, b: t.linalg.slogdet(a),
    "torch_slogdet": lambda t, a, b: t.slogdet(a - 2),
    "logdet": lambda t, a, b: t.logdet(a),
    "logdet_negative": lambda t, a, b: t.logdet(a - 3.5),
    "solve": lambda t, a, b: t.linalg.solve(a, b),
    "solve_vector": lambda t, a, b: t.linalg.solve(a, b[:, 0]),
    "solve_right": lambda t, a, b: t.linalg.solve(a, b.mT, left=False),
    "solve_batch": lambda t, a, b: t.linalg.solve(t.stack([a, a * 2]), b),
    "solve_batch_vectors": lambda t, a, b: t.linalg.solve(t.stack([a, a * 2]), b.mT),
    "solve_ex": lambda t, a, b: t.linalg.solve_ex(a, b),
    "cholesky": lambda t, a, b: t.linalg.cholesky(a),
    "cholesky_upper": lambda t, a, b: t.linalg.cholesky(a @ a.mT, upper=True),
    "cholesky_ex": lambda t, a, b: t.linalg.cholesky_ex(a),
    # Two uses of the output: its gradients meet in the node's input buffer.
    "inv_two_uses": lambda t, a, b: (lambda x: x.diagonal() * x[0])(t.linalg.inv(a)),
    "solve_two_uses": lambda t, a, b: (lambda x: x[:, 0] * x[:, 1])(t.linalg.solve(a, b)),
    "cholesky_two_uses": lambda t, a, b: (lambda x: x.diagonal() * x[2])(t.linalg.cholesky(a)),
    "matrix_power_5": lambda t, a, b: t.linalg.matrix_power(a, 5),
    "matrix_power_-2": lambda t, a, b: t.linalg.matrix_power(a, -2),
    "matrix_power_0": lambda t, a, b: t.linalg.matrix_power(a, 0) * a,
    "matrix_power_1": lambda t, a, b: a.matrix_power(1),
    "matrix_power_3_batch": lambda t, a, b: t.stack([a, a.mT]).matrix_power(3),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", OPS)
def test_values_and_gradients(name, dtype):
    compare(OPS[name], [A, B], dtype)


SINGULAR = [[1.0, 2.0], [2.0, 4.0]]

SNIPPETS = {
    "inv_not_square": lambda t: t.linalg.inv(t.ones(2, 3)),
    "inv_vector": lambda t: t.linalg.inv(t.ones(3)),
    "inv_singular": lambda t: t.linalg.inv(t.tensor(SINGULAR)),
    "inv_singular_batch": lambda t: t.linalg.inv(t.stack([t.eye(2), t.tensor(SINGULAR)])),
    "inverse_singular": lambda t: t.inverse(t.tensor(SINGULAR)),
    "inv_integer": lambda t: t.linalg.inv(t.eye(2, dtype=t.long)),
    "inv_ex_info": lambda t: t.linalg.inv_ex(t.stack([t.eye(2), t.tensor(SINGULAR)])).info,
    "inv_ex_singular": lambda t: t.linalg.inv_ex(t.tensor(SINGULAR)),
    "inv_ex_singular_3x3": lambda t: t.linalg.inv_ex(t.tensor([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0],
                                                               [1.0, 0.0, 1.0]])),
    "inv_empty": lambda t: t.linalg.inv(t.ones(0, 0)),
    "det_not_square": lambda t: t.linalg.det(t.ones(2, 3)),
    "det_vector": lambda t: t.det(t.ones(3)),
    "det_integer": lambda t: t.linalg.det(t.eye(2, dtype=t.long)),
    "det_singular": lambda t: t.det(t.tensor(SINGULAR)),
    "slogdet_singular": lambda t: t.linalg.slogdet(t.tensor(SINGULAR)),
    "slogdet_not_square": lambda t: t.linalg.slogdet(t.ones(2, 3)),
    "logdet_not_square": lambda t: t.logdet(t.ones(2, 3)),
    "logdet_integer": lambda t: t.logdet(t.eye(2, dtype=t.long)),
    "logdet_negative": lambda t: t.logdet(-t.eye(3)),
    "logdet_singular": lambda t: t.logdet(t.tensor(SINGULAR)),
    "solve_singular": lambda t: t.linalg.solve(t.tensor(SINGULAR), t.ones(2)),
    "solve_not_square": lambda t: t.linalg.solve(t.ones(2, 3), t.ones(2)),
    "solve_sizes": lambda t: t.linalg.solve(t.eye(3), t.ones(2)),
    "solve_sizes_matrix": lambda t: t.linalg.solve(t.eye(3), t.ones(2, 4)),
    "solve_batch_mismatch": lambda t: t.linalg.solve(t.eye(3).expand(2, 3, 3), t.ones(4, 3, 1)),
    "solve_dtypes": lambda t: t.linalg.solve(t.eye(3), t.ones(3, dtype=t.float64)),
    "solve_integer": lambda t: t.linalg.solve(t.eye(3, dtype=t.long), t.ones(3, dtype=t.long)),
    "solve_vector_batch": lambda t: t.linalg.solve(t.eye(3).expand(2, 3, 3) * 2, t.ones(2, 3)),
    "solve_vector_broadcast": lambda t: t.linalg.solve(t.eye(3).expand(2, 3, 3), t.ones(3)),
    "solve_ex_info": lambda t: t.linalg.solve_ex(t.stack([t.eye(2) * 2, t.tensor(SINGULAR)]),
                                                 t.ones(2, 2)),
    "solve_ex_no_error": lambda t: t.linalg.solve_ex(t.eye(2) * 2, t.ones(2)).info,
    "cholesky_not_pd": lambda t: t.linalg.cholesky(-t.eye(3)),
    "cholesky_not_pd_batch": lambda t: t.linalg.cholesky(t.stack([t.eye(2), -t.eye(2)])),
    "cholesky_not_square": lambda t: t.linalg.cholesky(t.ones(2, 3)),
    "cholesky_integer": lambda t: t.linalg.cholesky(t.eye(2, dtype=t.long)),
    "cholesky_ex_info": lambda t: t.linalg.cholesky_ex(t.stack([t.eye(2), -t.eye(2)])).info,
    "cholesky_upper": lambda t: t.linalg.cholesky(t.tensor([[4.0, 2.0], [2.0, 3.0]]), upper=True),
    "matrix_power_not_square": lambda t: t.linalg.matrix_power(t.ones(2, 3), 2),
    "matrix_power_integer": lambda t: t.linalg.matrix_power(t.eye(2, dtype=t.long) * 2, 3),
    "matrix_power_integer_negative": lambda t: t.linalg.matrix_power(t.eye(2, dtype=t.long), -1),
    "matrix_power_singular": lambda t: t.linalg.matrix_power(t.tensor(SINGULAR), -1),
    "diagonal": lambda t: t.linalg.diagonal(t.arange(24.0).reshape(2, 3, 4), offset=1),
    "linalg_error_is_runtime_error": lambda t: issubclass(t.linalg.LinAlgError, RuntimeError),
}


@pytest.mark.parametrize("name", SNIPPETS)
def test_as_torch(name):
    check(SNIPPETS[name])
