"""Finite-difference gradient checks (float64) for every node class engine.nn registers.

`tests/engine/test_gradcheck_table.py` imports NN_CASES from this file and checks that
every registered node has a case; the test here runs them on their own too.
"""
import pathlib
import sys

import pytest

import engine
import engine.nn.functional as F
from engine.autograd import gradcheck
from engine.nn._ops.activation import logit
from engine.nn.modules._backward_hook import pass_through

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from float64_inputs import Float64Inputs  # noqa: E402

_INPUTS = Float64Inputs(11)
leaf, distinct = _INPUTS.leaf, _INPUTS.distinct


def probabilities(*shape):
    return leaf(*shape, low=0.1, high=0.9)


def _batch_norm(training):
    running_mean = engine.zeros(3, dtype=engine.float64)
    running_var = engine.ones(3, dtype=engine.float64)
    return lambda x, w, b: F.batch_norm(x, running_mean.clone(), running_var.clone(), w, b,
                                        training=training)


def joined_grads(fn):
    """The gradients of sum(fn(*inputs) ** 2) with respect to every input, made with
    create_graph=True and joined into one flat tensor: a case for the *BackwardBackward0 node
    that records them (its grad_output, 2 * fn(...), depends on the inputs too)."""
    def grads(*inputs):
        found = engine.autograd.grad((fn(*inputs) ** 2).sum(), inputs, create_graph=True)
        return engine.cat([g.reshape(-1) for g in found])
    return grads


# Reflection / replication padding: node name -> (pad, mode, input shape).
EDGE_PADS = {
    "ReflectionPad1DBackward0": ((3, -1), "reflect", (2, 3, 4)),
    "ReflectionPad2DBackward0": ((1, 2, 2, 0), "reflect", (3, 3, 4)),
    "ReflectionPad3DBackward0": ((1, 0, 0, 2, 1, 1), "reflect", (1, 2, 3, 3, 4)),
    "ReplicationPad1DBackward0": ((-1, 3), "replicate", (3, 4)),
    "ReplicationPad2DBackward0": ((2, 1, 0, 3), "replicate", (2, 2, 3, 4)),
    "ReplicationPad3DBackward0": ((2, 1, 1, 0, 0, 2), "replicate", (2, 3, 2, 3)),
}


def _edge_pad_cases() -> dict:
    cases = {}
    for name, (pad, mode, shape) in EDGE_PADS.items():
        def padded(x, pad=pad, mode=mode):
            return F.pad(x, pad, mode=mode)
        cases[name] = lambda padded=padded, shape=shape: (padded, (leaf(*shape),))
        cases[name.replace("Backward0", "BackwardBackward0")] = (
            lambda padded=padded, shape=shape: (joined_grads(padded), (leaf(*shape),)))
    return cases


TARGET = engine.tensor([1, 0, 3])
TARGET_2D = engine.tensor([[[0, 2], [1, 1]], [[2, 0], [0, 1]]])

def _lstm_layer(x, w_ih, w_hh, b_ih, b_hh, h0, c0):
    from engine.nn._ops.rnn import lstm_layer
    out, h, c = lstm_layer(x, (w_ih, w_hh, b_ih, b_hh), h0, c0, reverse=True,
                           settings={"hidden_size": 2, "num_layers": 1, "has_biases": True,
                                     "bidirectional": False, "batch_first": False})
    return out.sum() + (h * 3).sum() + (c * c).sum()


def _upsample_cases() -> dict:
    """Each upsample node and its double-backward node, per mode and dimension."""
    modes = [("Nearest1D", "nearest", (2, 2, 3), {}), ("Nearest2D", "nearest", (1, 2, 2, 3), {}),
             ("Nearest3D", "nearest", (1, 1, 2, 2, 3), {}),
             ("NearestExact1D", "nearest-exact", (2, 2, 3), {}),
             ("NearestExact2D", "nearest-exact", (1, 2, 2, 3), {}),
             ("NearestExact3D", "nearest-exact", (1, 1, 2, 2, 3), {}),
             ("Linear1D", "linear", (2, 2, 3), {}),
             ("Bilinear2D", "bilinear", (1, 2, 2, 3), {"align_corners": True}),
             ("Trilinear3D", "trilinear", (1, 1, 2, 2, 3), {})]
    cases = {}
    for prefix, mode, shape, extra in modes:
        def op(x, mode=mode, extra=extra):
            return F.interpolate(x, scale_factor=1.7, mode=mode, **extra)
        cases[f"Upsample{prefix}Backward0"] = lambda op=op, shape=shape: (op, (leaf(*shape),))
        cases[f"Upsample{prefix}BackwardBackward0"] = (
            lambda op=op, shape=shape: (joined_grads(op), (leaf(*shape),)))
    return cases


NN_CASES = {
    "AddmmBackward0": lambda: (F.linear, (leaf(3, 4), leaf(5, 4), leaf(5))),
    "ConvolutionBackward0": lambda: (
        lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=1, dilation=(1, 2), groups=2),
        (leaf(2, 4, 5, 6), leaf(6, 2, 3, 2), leaf(6))),
    "ConvolutionBackwardBackward0": lambda: (
        joined_grads(lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=1, groups=2)),
        (leaf(1, 4, 4, 3), leaf(4, 2, 2, 2), leaf(4))),
    "ConstantPadNdBackward0": lambda: (lambda x: F.pad(x, (1, 2, 0, 1), value=0.5),
                                       (leaf(2, 3, 4),)),
    "MaxPool2DWithIndicesBackward0": lambda: (
        lambda x: F.max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True), (distinct(2, 2, 5, 5),)),
    "MaxPool2DWithIndicesBackwardBackward0": lambda: (
        joined_grads(lambda x: F.max_pool2d(x, 3, stride=2, padding=1)), (distinct(2, 4, 4),)),
    "AvgPool2DBackward0": lambda: (
        lambda x: F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False),
        (leaf(2, 2, 5, 5),)),
    "AvgPool2DBackwardBackward0": lambda: (
        joined_grads(lambda x: F.avg_pool2d(x, 3, stride=2, padding=1, divisor_override=4)),
        (leaf(2, 5, 5),)),
    "AdaptiveAvgPool2DBackward0": lambda: (lambda x: F.adaptive_avg_pool2d(x, (2, 3)),
                                           (leaf(2, 2, 5, 7),)),
    "AdaptiveAvgPool2DBackwardBackward0": lambda: (
        joined_grads(lambda x: F.adaptive_avg_pool2d(x, (2, 3))), (leaf(1, 2, 5, 7),)),
    "NativeBatchNormBackward0": lambda: (_batch_norm(True), (leaf(4, 3, 2, 2), leaf(3), leaf(3))),
    "NativeBatchNormBackwardBackward0": lambda: (joined_grads(_batch_norm(True)),
                                                 (leaf(4, 3, 2), leaf(3), leaf(3))),
    "GeluBackward0": lambda: (F.gelu, (leaf(3, 4),)),
    "GeluBackwardBackward0": lambda: (joined_grads(F.gelu), (leaf(3, 4),)),
    "LeakyReluBackward0": lambda: (lambda x: F.leaky_relu(x, 0.2), (distinct(3, 4),)),
    "LogSigmoidBackward0": lambda: (F.logsigmoid, (leaf(3, 4, low=-3, high=3),)),
    "LogSigmoidBackwardBackward0": lambda: (joined_grads(F.logsigmoid),
                                            (leaf(3, 4, low=-3, high=3),)),
    "LogitBackward0": lambda: (logit, (probabilities(3, 4),)),
    "LeakyReluBackwardBackward0": lambda: (joined_grads(lambda x: F.leaky_relu(x, 0.2)),
                                           (distinct(3, 4),)),
    "HardtanhBackwardBackward0": lambda: (joined_grads(lambda x: F.hardtanh(x, -0.5, 0.5)),
                                          (distinct(3, 4),)),
    "EluBackwardBackward0": lambda: (joined_grads(lambda x: F.elu(x, 0.7)), (distinct(3, 4),)),
    "EmbeddingBackward0": lambda: (
        lambda w: F.embedding(engine.tensor([[1, 3], [3, 0]]), w, padding_idx=2), (leaf(5, 3),)),
    "EmbeddingDenseBackwardBackward0": lambda: (
        joined_grads(lambda w: F.embedding(engine.tensor([[1, 3], [3, 2]]), w, padding_idx=2)),
        (leaf(5, 3),)),
    "NllLossBackward0": lambda: (
        lambda x: F.nll_loss(x, TARGET, weight=engine.tensor([1.0, 2.0, 0.5, 1.5],
                                                             dtype=engine.float64)),
        (leaf(3, 4),)),
    "NllLossBackwardBackward0": lambda: (
        joined_grads(lambda x: F.nll_loss(x, TARGET, reduction="none")), (leaf(3, 4),)),
    "NllLoss2DBackward0": lambda: (lambda x: F.nll_loss(x, TARGET_2D, reduction="sum"),
                                   (leaf(2, 3, 2, 2),)),
    "NllLoss2DBackwardBackward0": lambda: (joined_grads(lambda x: F.nll_loss(x, TARGET_2D)),
                                           (leaf(2, 3, 2, 2),)),
    "MseLossBackward0": lambda: (F.mse_loss, (leaf(3, 4), leaf(3, 4))),
    "MseLossBackwardBackward0": lambda: (joined_grads(F.mse_loss), (leaf(3, 4), leaf(3, 4))),
    # The target's gradient too (-logit(input) * grad / numel).
    "BinaryCrossEntropyBackward0": lambda: (F.binary_cross_entropy,
                                            (probabilities(3, 4), probabilities(3, 4))),
    "BinaryCrossEntropyBackwardBackward0": lambda: (
        joined_grads(F.binary_cross_entropy), (probabilities(3, 4), probabilities(3, 4))),
    "BinaryCrossEntropyWithLogitsBackward0": lambda: (
        lambda x, t: F.binary_cross_entropy_with_logits(
            x, t, pos_weight=engine.tensor([1.0, 2.0, 0.5, 3.0], dtype=engine.float64)),
        (leaf(3, 4), probabilities(3, 4))),
    "BackwardHookFunctionBackward": lambda: (lambda a, b: pass_through((a, b))[1] * 2,
                                             (leaf(3), leaf(2, 2))),
    **_edge_pad_cases(),
    "NativeLayerNormBackward0": lambda: (
        lambda x, w, b: F.layer_norm(x, (2, 3), w, b, eps=1e-3),
        (leaf(2, 2, 3), leaf(2, 3), leaf(2, 3))),
    "NativeGroupNormBackward0": lambda: (
        lambda x, w, b: F.group_norm(x, 2, w, b, eps=1e-3),
        (leaf(2, 4, 3), leaf(4), leaf(4))),
    "ScaledDotProductFlashAttentionForCpuBackward0": lambda: (
        lambda q, k, v: F.scaled_dot_product_attention(
            q, k, v, attn_mask=engine.tensor([[0.5, -1.0, 0.0], [0.0, 0.2, 1.0]],
                                             dtype=engine.float64), is_causal=True),
        (leaf(1, 2, 2, 4), leaf(1, 2, 3, 4), leaf(1, 2, 3, 4))),
    # The math path: a mask that requires grad keeps torch off its flash kernel.
    "SafeSoftmaxBackward0": lambda: (
        lambda q, k, v, mask: F.scaled_dot_product_attention(q, k, v, attn_mask=mask),
        (leaf(2, 2, 3), leaf(2, 4, 3), leaf(2, 4, 2), leaf(2, 4))),
    # The float32 LSTM node, through its float64 gradient check: the rule is dtype-generic.
    "MkldnnRnnLayerBackward0": lambda: (_lstm_layer, (leaf(4, 2, 3), leaf(8, 3), leaf(8, 2),
                                                      leaf(8), leaf(8), leaf(2, 2), leaf(2, 2))),
    "SmoothL1LossBackward0": lambda: (lambda x, t: F.smooth_l1_loss(x, t, beta=0.7),
                                      (leaf(3, 4, low=-2, high=2), leaf(3, 4, low=-2, high=2))),
    # engine/nn/_ops/more_activations.py; distinct points keep away from hardtanh's corners.
    "SiluBackward0": lambda: (F.silu, (leaf(5, low=-3, high=3),)),
    "MishBackward0": lambda: (F.mish, (leaf(5, low=-3, high=3),)),
    "EluBackward0": lambda: (lambda a: F.elu(a, 0.7), (distinct(6),)),
    "SoftplusBackward0": lambda: (lambda a: F.softplus(a, 2, 3), (leaf(6, low=-2, high=2),)),
    # In place (a copy first, as a leaf cannot be written): saving the result.
    "EluBackward1": lambda: (lambda a: F.elu(a * 1, 0.7, inplace=True), (distinct(6),)),
    "LeakyReluBackward1": lambda: (lambda a: F.leaky_relu(a * 1, 0.2, inplace=True),
                                   (distinct(6),)),
    "HardtanhBackward0": lambda: (lambda a: F.hardtanh(a, -0.7, 0.7), (distinct(6),)),
    "HuberLossBackward0": lambda: (lambda x, t: F.huber_loss(x, t, delta=0.6),
                                   (distinct(3, 4), leaf(3, 4, low=-0.1, high=0.1))),
    **{name: case for name, case in _upsample_cases().items()},
    # engine/nn/_ops/shrink_and_gate.py
    "HardswishBackward0": lambda: (F.hardswish, (leaf(8, low=-4, high=4),)),
    "HardswishBackwardBackward0": lambda: (joined_grads(F.hardswish), (leaf(8, low=-4, high=4),)),
    "HardsigmoidBackward0": lambda: (F.hardsigmoid, (leaf(8, low=-4, high=4),)),
    "CeluBackward0": lambda: (lambda a: F.celu(a, 0.6), (distinct(6),)),
    "CeluBackward1": lambda: (lambda a: F.celu(a * 1, 0.6, inplace=True), (distinct(6),)),
    "ThresholdBackward0": lambda: (lambda a: F.threshold(a, 0.1, 3.0), (distinct(6),)),
    "ThresholdBackward1": lambda: (lambda a: F.threshold(a * 1, 0.1, 3.0, inplace=True),
                                   (distinct(6),)),
    "SoftshrinkBackward0": lambda: (F.softshrink, (distinct(6),)),
    "SoftshrinkBackwardBackward0": lambda: (joined_grads(F.softshrink), (distinct(6),)),
    "HardshrinkBackward0": lambda: (F.hardshrink, (distinct(6),)),
    "HardshrinkBackwardBackward0": lambda: (joined_grads(F.hardshrink), (distinct(6),)),
    "GluBackward0": lambda: (lambda a: F.glu(a, 0), (leaf(4, 3),)),
    "PreluKernelBackward0": lambda: (F.prelu, (distinct(2, 3, 2), leaf(3))),
    "PreluKernelBackwardBackward0": lambda: (joined_grads(F.prelu), (distinct(2, 3, 2), leaf(3))),
    "SmoothL1LossBackwardBackward0": lambda: (
        joined_grads(lambda x, t: F.smooth_l1_loss(x, t, reduction="none", beta=0.7)),
        (distinct(3, 4), leaf(3, 4, low=-0.1, high=0.1))),
    "PixelShuffleBackward0": lambda: (lambda x: F.pixel_shuffle(x, 2), (leaf(1, 8, 2, 3),)),
    "PixelUnshuffleBackward0": lambda: (lambda x: F.pixel_unshuffle(x, 2), (leaf(1, 2, 4, 2),)),
    "Im2ColBackward0": lambda: (lambda x: F.unfold(x, 2, padding=1, stride=2),
                                (leaf(1, 2, 3, 3),)),
    "Col2ImBackward0": lambda: (lambda x: F.fold(x, (3, 3), 2), (leaf(1, 8, 4),)),
    "HuberLossBackwardBackward0": lambda: (
        joined_grads(lambda x, t: F.huber_loss(x, t, delta=0.6)),
        (distinct(3, 4), leaf(3, 4, low=-0.1, high=0.1))),
    # rnncells: packing (engine/nn/_ops/pack.py), batch_first and not
    "PackPaddedSequenceBackward0": lambda: (
        lambda x: (_packed(x, False) * 2).sum() + _packed(x, True).pow(2).sum(),
        (leaf(3, 3, 2),)),
    # max_unpool (engine/nn/_ops/max_unpool.py): every output place written at most once
    "MaxUnpool2DBackward0": lambda: (
        lambda x: F.max_unpool2d(x, engine.tensor([[[[0, 3], [9, 14]]]]), 2, output_size=(4, 4)),
        (leaf(1, 1, 2, 2),)),
    # normseeds: layer_norm's double backward (engine/nn/_ops/layer_norm_double.py)
    "NativeLayerNormBackwardBackward0": lambda: (
        joined_grads(lambda x, w, b: F.layer_norm(x, (2, 3), w, b, eps=1e-3)),
        (leaf(2, 2, 3), leaf(2, 3), leaf(2, 3))),
    # losses, distances and bilinear (nnloss)
    "NormBackward1": lambda: (lambda a, b: F.pairwise_distance(a, b, 3.0), (leaf(3, 4),
                                                                            leaf(3, 4))),
    "PdistBackward0": lambda: (lambda x: F.pdist(x) + F.pdist(x, 1.5), (distinct(4, 3),)),
    "TrilinearBackward0": lambda: (
        lambda a, b, w: F.bilinear(a, b, w), (leaf(2, 3), leaf(2, 4), leaf(2, 3, 4))),
    "SoftMarginLossBackward0": lambda: (
        lambda x: F.soft_margin_loss(x, engine.tensor([1., -1, -1, 1], dtype=engine.float64)),
        (leaf(3, 4),)),
    "SoftMarginLossBackwardBackward0": lambda: (
        joined_grads(lambda x: F.soft_margin_loss(
            x, engine.tensor([1., -1, -1, 1], dtype=engine.float64), reduction="none")),
        (leaf(3, 4),)),
    "MultiMarginLossBackward0": lambda: (
        lambda x: F.multi_margin_loss(x, engine.tensor([0, 3, 1]), p=2, margin=0.8,
                                      weight=engine.tensor([1., 2, 3, 4],
                                                           dtype=engine.float64)),
        (distinct(3, 4),)),
    "MultilabelMarginLossBackward0": lambda: (
        lambda x: F.multilabel_margin_loss(x, engine.tensor([[0, 1, -1, 0], [3, -1, 0, 0],
                                                             [2, 2, 1, 0]]),
                                           reduction="none"),
        (distinct(3, 4),)),
    # nnlayers: rrelu (engine/nn/_ops/random_layers.py), reseeded so every call draws alike
    "RreluWithNoiseBackward0": lambda: (_seeded_rrelu(False), (distinct(2, 5),)),
    "RreluWithNoiseBackward1": lambda: (_seeded_rrelu(True), (distinct(2, 5),)),
    "RreluWithNoiseBackwardBackward0": lambda: (joined_grads(_seeded_rrelu(False)),
                                                (distinct(2, 5),)),
    "ChannelShuffleBackward0": lambda: (lambda x: F.channel_shuffle(x, 2), (leaf(2, 4, 3),)),
    "AdaptiveMaxPool3DBackward0": lambda: (lambda x: F.adaptive_max_pool3d(x, (2, 1, 2)),
                                           (distinct(1, 2, 3, 2, 4),)),
    "AdaptiveMaxPool3DBackwardBackward0": lambda: (
        joined_grads(lambda x: F.adaptive_max_pool3d(x, 2)), (distinct(1, 3, 3, 4),)),
    "MaxUnpool3DBackward0": lambda: (
        lambda x: F.max_unpool3d(x, engine.tensor([[[[[0, 3], [9, 14]]]]]), 2,
                                 output_size=(2, 4, 4)), (leaf(1, 1, 1, 2, 2),)),
    "GridSampler2DBackward0": lambda: (
        lambda x, g: F.grid_sample(x, g, padding_mode="reflection", align_corners=False),
        (leaf(1, 2, 3, 4), leaf(1, 2, 3, 2, low=-1.3, high=1.3))),
    "GridSampler2DBackwardBackward0": lambda: (
        joined_grads(lambda x, g: F.grid_sample(x, g, padding_mode="border",
                                                align_corners=True)),
        (leaf(1, 2, 3, 4), leaf(1, 2, 3, 2, low=-1.3, high=1.3))),
    "GridSampler3DBackward0": lambda: (
        lambda x, g: F.grid_sample(x, g, padding_mode="zeros", align_corners=False),
        (leaf(1, 2, 2, 3, 2), leaf(1, 2, 1, 2, 3, low=-1.3, high=1.3))),
    "GridSampler3DBackwardBackward0": lambda: (
        joined_grads(lambda x, g: F.grid_sample(x, g, padding_mode="reflection",
                                                align_corners=True)),
        (leaf(1, 1, 2, 3, 2), leaf(1, 2, 1, 1, 3, low=-1.3, high=1.3))),
    "AffineGridGeneratorBackward0": lambda: (
        lambda theta: F.affine_grid(theta, (2, 1, 3, 4), align_corners=True), (leaf(2, 2, 3),)),
    # breadth: embedding_bag (weight and per_sample_weights; max picks distinct values)
    "EmbeddingBagBackward0": lambda: (
        lambda w, p: F.embedding_bag(engine.tensor([1, 3, 3, 0, 4, 2]), w,
                                     engine.tensor([0, 2]), mode="sum",
                                     per_sample_weights=p, padding_idx=2)
        + F.embedding_bag(engine.tensor([[1, 3, 0], [3, 4, 4]]), w, mode="max")
        + F.embedding_bag(engine.tensor([[1, 3, 0], [3, 2, 4]]), w, padding_idx=2),
        (distinct(5, 3), leaf(6))),
}


def _seeded_rrelu(inplace: bool):
    def rrelu(x):
        engine.manual_seed(5)
        return F.rrelu(x * 1 if inplace else x, 0.1, 0.6, training=True, inplace=inplace)
    return rrelu


def _packed(x, batch_first: bool):
    from engine.nn.utils.rnn import pack_padded_sequence
    return pack_padded_sequence(x, [3, 2, 1], batch_first=batch_first).data


@pytest.mark.parametrize("pad, shape", [((2, 3), (2, 4)), ((1, 0, -1, 2), (2, 3, 3, 4)),
                                        ((0, 1, 2, 1, 1, 1), (2, 3, 3, 4))])
def test_circular_pad_gradient(pad, shape):
    """Circular padding is composite (copies into slices), so it has no node class of its own."""
    assert gradcheck(lambda x: F.pad(x, pad, mode="circular"), (leaf(*shape),))


@pytest.mark.parametrize("node_name", sorted(NN_CASES))
def test_nn_gradient_matches_finite_differences(node_name):
    fn, inputs = NN_CASES[node_name]()
    assert gradcheck(fn, inputs)


@pytest.mark.parametrize("node_name", sorted(NN_CASES))
def test_nn_case_produces_its_node(node_name):
    fn, inputs = NN_CASES[node_name]()
    out = fn(*inputs)
    names, stack, seen = set(), [out.grad_fn], set()
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        names.add(type(node).__name__)
        stack.extend(f for f, _ in node.next_functions)
    assert node_name in names


def test_every_nn_node_has_a_case():
    from engine.autograd.node import NODE_CLASSES
    nn_nodes = {name for name, cls in NODE_CLASSES.items()
                if cls._apply.__code__.co_filename and "engine/nn/" in _rule_file(cls)}
    assert nn_nodes <= set(NN_CASES)


def _rule_file(cls) -> str:
    closure = cls._apply.__closure__ or ()
    for cell in closure:
        code = getattr(cell.cell_contents, "__code__", None)
        if code is not None:
            return code.co_filename
    return ""


def test_linear_has_a_double_backward():
    def first_grad(x, w, b):
        return engine.autograd.grad((F.linear(x, w, b) ** 2).sum(), (x, w), create_graph=True)
    assert gradcheck(first_grad, (leaf(2, 3), leaf(4, 3), leaf(4)))


def test_third_order_through_a_double_backward_node_warns():
    """*BackwardBackward0 nodes compute on arrays: differentiating them again (create_graph
    on a second derivative) gives constants, and says so once per node name."""
    from engine.autograd import node
    node._WARNED_NO_DOUBLE_BACKWARD.discard("ConvolutionBackwardBackward0")
    x, w = leaf(1, 1, 4, 4), leaf(1, 1, 2, 2)
    (gx,) = engine.autograd.grad((F.conv2d(x, w) ** 2).sum(), x, create_graph=True)
    with pytest.warns(UserWarning, match="ConvolutionBackwardBackward0 has no double backward"):
        (gw,) = engine.autograd.grad((gx ** 2).sum(), w, create_graph=True)
    assert gw.shape == w.shape and gw.grad_fn is None
