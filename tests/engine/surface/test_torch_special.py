"""torch.special against torch 2.13, live: the aliases (gammaln, psi, expit,
multigammaln, ...) record the same nodes as the functions they name, and the functions of
its own (i1, ndtr, entr, xlog1py, round) give torch's values, nodes and gradients."""
import pytest

from surface_live import check
from tensorops_live import compare

A = [[0.31, -0.42, 0.77, 1.5], [-2.5, 0.5, 2.25, 0.1], [1.25, -0.75, 0.2, -1.1]]
POSITIVE = [[0.31, 0.42, 0.77, 1.5], [2.5, 0.5, 2.25, 3.1], [1.25, 0.75, 4.2, 1.1]]
UNIT = [[0.3, 0.1, 0.7, 0.95], [0.5, 0.05, 0.6, 0.2], [0.4, 0.85, 0.15, 0.55]]

OPS = {
    "gammaln": (lambda t, x: t.special.gammaln(x), (POSITIVE,)),
    "psi": (lambda t, x: t.special.psi(x), (POSITIVE,)),
    "digamma": (lambda t, x: t.special.digamma(x), (POSITIVE,)),
    "polygamma": (lambda t, x: t.special.polygamma(1, x), (POSITIVE,)),
    "multigammaln": (lambda t, x: t.special.multigammaln(x + 2, 2), (POSITIVE,)),
    "erf": (lambda t, x: t.special.erf(x), (A,)),
    "erfc": (lambda t, x: t.special.erfc(x), (A,)),
    "erfinv": (lambda t, x: t.special.erfinv(x), (UNIT,)),
    "exp2": (lambda t, x: t.special.exp2(x), (A,)),
    "expit": (lambda t, x: t.special.expit(x), (A,)),
    "expm1": (lambda t, x: t.special.expm1(x), (A,)),
    "log1p": (lambda t, x: t.special.log1p(x), (POSITIVE,)),
    "logit": (lambda t, x: t.special.logit(x), (UNIT,)),
    "logsumexp": (lambda t, x: t.special.logsumexp(x, 1), (A,)),
    "softmax": (lambda t, x: t.special.softmax(x, 0), (A,)),
    "log_softmax": (lambda t, x: t.special.log_softmax(x, 1), (A,)),
    "sinc": (lambda t, x: t.special.sinc(x), (A,)),
    "xlogy": (lambda t, x, y: t.special.xlogy(x, y), (A, POSITIVE)),
    "i0": (lambda t, x: t.special.i0(x), (A,)),
    "i1": (lambda t, x: t.special.i1(x), (A,)),
    "ndtr": (lambda t, x: t.special.ndtr(x), (A,)),
    "entr": (lambda t, x: t.special.entr(x), (POSITIVE,)),
    "xlog1py": (lambda t, x, y: t.special.xlog1py(x, y), (A, POSITIVE)),
    "round": (lambda t, x: t.special.round(x) * x, (A,)),
}
VALUES_ONLY = {"multigammaln", "erfinv", "i0", "i1", "logit", "sinc", "entr", "xlog1py",
               "xlogy", "ndtr", "logsumexp", "softmax", "log_softmax"}
TOLERANCE = {"float32": 2e-5, "float64": 1e-11}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", OPS)
def test_values_gradients_and_graphs(name, dtype):
    fn, data = OPS[name]
    compare(fn, data, dtype, graph=name not in VALUES_ONLY, tol=TOLERANCE[dtype])


SNIPPETS = {
    "entr_edges": lambda t: t.special.entr(t.tensor([0.0, -1.0, float("nan"), 1.0])),
    "entr_int": lambda t: t.special.entr(t.tensor([1, 2])),
    "xlog1py_zero": lambda t: t.special.xlog1py(t.tensor([0.0, 0.0, 2.0]),
                                                t.tensor([-1.0, float("nan"), 3.0])),
    "ndtr_int": lambda t: t.special.ndtr(t.tensor([0, 1])),
    "round_decimals": lambda t: t.special.round(t.tensor([1.2345], requires_grad=True),
                                                decimals=2),
    "round_int": lambda t: t.special.round(t.tensor([3, 4])),
    "softmax_dtype": lambda t: t.special.softmax(t.tensor([1, 2]), 0, dtype=t.float64),
    "i1_values": lambda t: t.special.i1(t.tensor([0.0, -1.0, 3.0, 10.0])),
}


@pytest.mark.parametrize("name", SNIPPETS)
def test_as_torch(name):
    check(SNIPPETS[name])


def test_a_missing_name_is_an_attribute_error():
    """(NotSupportedError, an AttributeError too, once scripts/gen_torch_names.py lists
    torch.special's names.)"""
    import engine
    with pytest.raises(AttributeError, match="airy_ai"):
        engine.special.airy_ai(engine.ones(1))
