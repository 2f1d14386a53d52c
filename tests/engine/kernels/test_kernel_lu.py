"""engine/kernels/lu.py against a NumPy reference of getrf (partial pivoting, the first
largest magnitude as pivot), and against torch's linalg.lu_factor."""
import numpy as np
import pytest
import torch

from engine.kernels.lu import infos, lu_factor


def reference(matrix: np.ndarray):
    lu = matrix.astype(matrix.dtype, copy=True)
    n = lu.shape[0]
    pivots = np.zeros(n, dtype=np.int32)
    for k in range(n):
        p = k + int(np.argmax(np.abs(lu[k:, k])))
        pivots[k] = p + 1
        if lu[p, k] == 0:
            continue
        lu[[k, p]] = lu[[p, k]]
        lu[k + 1:, k] /= lu[k, k]
        lu[k + 1:, k + 1:] -= np.outer(lu[k + 1:, k], lu[k, k + 1:])
    return lu, pivots


SINGULAR = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_matches_the_reference(dtype):
    rng = np.random.default_rng(5)
    batch = rng.normal(size=(4, 5, 5)).astype(dtype)
    lu, pivots = lu_factor(batch)
    for i in range(4):
        want_lu, want_pivots = reference(batch[i])
        np.testing.assert_allclose(lu[i], want_lu, rtol=1e-5 if dtype == np.float32 else 1e-12)
        np.testing.assert_array_equal(pivots[i], want_pivots)


def test_matches_torch_and_reports_a_zero_pivot():
    matrices = np.stack([np.eye(3) * 2 + 0.5, SINGULAR])
    lu, pivots = lu_factor(matrices)
    want_lu, want_pivots = torch.linalg.lu_factor_ex(torch.tensor(matrices))[:2]
    np.testing.assert_allclose(lu, want_lu.numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(pivots, want_pivots.numpy())
    np.testing.assert_array_equal(infos(lu), [0, 3])


def test_refuses_integers():
    with pytest.raises(TypeError):
        lu_factor(np.eye(2, dtype=np.int64))
