"""masked_fill / masked_fill_ against torch 2.13, live (tests/oracle.py): values, nodes,
saved values, gradients and error texts."""
import pytest

import engine
import oracle
from engine.autograd import gradcheck
from oracle import error_of


def mask(t):
    return t.tensor([True, False, True, False])


def x12(t):
    return t.tensor([[1., 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]], requires_grad=True)


def edge_names(tensor):
    return [None if node is None else node.name() for node, _ in tensor.grad_fn.next_functions]


def node_of(y):
    return {"node": y.grad_fn.name(), "edges": edge_names(y),
            "saved": sorted(a for a in dir(y.grad_fn) if a.startswith("_saved_"))}


@pytest.mark.parametrize("fill", [
    lambda t, x: x.masked_fill(mask(t), 2.5),
    lambda t, x: t.masked_fill(x, mask(t), 2.5),
    lambda t, x: x.masked_fill(mask=mask(t), value=2.5),
])
def test_python_number_value(fill):
    def case(t):
        y = fill(t, x12(t))
        return [y.tolist(), node_of(y), y.grad_fn._saved_mask.tolist()]
    assert oracle.agree(case)[1]["node"] == "MaskedFillBackward0"


def test_tensor_value_that_needs_no_grad_still_gets_an_edge():
    oracle.agree(lambda t: node_of(x12(t).masked_fill(mask(t), t.tensor(3.0))))


def test_value_gradient_is_the_sum_over_the_filled_places():
    def case(t):
        x, v = x12(t), t.tensor(3.0, requires_grad=True)
        y = x.masked_fill(t.tensor([[True], [False], [True]]), v)
        y.backward(t.arange(12.).reshape(3, 4))
        return x.grad.tolist(), v.grad.tolist()
    oracle.agree(case)


def test_a_larger_mask_broadcasts_input_and_the_gradient_is_summed_back():
    def case(t):
        x, v = x12(t), t.tensor(3.0, dtype=t.float64, requires_grad=True)
        y = x.masked_fill(t.ones(2, 3, 4, dtype=t.bool).logical_and(
            t.tensor([True, False, False, True])), v)
        y.backward(t.ones(2, 3, 4))
        return [tuple(y.shape), str(y.dtype), x.grad.tolist(), repr(v.grad)]
    oracle.agree(case)


def test_in_place_moves_the_tensor_onto_the_fill_node():
    def case(t):
        z = x12(t) * 1
        z.masked_fill_(mask(t), t.tensor(3.0, requires_grad=True))
        return node_of(z), z._version
    oracle.agree(case)


@pytest.mark.parametrize("dtype, value", [
    ("bool", 0.5), ("long", -2.7), ("long", "tensor 2.7")])
def test_value_is_cast_to_the_input_dtype(dtype, value):
    def case(t):
        fill = t.tensor(2.7) if value == "tensor 2.7" else value
        out = t.ones(3, dtype=getattr(t, dtype)).masked_fill(t.tensor([True, False, True]), fill)
        return out.tolist(), str(out.dtype)
    oracle.agree(case)


def test_second_derivative_through_a_fill():
    where = engine.tensor([True, False, True])

    def first_grad(x, v):
        y = (x.masked_fill(where, v) ** 3).sum()
        return engine.autograd.grad(y, (x, v), create_graph=True)

    x = engine.tensor([0.3, -0.8, 1.1], dtype=engine.float64, requires_grad=True)
    v = engine.tensor(0.7, dtype=engine.float64, requires_grad=True)
    assert gradcheck(first_grad, (x, v), eps=1e-6, atol=1e-5, rtol=1e-4)


ERRORS = [
    lambda t, x: x.masked_fill(t.ones(5), t.ones(2)),
    lambda t, x: x.masked_fill(t.ones(4), t.ones(2)),
    lambda t, x: x.masked_fill(t.ones(4), 1.0),
    lambda t, x: x.masked_fill(t.ones(4, dtype=t.uint8), 1.0),
    lambda t, x: x.masked_fill(t.ones(4, dtype=t.long), 1.0),
    lambda t, x: x.masked_fill(mask(t), None),
    lambda t, x: t.masked_fill(x, mask(t), "a"),
    lambda t, x: x.masked_fill_(mask(t), "a"),
    lambda t, x: x.masked_fill_(mask(t), 1.0),
    lambda t, x: x.detach().masked_fill_(t.ones(5, dtype=t.bool), 1.0),
    lambda t, x: x.detach().masked_fill_(t.ones(2, 3, 4, dtype=t.bool), 1.0),
]


@pytest.mark.parametrize("index", range(len(ERRORS)))
def test_errors_match_torch(index):
    assert oracle.agree(lambda t: error_of(lambda: ERRORS[index](t, x12(t)))) is not None
