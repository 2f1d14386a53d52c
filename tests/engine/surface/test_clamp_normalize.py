"""clamp_min / clamp_max (numbers and tensors, in place too) and F.normalize live against
torch: values, dtypes, node names, gradients (NaN sends them to neither side) and errors."""
import numpy as np
import pytest

from surface_live import check

X = np.array([[1.0, -2.0, 3.0, np.nan], [0.0, 0.5, -0.25, 4.0]])
BOUND = np.array([0.0, 0.0, 5.0, 1.0])


def _one_side(fn_name, bound, dtype="float32", method=False, grads=True):
    def snippet(t):
        x = t.tensor(X, dtype=getattr(t, dtype), requires_grad=True)
        b = t.tensor(BOUND, requires_grad=True) if bound == "tensor" else bound
        out = getattr(x, fn_name)(b) if method else getattr(t, fn_name)(x, b)
        found = [out, out.grad_fn._saved_self]
        if grads:
            wanted = (x, b) if bound == "tensor" else (x,)
            found += list(t.autograd.grad((out * out).sum(), wanted, create_graph=True))
        return found
    return snippet


def _in_place(fn_name, bound):
    def snippet(t):
        x = t.tensor(X[0], requires_grad=True)
        y = x * 2
        getattr(y, fn_name)(t.zeros(4) if bound == "tensor" else bound)
        y.sum().backward()
        return [y, x.grad]
    return snippet


CASES = {
    "clamp_min number": _one_side("clamp_min", 0.5),
    "clamp_max number": _one_side("clamp_max", 0.5, method=True),
    "clamp_min int bound": _one_side("clamp_min", 1, "float64"),
    "clamp_min tensor": _one_side("clamp_min", "tensor"),
    "clamp_max tensor": _one_side("clamp_max", "tensor", "float64", method=True),
    "clamp_min of ints by a float": lambda t: t.clamp_min(t.tensor([1, 2, 3]), 1.5),
    "clamp_max of ints by an int": lambda t: t.tensor([1, 2, 3]).clamp_max(2),
    "clamp_min by a 0-dim tensor": lambda t: t.clamp_min(t.tensor([1, 2, 3]), t.tensor(2.5)),
    "clamp_max promotes to the bound": lambda t: t.clamp_max(
        t.tensor([1.0, 2.0]), t.tensor([1.5], dtype=t.float64)),
    "bound does not broadcast": lambda t: t.clamp_min(t.ones(3), t.ones(2)),
    "clamp_min_ in place": _in_place("clamp_min_", -0.5),
    "clamp_max_ in place by a tensor": _in_place("clamp_max_", "tensor"),
    "clamp_min_ on a leaf": lambda t: t.ones(2, requires_grad=True).clamp_min_(0),
    "saved bound as given": lambda t: [t.ones(1, requires_grad=True).clamp_min(1).grad_fn
                                       ._saved_min,
                                       t.ones(1, requires_grad=True).clamp_max(1.5).grad_fn
                                       ._saved_max],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_clamp_one_side(name):
    check(CASES[name])


def _graph(node):
    if node is None:
        return None
    return [node.name()] + [_graph(child) for child, _ in node.next_functions]


def _normalize(shape, dtype="float32", **options):
    def snippet(t):
        x = t.tensor(np.arange(np.prod(shape), dtype=float).reshape(shape) % 5 - 2.0,
                     dtype=getattr(t, dtype), requires_grad=True)
        out = t.nn.functional.normalize(x, **options)
        (grad,) = t.autograd.grad((out * t.arange(out.numel()).reshape(out.shape)).sum(), x)
        return [out, _graph(out.grad_fn), grad]
    return snippet


NORMALIZE = {
    "rows": _normalize((3, 4)),
    "dim 0 with a zero column": _normalize((5, 2), dim=0),
    "last dim, big eps": _normalize((2, 2, 3), "float64", dim=-1, eps=1.5),
    "1-D on dim 0": _normalize((4,), dim=0),
    "1-D on dim 1": _normalize((4,)),
}


@pytest.mark.parametrize("name", sorted(NORMALIZE))
def test_normalize(name):
    check(NORMALIZE[name])


def test_normalize_into_out():
    def snippet(t):
        out = t.zeros(2, 3)
        result = t.nn.functional.normalize(t.tensor([[3.0, 4.0, 0.0], [0.0, 0.0, 0.0]]), out=out)
        return [result, out, result is out]
    check(snippet)
