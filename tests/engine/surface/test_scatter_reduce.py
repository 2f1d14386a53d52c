"""scatter_reduce and scatter_reduce_ against torch 2.13, live: every reduction with and
without include_self, values, saved values, gradients and double backward, errors."""
import pytest

from surface_live import check
from tensorops_live import compare

A = [[0.31, -0.42, 0.77, 1.5], [-2.5, 0.5, 2.25, 0.1], [1.25, -0.75, 0.2, -1.1]]
SRC = [[1.2, 0.6, -0.9], [0.7, -1.3, 2.0], [-0.45, 1.6, 0.8]]
TIES = [[0.5, 0.5, 0.77, 1.5], [-2.5, 0.5, 2.25, 0.1], [1.25, 1.25, 0.2, -1.1]]
SRC_TIES = [[0.5, 0.6, -0.9], [0.7, 2.25, 2.25], [1.25, 1.6, 0.8]]
WITH_ZERO = [[0.0, 0.6, -0.9], [0.7, -1.3, 0.0], [-0.45, 0.0, 0.0]]
INDEX = [[0, 0, 2], [1, 3, 3], [0, 1, 0]]


def _reduce(reduce, include_self=True, method=False):
    def fn(t, x, s):
        index = t.tensor(INDEX)
        if method:
            return (x * 1).scatter_reduce_(1, index, s, reduce, include_self=include_self)
        return t.scatter_reduce(x, 1, index, s, reduce, include_self=include_self)
    return fn


OPS = {}
for _reduce_name in ("sum", "prod", "mean", "amax", "amin"):
    for _include in (True, False):
        OPS[f"{_reduce_name}_{_include}"] = (_reduce(_reduce_name, _include), (A, SRC))
OPS["amax_ties"] = (_reduce("amax"), (TIES, SRC_TIES))
OPS["amin_ties_excluded"] = (_reduce("amin", False), (TIES, SRC_TIES))
OPS["prod_zeros"] = (_reduce("prod"), (A, WITH_ZERO))
OPS["in_place_mean"] = (_reduce("mean", True, method=True), (A, SRC))
# The double-backward graphs of mean/amax/amin/prod hold ATen's scatter_add/gather chain,
# built in another order here: values compared.
VALUES_ONLY = {name for name in OPS if not name.startswith("sum")}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", OPS)
def test_values_gradients_and_graphs(name, dtype):
    fn, data = OPS[name]
    compare(fn, data, dtype, graph=name not in VALUES_ONLY)


SNIPPETS = {
    "old_name_max": lambda t: t.zeros(3).scatter_reduce(0, t.tensor([0, 0]),
                                                        t.tensor([2.0, 1.0]), "max"),
    "old_name_backward": lambda t: t.zeros(3, requires_grad=True).scatter_reduce(
        0, t.tensor([0, 0]), t.tensor([2.0, 1.0]), "min").sum().backward(),
    "bad_reduce": lambda t: t.ones(3).scatter_reduce(0, t.tensor([0]), t.ones(1), "foo"),
    "dtypes": lambda t: t.ones(3).scatter_reduce(0, t.tensor([0]), t.ones(1, dtype=t.float64),
                                                 "sum"),
    "int_mean": lambda t: t.ones(2, dtype=t.int64).scatter_reduce(
        0, t.tensor([0, 0]), t.tensor([3, 4]), "mean"),
    "int_mean_excluded": lambda t: t.ones(2, dtype=t.int64).scatter_reduce(
        0, t.tensor([0, 0]), t.tensor([3, 4]), "mean", include_self=False),
    "int_amax_excluded": lambda t: t.zeros(3, dtype=t.int64).scatter_reduce(
        0, t.tensor([0, 0]), t.tensor([-3, -4]), "amax", include_self=False),
    "nan_amax": lambda t: t.zeros(2).scatter_reduce(0, t.tensor([0, 0]),
                                                    t.tensor([float("nan"), 1.0]), "amax"),
    "index_out_of_range": lambda t: t.ones(3).scatter_reduce(0, t.tensor([3]), t.ones(1),
                                                             "sum"),
    "in_place_version": lambda t: (lambda x: (x.scatter_reduce_(0, t.tensor([1]), t.ones(1),
                                                                "prod"), x._version))(
        t.full((3,), 2.0)),
}


@pytest.mark.parametrize("name", SNIPPETS)
def test_as_torch(name):
    check(SNIPPETS[name])


def _index_reduce(reduce, include_self=True, method=False):
    def fn(t, x, s):
        index = t.tensor([0, 2, 0])
        if method:
            return (x * 1).index_reduce_(1, index, s, reduce, include_self=include_self)
        return x.index_reduce(1, index, s, reduce, include_self=include_self)
    return fn


INDEX_OPS = {f"{r}_{inc}": (_index_reduce(r, inc), (A, SRC))
             for r in ("prod", "mean", "amax", "amin") for inc in (True, False)}
INDEX_OPS["in_place_amax"] = (_index_reduce("amax", method=True), (A, SRC))
INDEX_OPS["prod_zeros"] = (_index_reduce("prod"), (A, WITH_ZERO))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", INDEX_OPS)
def test_index_reduce_values_and_gradients(name, dtype):
    fn, data = INDEX_OPS[name]
    compare(fn, data, dtype, graph=False)


INDEX_SNIPPETS = {
    "sum": lambda t: t.ones(3, 4).index_reduce(1, t.tensor([0, 2]), t.ones(3, 2), "sum"),
    "matrix_index": lambda t: t.ones(3, 4).index_reduce(1, t.tensor([[0, 2]]), t.ones(3, 2),
                                                       "prod"),
    "count": lambda t: t.ones(3, 4).index_reduce(1, t.tensor([0, 2, 1]), t.ones(3, 2), "prod"),
    "float_index": lambda t: t.ones(3, 4).index_reduce(1, t.tensor([0.0, 2.0]), t.ones(3, 2),
                                                      "prod"),
    "out_of_range": lambda t: t.ones(3, 4).index_reduce(1, t.tensor([0, 5]), t.ones(3, 2),
                                                       "prod"),
    "negative_index": lambda t: t.ones(3, 4).index_reduce(1, t.tensor([-1, 0]),
                                                         t.full((3, 2), 2.0), "prod"),
    "torch_function": lambda t: t.index_reduce(t.zeros(2, 2), 0, t.tensor([1, 1]),
                                               t.tensor([[1.0, 5.0], [3.0, -1.0]]), "amax",
                                               include_self=False),
}


@pytest.mark.parametrize("name", INDEX_SNIPPETS)
def test_index_reduce_as_torch(name):
    check(INDEX_SNIPPETS[name])
