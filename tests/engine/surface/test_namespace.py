"""torch.* names that are not Tensor methods (pi, finfo, iinfo, result_type, tensordot,
std_mean, block_diag, combinations, ...) against torch 2.13, live: values, reprs, dtypes,
nodes, gradients and double backward, errors."""
import pytest

from surface_live import check
from tensorops_live import compare

A = [[0.31, -0.42, 0.77, 1.5], [-2.5, 0.5, 2.25, 0.1], [1.25, -0.75, 0.2, -1.1]]
B = [[1.2, 0.6], [-0.9, 0.4], [0.7, -1.3], [2.0, 0.35]]
ROW = [0.5, -1.5, 2.0]

OPS = {
    "tensordot_1": (lambda t, x, y: t.tensordot(x, y, 1), (A, B)),
    "tensordot_lists": (lambda t, x, y: t.tensordot(x, y, dims=([1], [0])), (A, B)),
    "tensordot_all": (lambda t, x: t.tensordot(x, x * 2, dims=([0, 1], [0, 1])), (A,)),
    "tensordot_outer": (lambda t, x, v: t.tensordot(x, v, 0), (A, ROW)),
    "tensordot_transposed": (lambda t, x, y: t.tensordot(x, y, dims=([0], [1])), (B, A)),
    "std_mean": (lambda t, x: (lambda s, m: s * 2 + m)(*t.std_mean(x, 1)), (A,)),
    "std_mean_all": (lambda t, x: t.stack(list(t.std_mean(x))), (A,)),
    "var_mean": (lambda t, x: (lambda v, m: v - m)(*t.var_mean(x, 0, keepdim=True,
                                                               correction=0)), (A,)),
    "var_mean_only_mean": (lambda t, x: t.var_mean(x, 1)[1], (A,)),
    "std_mean_only_std": (lambda t, x: t.std_mean(x, (0, 1), keepdim=True)[0], (A,)),
    "block_diag": (lambda t, x, v: t.block_diag(x, v, v.sum()), (A, ROW)),
    "cartesian_prod": (lambda t, a, b: t.cartesian_prod(a, b), (ROW, ROW)),
    "combinations": (lambda t, v: t.combinations(v, 2), (ROW,)),
    "combinations_replacement": (lambda t, v: t.combinations(v, 3, with_replacement=True),
                                 (ROW,)),
}
# std over every dim with keepdim: torch's var_backward takes its "all dims" branch there
# (x - x.mean()), the engine's its dims branch (x - x.mean(dims, keepdim)): values compared.
VALUES_ONLY = {"std_mean_only_std"}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", OPS)
def test_values_gradients_and_graphs(name, dtype):
    fn, data = OPS[name]
    compare(fn, data, dtype, graph=name not in VALUES_ONLY)


def _moments_node(t):
    x = t.tensor(A, requires_grad=True)
    s, m = t.std_mean(x, 1)
    v, w = t.var_mean(x, dim=0, correction=0, keepdim=True)
    return [s.grad_fn.name(), s.grad_fn is m.grad_fn, v.grad_fn.name(),
            v.grad_fn._saved_correction, v.grad_fn._saved_dim, v.grad_fn._saved_keepdim,
            s.grad_fn._saved_dim, t.std_mean(x)[0].grad_fn._saved_dim,
            sorted(k for k in dir(s.grad_fn) if k.startswith("_saved"))]


SNIPPETS = {
    "constants": lambda t: [t.pi, t.e, t.inf, t.nan != t.nan, t.newaxis],
    "finfo": lambda t: [repr(t.finfo(d)) for d in (t.float32, t.float64, t.float16)] + [
        repr(t.finfo())],
    "finfo_fields": lambda t: (lambda f: [f.bits, f.eps, f.max, f.min, f.tiny,
                                          f.smallest_normal, f.resolution, f.dtype])(
        t.finfo(t.float64)),
    "finfo_of_tensor_dtype": lambda t: t.finfo(t.ones(2).dtype).eps,
    "finfo_int": lambda t: t.finfo(t.int64),
    "finfo_equal": lambda t: t.finfo(t.float32) == t.finfo(t.float32),
    "iinfo": lambda t: [repr(t.iinfo(d)) for d in (t.int64, t.int32, t.uint8, t.int8)],
    "iinfo_fields": lambda t: (lambda i: [i.bits, i.max, i.min, i.dtype])(t.iinfo(t.int16)),
    "iinfo_float": lambda t: t.iinfo(t.float32),
    "iinfo_bool": lambda t: t.iinfo(t.bool),
    "result_type": lambda t: [t.result_type(t.ones(2), 1.5),
                              t.result_type(t.tensor([1]), t.tensor(1.0)),
                              t.result_type(t.tensor([1], dtype=t.int8), 5),
                              t.result_type(t.tensor([True]), t.tensor([1], dtype=t.uint8))],
    "promote_types": lambda t: [t.promote_types(t.int32, t.float32),
                                t.promote_types(t.uint8, t.int8),
                                t.promote_types(t.bool, t.int16)],
    "can_cast": lambda t: [t.can_cast(a, b) for a in (t.float32, t.int32, t.bool)
                           for b in (t.float64, t.int64, t.bool, t.uint8)],
    "scalar_tensor": lambda t: [t.scalar_tensor(3), t.scalar_tensor(3, dtype=t.int64),
                                t.scalar_tensor(1.5, requires_grad=True)],
    "tril_indices": lambda t: [t.tril_indices(3, 3), t.tril_indices(3, 4, -1),
                               t.tril_indices(2, 2, dtype=t.int32)],
    "triu_indices": lambda t: [t.triu_indices(3, 4, 1), t.triu_indices(4, 3, -1)],
    "tensordot_mismatch": lambda t: t.tensordot(t.ones(2, 3), t.ones(4, 2), 1),
    "tensordot_lengths": lambda t: t.tensordot(t.ones(2, 3), t.ones(3, 2), ([1], [0, 1])),
    "tensordot_negative": lambda t: t.tensordot(t.ones(2, 3), t.ones(3, 2), -1),
    "tensordot_ints": lambda t: t.tensordot(t.tensor([[1, 2]]), t.tensor([[3], [4]]), 1),
    "moments_node": _moments_node,
    "std_mean_int": lambda t: t.std_mean(t.tensor([1, 2])),
    "block_diag_dtypes": lambda t: t.block_diag(t.ones(1, 2, dtype=t.int64), t.ones(1)),
    "block_diag_3d": lambda t: t.block_diag(t.ones(2, 2, 2)),
    "block_diag_empty": lambda t: t.block_diag(),
    "cartesian_prod_one": lambda t: t.cartesian_prod(t.tensor([1, 2])),
    "cartesian_prod_2d": lambda t: t.cartesian_prod(t.ones(2, 2)),
    "combinations_zero": lambda t: t.combinations(t.tensor([1, 2]), 0),
    "combinations_too_many": lambda t: t.combinations(t.tensor([1, 2]), 3),
    "combinations_negative": lambda t: t.combinations(t.tensor([1, 2]), -1),
}


@pytest.mark.parametrize("name", SNIPPETS)
def test_as_torch(name):
    check(SNIPPETS[name])
