"""engine.nn.functional errors with torch 2.13's texts (recorded from torch by hand; torch is
never imported here)."""
import pytest

import engine
import engine.nn
import engine.nn.functional as F


def logits():
    return engine.ones(3, 4, requires_grad=True)


def probabilities():
    return engine.full((3, 4), 0.25)


NLL_WEIGHT = ("The function '{}' is not differentiable with respect to argument 'weight'. "
              "This input cannot have requires_grad True.")
CASES = {
    "probability_target_not_float": (
        lambda: F.cross_entropy(logits(), engine.ones(3, 4, dtype=engine.long)),
        RuntimeError, "Expected floating point type for target with class probabilities, got Long"),
    "probability_target_ignore_index": (
        lambda: F.cross_entropy(logits(), probabilities(), ignore_index=2),
        RuntimeError, "ignore_index is not supported for floating point target"),
    "label_smoothing_above_one": (
        lambda: F.cross_entropy(logits(), engine.tensor([1, 2, 3]), label_smoothing=1.5),
        RuntimeError, "label_smoothing must be between 0.0 and 1.0. Got: 1.5"),
    "label_smoothing_above_one_integer": (
        lambda: F.cross_entropy(logits(), engine.tensor([1, 2, 3]), label_smoothing=2),
        RuntimeError, "label_smoothing must be between 0.0 and 1.0. Got: 2"),
    "label_smoothing_above_one_probabilities": (
        lambda: F.cross_entropy(logits(), probabilities(), label_smoothing=1.25e10),
        RuntimeError, "label_smoothing must be between 0.0 and 1.0. Got: 1.25e+10"),
    "probability_target_bad_reduction": (
        lambda: F.cross_entropy(logits(), probabilities(), reduction="avg"),
        ValueError, "avg is not a valid value for reduction"),
    "nll_weight_requires_grad": (
        lambda: F.nll_loss(logits().detach(), engine.tensor([1, 2, 3]),
                           weight=engine.ones(4, requires_grad=True)),
        RuntimeError, NLL_WEIGHT.format("nll_loss_forward")),
    "nll_2d_weight_requires_grad": (
        lambda: F.nll_loss(engine.ones(2, 4, 3, 3), engine.zeros(2, 3, 3, dtype=engine.long),
                           weight=engine.ones(4, requires_grad=True)),
        RuntimeError, NLL_WEIGHT.format("nll_loss2d_forward")),
    "bce_weight_requires_grad": (
        lambda: F.binary_cross_entropy(engine.full((2,), 0.3), engine.ones(2),
                                       weight=engine.ones(2, requires_grad=True)),
        RuntimeError, NLL_WEIGHT.format("binary_cross_entropy")),
}

SUPPORTED_PADS = ("\nSupported combinations for non-constant padding:\n"
                  "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
                  "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
                  "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
NON_ZERO = ("Expected {} (batch mode) tensor with possibly 0 batch size and other non-zero "
            "dimensions for input, but got: {}")
PAD_SIZE = ("Argument #{}: Padding size should be less than the corresponding input dimension, "
            "but got: padding {} at dimension {} of input {}")


def padded(shape, pad, mode, **kwargs):
    return lambda: F.pad(engine.ones(*shape, requires_grad=True), pad, mode=mode, **kwargs)


PAD_CASES = {
    "pad_unknown_mode": (padded((2, 3, 4), (1, 1), "wrap"), NotImplementedError,
                         "Unrecognised padding mode wrap"),
    "pad_odd_length": (padded((2, 3, 4), (1,), "reflect"), RuntimeError,
                       "Padding length must be divisible by 2"),
    "pad_too_long": (padded((3, 4), (1, 1, 1, 1, 1, 1), "replicate"), RuntimeError,
                     "Padding length should be less than or equal to two times the input "
                     "dimension but got padding length 6 and input of dimension 2"),
    "pad_1d_input": (padded((4,), (1, 1), "reflect"), NotImplementedError,
                     "Padding size 2 is not supported for 1D input tensor." + SUPPORTED_PADS),
    "pad_2_on_4d": (padded((2, 3, 4, 5), (1, 1), "circular"), NotImplementedError,
                    "Padding size 2 is not supported for 4D input tensor." + SUPPORTED_PADS),
    "pad_value_with_reflect": (padded((2, 3, 4), (1, 1), "reflect", value=1.0), RuntimeError,
                               "Padding mode \"reflect\" doesn't take in value argument"),
    "pad_reflect_too_wide": (padded((2, 3, 4), (4, 1), "reflect"), RuntimeError,
                             PAD_SIZE.format(4, "(4, 1)", 2, "[2, 3, 4]")),
    "pad_reflect_2d_too_high": (padded((2, 3, 4, 5), (1, 1, 4, 1), "reflect"), RuntimeError,
                                PAD_SIZE.format(6, "(4, 1)", 2, "[2, 3, 4, 5]")),
    "pad_reflect_3d_too_deep": (padded((1, 2, 3, 4, 5), (1, 1, 1, 1, 3, 1), "reflect"),
                                RuntimeError, PAD_SIZE.format(8, "(3, 1)", 2, "[1, 2, 3, 4, 5]")),
    "pad_replicate_empty_channels": (padded((2, 0, 4), (1, 1), "replicate"), RuntimeError,
                                     NON_ZERO.format("2D or 3D", "[2, 0, 4]")),
    "pad_reflect_unbatched_empty": (padded((0, 4, 5), (1, 1, 1, 1), "reflect"), RuntimeError,
                                    NON_ZERO.format("3D or 4D", "[0, 4, 5]")),
    "pad_reflect_1d_too_small": (padded((2, 3, 4), (-2, -2), "reflect"), RuntimeError,
                                 "input (W: 4) is too small. Calculated output W: 0"),
    "pad_replicate_2d_too_small": (padded((2, 3, 4, 5), (-3, -3, -3, -2), "replicate"),
                                   RuntimeError, "input (H: 4, W: 5 ) is too small. Calculated "
                                   "output H: -1 W: -1"),
    "pad_reflect_3d_too_small": (padded((1, 2, 3, 4, 5), (-3, -3, -3, -2, -2, -2), "reflect"),
                                 RuntimeError, "input (D: 3 H: 4, W: 5) is too small. Calculated "
                                 "output D: -1 H: -1 W: -1"),
    "pad_replicate_negative_width": (padded((2, 3, 4, 5), (-3, -3, 0, 0), "replicate"),
                                     RuntimeError, "Trying to create tensor with negative "
                                     "dimension -1: [2, 3, 4, -1]"),
    "pad_circular_wraps_twice": (padded((2, 3, 4), (1, 5), "circular"), RuntimeError,
                                 "Padding value causes wrapping around more than once."),
    "pad_circular_too_negative": (padded((2, 3, 4), (-3, -2), "circular"), RuntimeError,
                                  "Negative padding value is resulting in an empty dimension"),
    "pad_constant_too_negative": (padded((2, 3, 4), (-3, -2), "constant"), RuntimeError,
                                  "narrow(): length must be non-negative."),
}
CASES.update(PAD_CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_error_matches_torch(name):
    fn, kind, text = CASES[name]
    with pytest.raises(kind) as raised:
        fn()
    assert str(raised.value) == text


def test_negative_label_smoothing_is_no_smoothing():
    loss = F.cross_entropy(logits(), engine.tensor([1, 2, 3]), label_smoothing=-0.5)
    assert loss.grad_fn.name() == "NllLossBackward0"


def test_weight_that_requires_grad_is_allowed_under_no_grad():
    with engine.no_grad():
        F.nll_loss(logits(), engine.tensor([1, 2, 3]), weight=engine.ones(4, requires_grad=True))


@pytest.mark.parametrize("make", [
    lambda: engine.nn.Embedding(5, 3, sparse=True),
    lambda: F.embedding(engine.tensor([0, 2]), engine.ones(5, 3, requires_grad=True), sparse=True),
])
def test_sparse_embedding_says_it_is_not_supported(make):
    """engine has no sparse tensors (engine's own wording, not torch's: torch supports it)."""
    with pytest.raises(NotImplementedError, match="no sparse tensors; use sparse=False"):
        make()
