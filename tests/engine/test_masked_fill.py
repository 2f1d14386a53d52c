"""masked_fill / masked_fill_ against what torch 2.13 does (values, nodes, gradients and
error texts recorded from torch by hand; torch is never imported here)."""
import pytest

import engine
from engine.autograd import gradcheck

MASK = engine.tensor([True, False, True, False])


def x12():
    return engine.tensor([[1., 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]], requires_grad=True)


def edge_names(tensor):
    return [None if node is None else node.name() for node, _ in tensor.grad_fn.next_functions]


@pytest.mark.parametrize("fill", [
    lambda x: x.masked_fill(MASK, 2.5),
    lambda x: engine.masked_fill(x, MASK, 2.5),
    lambda x: x.masked_fill(mask=MASK, value=2.5),
])
def test_python_number_value(fill):
    y = fill(x12())
    assert y.tolist() == [[2.5, 2.0, 2.5, 4.0], [2.5, 6.0, 2.5, 8.0], [2.5, 10.0, 2.5, 12.0]]
    assert y.grad_fn.name() == "MaskedFillBackward0"
    assert edge_names(y) == ["torch::autograd::AccumulateGrad"]
    assert sorted(a for a in dir(y.grad_fn) if a.startswith("_saved_")) == ["_saved_mask"]
    assert y.grad_fn._saved_mask.tolist() == MASK.tolist()


def test_tensor_value_that_needs_no_grad_still_gets_an_edge():
    y = x12().masked_fill(MASK, engine.tensor(3.0))
    assert y.grad_fn.name() == "MaskedFillBackward1"
    assert edge_names(y) == ["torch::autograd::AccumulateGrad", None]


def test_value_gradient_is_the_sum_over_the_filled_places():
    x, v = x12(), engine.tensor(3.0, requires_grad=True)
    y = x.masked_fill(engine.tensor([[True], [False], [True]]), v)
    y.backward(engine.arange(12.).reshape(3, 4))
    assert x.grad.tolist() == [[0.0, 0.0, 0.0, 0.0], [4.0, 5.0, 6.0, 7.0], [0.0, 0.0, 0.0, 0.0]]
    assert v.grad.tolist() == 44.0


def test_a_larger_mask_broadcasts_input_and_the_gradient_is_summed_back():
    x, v = x12(), engine.tensor(3.0, dtype=engine.float64, requires_grad=True)
    mask = engine.ones(2, 3, 4, dtype=engine.bool).logical_and(
        engine.tensor([True, False, False, True]))
    y = x.masked_fill(mask, v)
    assert tuple(y.shape) == (2, 3, 4) and y.dtype == engine.float32
    y.backward(engine.ones(2, 3, 4))
    assert x.grad.tolist() == [[0.0, 2.0, 2.0, 0.0]] * 3
    assert v.grad.tolist() == 12.0 and v.grad.dtype == engine.float64


def test_in_place_moves_the_tensor_onto_the_fill_node():
    z = x12() * 1
    z.masked_fill_(MASK, engine.tensor(3.0, requires_grad=True))
    assert z.grad_fn.name() == "MaskedFillBackward1" and z._version == 1
    assert edge_names(z) == ["MulBackward0", "torch::autograd::AccumulateGrad"]


@pytest.mark.parametrize("dtype, value, expected", [
    (engine.bool, 0.5, [True, True, True]),
    (engine.long, -2.7, [-2, 1, -2]),
    (engine.long, engine.tensor(2.7), [2, 1, 2]),
])
def test_value_is_cast_to_the_input_dtype(dtype, value, expected):
    out = engine.ones(3, dtype=dtype).masked_fill(engine.tensor([True, False, True]), value)
    assert out.tolist() == expected and out.dtype == dtype


def test_second_derivative_through_a_fill():
    mask = engine.tensor([True, False, True])

    def first_grad(x, v):
        y = (x.masked_fill(mask, v) ** 3).sum()
        return engine.autograd.grad(y, (x, v), create_graph=True)

    x = engine.tensor([0.3, -0.8, 1.1], dtype=engine.float64, requires_grad=True)
    v = engine.tensor(0.7, dtype=engine.float64, requires_grad=True)
    assert gradcheck(first_grad, (x, v), eps=1e-6, atol=1e-5, rtol=1e-4)


def _type_error(op, tensors, bad, params):
    """torch's argument-parser text: `tensors` are the arguments that matched, `bad` did not."""
    mismatch = ("      didn't match because some of the arguments have invalid types: "
                f"({tensors}, !{bad}!)\n")
    return (f"{op}() received an invalid combination of arguments - got ({tensors}, {bad}), but "
            f"expected one of:\n * ({params}, Tensor value)\n{mismatch}"
            f" * ({params}, Number value)\n{mismatch}")


BOOL_MASK = "masked_fill_ only supports boolean masks, but got mask with dtype "
ERRORS = [
    (lambda x: x.masked_fill(engine.ones(5), engine.ones(2)), RuntimeError,
     "The size of tensor a (5) must match the size of tensor b (4) at non-singleton dimension 1"),
    (lambda x: x.masked_fill(engine.ones(4), engine.ones(2)), RuntimeError,
     "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with 1 "
     "dimension(s)."),
    (lambda x: x.masked_fill(engine.ones(4), 1.0), RuntimeError, BOOL_MASK + "float"),
    (lambda x: x.masked_fill(engine.ones(4, dtype=engine.uint8), 1.0), RuntimeError,
     BOOL_MASK + "unsigned char"),
    (lambda x: x.masked_fill(engine.ones(4, dtype=engine.long), 1.0), RuntimeError,
     BOOL_MASK + "long int"),
    (lambda x: x.masked_fill(MASK, None), TypeError,
     _type_error("masked_fill", "Tensor", "NoneType", "Tensor mask")),
    (lambda x: engine.masked_fill(x, MASK, "a"), TypeError,
     _type_error("masked_fill", "Tensor, Tensor", "str", "Tensor input, Tensor mask")),
    (lambda x: x.masked_fill_(MASK, "a"), TypeError,
     _type_error("masked_fill_", "Tensor", "str", "Tensor mask")),
    (lambda x: x.masked_fill_(MASK, 1.0), RuntimeError,
     "a leaf Variable that requires grad is being used in an in-place operation."),
    (lambda x: x.detach().masked_fill_(engine.ones(5, dtype=engine.bool), 1.0), RuntimeError,
     "The size of tensor a (4) must match the size of tensor b (5) at non-singleton dimension 1"),
    (lambda x: x.detach().masked_fill_(engine.ones(2, 3, 4, dtype=engine.bool), 1.0),
     RuntimeError, "output with shape [3, 4] doesn't match the broadcast shape [2, 3, 4]"),
]


@pytest.mark.parametrize("index", range(len(ERRORS)))
def test_errors_match_torch(index):
    fn, kind, text = ERRORS[index]
    with pytest.raises(kind) as raised:
        fn(x12())
    assert str(raised.value) == text
