"""diag, diagflat, rot90, take, put, index_put, masked_scatter, the *_scatter ops,
split_with_sizes, msort, inner, vdot, fill_diagonal_ and histc against torch 2.13, live:
values, dtypes, nodes, saved values, gradients and double backward, errors."""
import pytest

from surface_live import check
from tensorops_live import compare

A = [[0.31, -0.42, 0.77, 1.5], [-2.5, 0.5, 2.25, 0.0], [1.25, -0.75, 0.2, -1.1]]
SQUARE = [[0.3, -1.2, 0.5], [1.1, 0.4, -0.7], [-0.2, 0.9, 1.3]]
ROW = [0.5, -1.5, 2.0, 0.25]
ROW3 = [1.5, -0.5, 0.75]
SIX = [0.1, 0.2, -0.3, 0.4, 0.5, -0.6]


def _idx(t, values):
    return t.tensor(values)


OPS = {
    "diag_vector": (lambda t, v: t.diag(v), (ROW,)),
    "diag_vector_offset": (lambda t, v: v.diag(1), (ROW,)),
    "diag_matrix": (lambda t, x: t.diag(x), (A,)),
    "diag_matrix_offset": (lambda t, x: x.diag(-1), (A,)),
    "diagflat": (lambda t, x: t.diagflat(x), (SQUARE,)),
    "diagflat_offset": (lambda t, v: v.diagflat(-1), (ROW,)),
    "rot90": (lambda t, x: t.rot90(x), (A,)),
    "rot90_twice": (lambda t, x: x.rot90(2), (A,)),
    "rot90_back": (lambda t, x: x.rot90(-1, [1, 0]), (A,)),
    "rot90_zero": (lambda t, x: x.rot90(0), (A,)),
    "take": (lambda t, x: t.take(x, _idx(t, [0, 5, -1, 5])), (A,)),
    "take_2d_index": (lambda t, x: x.take(_idx(t, [[0, 1], [11, 3]])), (A,)),
    "put": (lambda t, x, s: x.put(_idx(t, [0, 5, 7]), s), (A, ROW3)),
    "put_accumulate": (lambda t, x, s: x.put(_idx(t, [0, 5, 5]), s, accumulate=True), (A, ROW3)),
    "put_": (lambda t, x, s: (x * 1).put_(_idx(t, [2, -1, 4]), s), (A, ROW3)),
    "index_put": (lambda t, x, v: x.index_put((_idx(t, [0, 2]),), v), (A, ROW)),
    "index_put_accumulate": (lambda t, x, v: t.index_put(x, (_idx(t, [0, 0]), _idx(t, [1, 1])),
                                                         v[:1], accumulate=True), (A, ROW)),
    "index_put_": (lambda t, x, v: (x * 1).index_put_((_idx(t, [1]),), v), (A, ROW)),
    "masked_scatter": (lambda t, x, s: x.masked_scatter(x > 0, s), (A, A)),
    "masked_scatter_broadcast": (lambda t, x, s: x.masked_scatter(
        t.tensor([True, False, False, True]), s), (A, A)),
    "masked_scatter_": (lambda t, x, s: (x * 1).masked_scatter_(x < 0, s), (A, SIX)),
    "select_scatter": (lambda t, x, v: t.select_scatter(x, v, 0, 1), (A, ROW)),
    "select_scatter_dim": (lambda t, x, v: x.select_scatter(v, -1, -2), (A, ROW3)),
    "slice_scatter": (lambda t, x, s: t.slice_scatter(x, s, 1, 1, 3), (A, [[1.0, 2.0]] * 3)),
    "slice_scatter_step": (lambda t, x, s: x.slice_scatter(s, 0, step=2), (A, [ROW, ROW])),
    "diagonal_scatter": (lambda t, x, s: t.diagonal_scatter(x, s), (A, ROW3)),
    "diagonal_scatter_offset": (lambda t, x, s: x.diagonal_scatter(s, 1), (A, ROW3)),
    "split_with_sizes": (lambda t, x: x.split_with_sizes([1, 3], 1)[1], (A,)),
    "split_with_sizes_torch": (lambda t, x: t.split_with_sizes(x, [2, 1])[0] * 2, (A,)),
    "msort": (lambda t, x: t.msort(x), (A,)),
    "inner_vectors": (lambda t, a, b: t.inner(a, b), (ROW, ROW)),
    "inner_matrix_vector": (lambda t, x, v: x.inner(v), (A, ROW)),
    "inner_matrices": (lambda t, x, y: t.inner(x, y), (A, A)),
    "inner_scalar": (lambda t, x, s: t.inner(x, s.sum()), (A, ROW)),
    "vdot": (lambda t, a, b: t.vdot(a, b), (ROW, ROW)),
    "vdot_method": (lambda t, a, b: a.vdot(b) * 2, (ROW3, ROW3)),
    "fill_diagonal_": (lambda t, x: (x * 1).fill_diagonal_(2.0), (A,)),
    "fill_diagonal_tall": (lambda t, x: (x.t() * 1).fill_diagonal_(-1.0), (A,)),
}
VALUES_ONLY = {"inner_matrices", "inner_matrix_vector", "masked_scatter",
               "masked_scatter_broadcast", "masked_scatter_", "put", "put_", "put_accumulate",
               "fill_diagonal_", "fill_diagonal_tall", "take", "take_2d_index",
               "index_put_accumulate"}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", OPS)
def test_values_gradients_and_graphs(name, dtype):
    fn, data = OPS[name]
    compare(fn, data, dtype, graph=name not in VALUES_ONLY)


SNIPPETS = {
    "diag_3d": lambda t: t.diag(t.ones(2, 2, 2)),
    "diag_0d": lambda t: t.diag(t.tensor(1.0)),
    "diag_far_offset": lambda t: t.diag(t.ones(2, 3), 5),
    "diag_int": lambda t: t.diag(t.tensor([1, 2])),
    "diag_not_a_view": lambda t: (lambda x: t.diag(x)._base is None)(t.ones(3, 3)),
    "diagflat_matrix_offset": lambda t: t.diagflat(t.ones(2, 2), 1).shape,
    "rot90_one_dim": lambda t: t.ones(3, 4).rot90(1, [0]),
    "rot90_same_dims": lambda t: t.ones(3, 4).rot90(1, [0, 0]),
    "rot90_opposite_dims": lambda t: t.ones(3, 4).rot90(1, [0, -2]),
    "rot90_bad_dim": lambda t: t.ones(3, 4).rot90(1, [0, 2]),
    "rot90_1d": lambda t: t.ones(3).rot90(),
    "rot90_strides": lambda t: [t.ones(3, 4).rot90(k).stride() for k in range(-1, 5)],
    "rot90_3d": lambda t: t.arange(24.0).reshape(2, 3, 4).rot90(3, [2, 0]),
    # The flip keeps a transposed input's layout, so the turn of one can be contiguous.
    "rot90_transposed_strides": lambda t: [
        (y.stride(), y.is_contiguous(), y.view(-1).tolist())
        for k in range(-1, 5) for y in [t.arange(12.0).reshape(3, 4).t().rot90(k).contiguous()
                                        if k in (0, 2, 4) else
                                        t.arange(12.0).reshape(3, 4).t().rot90(k)]],
    "take_out_of_range": lambda t: t.ones(3, 4).take(t.tensor([12])),
    "take_negative_out_of_range": lambda t: t.ones(3, 4).take(t.tensor([-13])),
    "take_float_index": lambda t: t.ones(3, 4).take(t.tensor([1.0])),
    "take_int32_index": lambda t: t.ones(3, 4).take(t.tensor([1], dtype=t.int32)),
    "put_sizes": lambda t: t.ones(3, 4).put(t.tensor([0, 1]), t.ones(3)),
    "put_out_of_range": lambda t: t.ones(2).put_(t.tensor([5]), t.ones(1)),
    "put_in_place_version": lambda t: (lambda x: (x.put_(t.tensor([1]), t.tensor([9.0])), x,
                                                  x._version)[1:])(t.zeros(3)),
    "index_put_none": lambda t: t.zeros(2, 3).index_put((None, t.tensor([1])), t.tensor(5.0)),
    "index_put_bool": lambda t: t.zeros(3).index_put((t.tensor([True, False, True]),),
                                                     t.tensor(2.0)),
    "index_put_accumulate_repeats": lambda t: t.zeros(3).index_put_(
        (t.tensor([0, 0, 2]),), t.tensor([1.0, 2.0, 3.0]), accumulate=True),
    "index_put_dtypes": lambda t: t.zeros(3).index_put_(
        (t.tensor([0]),), t.tensor([1.0], dtype=t.float64), accumulate=True),
    "masked_scatter_too_few": lambda t: t.ones(3, 4).masked_scatter(t.ones(3, 4) > 0,
                                                                   t.ones(2)),
    "masked_scatter_float_mask": lambda t: t.ones(3, 4).masked_scatter(t.ones(3, 4),
                                                                      t.ones(12)),
    "masked_scatter_values": lambda t: t.ones(3).masked_scatter(
        t.tensor([True, False, True]), t.tensor([5.0, 6.0, 7.0])),
    "select_scatter_shape": lambda t: t.select_scatter(t.ones(3, 4), t.ones(3), 0, 0),
    "select_scatter_index": lambda t: t.select_scatter(t.ones(3, 4), t.ones(4), 0, 3),
    "slice_scatter_shape": lambda t: t.slice_scatter(t.ones(3, 4), t.ones(3, 3), 1, 0, 2),
    "diagonal_scatter_shape": lambda t: t.diagonal_scatter(t.ones(3, 4), t.ones(4)),
    "split_with_sizes_bad_sum": lambda t: t.ones(3, 2).split_with_sizes([1, 1]),
    "split_with_sizes_negative": lambda t: t.ones(3, 2).split_with_sizes([4, -1]),
    "msort_int": lambda t: t.tensor([[3, 1], [2, 5]]).msort(),
    "inner_mismatch": lambda t: t.inner(t.ones(3, 4), t.ones(3)),
    "inner_int": lambda t: t.inner(t.tensor([1, 2]), t.tensor([3, 4])),
    "vdot_sizes": lambda t: t.vdot(t.ones(4), t.ones(3)),
    "vdot_2d": lambda t: t.vdot(t.ones(2, 2), t.ones(2, 2)),
    "vdot_dtypes": lambda t: t.vdot(t.ones(2), t.ones(2, dtype=t.float64)),
    "fill_diagonal_wrap": lambda t: t.zeros(7, 3).fill_diagonal_(5.0, wrap=True),
    "fill_diagonal_no_wrap": lambda t: t.zeros(7, 3).fill_diagonal_(5.0),
    "fill_diagonal_wide": lambda t: t.zeros(2, 5).fill_diagonal_(1.0, wrap=True),
    "fill_diagonal_3d": lambda t: t.zeros(2, 2, 2).fill_diagonal_(3.0),
    "fill_diagonal_3d_unequal": lambda t: t.zeros(2, 3, 2).fill_diagonal_(3.0),
    "fill_diagonal_1d": lambda t: t.zeros(3).fill_diagonal_(3.0),
    "fill_diagonal_int": lambda t: t.zeros(3, 3, dtype=t.int64).fill_diagonal_(2),
    "fill_diagonal_version": lambda t: (lambda x: (x.fill_diagonal_(1.0), x._version)[1])(
        t.zeros(2, 2)),
    "fill_diagonal_graph": lambda t: (lambda x: x.fill_diagonal_(1.0).grad_fn.name())(
        t.ones(2, 2, requires_grad=True) * 1),
    "histc": lambda t: t.histc(t.tensor([1.0, 2.0, 1.0, 4.0, 2.5]), bins=4, min=0, max=3),
    "histc_default_range": lambda t: t.tensor([1.0, 2.0, 1.0, 4.0]).histc(bins=3),
    "histc_constant": lambda t: t.tensor([2.0, 2.0]).histc(bins=4),
    "histc_int": lambda t: t.histc(t.tensor([1, 2])),
    "histc_bins": lambda t: t.histc(t.ones(2), bins=0),
    "histc_min_max": lambda t: t.histc(t.ones(2), bins=2, min=3, max=1),
    "histc_float64": lambda t: t.histc(t.tensor([0.1, 0.9, 0.5], dtype=t.float64), bins=2),
}


@pytest.mark.parametrize("name", SNIPPETS)
def test_as_torch(name):
    check(SNIPPETS[name])


def _edges(t):
    x, s = t.ones(4, requires_grad=True), t.ones(2, requires_grad=True)
    index = t.tensor([0, 1])
    return [len(y.grad_fn.next_functions) for y in (
        x.take(index), x.put(index, s), x.masked_scatter(x > 0, s.repeat(2)),
        t.select_scatter(x.view(2, 2), s, 0, 0), t.rot90(x.view(2, 2)), t.diag(x),
        t.vdot(x, x))]


def test_edges_as_torch():
    check(_edges)
