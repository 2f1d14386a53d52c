"""cdist (every p, both compute modes, batched and broadcast), cross / linalg.cross, trace,
kron and outer against torch 2.13, live: node names, values, first and second gradients
(cdist's first only: torch cannot differentiate them again, and says so), error texts and
warnings."""
import numpy as np
import pytest

from linalg_live import compare
from surface_live import check

RNG = np.random.default_rng(3)
X1 = RNG.normal(size=(2, 4, 3)).tolist()
X2 = RNG.normal(size=(2, 5, 3)).tolist()

CDIST = {
    "p2": lambda t, a, b: t.cdist(a, b),
    "p2_2d": lambda t, a, b: t.cdist(a[0], b[1]),
    "p1": lambda t, a, b: t.cdist(a, b, p=1),
    "p3": lambda t, a, b: t.cdist(a, b, p=3),
    "p1.5": lambda t, a, b: t.cdist(a, b, p=1.5),
    "p0.5": lambda t, a, b: t.cdist(a, b, p=0.5),
    "p_inf": lambda t, a, b: t.cdist(a, b, p=float("inf")),
    "p0": lambda t, a, b: t.cdist(a, b, p=0) * a.sum(),
    "broadcast_p1": lambda t, a, b: t.cdist(a, b[:1], p=1),
    "no_mm": lambda t, a, b: t.cdist(a.reshape(8, 3).repeat(4, 1), b[0],
                                     compute_mode="donot_use_mm_for_euclid_dist"),
}

PRODUCTS = {
    "cdist_mm": lambda t, a, b: t.cdist(a, b, compute_mode="use_mm_for_euclid_dist"),
    "cdist_mm_2d": lambda t, a, b: t.cdist(a[0], b[0], compute_mode="use_mm_for_euclid_dist"),
    "cdist_over_25_rows": lambda t, a, b: t.cdist(a.reshape(8, 3).repeat(4, 1), b[0]),
    "cdist_mm_broadcast": lambda t, a, b: t.cdist(a, b[:1],
                                                  compute_mode="use_mm_for_euclid_dist"),
    "linalg_cross": lambda t, a, b: t.linalg.cross(a, b[:, :4]),
    "cross_dim": lambda t, a, b: t.cross(a[:, :3], b[:, :3], dim=1),
    "cross_method": lambda t, a, b: a.cross(b[:, 1:], dim=-1),
    "cross_broadcast": lambda t, a, b: t.linalg.cross(a, b[:1, :4]),
    "trace": lambda t, a, b: t.trace(a[0]),
    "trace_rectangular": lambda t, a, b: a[0].mT.trace(),
    "kron": lambda t, a, b: t.kron(a[0], b[0]),
    "kron_mixed_dims": lambda t, a, b: t.kron(a, b[0, 0]),
    "outer": lambda t, a, b: t.outer(a[0, 0], b[0, 0]),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", CDIST)
def test_cdist_first_order(name, dtype):
    compare(CDIST[name], [X1, X2], dtype, second_order=False)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", PRODUCTS)
def test_values_and_gradients(name, dtype):
    compare(PRODUCTS[name], [X1, X2], dtype)


def _cdist_grad(t):
    x = t.tensor(X1[0], requires_grad=True)
    g, = t.autograd.grad(t.cdist(x, t.tensor(X2[0])).sum(), x, create_graph=True)
    return g


SNIPPETS = {
    "cdist_grad_node": lambda t: _cdist_grad(t).grad_fn.name(),
    "cdist_double_backward": lambda t: _cdist_grad(t).sum().backward(),
    "cdist_vector": lambda t: t.cdist(t.ones(3), t.ones(3)),
    "cdist_columns": lambda t: t.cdist(t.ones(2, 3), t.ones(2, 4)),
    "cdist_negative_p": lambda t: t.cdist(t.ones(2, 3), t.ones(2, 3), p=-1),
    "cdist_integer": lambda t: t.cdist(t.ones(2, 3, dtype=t.long), t.ones(2, 3, dtype=t.long)),
    "cdist_mode": lambda t: t.cdist(t.ones(2, 3), t.ones(2, 3), compute_mode="x"),
    "cdist_batch_mismatch": lambda t: t.cdist(t.ones(2, 2, 3), t.ones(3, 2, 3)),
    "cdist_broadcast": lambda t: t.cdist(t.ones(2, 2, 3), t.ones(1, 4, 3)),
    "cdist_dtypes": lambda t: t.cdist(t.ones(2, 3), t.ones(2, 3, dtype=t.float64)),
    "cdist_empty": lambda t: t.cdist(t.ones(0, 3), t.ones(2, 3)),
    "cdist_no_columns": lambda t: t.cdist(t.ones(2, 0), t.ones(3, 0)),
    "cdist_equal_rows_mm": lambda t: t.cdist(t.ones(30, 3) * 0.1, t.ones(2, 3) * 0.1),
    "cross_length": lambda t: t.linalg.cross(t.ones(2, 4), t.ones(2, 4)),
    "cross_no_dim": lambda t: t.cross(t.arange(9.0).reshape(3, 3), t.ones(3, 3)),
    "cross_no_dim_later": lambda t: t.cross(t.arange(12.0).reshape(4, 3), t.ones(4, 3)),
    "cross_ndim": lambda t: t.linalg.cross(t.ones(2, 1, 3), t.ones(4, 3)),
    "cross_shapes": lambda t: t.linalg.cross(t.ones(2, 3), t.ones(3, 3)),
    "cross_integer": lambda t: t.linalg.cross(t.tensor([1, 2, 3]), t.tensor([4, 5, 7])),
    "cross_dtypes": lambda t: t.linalg.cross(t.ones(3), t.ones(3, dtype=t.float64)),
    "trace_3d": lambda t: t.trace(t.ones(2, 2, 2)),
    "trace_int32": lambda t: t.trace(t.ones(2, 2, dtype=t.int32)),
    "trace_bool": lambda t: t.trace(t.ones(2, 2, dtype=t.bool)),
    "kron_integer": lambda t: t.kron(t.arange(4).reshape(2, 2), t.ones(2, 2, dtype=t.long)),
    "outer_matrix": lambda t: t.outer(t.ones(2, 2), t.ones(2)),
}


@pytest.mark.parametrize("name", SNIPPETS)
def test_as_torch(name):
    check(SNIPPETS[name])


M = [[4.0, 1.0, 0.5], [1.0, -3.0, 0.2], [0.5, 0.2, 2.0]]
R = [[1.0, 2.0, 0.3], [0.5, -1.0, 0.8], [0.3, 0.7, -0.4], [1.5, -0.2, 0.1]]

CHAINS = {
    "multi_dot_2": lambda t, a, r: t.linalg.multi_dot([r, a]),
    "multi_dot_3": lambda t, a, r: t.linalg.multi_dot([r, a, r.mT]),
    "multi_dot_3_other_order": lambda t, a, r: t.linalg.multi_dot([r.mT, r, a]),
    "multi_dot_4": lambda t, a, r: t.linalg.multi_dot([r, a, r.mT, r]),
    "multi_dot_vectors": lambda t, a, r: t.linalg.multi_dot([a[0], a, r.mT, r, a[:, 1]]),
    "multi_dot_first_vector": lambda t, a, r: t.linalg.multi_dot([a[0], a, r.mT]),
    "vander": lambda t, a, r: t.linalg.vander(a[0]),
    "vander_N": lambda t, a, r: t.linalg.vander(r, N=4),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", CHAINS)
def test_chains(name, dtype):
    compare(CHAINS[name], [M, R], dtype)


MORE_SNIPPETS = {
    "multi_dot_one": lambda t: t.linalg.multi_dot([t.ones(2, 2)]),
    "multi_dot_3d_first": lambda t: t.linalg.multi_dot([t.ones(2, 2, 2), t.ones(2, 2)]),
    "multi_dot_3d_last": lambda t: t.linalg.multi_dot([t.ones(2, 2), t.ones(2, 2, 2)]),
    "multi_dot_3d_middle": lambda t: t.linalg.multi_dot([t.ones(2, 2), t.ones(2), t.ones(2, 2)]),
    "multi_dot_dtypes": lambda t: t.linalg.multi_dot([t.ones(2, 2),
                                                      t.ones(2, 2, dtype=t.float64)]),
    "multi_dot_shapes": lambda t: t.linalg.multi_dot([t.ones(2, 3), t.ones(2, 2)]),
    "multi_dot_vectors": lambda t: t.linalg.multi_dot([t.ones(3), t.ones(3)]),
    "vander_integer": lambda t: t.linalg.vander(t.tensor([1, 2, 3]), N=4),
    "vander_scalar": lambda t: t.linalg.vander(t.tensor(2.0), N=3),
    "vander_bool": lambda t: t.linalg.vander(t.tensor([True])),
    "vander_N": lambda t: t.linalg.vander(t.tensor([1.0, 2.0]), N=1),
}


@pytest.mark.parametrize("name", MORE_SNIPPETS)
def test_more_as_torch(name):
    check(MORE_SNIPPETS[name])


DIAG_EMBED = {
    "diag_embed": lambda t: t.diag_embed(t.arange(6.0).reshape(2, 3)),
    "diag_embed_offset_dims": lambda t: t.diag_embed(t.arange(6.0).reshape(2, 3), 1, 0, 2),
    "diag_embed_negative_offset": lambda t: t.diag_embed(t.arange(6.0).reshape(2, 3), -2, 2, 0),
    "diag_embed_saved_dim": lambda t: t.diag_embed(t.ones(2, requires_grad=True) * 1)
    .grad_fn._saved_dim1,
    "diag_embed_method": lambda t: t.ones(2, 2).diag_embed(),
    "diag_embed_same_dims": lambda t: t.diag_embed(t.ones(2), 0, 1, 1),
}


@pytest.mark.parametrize("name", DIAG_EMBED)
def test_diag_embed_as_torch(name):
    check(DIAG_EMBED[name])
