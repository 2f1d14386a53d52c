"""More torch.* functions against torch 2.13, live: the top-level in-place functions, fill,
empty_strided, trapezoid/trapz/cumulative_trapezoid, vander (their graphs), chain_matmul,
unravel_index, the windows, typename and the queries."""
import pytest

from surface_live import check
from tensorops_live import compare

A = [[0.31, -0.42, 0.77, 1.5], [-2.5, 0.5, 2.25, 0.1], [1.25, -0.75, 0.2, -1.1]]
ROW = [0.5, -1.5, 2.0]

OPS = {
    "trapezoid": (lambda t, y: t.trapezoid(y), (A,)),
    "trapezoid_dx_dim": (lambda t, y: t.trapezoid(y, dx=0.5, dim=0), (A,)),
    "trapezoid_x": (lambda t, y: t.trapezoid(y, t.tensor([0.0, 1.0, 3.0, 4.5], dtype=y.dtype)),
                    (A,)),
    "trapz": (lambda t, y: t.trapz(y, dim=0), (A,)),
    "cumulative_trapezoid": (lambda t, y: t.cumulative_trapezoid(y), (A,)),
    "cumulative_trapezoid_x": (lambda t, y: t.cumulative_trapezoid(
        y, t.tensor([0.0, 2.0, 3.0], dtype=y.dtype), dim=0), (A,)),
    "fill": (lambda t, x: t.fill(x, 2.0) * x, (A,)),
    "fill_tensor": (lambda t, x, v: t.fill(x, v[0]) * x, (A, ROW)),
    "clamp_": (lambda t, x: t.clamp_(x * 1, -0.5, 0.5), (A,)),
    "square_": (lambda t, x: t.square_(x * 1), (A,)),
    "negative_": (lambda t, x: t.negative_(x * 1), (A,)),
    "chain_matmul": (lambda t, x: t.chain_matmul(x, x.t(), x), (A,)),
}
VALUES_ONLY = {"trapezoid_x", "cumulative_trapezoid_x", "chain_matmul", "fill_tensor"}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", OPS)
def test_values_gradients_and_graphs(name, dtype):
    fn, data = OPS[name]
    compare(fn, data, dtype, graph=name not in VALUES_ONLY)


SNIPPETS = {
    "detach": lambda t: t.detach(t.ones(2, requires_grad=True) * 2),
    "zero_fill_": lambda t: [t.zero_(t.ones(2)), t.fill_(t.ones(2), 3.0),
                             t.clip_(t.tensor([-2.0, 2.0]), -1, 1)],
    "xlogy_": lambda t: t.xlogy_(t.ones(2), 2.0),
    "fill_grad_fns": lambda t: (lambda x: [t.fill(x, 2.0).grad_fn.name(),
                                           t.fill(x, t.tensor(2.0)).grad_fn.name()])(
        t.ones(2, requires_grad=True)),
    "fill_2d_value": lambda t: t.fill(t.ones(2), t.ones(2)),
    "empty_strided": lambda t: (lambda e: (tuple(e.shape), e.stride(), str(e.dtype)))(
        t.empty_strided((2, 3), (1, 2))),
    "empty_strided_dtype": lambda t: t.empty_strided((2,), (1,), dtype=t.int64).dtype,
    "trapezoid_int": lambda t: t.trapezoid(t.tensor([1, 2, 4])),
    "trapezoid_empty": lambda t: t.trapezoid(t.ones(2, 0)),
    "trapz_dx_positional": lambda t: t.trapz(t.tensor([1.0, 2.0, 4.0]), 0.5),
    "vander": lambda t: [t.vander(t.tensor([0.5, -1.5, 2.0]), N=4),
                         t.vander(t.tensor([0.5, -1.5, 2.0]), increasing=True)],
    "vander_graph": lambda t: t.vander(t.tensor([0.5, -1.5], requires_grad=True)).grad_fn.name(),
    "vander_backward_raises_as_torchs": lambda t: t.vander(
        t.tensor([0.5, -1.5, 2.0], requires_grad=True)).sum().backward(),
    "vander_int": lambda t: [t.vander(t.tensor([1, 2], dtype=t.int32)),
                             t.vander(t.tensor([True, False]))],
    "vander_n0": lambda t: t.vander(t.tensor([1.0, 2.0]), N=0),
    "vander_2d": lambda t: t.vander(t.ones(2, 2)),
    "vander_negative": lambda t: t.vander(t.ones(2), N=-1),
    "unravel_index": lambda t: t.unravel_index(t.tensor([5, 7, -1]), (3, 4)),
    "unravel_index_int": lambda t: t.unravel_index(t.tensor(5), 6),
    "unravel_index_range": lambda t: t.unravel_index(t.tensor([12]), (3, 4)),
    "windows": lambda t: [t.hann_window(5), t.hann_window(5, periodic=False),
                          t.hamming_window(4), t.blackman_window(6), t.bartlett_window(5),
                          t.kaiser_window(5), t.hann_window(1), t.hann_window(0),
                          t.hamming_window(6, dtype=t.float64),
                          t.kaiser_window(7, False, beta=5.0)],
    "typename": lambda t: [t.typename(t.ones(1)), t.typename(t.ones(1, dtype=t.int64)),
                           t.typename(3), t.typename([])],
    "queries": lambda t: (lambda x: [t.get_device(x), t.is_inference(x), t.is_storage(x)])(
        t.ones(2)),
}


@pytest.mark.parametrize("name", SNIPPETS)
def test_as_torch(name):
    check(SNIPPETS[name])
