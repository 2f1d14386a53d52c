"""engine.nn.functional errors with torch 2.13's texts (recorded from torch by hand; torch is
never imported here)."""
import pytest

import engine
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
}


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
