"""torch.baddbmm (and the method) and unflatten (torch., Tensor., nn.Unflatten) live against
torch: values, node names, saved alpha/beta, gradients (double backward too), error texts."""
import numpy as np
import pytest

from surface_live import check


def _leaves(t, *shapes):
    rng = np.random.default_rng(0)
    return [t.tensor(rng.normal(size=s), dtype=t.float32, requires_grad=True) for s in shapes]


@pytest.mark.parametrize("input_shape", [(2, 3, 4), (4,), (3, 1), ()])
@pytest.mark.parametrize("beta, alpha", [(1, 1), (0.5, 2.0), (0, 1)])
def test_baddbmm(input_shape, beta, alpha):
    def snippet(t):
        m, a, b = _leaves(t, input_shape, (2, 3, 5), (2, 5, 4))
        out = t.baddbmm(m, a, b, beta=beta, alpha=alpha)
        # backward(create_graph=True) warns once per process, in torch and in engine: which
        # one warned first depends on the tests run before; warn-always makes both warn.
        t.set_warn_always(True)
        try:
            (out * out).sum().backward(create_graph=True)
        finally:
            t.set_warn_always(False)
        node = out.grad_fn
        return [out, m.baddbmm(a, b), node._saved_alpha, node._saved_beta, m.grad, a.grad,
                b.grad, a.grad.grad_fn.name()]
    check(snippet, rtol=1e-5, atol=1e-5)


def _graph(node):
    if node is None:
        return None
    return [node.name(), [_graph(child) for child, _ in node.next_functions]]


@pytest.mark.parametrize("beta, alpha", [(1, 1), (0.5, 2.0), (0, -1.0), (2, 1)])
def test_baddbmm_gradient_graphs(beta, alpha):
    """Under create_graph each gradient is scaled as ATen's maybe_multiply does: a Tensor
    times a Scalar (MulBackward1), or not at all when the factor is 1 (nn seed 1101481)."""
    def snippet(t):
        m, a, b = _leaves(t, (1, 4), (2, 3, 5), (2, 5, 4))
        out = t.baddbmm(m, a, b, beta=beta, alpha=alpha)
        grads = t.autograd.grad((out * out).sum(), [m, a, b], create_graph=True)
        second = t.autograd.grad(sum((g * g).sum() for g in grads), [m, a, b])
        return [_graph(g.grad_fn) for g in grads] + list(grads) + list(second)
    check(snippet, rtol=1e-4, atol=1e-4)


def test_unflatten():
    def snippet(t):
        x = t.arange(12., requires_grad=True).reshape(2, 6)
        module = t.nn.Unflatten(1, (3, 2))
        return [x.unflatten(1, (2, 3)), t.unflatten(x, -1, (3, -1)),
                x.t().unflatten(0, (3, 2)), module(x), repr(module)]
    check(snippet)


ERRORS = {
    "sizes": lambda t: t.ones(2, 6).unflatten(1, (4, 2)),
    "inferred": lambda t: t.ones(2, 6).unflatten(1, (0, -1)),
    "empty sizes": lambda t: t.ones(2, 6).unflatten(1, ()),
    "dim": lambda t: t.ones(2, 6).unflatten(2, (1, 2)),
    "batch2 sizes": lambda t: t.baddbmm(t.ones(2, 3, 4), t.ones(2, 3, 5), t.ones(3, 5, 4)),
    "input expand": lambda t: t.baddbmm(t.ones(3, 3), t.ones(2, 3, 5), t.ones(2, 5, 4)),
    "dtypes": lambda t: t.baddbmm(t.ones(2, 3, 4).double(), t.ones(2, 3, 5), t.ones(2, 5, 4)),
    "2-D batch1": lambda t: t.baddbmm(t.ones(3, 4), t.ones(3, 5), t.ones(2, 5, 4)),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors(name):
    check(ERRORS[name])
