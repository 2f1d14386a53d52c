"""The out= keyword, live against torch: values written into out (same object returned),
resizing with torch's warning, dtype rules per op, and the autograd error."""
import numpy as np
import pytest

from surface_live import check

A = np.array([[1.5, -2.0, 0.25], [3.0, 0.5, -1.0]])
B = np.array([0.5, 2.0, -3.0])


def _out_case(call, shape=(0,), dtype=None, want_identity=True):
    """call(t, a, b, out); returns the result, out, whether result is out, and out's
    version bump."""
    def snippet(t):
        a, b = t.tensor(A, dtype=t.float32), t.tensor(B, dtype=t.float32)
        out = t.empty(shape, dtype=dtype(t) if dtype else t.float32)
        out.zero_()
        before = out._version
        result = call(t, a, b, out)
        return result, out, result is out, out._version > before
    return snippet


CALLS = {
    "add": lambda t, a, b, o: t.add(a, b, out=o),
    "add alpha": lambda t, a, b, o: t.add(a, b, alpha=2, out=o),
    "sub": lambda t, a, b, o: t.sub(a, 1.5, out=o),
    "subtract": lambda t, a, b, o: t.subtract(a, b, out=o),
    "mul": lambda t, a, b, o: t.mul(a, b, out=o),
    "div": lambda t, a, b, o: t.div(a, b, out=o),
    "pow": lambda t, a, b, o: t.pow(a, 2, out=o),
    "exp": lambda t, a, b, o: t.exp(a, out=o),
    "tanh": lambda t, a, b, o: t.tanh(a, out=o),
    "sigmoid": lambda t, a, b, o: t.sigmoid(b, out=o),
    "abs": lambda t, a, b, o: t.abs(a, out=o),
    "neg": lambda t, a, b, o: t.neg(a, out=o),
    "clamp": lambda t, a, b, o: t.clamp(a, -1, 1, out=o),
    "eq": lambda t, a, b, o: t.eq(a, b, out=o),
    "matmul": lambda t, a, b, o: t.matmul(a, b, out=o),
    "mm": lambda t, a, b, o: t.mm(a, a.T, out=o),
    "mv": lambda t, a, b, o: t.mv(a, b, out=o),
    "dot": lambda t, a, b, o: t.dot(b, b, out=o),
    "sum dim": lambda t, a, b, o: t.sum(a, 1, out=o),
    "sum keepdim": lambda t, a, b, o: t.sum(a, 0, keepdim=True, out=o),
    "mean dim": lambda t, a, b, o: t.mean(a, 0, out=o),
    "mean": lambda t, a, b, o: t.mean(a, out=o),
    "prod dim": lambda t, a, b, o: t.prod(a, 1, out=o),
    "var dim": lambda t, a, b, o: t.var(a, 1, out=o),
    "std dim": lambda t, a, b, o: t.std(a, 0, out=o),
    "max other": lambda t, a, b, o: t.max(a, b, out=o),
    "cat": lambda t, a, b, o: t.cat([a, a], out=o),
    "cat dim 1": lambda t, a, b, o: t.cat([a, a], 1, out=o),
    "stack": lambda t, a, b, o: t.stack([b, b], out=o),
    "index_select": lambda t, a, b, o: t.index_select(a, 1, t.tensor([2, 0]), out=o),
    "gather": lambda t, a, b, o: t.gather(a, 1, t.tensor([[0], [2]]), out=o),
    "zeros": lambda t, a, b, o: t.zeros(2, 2, out=o),
    "ones": lambda t, a, b, o: t.ones(3, out=o),
    "full": lambda t, a, b, o: t.full((2,), 1.5, out=o),
    "arange": lambda t, a, b, o: t.arange(4, out=o),
    "linspace": lambda t, a, b, o: t.linspace(0, 1, 3, out=o),
}
SHAPES = {"empty": (0,), "right": None, "wrong": (5,)}
DTYPES = {"float32": None, "float64": lambda t: t.float64, "int64": lambda t: t.int64}
RIGHT_SHAPES = {"add": (2, 3), "add alpha": (2, 3), "sub": (2, 3), "subtract": (2, 3),
                "mul": (2, 3), "div": (2, 3), "pow": (2, 3), "exp": (2, 3), "tanh": (2, 3),
                "sigmoid": (3,), "abs": (2, 3), "neg": (2, 3), "clamp": (2, 3), "eq": (2, 3),
                "matmul": (2,), "mm": (2, 2), "mv": (2,), "dot": (), "sum dim": (2,),
                "sum keepdim": (1, 3), "mean dim": (3,), "mean": (), "prod dim": (2,),
                "var dim": (2,), "std dim": (3,), "max other": (2, 3), "cat": (4, 3),
                "cat dim 1": (2, 6), "stack": (2, 3), "index_select": (2, 2), "gather": (2, 1),
                "zeros": (2, 2), "ones": (3,), "full": (2,), "arange": (4,), "linspace": (3,)}


@pytest.mark.parametrize("dtype", sorted(DTYPES))
@pytest.mark.parametrize("shape", sorted(SHAPES))
@pytest.mark.parametrize("name", sorted(CALLS))
def test_out_keyword(name, shape, dtype):
    out_shape = RIGHT_SHAPES[name] if SHAPES[shape] is None else SHAPES[shape]
    check(_out_case(CALLS[name], out_shape, DTYPES[dtype]))


def _max_dim_out(t):
    a = t.tensor(A, dtype=t.float32)
    values, indices = t.empty(0), t.empty(0, dtype=t.int64)
    result = t.max(a, 1, out=(values, indices))
    return repr(result), result.values is values, result.indices is indices


def _grad_case(which):
    def snippet(t):
        a = t.tensor(A, requires_grad=which == "input")
        out = t.empty(2, 3, dtype=t.float64, requires_grad=which == "out")
        return t.mul(a, 2, out=out)
    return snippet


def _no_grad_case(t):
    a = t.tensor(A, requires_grad=True)
    with t.no_grad():
        return t.mul(a, 2, out=t.empty(2, 3, dtype=t.float64))


OTHERS = {
    "max with dim": _max_dim_out,
    "input requires grad": _grad_case("input"),
    "out requires grad": _grad_case("out"),
    "cat input requires grad": lambda t: t.cat([t.ones(2, requires_grad=True)], out=t.empty(2)),
    "under no_grad": _no_grad_case,
    "into a view": lambda t: (lambda base: (t.add(t.ones(3), 1, out=base[::2]), base))(
        t.zeros(6)),
}


@pytest.mark.parametrize("name", sorted(OTHERS))
def test_out_keyword_cases(name):
    check(OTHERS[name])
