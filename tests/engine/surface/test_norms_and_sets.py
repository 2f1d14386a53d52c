"""torch.linalg's norms (every vector order, Frobenius, torch.norm with p) and the set ops
(unique, unique_consecutive, isin, bincount, searchsorted, bucketize) against torch 2.13,
live: values, dtypes, node names, first and second gradients, errors."""
import numpy as np
import pytest
import torch

import engine
from surface_live import check

X = [[0.31, -0.42, 0.77, 1.5], [-2.5, 0.5, 2.25, 0.0], [1.25, -0.75, 0.2, -1.1]]

NORMS = {
    "vector_2": lambda t, x: t.linalg.vector_norm(x),
    "vector_1_dim": lambda t, x: t.linalg.vector_norm(x, 1, dim=1),
    "vector_inf": lambda t, x: t.linalg.vector_norm(x, float("inf"), dim=0, keepdim=True),
    "vector_neg_inf": lambda t, x: t.linalg.vector_norm(x, -float("inf")),
    "vector_3": lambda t, x: t.linalg.vector_norm(x, 3, dim=(0, 1)),
    "vector_half": lambda t, x: t.linalg.vector_norm(x + 3, 0.5, dim=1),
    "vector_0": lambda t, x: t.linalg.vector_norm(x, 0),
    "norm_default": lambda t, x: t.linalg.norm(x),
    "norm_dim": lambda t, x: t.linalg.norm(x, dim=1),
    "norm_ord_dim": lambda t, x: t.linalg.norm(x, 1, dim=0),
    "matrix_fro": lambda t, x: t.linalg.matrix_norm(x),
    "norm_fro": lambda t, x: t.linalg.norm(x, "fro"),
    "torch_norm_p1": lambda t, x: t.norm(x, 1),
    "torch_norm_p3_dim": lambda t, x: t.norm(x, p=3, dim=1),
    "vecdot": lambda t, x: t.linalg.vecdot(x, x * 2),
}


def _run(t, name, dtype):
    x = t.tensor(X, dtype=dtype, requires_grad=True)
    y = NORMS[name](t, x)
    g, = t.autograd.grad((y * 1.5).sum(), x, create_graph=True, allow_unused=True)
    second = t.autograd.grad((g * g).sum(), x, allow_unused=True)[0] \
        if g is not None and g.requires_grad else None
    return (y.grad_fn.name(), str(y.dtype)), [_array(y), _array(g), _array(second)]


def _array(v):
    """The values (torch's ZeroTensor, a second derivative that is zero, as zeros)."""
    if v is None:
        return None
    if getattr(v, "_is_zerotensor", lambda: False)():
        return np.zeros(tuple(v.shape))
    return np.array(v.detach().tolist())




@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", NORMS)
def test_norms(name, dtype):
    expected = _run(torch, name, getattr(torch, dtype))
    actual = _run(engine, name, getattr(engine, dtype))
    assert actual[0] == expected[0]
    tol = 3e-6 if dtype == "float32" else 1e-12
    for got, want in zip(actual[1], expected[1]):
        assert (got is None) == (want is None)
        if want is not None:
            np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


SNIPPETS = {
    "vector_norm_int": lambda t: t.linalg.vector_norm(t.tensor([1, 2])),
    "vector_norm_dtype": lambda t: t.linalg.vector_norm(t.tensor([1.0, 2.0]), dtype=t.float64),
    "matrix_norm_1d": lambda t: t.linalg.matrix_norm(t.ones(3)),
    "vector_norm_empty_neg": lambda t: t.linalg.vector_norm(t.zeros(0), -1),
    "vector_norm_empty": lambda t: t.linalg.vector_norm(t.zeros(0)),
    "unique": lambda t: t.unique(t.tensor([3, 1, 2, 3, 1])),
    "unique_all": lambda t: t.unique(t.tensor([[3, 1], [2, 3]]), return_inverse=True,
                                     return_counts=True),
    "unique_method_float": lambda t: t.tensor([2.5, -1.0, 2.5]).unique(return_counts=True),
    "unique_dim": lambda t: t.unique(t.tensor([[1, 2], [0, 5], [1, 2]]), dim=0,
                                     return_inverse=True),
    "unique_consecutive": lambda t: t.unique_consecutive(t.tensor([1, 1, 2, 2, 3, 1, 1]),
                                                         return_inverse=True,
                                                         return_counts=True),
    "isin": lambda t: t.isin(t.tensor([1, 2, 3, 4]), t.tensor([2, 4])),
    "isin_invert": lambda t: t.isin(t.tensor([1, 2, 3]), t.tensor([2]), invert=True),
    "bincount": lambda t: t.bincount(t.tensor([0, 2, 2, 5])),
    "bincount_weights": lambda t: t.bincount(t.tensor([0, 2, 2]),
                                             weights=t.tensor([0.5, 1.0, 2.0]), minlength=4),
    "bincount_negative": lambda t: t.bincount(t.tensor([0, -1])),
    "searchsorted": lambda t: t.searchsorted(t.tensor([1.0, 3.0, 5.0]),
                                             t.tensor([0.0, 3.0, 6.0])),
    "searchsorted_right_2d": lambda t: t.searchsorted(t.tensor([[1, 3, 5], [2, 4, 6]]),
                                                      t.tensor([[3], [4]]), right=True),
    "bucketize": lambda t: t.bucketize(t.tensor([0.5, 3.0, 9.0]), t.tensor([1.0, 3.0, 5.0]),
                                       right=True),
}


@pytest.mark.parametrize("name", SNIPPETS)
def test_as_torch(name):
    check(SNIPPETS[name])
