"""When several saved values of a node were modified in place, the error names the one
PyTorch's generated code unpacks first: saved inputs in the order of their names, then
saved outputs (core seed 901432: `min(v4, x5)` with both changed named `x5`, "other"),
live against torch."""
import pytest

import oracle

SHAPES = ((2, 1), (1, 3), (2, 3))

CALLS = {
    "mul": (lambda t, a, b: a * b, 2),
    "minimum": (lambda t, a, b: t.minimum(a, b), 2),
    "addcmul": (lambda t, a, b, c: t.addcmul(a, b, c), 3),
    "addcmul reversed": (lambda t, a, b, c: t.addcmul(c, b, a), 3),
    "atan2": (lambda t, a, b: t.atan2(a, b), 2),
    "pow": (lambda t, a, b: a.pow(b), 2),
    "lerp": (lambda t, a, b, c: t.lerp(a, b, c), 3),
    "mm": (lambda t, a, b: t.mm(a.expand(2, 3), b.t().expand(3, 4)), 2),
    "exp then mul": (lambda t, a, b: a.exp() * b, 2),
}


def modified_error(lib, name):
    call, arity = CALLS[name]
    torch = lib.torch
    inputs = [torch.ones(*shape, requires_grad=True).clone() for shape in SHAPES[:arity]]
    out = call(torch, *inputs)
    with torch.no_grad():
        for tensor in inputs:
            tensor.add_(1)
    return oracle.error_of(lambda: out.sum().backward())


@pytest.mark.parametrize("name", sorted(CALLS))
def test_the_first_modified_value_in_unpack_order_is_named(name):
    error = oracle.agree(modified_error, name, namespace_arg=True)
    assert "modified by an inplace operation" in error[1]


def test_the_seed_names_the_leaf_not_the_view():
    def case(lib):
        torch = lib.torch
        x1 = torch.tensor(-1.47, requires_grad=True)
        view = (x1 * 1)[()]
        x5 = torch.tensor(-0.578, requires_grad=True)
        smaller = torch.min(view, x5)
        view += 2
        with torch.no_grad():
            x5.expand(1)[torch.tensor([0, 0])] = torch.tensor(-0.3)
        return oracle.error_of(lambda: smaller.backward())

    error = oracle.agree(case, namespace_arg=True)
    assert "[torch.FloatTensor []] is at version 1" in error[1]
