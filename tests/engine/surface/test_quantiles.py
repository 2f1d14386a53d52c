"""quantile, nanquantile, cov and corrcoef against torch 2.13, live: values, dtypes, the
nodes of their graphs (sort, view, gather, lerp_, squeeze_; sub, mm, div), gradients and
double backward, errors."""
import pytest

from surface_live import check
from tensorops_live import compare

A = [[0.31, -0.42, 0.77, 1.5], [-2.5, 0.5, 2.25, 0.1], [1.25, -0.75, 0.2, -1.1]]
ROW = [0.5, -1.5, 2.0, 0.25, 1.1]


def _q(t, values):
    return t.tensor(values, dtype=t.get_default_dtype())


OPS = {
    "quantile": (lambda t, x: t.quantile(x, 0.3), (A,)),
    "quantile_dim": (lambda t, x: x.quantile(0.7, dim=1), (A,)),
    "quantile_dim0_keepdim": (lambda t, x: x.quantile(0.5, 0, keepdim=True), (A,)),
    "quantile_tensor_q": (lambda t, x: t.quantile(x, x[0, :2].detach().abs() / 2, dim=1), (A,)),
    "quantile_tensor_q_all": (lambda t, x: x.quantile(x[0, 1:3].detach().abs()), (A,)),
    "quantile_lower": (lambda t, x: x.quantile(0.3, interpolation="lower"), (A,)),
    "quantile_higher": (lambda t, x: x.quantile(0.3, 1, interpolation="higher"), (A,)),
    "quantile_midpoint": (lambda t, x: x.quantile(0.3, 0, interpolation="midpoint"), (A,)),
    "quantile_nearest": (lambda t, x: x.quantile(0.5, interpolation="nearest"), (ROW,)),
    "quantile_vector": (lambda t, v: t.quantile(v, 0.9), (ROW,)),
    "nanquantile": (lambda t, x: t.nanquantile(x.log(), 0.4, dim=1), (A,)),
    "nanquantile_all": (lambda t, x: x.sqrt().nanquantile(0.6), (A,)),
    "cov": (lambda t, x: t.cov(x), (A,)),
    "cov_vector": (lambda t, v: v.cov(), (ROW,)),
    "cov_correction": (lambda t, x: t.cov(x, correction=0), (A,)),
    "corrcoef": (lambda t, x: t.corrcoef(x), (A,)),
    "corrcoef_method": (lambda t, x: x.t().corrcoef(), (A,)),
}
VALUES_ONLY: set = set()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", OPS)
def test_values_gradients_and_graphs(name, dtype):
    fn, data = OPS[name]
    compare(fn, data, dtype, graph=name not in VALUES_ONLY)


SNIPPETS = {
    "nan_row": lambda t: t.quantile(t.tensor([[1.0, float("nan")], [1.0, 2.0]]), 0.5, dim=1),
    "nanquantile_all_nan": lambda t: t.nanquantile(t.tensor([float("nan"), float("nan")]), 0.5),
    "q_out_of_range": lambda t: t.quantile(t.ones(3), 1.5),
    "q_tensor_out_of_range": lambda t: t.quantile(t.ones(3), t.tensor([0.5, -0.1])),
    "q_2d": lambda t: t.quantile(t.ones(3), t.ones(1, 1) / 2),
    "q_dtype": lambda t: t.quantile(t.ones(3), t.tensor([0.5], dtype=t.float64)),
    "int_input": lambda t: t.quantile(t.tensor([1, 2, 3]), 0.5),
    "interpolation": lambda t: t.quantile(t.ones(3), 0.5, interpolation="cubic"),
    "empty": lambda t: t.quantile(t.ones(0), 0.5),
    "float64": lambda t: t.tensor([1.0, 2.0, 4.0], dtype=t.float64).quantile(
        t.tensor([0.25, 0.75], dtype=t.float64)),
    "keepdim_all": lambda t: t.quantile(t.arange(6.0).reshape(2, 3), 0.5, keepdim=True),
    "0dim": lambda t: t.quantile(t.tensor(3.0), 0.5),
    "cov_int": lambda t: t.cov(t.tensor([[1, 2, 4], [0, 5, 1]])),
    "cov_3d": lambda t: t.cov(t.ones(2, 2, 2)),
    "cov_one_observation": lambda t: t.cov(t.ones(2, 1)),
    "corrcoef_constant_row": lambda t: t.corrcoef(t.tensor([[1.0, 1.0, 1.0], [1.0, 2.0, 4.0]])),
    "corrcoef_vector": lambda t: t.corrcoef(t.tensor([1.0, 2.0, 4.0])),
}


@pytest.mark.parametrize("name", SNIPPETS)
def test_as_torch(name):
    check(SNIPPETS[name])
