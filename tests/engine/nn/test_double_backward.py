"""Double backward through the nn nodes: gradgradcheck (finite differences of the gradients
made with create_graph=True, float64) for each, and the node names PyTorch 2.13 gives the
gradient graph (recorded with the oracle: `g.grad_fn.name()` and its next_functions)."""
import numpy as np
import pytest

import engine
import engine.nn.functional as F
from engine.autograd import GradcheckError, gradgradcheck

RNG = np.random.default_rng(5)


def leaf(*shape, low=-1.0, high=1.0):
    return engine.tensor(RNG.uniform(low, high, size=shape), dtype=engine.float64,
                         requires_grad=True)


def distinct(*shape):
    """Values far apart, so max-pool's and leaky_relu's choices do not flip."""
    n = int(np.prod(shape))
    values = RNG.permutation(np.linspace(-2.0, 2.0, n) + 0.05)
    return engine.tensor(values.reshape(shape), dtype=engine.float64, requires_grad=True)


def _name(node):
    return None if node is None else node.name()


def grad_graph(fn, inputs):
    """Per input: (grad_fn name, output_nr, next_functions names) of d sum(fn(...)^2)."""
    grads = engine.autograd.grad((fn(*inputs) ** 2).sum(), inputs, create_graph=True)
    return [(_name(g.grad_fn), g.output_nr, [_name(f) for f, _ in g.grad_fn.next_functions])
            for g in grads]


ACC = "torch::autograd::AccumulateGrad"

CHECKS = {
    "conv2d": (lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=1, dilation=(1, 2),
                                        groups=2),
               lambda: (leaf(2, 4, 5, 6), leaf(6, 2, 3, 2), leaf(6))),
    "conv2d same, no bias": (lambda x, w: F.conv2d(x, w, padding="same"),
                             lambda: (leaf(1, 2, 4, 4), leaf(3, 2, 3, 3))),
    "gelu": (F.gelu, lambda: (leaf(3, 4, low=-3, high=3),)),
    "gelu tanh": (lambda x: F.gelu(x, approximate="tanh"), lambda: (leaf(3, 4, low=-3, high=3),)),
    "leaky_relu": (lambda x: F.leaky_relu(x, 0.2), lambda: (distinct(3, 4),)),
}


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_second_derivatives_match_finite_differences(name):
    fn, make_inputs = CHECKS[name]
    assert gradgradcheck(fn, make_inputs())


# What torch 2.13 records for d sum(f(...)^2) / d inputs (grad_output is 2 * out: MulBackward0).
GRAPHS = {
    "conv2d": [("ConvolutionBackwardBackward0", nr, ["MulBackward0", ACC, ACC])
               for nr in range(3)],
    "gelu": [("GeluBackwardBackward0", 0, ["MulBackward0", ACC])],
    "leaky_relu": [("LeakyReluBackwardBackward0", 0, ["MulBackward0", ACC])],
}


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_gradient_graph_has_torchs_nodes(name):
    fn, make_inputs = CHECKS[name]
    assert grad_graph(fn, make_inputs()) == GRAPHS[name]


def test_conv_double_backward_saves_what_torch_saves():
    x, w = leaf(1, 2, 4, 4), leaf(3, 2, 3, 3).detach()
    (gx,) = engine.autograd.grad((F.conv2d(x, w) ** 2).sum(), x, create_graph=True)
    node = gx.grad_fn
    assert [k for k in dir(node) if k.startswith("_saved_")] == [
        "_saved_dilation", "_saved_grad_output", "_saved_groups", "_saved_input",
        "_saved_output_padding", "_saved_padding", "_saved_stride", "_saved_transposed",
        "_saved_weight"]
    assert node.next_functions[2][0] is None      # the weight does not require grad


def test_gradgradcheck_fails_where_a_gradient_has_no_graph():
    """Batch norm has no double backward yet: its gradient is a constant, and gradgradcheck
    says so rather than passing (numerical second derivatives are not zero)."""
    x = leaf(4, 3)
    with pytest.warns(UserWarning, match="no double backward"):
        with pytest.raises(GradcheckError, match="expected to be zero"):
            gradgradcheck(lambda x: F.batch_norm(x, None, None, training=True), (x,))


def test_gradgradcheck_takes_given_grad_outputs():
    x, w, b = leaf(2, 3), leaf(4, 3), leaf(4)
    assert gradgradcheck(F.linear, (x, w, b), (leaf(2, 4),))
