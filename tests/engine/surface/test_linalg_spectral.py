"""torch.linalg's factorizations (qr, svd, svdvals, eigh, eigvalsh) and pinv, matrix_rank
against torch 2.13, live: node names, values, first and second gradients, error texts.
Singular and eigenvectors are unique up to sign, and NumPy's LAPACK and torch's do not always
choose the same (svd's U of R in float32 differs): they are compared through sign-free
functions of them (abs, products, U S Vh)."""
import pytest

from linalg_live import compare
from surface_live import check

A = [[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]]
R = [[1.0, 2.0, 0.3], [0.5, -1.0, 0.8], [0.3, 0.7, -0.4], [1.5, -0.2, 0.1]]

OPS = {
    "eigvalsh": lambda t, a, r: t.linalg.eigvalsh(a),
    "eigh_values": lambda t, a, r: t.linalg.eigh(a)[0],
    "eigh_vectors_abs": lambda t, a, r: t.linalg.eigh(a).eigenvectors.abs(),
    "eigh_upper": lambda t, a, r: t.linalg.eigh(a, UPLO="U").eigenvectors.abs(),
    "eigh_both": lambda t, a, r: (lambda e: e.eigenvalues * e.eigenvectors ** 2)(
        t.linalg.eigh(a)),
    "eigh_batch": lambda t, a, r: t.linalg.eigh(t.stack([a, a @ a])).eigenvectors.abs(),
    "svdvals": lambda t, a, r: t.linalg.svdvals(r),
    "svdvals_wide": lambda t, a, r: t.linalg.svdvals(r.mT),
    "svd_S": lambda t, a, r: t.linalg.svd(r, full_matrices=False).S,
    "svd_U_abs": lambda t, a, r: t.linalg.svd(r, full_matrices=False).U.abs(),
    "svd_Vh_abs": lambda t, a, r: t.linalg.svd(r, full_matrices=False).Vh.abs(),
    "svd_wide_U_abs": lambda t, a, r: t.linalg.svd(r.mT, full_matrices=False).U.abs(),
    "svd_wide_Vh_abs": lambda t, a, r: t.linalg.svd(r.mT, full_matrices=False).Vh.abs(),
    "svd_product": lambda t, a, r: (lambda s: (s.U * s.S) @ s.Vh)(
        t.linalg.svd(r, full_matrices=False)),
    "svd_full_S": lambda t, a, r: t.linalg.svd(r).S,
    "svd_full_Vh_abs": lambda t, a, r: t.linalg.svd(r).Vh.abs(),
    "svd_batch": lambda t, a, r: t.linalg.svd(t.stack([r, r * r])).S,
    "qr_Q": lambda t, a, r: t.linalg.qr(r).Q,
    "qr_R": lambda t, a, r: t.linalg.qr(r).R,
    "qr_both": lambda t, a, r: (lambda q: q.Q[:3] * q.R)(t.linalg.qr(r)),
    "qr_wide_Q": lambda t, a, r: t.linalg.qr(r.mT).Q,
    "qr_wide_R": lambda t, a, r: t.linalg.qr(r.mT).R,
    "qr_complete_square": lambda t, a, r: t.linalg.qr(a, mode="complete").R,
    "qr_batch": lambda t, a, r: t.linalg.qr(t.stack([r, -r])).R,
    "pinv": lambda t, a, r: t.linalg.pinv(r),
    "pinv_wide": lambda t, a, r: t.linalg.pinv(r.mT),
    "pinv_hermitian": lambda t, a, r: t.linalg.pinv(a, hermitian=True),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", OPS)
def test_values_and_gradients(name, dtype):
    compare(OPS[name], [A, R], dtype)


RANK_2 = [[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]]

SNIPPETS = {
    "eigh_not_square": lambda t: t.linalg.eigh(t.ones(2, 3)),
    "eigh_integer": lambda t: t.linalg.eigh(t.eye(2, dtype=t.long)),
    "eigh_result": lambda t: t.linalg.eigh(t.tensor([[2.0, 1.0], [1.0, 2.0]])),
    "eigvalsh": lambda t: t.linalg.eigvalsh(t.tensor([[2.0, 1.0], [1.0, 2.0]])),
    "qr_vector": lambda t: t.linalg.qr(t.ones(3)),
    "qr_mode": lambda t: t.linalg.qr(t.ones(3, 3), mode="bad"),
    "qr_r": lambda t: t.linalg.qr(t.tensor(RANK_2), mode="r"),
    "qr_complete": lambda t: t.linalg.qr(t.tensor(R), mode="complete"),
    "qr_r_backward": lambda t: t.linalg.qr(t.tensor(A, requires_grad=True), mode="r").R.sum()
    .backward(),
    "svd_vector": lambda t: t.linalg.svd(t.ones(3)),
    "svdvals_vector": lambda t: t.linalg.svdvals(t.ones(3)),
    "svd_full": lambda t: t.linalg.svd(t.tensor(R)).S,
    "pinv_vector": lambda t: t.linalg.pinv(t.ones(3)),
    "pinv_rank_2": lambda t: t.linalg.pinv(t.tensor(RANK_2)),
    "pinv_atol": lambda t: t.linalg.pinv(t.tensor(A), atol=2.5),
    "matrix_rank": lambda t: t.linalg.matrix_rank(t.tensor(RANK_2)),
    "matrix_rank_batch": lambda t: t.linalg.matrix_rank(t.stack([t.eye(3), t.tensor(RANK_2)])),
    "matrix_rank_hermitian": lambda t: t.linalg.matrix_rank(t.tensor(A), hermitian=True),
    "matrix_rank_atol": lambda t: t.linalg.matrix_rank(t.tensor(A), atol=2.5),
}


@pytest.mark.parametrize("name", SNIPPETS)
def test_as_torch(name):
    check(SNIPPETS[name])
