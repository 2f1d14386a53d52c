"""What linalg's nodes save, as torch 2.13's grad_fn._saved_* read: det's and slogdet's LU
of A^T (of A when A is column-major), solve's LU of A, pivots, and the others' values."""
import pytest

from surface_live import check

A = "t.tensor([[4.0, 1.0, 0.5], [2.0, 3.0, 0.2], [3.5, 0.2, 2.0]], requires_grad=True)"
COLUMN_MAJOR = f"{A}.mT.contiguous().mT"
SAVED = {
    "det_LU": f"t.linalg.det({A}).grad_fn._saved_LU",
    "det_pivots": f"t.linalg.det({A}).grad_fn._saved_pivots",
    "det_column_major_LU": f"t.linalg.det({COLUMN_MAJOR}).grad_fn._saved_LU",
    "det_result": f"t.linalg.det({A}).grad_fn._saved_result",
    "slogdet_LU": f"t.linalg.slogdet({A}).sign.grad_fn._saved_LU",
    "slogdet_sign": f"t.linalg.slogdet({A}).sign.grad_fn._saved_sign",
    "solve_LU": f"t.linalg.solve({A}, t.ones(3)).grad_fn._saved_LU",
    "solve_pivots": f"t.linalg.solve({A}, t.ones(3)).grad_fn._saved_pivots",
    "solve_right_LU": f"t.linalg.solve({A}, t.ones(2, 3), left=False).grad_fn._saved_LU",
    "solve_left": f"t.linalg.solve({A}, t.ones(2, 3), left=False).grad_fn._saved_left",
    "cholesky_L": f"t.linalg.cholesky({A} @ {A}.mT).grad_fn._saved_L",
    "cholesky_upper": f"t.linalg.cholesky({A} @ {A}.mT, upper=True).grad_fn._saved_upper",
    "inv_inverse": f"t.linalg.inv({A}).grad_fn._saved_inverse",
    "eigh_eigenvalues": f"t.linalg.eigvalsh({A} + {A}.mT).grad_fn._saved_eigenvalues",
    "qr_mode": f"t.linalg.qr({A}).Q.grad_fn._saved_mode",
    "svd_full_matrices": f"t.linalg.svd({A}).S.grad_fn._saved_full_matrices",
    "cross_dim": f"t.linalg.cross({A}, {A}.flip(0)).grad_fn._saved_dim",
    "cdist_p": f"t.cdist({A}, {A}, p=3).grad_fn._saved_p",
    "trace_sizes": f"t.trace({A}).grad_fn._saved_self_sym_sizes",
    "solve_triangular_upper": f"t.linalg.solve_triangular({A}, t.ones(3, 1), upper=True)"
                              ".grad_fn._saved_upper",
    "cholesky_solve_upper": f"t.cholesky_solve(t.ones(3, 1), {A}).grad_fn._saved_upper",
    "diag_embed_offset": f"t.diag_embed({A}, 1).grad_fn._saved_offset",
}


@pytest.mark.parametrize("name", SAVED)
def test_saved_as_torch(name):
    check(lambda t: eval(SAVED[name], {"t": t}))
