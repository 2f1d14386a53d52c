"""engine.nn.functional errors with torch 2.13's texts: each case runs with torch and with
engine (tests/oracle.py) and must raise the same exception type with the same text."""
import pytest

import engine
import engine.nn
import engine.nn.functional as F
import oracle
from oracle import error_of


def logits(t):
    return t.ones(3, 4, requires_grad=True)


def probabilities(t):
    return t.full((3, 4), 0.25)


def cross_entropy(t, target, **kwargs):
    return t.nn.functional.cross_entropy(logits(t), target, **kwargs)


CASES = {
    "nll_weight_of_another_dtype":
        lambda t: t.nn.functional.nll_loss(logits(t).double(), t.tensor([1, 2, 3]),
                                           weight=t.ones(4)),
    "cross_entropy_weight_of_another_dtype":
        lambda t: cross_entropy(t, t.tensor([1, 2, 3]), weight=t.ones(4, dtype=t.float64)),
    "nll_nd_weight_of_another_dtype":
        lambda t: t.nn.functional.nll_loss(t.ones(2, 3, 2, dtype=t.float64),
                                           t.zeros(2, 2, dtype=t.long), weight=t.ones(3)),
    "batch_norm_one_value_per_channel_before_dtype":
        lambda t: t.nn.BatchNorm1d(2)(t.ones(1, 2, dtype=t.float64)),
    "batch_norm_one_value_1d":
        lambda t: t.nn.functional.batch_norm(t.ones(1), None, None, training=True),
    "probability_target_not_float":
        lambda t: cross_entropy(t, t.ones(3, 4, dtype=t.long)),
    "probability_target_ignore_index":
        lambda t: cross_entropy(t, probabilities(t), ignore_index=2),
    "label_smoothing_above_one":
        lambda t: cross_entropy(t, t.tensor([1, 2, 3]), label_smoothing=1.5),
    "label_smoothing_above_one_integer":
        lambda t: cross_entropy(t, t.tensor([1, 2, 3]), label_smoothing=2),
    "label_smoothing_above_one_probabilities":
        lambda t: cross_entropy(t, probabilities(t), label_smoothing=1.25e10),
    "probability_target_bad_reduction":
        lambda t: cross_entropy(t, probabilities(t), reduction="avg"),
    "nll_weight_requires_grad":
        lambda t: t.nn.functional.nll_loss(logits(t).detach(), t.tensor([1, 2, 3]),
                                           weight=t.ones(4, requires_grad=True)),
    "nll_2d_weight_requires_grad":
        lambda t: t.nn.functional.nll_loss(t.ones(2, 4, 3, 3), t.zeros(2, 3, 3, dtype=t.long),
                                           weight=t.ones(4, requires_grad=True)),
    "bce_weight_requires_grad":
        lambda t: t.nn.functional.binary_cross_entropy(t.full((2,), 0.3), t.ones(2),
                                                       weight=t.ones(2, requires_grad=True)),
}


def padded(shape, pad, mode, **kwargs):
    return lambda t: t.nn.functional.pad(t.ones(*shape, requires_grad=True), pad, mode=mode,
                                         **kwargs)


PAD_CASES = {
    "pad_unknown_mode": padded((2, 3, 4), (1, 1), "wrap"),
    "pad_odd_length": padded((2, 3, 4), (1,), "reflect"),
    "pad_too_long": padded((3, 4), (1, 1, 1, 1, 1, 1), "replicate"),
    "pad_1d_input": padded((4,), (1, 1), "reflect"),
    "pad_2_on_4d": padded((2, 3, 4, 5), (1, 1), "circular"),
    "pad_value_with_reflect": padded((2, 3, 4), (1, 1), "reflect", value=1.0),
    "pad_reflect_too_wide": padded((2, 3, 4), (4, 1), "reflect"),
    "pad_reflect_2d_too_high": padded((2, 3, 4, 5), (1, 1, 4, 1), "reflect"),
    "pad_reflect_3d_too_deep": padded((1, 2, 3, 4, 5), (1, 1, 1, 1, 3, 1), "reflect"),
    "pad_replicate_empty_channels": padded((2, 0, 4), (1, 1), "replicate"),
    "pad_reflect_unbatched_empty": padded((0, 4, 5), (1, 1, 1, 1), "reflect"),
    "pad_reflect_1d_too_small": padded((2, 3, 4), (-2, -2), "reflect"),
    "pad_replicate_2d_too_small": padded((2, 3, 4, 5), (-3, -3, -3, -2), "replicate"),
    "pad_reflect_3d_too_small": padded((1, 2, 3, 4, 5), (-3, -3, -3, -2, -2, -2), "reflect"),
    "pad_replicate_negative_width": padded((2, 3, 4, 5), (-3, -3, 0, 0), "replicate"),
    "pad_circular_wraps_twice": padded((2, 3, 4), (1, 5), "circular"),
    "pad_circular_too_negative": padded((2, 3, 4), (-3, -2), "circular"),
    "pad_constant_too_negative": padded((2, 3, 4), (-3, -2), "constant"),
}
CASES.update(PAD_CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_error_matches_torch(name):
    raised = oracle.agree(lambda t: error_of(lambda: CASES[name](t)))
    assert raised is not None


def test_negative_label_smoothing_is_no_smoothing():
    oracle.agree(lambda t: cross_entropy(t, t.tensor([1, 2, 3]),
                                         label_smoothing=-0.5).grad_fn.name())


def test_weight_that_requires_grad_is_allowed_under_no_grad():
    def case(t):
        with t.no_grad():
            loss = t.nn.functional.nll_loss(logits(t), t.tensor([1, 2, 3]),
                                            weight=t.ones(4, requires_grad=True))
        return repr(loss)
    oracle.agree(case)


@pytest.mark.parametrize("make", [
    lambda: engine.nn.Embedding(5, 3, sparse=True),
    lambda: F.embedding(engine.tensor([0, 2]), engine.ones(5, 3, requires_grad=True), sparse=True),
])
def test_sparse_embedding_says_it_is_not_supported(make):
    """engine has no sparse tensors (engine's own wording, not torch's: torch supports it)."""
    with pytest.raises(NotImplementedError, match="no sparse tensors; use sparse=False"):
        make()


def test_batch_norm_of_an_empty_input_checks_no_dtypes():
    """ATen returns input.clone() * weight[0] + bias[0] before its mixed-dtype check."""
    out = oracle.agree(lambda t: [repr(o) for o in (
        t.nn.BatchNorm2d(3)(t.ones(0, 3, 2, 2, dtype=t.float64, requires_grad=True)),)])
    assert "dtype=torch.float64" in out[0]
