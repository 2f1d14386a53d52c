"""torch's alias names, the in-place forms (comparisons, logical ops, sign_, tril_,
cumsum_, multiply_, ...) and addmv/addr/addbmm with their in-place forms, against torch
2.13, live: values, dtypes, nodes, versions, gradients and double backward, errors."""
import pytest

from surface_live import check
from tensorops_live import compare

A = [[0.31, -0.42, 0.77], [-2.5, 0.5, 2.25]]
B = [[1.2, 0.6, -0.9], [0.7, -1.3, 2.0]]
SQUARE = [[0.3, -1.2, 0.5], [1.1, 0.4, -0.7], [-0.2, 0.9, 1.3]]
V2, V3 = [0.5, -1.5], [2.0, 0.25, -0.75]
BATCH1 = [[[0.2, -0.5], [1.0, 0.3]], [[-0.7, 0.4], [0.6, 1.1]], [[0.9, -0.2], [0.1, 0.8]]]
BATCH2 = [[[0.5, 1.0, -0.3], [0.2, -0.6, 0.7]], [[1.2, 0.1, 0.4], [-0.8, 0.3, 0.6]],
          [[0.05, -0.4, 1.5], [0.9, 0.7, -0.1]]]


def _in_place(method, *args, **kwargs):
    """x * 1, then the in-place method on it (a leaf cannot be modified in place)."""
    def fn(t, x, *leaves):
        y = x * 1
        getattr(y, method)(*leaves, *args, **kwargs)
        return y
    return fn


OPS = {
    "eq_": (_in_place("eq_", 0.5), (A,)),
    "ne_tensor": (_in_place("ne_"), (A, B)),
    "gt_": (_in_place("gt_", 0.0), (A,)),
    "greater_equal_": (_in_place("greater_equal_"), (A, B)),
    "less_": (_in_place("less_", 0.3), (A,)),
    "multiply_": (_in_place("multiply_"), (A, B)),
    "subtract_": (_in_place("subtract_", alpha=2), (A, B)),
    "divide_": (_in_place("divide_"), (A, B)),
    "true_divide_": (_in_place("true_divide_", 4.0), (A,)),
    "absolute_": (_in_place("absolute_"), (A,)),
    "sign_": (_in_place("sign_"), (A,)),
    "sgn_": (_in_place("sgn_"), (A,)),
    "fix_": (_in_place("fix_"), (A,)),
    "fix": (lambda t, x: t.fix(x * 3), (A,)),
    "tril_": (_in_place("tril_"), (SQUARE,)),
    "triu_": (_in_place("triu_", 1), (SQUARE,)),
    "cumsum_": (_in_place("cumsum_", 1), (A,)),
    "cumprod_": (_in_place("cumprod_", 0), (A,)),
    "logical_not_": (_in_place("logical_not_"), (A,)),
    "logical_and_": (_in_place("logical_and_"), (A, B)),
    "addmm_": (lambda t, c, a, b: (c * 1).addmm_(a.t(), b, beta=0.5, alpha=2), (SQUARE, A, B)),
    "addmv": (lambda t, c, m, v: t.addmv(c, m, v), (V2, A, V3)),
    "addmv_scaled": (lambda t, c, m, v: c.addmv(m, v, beta=2, alpha=0.5), (V2, A, V3)),
    "addmv_broadcast": (lambda t, c, m, v: t.addmv(c[:1], m, v), (V2, A, V3)),
    "addmv_": (lambda t, c, m, v: (c * 1).addmv_(m, v, alpha=3), (V2, A, V3)),
    "addr": (lambda t, c, a, b: t.addr(c, a, b), (A, V2, V3)),
    "addr_scaled": (lambda t, c, a, b: c.addr(a, b, beta=3, alpha=-1), (A, V2, V3)),
    "addr_broadcast": (lambda t, c, a, b: t.addr(c[0], a, b), (A, V2, V3)),
    "addr_": (lambda t, c, a, b: (c * 1).addr_(a, b, beta=0.5), (A, V2, V3)),
    "addbmm": (lambda t, c, a, b: t.addbmm(c, a, b), (A, BATCH1, BATCH2)),
    "addbmm_scaled": (lambda t, c, a, b: c.addbmm(a, b, beta=2, alpha=0.5), (A, BATCH1, BATCH2)),
    "addbmm_": (lambda t, c, a, b: (c * 1).addbmm_(a, b, alpha=2), (A, BATCH1, BATCH2)),
    "baddbmm_": (lambda t, a, b: (a @ b).baddbmm_(a, b, beta=0.5), (BATCH1, BATCH1)),
}
# addmv/addr/addbmm: ATen's backward formulas use ger/mv/expand+bmm: values of the second
# derivative are compared, not the names of its graph.
VALUES_ONLY = {name for name in OPS if name.startswith(("addmv", "addr", "addbmm"))} | {
    "cumprod_", "divide_", "addmm_", "baddbmm_"}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", OPS)
def test_values_gradients_and_graphs(name, dtype):
    fn, data = OPS[name]
    compare(fn, data, dtype, graph=name not in VALUES_ONLY)


def _graph_after(t, method, *args):
    a = t.tensor([1.0, 0.0, 3.0], requires_grad=True)
    x = a * 1
    getattr(x, method)(*args)
    node = x.grad_fn
    return [x, x._version, node.name(), len(node.next_functions)]


def _view_after(t, method, *args):
    a = t.tensor([1.0, 0.0, 3.0], requires_grad=True)
    x = a * 1
    v = x[1:]
    getattr(v, method)(*args)
    (v * 2).sum().backward()
    return [x, v.grad_fn.name(), x.grad_fn.name(), x._version, a.grad]


def _backward_error(t, method, *args):
    a = t.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x = a * 1
    getattr(x, method)(*args)
    x.sum().backward()
    return a.grad


SNIPPETS = {
    "aliases": lambda t: [f(t.tensor([1.0, 2.0, 3.0]), 2) for f in
                          (t.greater, t.greater_equal, t.less, t.less_equal, t.not_equal)],
    "alias_methods": lambda t: [getattr(t.tensor([1, 2, 3]), m)(t.tensor([2, 2, 2])) for m in
                                ("greater", "greater_equal", "less", "less_equal", "not_equal")],
    "eq_graph": lambda t: _graph_after(t, "eq_", 1.0),
    "ne_tensor_graph": lambda t: _graph_after(t, "ne_", t.tensor([1.0, 1.0, 1.0])),
    "lt_graph": lambda t: _graph_after(t, "lt_", t.tensor(2.0, requires_grad=True)),
    "less_equal_graph": lambda t: _graph_after(t, "less_equal_", 1.0),
    "logical_not_keeps_node": lambda t: _graph_after(t, "logical_not_"),
    "logical_or_keeps_node": lambda t: _graph_after(t, "logical_or_", t.tensor([0.0, 0.0, 1.0])),
    "logical_xor_keeps_node": lambda t: _graph_after(t, "logical_xor_", t.tensor([0.0, 0.0, 1.0])),
    "logical_not_on_leaf": lambda t: (lambda a: [a.logical_not_(), a._version])(
        t.tensor([1.0, 0.0], requires_grad=True)),
    "eq_on_leaf": lambda t: t.tensor([1.0], requires_grad=True).eq_(1),
    "logical_not_view": lambda t: _view_after(t, "logical_not_"),
    "eq_view": lambda t: _view_after(t, "eq_", 0.0),
    "eq_int_float": lambda t: t.tensor([1, 2]).eq_(1.5),
    "ne_int_tensor": lambda t: t.tensor([1, 2]).ne_(t.tensor([1.0, 5.0])),
    "logical_not_int": lambda t: t.tensor([1, 0]).logical_not_(),
    "logical_and_bool": lambda t: t.tensor([True, False]).logical_and_(t.tensor([1.0, 1.0])),
    "gt_broadcast_error": lambda t: t.ones(2).gt_(t.ones(2, 2)),
    "floor_divide_grad_fn": lambda t: _graph_after(t, "floor_divide_", 2),
    "floor_divide_backward": lambda t: _backward_error(t, "floor_divide_", 2),
    "floor_divide_out_of_place": lambda t: (lambda a: [a // 2, (a // 2).grad_fn.name(),
                                                       len((a // 2).grad_fn.next_functions)])(
        t.tensor([1.0, 3.0], requires_grad=True)),
    "floor_divide_tensor_edges": lambda t: len(t.floor_divide(
        t.tensor([1.0, 3.0], requires_grad=True),
        t.tensor([2.0, 2.0], requires_grad=True)).grad_fn.next_functions),
    "floor_divide_out_of_place_backward": lambda t: (lambda a: (a // 2).sum().backward())(
        t.tensor([1.0, 3.0], requires_grad=True)),
    "floor_divide_int": lambda t: t.tensor([7, -7]).floor_divide_(2),
    "true_divide_int": lambda t: t.tensor([1, 2]).true_divide_(2),
    "divide_floor_int": lambda t: t.tensor([7, -7]).divide_(2, rounding_mode="floor"),
    "sign_int": lambda t: t.tensor([-3, 0, 2]).sign_(),
    "fix_function": lambda t: [t.fix(t.tensor([1.5, -2.5])), t.fix_(t.tensor([1.5, -2.5]))],
    "fix_int": lambda t: t.tensor([3, -2]).fix_(),
    "cumsum_dtype_mismatch": lambda t: t.ones(2, 3).cumsum_(1, dtype=t.float64),
    "cumsum_same_dtype": lambda t: t.ones(2, 3).cumsum_(1, dtype=t.float32),
    "cumprod_int": lambda t: t.tensor([1, 2, 3]).cumprod_(0),
    "tril_version": lambda t: (lambda x: [x.tril_(-1), x._version])(t.ones(3, 3)),
    "addmm_plain": lambda t: t.ones(2, 2).addmm_(t.ones(2, 3), t.ones(3, 2), beta=0.5, alpha=2),
    "addmv_size_mismatch": lambda t: t.addmv(t.ones(2), t.ones(2, 3), t.ones(4)),
    "addmv_input_size": lambda t: t.addmv(t.ones(3), t.ones(2, 3), t.ones(3)),
    "addmv_dtypes": lambda t: t.addmv(t.ones(2), t.ones(2, 3), t.ones(3, dtype=t.float64)),
    "addmv_ranks": lambda t: t.addmv(t.ones(2), t.ones(3), t.ones(3)),
    "addmv_beta_zero_nan": lambda t: t.addmv(t.tensor([float("nan"), 1.0]), t.ones(2, 3),
                                             t.ones(3), beta=0),
    "addmv_in_place_torch": lambda t: t.addmv_(t.ones(2), t.ones(2, 3), t.ones(3)),
    "addmv_in_place_size": lambda t: t.ones(1).addmv_(t.ones(2, 3), t.ones(3)),
    "addmv_int": lambda t: t.addmv(t.ones(2, dtype=t.int64), t.ones(2, 3, dtype=t.int64),
                                   t.arange(3), beta=2, alpha=3),
    "addr_expand_error": lambda t: t.addr(t.ones(2, 2), t.ones(2), t.ones(3)),
    "addr_rank_error": lambda t: t.addr(t.ones(2, 2), t.ones(2, 1), t.ones(2)),
    "addr_int_beta": lambda t: t.addr(t.ones(2, 3, dtype=t.int64), t.ones(2, dtype=t.int64),
                                      t.ones(3, dtype=t.int64), beta=0.5),
    "addr_mixed_dtypes": lambda t: t.addr(t.ones(2, 3), t.ones(2, dtype=t.int64),
                                          t.ones(3, dtype=t.int64)),
    "addr_bool": lambda t: t.addr(t.zeros(2, 3, dtype=t.bool), t.tensor([True, False]),
                                  t.tensor([True, True, False])),
    "addbmm_sizes": lambda t: t.addbmm(t.ones(2, 2), t.ones(3, 2, 4), t.ones(3, 5, 2)),
    "addbmm_expand": lambda t: t.addbmm(t.ones(2, 2), t.ones(2, 4), t.ones(3, 4, 2)),
    "addbmm_values": lambda t: t.addbmm(t.ones(2), t.arange(12.0).reshape(2, 2, 3),
                                        t.arange(12.0).reshape(2, 3, 2), beta=0.5),
}


@pytest.mark.parametrize("name", SNIPPETS)
def test_as_torch(name):
    check(SNIPPETS[name])
