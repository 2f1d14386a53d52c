"""split / chunk / unbind / repeat against torch 2.13, live (tests/oracle.py): nodes, saved
values, views, gradients and error texts."""
import numpy as np
import pytest

import engine
import oracle
from oracle import error_of


def x24(t):
    return t.arange(24.).reshape(2, 3, 4).requires_grad_()


def saved(node):
    return {name[7:]: getattr(node, name) for name in dir(node) if name.startswith("_saved_")}


# name -> the call, on the library t and x24
CASES = {
    "split": lambda t, x: x.split(2, -1),
    "split uneven": lambda t, x: t.split(x, 3, 2),
    "split larger than dim": lambda t, x: x.split(5, 2),
    "split keywords": lambda t, x: x.split(split_size=2, dim=1),
    "split sizes": lambda t, x: x.split([1, 3], 2),
    "split sizes tuple": lambda t, x: t.split(x, (3, 1), dim=-1),
    "chunk": lambda t, x: x.chunk(3, 2),
    "chunk more than size": lambda t, x: t.chunk(x, 5, dim=1),
    "chunk empty dim": lambda t, x: t.ones(0, 2, requires_grad=True).chunk(3),
    "unbind": lambda t, x: x.unbind(1),
    "unbind negative": lambda t, x: t.unbind(x, dim=-2),
    "iterate": lambda t, x: tuple(x),
}


def outputs(t, name):
    outs = CASES[name](t, x24(t))
    node = outs[0].grad_fn
    return {"type": type(outs).__name__, "shapes": [tuple(o.shape) for o in outs],
            "node": node.name(), "one node": all(o.grad_fn is node for o in outs),
            "output_nr": [o.output_nr for o in outs], "saved": saved(node)}


@pytest.mark.parametrize("name", sorted(CASES))
def test_outputs_share_one_node(name):
    seen = oracle.agree(outputs, name)
    assert seen["type"] == "tuple" and seen["one node"]


def views_share_the_version_counter(t):
    x = t.tensor(np.arange(24.).reshape(2, 3, 4))
    a, b = x.split(2, -1)
    seen = [a._base is x, b._base is x, a.grad_fn]
    a.mul_(2)
    return seen + [x._version, b._version, x[0, 0, 0].item(), x[0, 0, 1].item()]


def test_outputs_are_views_sharing_the_version_counter():
    assert oracle.agree(views_share_the_version_counter)[:3] == [True, True, None]


@pytest.mark.parametrize("use", [
    lambda x: (x.split([1, 3], -1)[0] * 2).sum(),
    lambda x: (x.unbind(1)[0] + x.unbind(1)[2] * 3).sum(),
    lambda x: (x.chunk(3, 2)[1] ** 2).sum(),
])
def test_unused_outputs_get_zero_gradients(use):
    def case(t):
        x = x24(t)
        use(x).backward()
        return x.grad.tolist()
    oracle.agree(case)


def repeated(t):
    x = x24(t)
    y = x.repeat(2, 1, 1, 2)
    seen = [tuple(y.shape), y.grad_fn.name(), saved(y.grad_fn)]
    y.backward(t.arange(float(y.numel())).reshape(tuple(y.shape)))
    return seen + [x.grad.tolist()]


def test_repeat():
    assert oracle.agree(repeated)[1] == "RepeatBackward0"


@pytest.mark.parametrize("call", [
    lambda t, x: x.repeat((2, 1, 1)),
    lambda t, x: x.repeat(repeats=[1, 2, 1]),
    lambda t, x: x.repeat(t.Size([2, 0, 1])),
    lambda t, x: x.repeat(np.int64(2), 1, 1),
    lambda t, x: t.tensor(2.0, requires_grad=True).repeat(3),
])
def test_repeat_arguments(call):
    def case(t):
        y = call(t, x24(t))
        return tuple(y.shape), y.grad_fn._saved_repeats
    oracle.agree(case)


def test_repeat_values():
    oracle.agree(lambda t: t.tensor([[1, 2], [3, 4]]).repeat(2, 2).tolist())


def _edit_base_then_use(t, x):
    y = x * 1
    a, _ = y.split(2, -1)
    y.mul_(2)
    return a * 1


def _edit_under_no_grad_then_use(t, x):
    a, _ = (x * 1).split(2, -1)
    with t.no_grad():
        a.mul_(2)
    return a * 1


def _setitem(t, x):
    a, _ = (x * 1).split(2, -1)
    a[0] = 1.0


def _edit_a_view_of_an_output(t, x):
    a, _ = (x * 1).unbind(0)
    a[0].mul_(2)


ERRORS = [
    lambda t, x: x.split(0, 2),
    lambda t, x: x.split(-1, 7),
    lambda t, x: x.split([1, 2], -1),
    lambda t, x: x.split([5, -1], 2),
    lambda t, x: x.split([1, -1], 7),
    lambda t, x: t.tensor(1.0).split(1),
    lambda t, x: x.chunk(0),
    lambda t, x: t.tensor(1.0).chunk(1),
    lambda t, x: x.chunk(2, 5),
    lambda t, x: x.unbind(3),
    lambda t, x: t.tensor(1.0, requires_grad=True).unbind(),
    lambda t, x: x.repeat(2, 2),
    lambda t, x: x.repeat(1, -1, -2),
    lambda t, x: x.repeat(),
    lambda t, x: x.repeat((1, 2), 1),
    lambda t, x: x.split(2, -1)[0].mul_(2),
    lambda t, x: x.chunk(2, 2)[1].add_(1),
    lambda t, x: x.split([1, 3], 2)[1].zero_(),
    lambda t, x: list(x)[0].mul_(2),
    _setitem,
    _edit_a_view_of_an_output,
    _edit_base_then_use,
    _edit_under_no_grad_then_use,
]


@pytest.mark.parametrize("index", range(len(ERRORS)))
def test_errors_match_torch(index):
    assert oracle.agree(lambda t: error_of(lambda: ERRORS[index](t, x24(t)))) is not None


@pytest.mark.parametrize("op", [
    lambda x: x.split([1, 2], 1)[1] ** 3,
    lambda x: x.unbind(0)[1] ** 3,
    lambda x: x.repeat(2, 1) ** 3,
])
def test_second_derivative_through_the_node(op):
    from engine.autograd import gradcheck

    def first_grad(x):
        return engine.autograd.grad(op(x).sum(), x, create_graph=True)[0]

    x = engine.tensor([[0.3, -0.8, 1.1], [0.5, 0.2, -1.3]], dtype=engine.float64,
                      requires_grad=True)
    assert gradcheck(first_grad, (x,), eps=1e-6, atol=1e-5, rtol=1e-4)
