"""torch.autograd.functional (vjp, jvp, jacobian, hessian, vhp, hvp) live against torch:
values, shapes, requires_grad and grad_fn of the results (detached, or part of a graph under
create_graph), tuple nesting, and the error texts of misuse and strict mode."""
import numpy as np
import pytest

from surface_live import check

RNG = np.random.default_rng(5)
A, B = RNG.normal(size=(3,)), RNG.normal(size=(2, 3))
V3, V2 = RNG.normal(size=(3,)), RNG.normal(size=(2,))


def leaf(t, array, requires_grad=False):
    return t.tensor(array, dtype=t.float64, requires_grad=requires_grad)


def cube_sum(x):
    return (x ** 3).sum()


def mixed(x, w):
    return (w @ x.exp(), (x * x).sum())


def F(t):
    return t.autograd.functional


CASES = {
    "jacobian one in one out": lambda t: F(t).jacobian(lambda x: x.sin() * x, leaf(t, A)),
    "jacobian of a matrix map": lambda t: F(t).jacobian(lambda w: w @ leaf(t, A), leaf(t, B)),
    "jacobian tuple in and out": lambda t: F(t).jacobian(mixed, (leaf(t, A), leaf(t, B))),
    "jacobian tuple in one out": lambda t: F(t).jacobian(lambda x, w: w @ x,
                                                         (leaf(t, A), leaf(t, B))),
    "jacobian independent input is zeros": lambda t: F(t).jacobian(
        lambda x, y: x * 2, (leaf(t, A), leaf(t, V2))),
    "jacobian create_graph": lambda t: F(t).jacobian(lambda x: x ** 2, leaf(t, A, True),
                                                     create_graph=True),
    "jacobian vectorize": lambda t: F(t).jacobian(lambda x: x.tanh(), leaf(t, A),
                                                  vectorize=True),
    "jacobian of a 0-d output": lambda t: F(t).jacobian(cube_sum, leaf(t, A)),
    "hessian": lambda t: F(t).hessian(cube_sum, leaf(t, A)),
    "hessian of two inputs": lambda t: F(t).hessian(lambda x, y: (x * y.sum() ** 2).sum(),
                                                    (leaf(t, A), leaf(t, V2))),
    "hessian create_graph": lambda t: F(t).hessian(cube_sum, leaf(t, A, True),
                                                   create_graph=True),
    "vjp": lambda t: F(t).vjp(lambda w: w @ leaf(t, A), leaf(t, B), leaf(t, V2)),
    "vjp of a scalar without v": lambda t: F(t).vjp(cube_sum, leaf(t, A)),
    "jvp": lambda t: F(t).jvp(lambda x: x.exp() * 3, leaf(t, A), leaf(t, V3)),
    "jvp create_graph": lambda t: F(t).jvp(lambda x: x.exp(), leaf(t, A, True),
                                           leaf(t, V3), create_graph=True),
    "vhp": lambda t: F(t).vhp(cube_sum, leaf(t, A), leaf(t, V3)),
    "hvp": lambda t: F(t).hvp(cube_sum, leaf(t, A), leaf(t, V3)),
    "float32 jacobian": lambda t: F(t).jacobian(lambda x: x.sigmoid(),
                                                t.tensor(A, dtype=t.float32)),
    # misuse: the texts are torch's
    "inputs not tensors": lambda t: F(t).jacobian(lambda x: x, [1.0, 2.0]),
    "tuple with a non-tensor": lambda t: F(t).jacobian(lambda x, y: x, (leaf(t, A), 3)),
    "output not a tensor": lambda t: F(t).jacobian(lambda x: 3.0, leaf(t, A)),
    "vjp v missing": lambda t: F(t).vjp(lambda x: x * 2, leaf(t, A)),
    "vjp v wrong size": lambda t: F(t).vjp(lambda x: x * 2, leaf(t, A), leaf(t, V2)),
    "jvp v missing": lambda t: F(t).jvp(lambda x: x * 2, leaf(t, A)),
    "hessian of a vector": lambda t: F(t).hessian(lambda x: x * 2, leaf(t, A)),
    "hvp of a vector": lambda t: F(t).hvp(lambda x: x * 2, leaf(t, A), leaf(t, V3)),
    "strict independent output": lambda t: F(t).jacobian(
        lambda x, y: x * 2, (leaf(t, A), leaf(t, V2)), strict=True),
    "strict output not requiring grad": lambda t: F(t).vjp(
        lambda x: leaf(t, A), leaf(t, A), leaf(t, V3), strict=True),
    "strict linear hessian": lambda t: F(t).hessian(lambda x: x.sum() * 2, leaf(t, A),
                                                    strict=True),
    "strict and vectorize": lambda t: F(t).jacobian(lambda x: x, leaf(t, A), strict=True,
                                                    vectorize=True),
    "bad strategy": lambda t: F(t).jacobian(lambda x: x, leaf(t, A), strategy="sideways"),
}


@pytest.mark.parametrize("name", CASES)
def test_functional_agrees_with_torch(name):
    check(CASES[name])


def test_results_leave_the_callers_tensors_untouched():
    def snippet(t):
        x = leaf(t, A, True)
        jac = F(t).jacobian(lambda v: v * x, x)
        return [x.grad, x.is_leaf, jac.requires_grad, jac]
    check(snippet)


def test_forward_mode_is_named_as_not_supported():
    import engine
    with pytest.raises(NotImplementedError, match="forward-mode.*not supported by graphtui"):
        engine.autograd.functional.jacobian(lambda x: x, engine.ones(2),
                                            strategy="forward-mode", vectorize=True)
