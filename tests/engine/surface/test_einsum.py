"""einsum live against torch: values and gradients for every equation, and the graph (node
names along every path) for the equations whose graph the engine's reshape already records
as torch does."""
import numpy as np
import pytest

import engine
from surface_live import check

RNG = np.random.default_rng(9)


def arrays(*shapes):
    return [RNG.uniform(-1, 1, size=shape) for shape in shapes]


EQUATIONS = {
    "ij,jk->ik": arrays((2, 3), (3, 4)),
    "ij->ji": arrays((2, 3)),
    "ij->": arrays((2, 3)),
    "ij->i": arrays((2, 3)),
    "i,i->": arrays((3,), (3,)),
    "i,j->ij": arrays((3,), (4,)),
    "ii->i": arrays((3, 3)),
    "ii": arrays((3, 3)),
    "bij,bjk->bik": arrays((5, 2, 3), (5, 3, 4)),
    "bhqd,bhkd->bhqk": arrays((2, 4, 5, 8), (2, 4, 6, 8)),
    "ij,j->i": arrays((2, 3), (3,)),
    "ij,ij->ij": arrays((2, 3), (2, 3)),
    "ij,ij->": arrays((2, 3), (2, 3)),
    "...ij,...jk->...ik": arrays((5, 2, 3), (5, 3, 4)),
    "ij,kj->ik": arrays((2, 3), (4, 3)),
    "ij,jk,kl->il": arrays((2, 3), (3, 4), (4, 5)),
    "bn,anm,bm->ba": arrays((2, 3), (4, 3, 5), (2, 5)),
    "ij,jk": arrays((2, 3), (3, 4)),
    "i,i,i->": arrays((3,), (3,), (3,)),
    "iij->j": arrays((3, 3, 2)),
    "ijk->kji": arrays((2, 3, 4)),
    "i...->...": arrays((2, 3, 4)),
    "ab,b->a": arrays((2, 1), (4,)),
}
# torch reshapes a non-contiguous but viewable operand with _reshape_alias
# (ReshapeAliasBackward0); engine's reshape records a ViewBackward0 there for now.
RESHAPE_ALIAS = {"bhqd,bhkd->bhqk", "ij,kj->ik", "bn,anm,bm->ba"}


def graph(node, depth=0):
    if node is None:
        return None
    return (node.name(), tuple(graph(n, depth + 1) for n, _ in node.next_functions))


def _run(equation, values, with_graph):
    def snippet(t):
        leaves = [t.tensor(v, requires_grad=True) for v in values]
        out = t.einsum(equation, *leaves)
        upstream = np.random.default_rng(0).uniform(-1, 1, size=tuple(out.shape))
        out.backward(t.tensor(upstream, dtype=out.dtype))
        result = [out.detach()] + [leaf.grad for leaf in leaves]
        return result + ([graph(out.grad_fn)] if with_graph else [])
    return snippet


@pytest.mark.parametrize("equation", sorted(EQUATIONS))
def test_einsum_values_and_gradients(equation):
    check(_run(equation, EQUATIONS[equation], with_graph=False))


@pytest.mark.parametrize("equation", sorted(set(EQUATIONS) - RESHAPE_ALIAS))
def test_einsum_graph_is_torchs(equation):
    check(_run(equation, EQUATIONS[equation], with_graph=True))


ERRORS = {
    "too many operands": lambda t: t.einsum("ij->i", t.ones(2, 2), t.ones(2)),
    "too few operands": lambda t: t.einsum("ij,j->i", t.ones(2, 2)),
    "wrong rank": lambda t: t.einsum("ijk->i", t.ones(2, 2)),
    "repeated label sizes": lambda t: t.einsum("ii->i", t.ones(2, 3)),
    "list of operands": lambda t: t.einsum("i,i->", [t.ones(2), t.ones(2)]),
    "diagonal": lambda t: (t.arange(12.0).reshape(3, 4).diagonal(),
                           t.arange(12.0).reshape(3, 4).diagonal(1, -1, 0),
                           t.diagonal(t.arange(12.0).reshape(3, 4), -1)),
    "diagonal same dims": lambda t: t.ones(2, 2).diagonal(0, 1, 1),
    "diagonal saved": lambda t: (lambda n: (n._saved_offset, n._saved_dim1, n._saved_dim2,
                                            n._saved_self_sym_sizes))(
        t.ones(3, 4, requires_grad=True).diagonal(1, -1, 0).grad_fn),
    "write through diagonal": lambda t: (lambda x: (x.diagonal().fill_(5.0), x)[1])(
        t.zeros(3, 3)),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_einsum_errors_and_diagonal(name):
    check(ERRORS[name])


def test_einsum_second_derivative():
    a = engine.tensor(RNG.uniform(-1, 1, size=(2, 3)), dtype=engine.float64, requires_grad=True)
    b = engine.tensor(RNG.uniform(-1, 1, size=(3, 3)), dtype=engine.float64, requires_grad=True)
    assert engine.autograd.gradgradcheck(lambda x, y: engine.einsum("ij,jj->ij", x, y) ** 2,
                                         (a, b))
