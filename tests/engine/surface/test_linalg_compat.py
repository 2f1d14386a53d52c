"""torch.svd, torch.qr, torch.pinverse (the older names) and linalg.tensorinv /
tensorsolve against torch 2.13, live: node names, values, gradients, errors, warnings."""
import pytest

from linalg_live import compare
from surface_live import check

A = [[4.0, 1.0, 0.5], [1.0, -3.0, 0.2], [0.5, 0.2, 2.0]]
R = [[1.0, 2.0, 0.3], [0.5, -1.0, 0.8], [0.3, 0.7, -0.4], [1.5, -0.2, 0.1]]

OPS = {
    "svd_S": lambda t, a, r: t.svd(r).S,
    "svd_V_abs": lambda t, a, r: t.svd(r).V.abs(),
    "svd_method_product": lambda t, a, r: (lambda s: (s.U * s.S) @ s.V.mT)(r.svd()),
    "svd_not_some": lambda t, a, r: t.svd(r, some=False).S,
    "svd_no_uv": lambda t, a, r: t.svd(r, compute_uv=False).S,
    "pinverse": lambda t, a, r: t.pinverse(r),
    "pinverse_method": lambda t, a, r: a.pinverse(rcond=0.3),
    "qr": lambda t, a, r: t.qr(r).R,
    "qr_method_not_some": lambda t, a, r: a.qr(some=False).Q,
    "tensorinv": lambda t, a, r: t.linalg.tensorinv(t.kron(a, a).reshape(9, 3, 3), ind=1),
    "tensorsolve": lambda t, a, r: t.linalg.tensorsolve(t.kron(a, a).reshape(3, 3, 9), r[:3]),
    "tensorsolve_dims": lambda t, a, r: t.linalg.tensorsolve(
        t.kron(a, a).reshape(3, 9, 3), r[:3], dims=(1,)),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", OPS)
def test_values_and_gradients(name, dtype):
    compare(OPS[name], [A, R], dtype, rtol=1e-3 if dtype == "float32" else 1e-8)


SNIPPETS = {
    "svd_no_uv": lambda t: t.svd(t.tensor(R), compute_uv=False),
    "svd_shapes": lambda t: [tuple(x.shape) for x in t.svd(t.ones(2, 4, 3), some=False)],
    "svd_grad_fns": lambda t: [None if x.grad_fn is None else x.grad_fn.name()
                               for x in t.svd(t.tensor(R, requires_grad=True))],
    "qr_warns": lambda t: t.qr(t.tensor(A)),
    "tensorinv_ind": lambda t: t.linalg.tensorinv(t.eye(4).reshape(4, 2, 2), ind=0),
    "tensorinv_shapes": lambda t: t.linalg.tensorinv(t.ones(2, 3, 4), ind=1),
    "tensorinv_singular": lambda t: t.linalg.tensorinv(t.zeros(4, 2, 2), ind=1),
    "tensorsolve_shapes": lambda t: t.linalg.tensorsolve(t.ones(2, 3, 4), t.ones(2, 3)),
}


@pytest.mark.parametrize("name", SNIPPETS)
def test_as_torch(name):
    check(SNIPPETS[name])
