"""cumsum, flip, roll, tril/triu, logsumexp, sort, argsort and topk against torch 2.13, live:
values and dtypes, node names, saved attributes, gradients (and second gradients), 0-dim
and empty inputs, NaN ordering, and the errors."""
import numpy as np
import pytest

import oracle
from oracle import error_of

RNG = np.random.default_rng(5)
DATA = RNG.normal(size=(3, 4)).astype(np.float32)


def saved_attributes(node) -> dict:
    plain = {}
    for name in dir(node):
        if name.startswith("_saved_"):
            value = getattr(node, name)
            plain[name] = tuple(value.shape) if hasattr(value, "shape") else value
    return plain


OPS = {
    "cumsum": lambda t, x: x.cumsum(-1),
    "cumsum_fn": lambda t, x: t.cumsum(x, 0),
    "cumsum_dtype": lambda t, x: x.cumsum(1, dtype=t.float64),
    "flip": lambda t, x: x.flip(-1, 0),
    "flip_list": lambda t, x: t.flip(x, [1]),
    "roll": lambda t, x: x.roll(1, -1),
    "roll_flat": lambda t, x: x.roll(5),
    "roll_many": lambda t, x: t.roll(x, (1, -3), (0, 1)),
    "tril": lambda t, x: x.tril(1),
    "triu": lambda t, x: t.triu(x, -1),
    "logsumexp": lambda t, x: x.logsumexp(-1),
    "logsumexp_keep": lambda t, x: t.logsumexp(x, (0, 1), keepdim=True),
    "sort": lambda t, x: x.sort(-1, descending=True).values,
    "sort_dim0": lambda t, x: t.sort(x, 0).values,
    "topk": lambda t, x: x.topk(2).values,
    "topk_smallest": lambda t, x: t.topk(x, 2, dim=0, largest=False).values,
}


@pytest.mark.parametrize("name", OPS)
def test_values_nodes_and_gradients(name):
    def case(torch):
        x = torch.tensor(DATA, requires_grad=True)
        y = OPS[name](torch, x)
        saved = saved_attributes(y.grad_fn)       # before backward frees them
        weights = torch.arange(y.numel(), dtype=y.dtype).reshape(y.shape) / 7
        (grad,) = torch.autograd.grad((y * weights).sum(), x, create_graph=True)
        second = None
        if grad.requires_grad:                  # linear ops: the gradient is a constant
            (second,) = torch.autograd.grad((grad * grad).sum(), x)
        return (y.detach().numpy().round(5).tolist(), str(y.dtype), y.grad_fn.name(),
                saved, grad.detach().numpy().round(5).tolist(),
                None if second is None else second.numpy().round(4).tolist())
    oracle.agree(case)


def test_indices_and_return_types():
    def case(torch):
        x = torch.tensor([[3.0, 1.0, 3.0, float("nan")], [0.0, -1.0, 2.0, 2.0]])
        # topk's order among equal values is unspecified (torch's differs by row): no ties.
        distinct = torch.tensor([[3.0, 1.0, 4.0, float("nan")], [0.0, -1.0, 2.0, 5.0]])
        ordered, down, top = x.sort(), x.sort(descending=True, stable=True), distinct.topk(3)
        return (repr(ordered), repr(down), repr(top), x.argsort(dim=1).tolist(),
                torch.argsort(x, 0, descending=True).tolist(), ordered.indices.requires_grad)
    oracle.agree(case)


def test_integer_and_bool_inputs():
    def case(torch):
        ints = torch.tensor([[3, 1], [2, 5]])
        flags = torch.tensor([True, False, True])
        return (repr(ints.cumsum(0)), repr(flags.cumsum(0)), repr(ints.logsumexp(1)),
                repr(ints.sort(descending=True)), repr(flags.sort()), repr(ints.flip(0)),
                repr(ints.tril()), repr(ints.roll(1, 1)), repr(ints.topk(1)))
    oracle.agree(case)


def test_zero_dim_and_empty():
    def case(torch):
        s = torch.tensor(2.0, requires_grad=True)
        outs = [s.cumsum(0), s.flip(0), s.roll(1), s.sort().values, s.topk(1).values,
                s.logsumexp(0)]
        grads = torch.autograd.grad(sum(o * 1 for o in outs), s)
        empty = torch.zeros(0, 3)
        return ([repr(o) for o in outs], repr(grads), repr(empty.cumsum(0)),
                repr(empty.sort(0)), repr(empty.logsumexp(0)), repr(empty.flip(0)))
    oracle.agree(case)


@pytest.mark.parametrize("make", [
    lambda t: t.ones(3).tril(),
    lambda t: t.ones(3).triu(),
    lambda t: t.ones(2, 2).flip(0, 0),
    lambda t: t.ones(2, 2).flip(2),
    lambda t: t.ones(2, 2).roll(1, (0, 1)),
    lambda t: t.ones(2, 2).roll((1, 1)),
    lambda t: t.ones(2, 2).topk(3),
    lambda t: t.ones(2, 2).cumsum(2),
    lambda t: t.ones(2, 2).sort(3),
    lambda t: t.ones(2).logsumexp(),
])
def test_errors(make):
    error = oracle.agree(lambda torch: error_of(lambda: make(torch)))
    assert error is not None


def test_logsumexp_with_infinities():
    def case(torch):
        x = torch.tensor([[float("-inf"), float("-inf")], [float("inf"), 1.0], [0.0, 1e4]])
        return repr(x.logsumexp(1))
    oracle.agree(case)


def test_cumsum_float32_accumulates_as_torch():
    values = RNG.normal(size=5000).astype(np.float32) * 1e3

    def case(torch):
        return torch.tensor(values).cumsum(0).numpy().tolist()
    oracle.agree(case)
