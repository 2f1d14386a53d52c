"""Double backward through the nn nodes: gradgradcheck (finite differences of the gradients
made with create_graph=True, float64) for each, and the node names PyTorch 2.13 gives the
gradient graph (recorded with the oracle: `g.grad_fn.name()` and its next_functions)."""
import pathlib
import sys

import numpy as np
import pytest

import engine
import engine.nn.functional as F
from engine.autograd import GradcheckError, gradgradcheck

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from float64_inputs import Float64Inputs  # noqa: E402

_INPUTS = Float64Inputs(5)
leaf, distinct = _INPUTS.leaf, _INPUTS.distinct


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
    "mse_loss": (F.mse_loss, lambda: (leaf(3, 4), leaf(3, 4))),
    "mse_loss none": (lambda x, t: F.mse_loss(x, t, reduction="none"),
                      lambda: (leaf(3, 4), leaf(3, 4))),
    "binary_cross_entropy": (
        lambda x, t: F.binary_cross_entropy(x, t, weight=engine.tensor(
            [1.0, 2.0, 0.5, 1.5], dtype=engine.float64)),
        lambda: (leaf(3, 4, low=0.1, high=0.9), leaf(3, 4, low=0.0, high=1.0))),
    "binary_cross_entropy sum": (
        lambda x, t: F.binary_cross_entropy(x, t, reduction="sum"),
        lambda: (leaf(3, 4, low=0.1, high=0.9), leaf(3, 4, low=0.0, high=1.0))),
    "bce_with_logits": (F.binary_cross_entropy_with_logits,
                        lambda: (leaf(3, 4, low=-3, high=3), leaf(3, 4, low=0.0, high=1.0))),
    "bce_with_logits weights": (
        lambda x, t: F.binary_cross_entropy_with_logits(
            x, t, weight=engine.tensor([1.0, 2.0, 0.5, 1.5], dtype=engine.float64),
            pos_weight=engine.tensor([0.5, 3.0, 1.0, 2.0], dtype=engine.float64),
            reduction="none"),
        lambda: (leaf(3, 4, low=-3, high=3), leaf(3, 4, low=0.0, high=1.0))),
    "nll_loss": (lambda x: F.nll_loss(x, engine.tensor([1, 0, -100]), weight=engine.tensor(
        [1.0, 2.0, 0.5, 1.5], dtype=engine.float64)), lambda: (leaf(3, 4),)),
    "nll_loss none": (lambda x: F.nll_loss(x, engine.tensor([1, 0, 3]), reduction="none"),
                      lambda: (leaf(3, 4),)),
    "nll_loss 2d": (lambda x: F.nll_loss(x, engine.tensor([[[0, 2], [1, 1]], [[2, 0], [0, 1]]])),
                    lambda: (leaf(2, 3, 2, 2),)),
    "cross_entropy": (lambda x: F.cross_entropy(x, engine.tensor([1, 0, 3])),
                      lambda: (leaf(3, 4),)),
    "softmax": (lambda x: F.softmax(x, 0), lambda: (leaf(3, 2, 2),)),
    "log_softmax": (lambda x: F.log_softmax(x, -1), lambda: (leaf(3, 4),)),
    "max_pool2d": (lambda x: F.max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True),
                   lambda: (distinct(2, 2, 5, 5),)),
    "max_pool2d unbatched": (lambda x: F.max_pool2d(x, 2), lambda: (distinct(2, 5, 4),)),
    "avg_pool2d": (lambda x: F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False),
                   lambda: (leaf(2, 2, 5, 5),)),
    "avg_pool2d divisor, unbatched": (lambda x: F.avg_pool2d(x, 2, divisor_override=3),
                                      lambda: (leaf(2, 5, 5),)),
    "adaptive_avg_pool2d": (lambda x: F.adaptive_avg_pool2d(x, (2, 3)),
                            lambda: (leaf(2, 2, 5, 7),)),
    "batch_norm train": (lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
                         lambda: (leaf(4, 3, 2, 2), leaf(3), leaf(3))),
    "batch_norm train, no affine": (lambda x: F.batch_norm(x, None, None, training=True),
                                    lambda: (leaf(5, 3),)),
    "batch_norm eval": (
        lambda x, w, b: F.batch_norm(x, engine.tensor([0.1, -0.2, 0.3], dtype=engine.float64),
                                     engine.tensor([0.5, 1.5, 2.0], dtype=engine.float64), w, b),
        lambda: (leaf(4, 3, 2), leaf(3), leaf(3))),
    "embedding": (lambda w: F.embedding(engine.tensor([[1, 3], [3, 2]]), w, padding_idx=2),
                  lambda: (leaf(5, 3),)),
    "pad constant": (lambda x: F.pad(x, (1, 2, 0, -1), value=0.5), lambda: (leaf(2, 3, 4),)),
    "pad reflect 1d": (lambda x: F.pad(x, (3, -1), mode="reflect"), lambda: (leaf(2, 3, 4),)),
    "pad reflect 2d": (lambda x: F.pad(x, (1, 2, 2, 0), mode="reflect"),
                       lambda: (leaf(3, 3, 4),)),
    "pad reflect 3d": (lambda x: F.pad(x, (1, 0, 0, 2, 1, 1), mode="reflect"),
                       lambda: (leaf(1, 2, 3, 3, 4),)),
    "pad replicate 1d": (lambda x: F.pad(x, (-1, 3), mode="replicate"), lambda: (leaf(3, 4),)),
    "pad replicate 2d": (lambda x: F.pad(x, (2, 1, 0, 3), mode="replicate"),
                         lambda: (leaf(2, 2, 3, 4),)),
    "pad replicate 3d": (lambda x: F.pad(x, (2, 1, 1, 0, 0, 2), mode="replicate"),
                         lambda: (leaf(2, 3, 2, 3),)),
    # Composite: slices copied into a new tensor (CopySlices, SliceBackward0).
    "pad circular 1d": (lambda x: F.pad(x, (2, 3), mode="circular"), lambda: (leaf(2, 4),)),
    "pad circular 2d": (lambda x: F.pad(x, (1, 0, -1, 2), mode="circular"),
                        lambda: (leaf(2, 3, 3, 4),)),
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
    "mse_loss": [("MseLossBackwardBackward0", 0, ["MulBackward0", ACC, ACC])] * 2,
    "binary_cross_entropy sum": [
        ("BinaryCrossEntropyBackwardBackward0", 0, ["MulBackward0", ACC, ACC]),
        ("MulBackward0", 0, ["NegBackward0", "MulBackward0"])],
    "bce_with_logits": [("DivBackward1", 0, ["MulBackward0"])] * 2,
    "nll_loss none": [("NllLossBackwardBackward0", 0, ["MulBackward0", ACC])],
    "cross_entropy": [("LogSoftmaxBackwardDataBackward0", 0,
                       ["NllLossBackwardBackward0", "LogSoftmaxBackward0"])],
    "softmax": [("SoftmaxBackwardDataBackward0", 0, ["MulBackward0", "SoftmaxBackward0"])],
    "nll_loss 2d": [("NllLoss2DBackwardBackward0", 0, ["MulBackward0", ACC])],
    "max_pool2d": [("MaxPool2DWithIndicesBackwardBackward0", 0, ["MulBackward0", ACC])],
    "avg_pool2d": [("AvgPool2DBackwardBackward0", 0, ["MulBackward0", ACC])],
    "adaptive_avg_pool2d": [("AdaptiveAvgPool2DBackwardBackward0", 0, ["MulBackward0", ACC])],
    "batch_norm train": [("NativeBatchNormBackwardBackward0", nr,
                          ["MulBackward0", ACC, ACC, None, None]) for nr in range(3)],
    "embedding": [("EmbeddingDenseBackwardBackward0", 0, ["MulBackward0"])],
    "pad constant": [("ConstantPadNdBackward0", 0, ["MulBackward0"])],
    "pad reflect 1d": [("ReflectionPad1DBackwardBackward0", 0, ["MulBackward0", ACC])],
    "pad replicate 3d": [("ReplicationPad3DBackwardBackward0", 0, ["MulBackward0", ACC])],
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


class SinWithConstantGradient(engine.autograd.Function):
    """sin whose backward uses cos(x) of a detached x: its gradient has no graph to x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.detach().sin()

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * x.detach().cos()


def test_gradgradcheck_fails_where_a_gradient_has_no_graph():
    """A constant gradient must not pass: with grad_outputs that need no grad it is an
    output without grad, whose numerical derivative must then be zero (torch's rule); with
    random grad_outputs that need grad, the Jacobian for x does not match."""
    x = leaf(3)
    fixed_grad = engine.ones(3, dtype=engine.float64)
    with pytest.raises(GradcheckError, match="expected to be zero"):
        gradgradcheck(SinWithConstantGradient.apply, (x,), (fixed_grad,))
    with pytest.raises(GradcheckError, match="Jacobian mismatch"):
        gradgradcheck(SinWithConstantGradient.apply, (x,))


def test_gradgradcheck_takes_given_grad_outputs():
    x, w, b = leaf(2, 3), leaf(4, 3), leaf(4)
    assert gradgradcheck(F.linear, (x, w, b), (leaf(2, 4),))


@pytest.mark.parametrize("options, expected_grad", [
    ({"padding_idx": 2},
     [[0.0, 0.0, 0.0], [3.552, -5.25, 7.488], [0.0, 0.0, 0.0], [84.0, 109.032, 138.816],
      [0.0, 0.0, 0.0]]),
    # torch's embedding_dense_double_backward does not scale by frequency (so its second
    # derivative is not the finite-difference one here); engine gives torch's values.
    ({"scale_grad_by_freq": True},
     [[0.0, 0.0, 0.0], [3.552, -5.25, 7.488], [10.374, 14.016, -18.522], [24.0, 30.558, 38.304],
      [0.0, 0.0, 0.0]]),
])
def test_embedding_second_derivative_has_torchs_values(options, expected_grad):
    weight = engine.tensor([[0.1, 0.2, 0.3], [0.4, -0.5, 0.6], [0.7, 0.8, -0.9], [1.0, 1.1, 1.2],
                            [-0.3, 0.2, 0.5]], dtype=engine.float64, requires_grad=True)
    out = F.embedding(engine.tensor([[1, 3], [3, 2]]), weight, **options)
    (g,) = engine.autograd.grad((out ** 3).sum(), weight, create_graph=True)
    (g * g.detach() + g).sum().backward()
    np.testing.assert_allclose(weight.grad.numpy(), expected_grad, rtol=1e-12, atol=1e-12)
