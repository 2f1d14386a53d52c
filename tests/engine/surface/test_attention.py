"""F.scaled_dot_product_attention (4-D, torch's CPU flash path) live against torch: output,
node name, saved values, gradients of query, key and value."""
import numpy as np
import pytest

import engine
from surface_live import check

RNG = np.random.default_rng(21)
Q, K, V = (RNG.normal(size=(2, 3, 4, 8)), RNG.normal(size=(2, 3, 5, 8)),
           RNG.normal(size=(2, 3, 5, 8)))
FLOAT_MASK = RNG.normal(size=(4, 5))
BOOL_MASK = np.tril(np.ones((4, 5), dtype=bool))


def attention(dtype="float32", **options):
    def snippet(t):
        leaves = [t.tensor(a, dtype=getattr(t, dtype), requires_grad=True) for a in (Q, K, V)]
        kwargs = dict(options)
        if "mask" in kwargs:
            mask = kwargs.pop("mask")
            kwargs["attn_mask"] = t.tensor(mask, dtype=t.float32 if mask.dtype != bool
                                           else t.bool)
        out = t.nn.functional.scaled_dot_product_attention(*leaves, **kwargs)
        node = out.grad_fn
        saved = [node._saved_dropout_p, node._saved_is_causal, node._saved_scale,
                 node._saved_logsumexp, node._saved_output, node._saved_attn_mask]
        out.backward(t.tensor(np.random.default_rng(4).normal(size=tuple(out.shape)),
                              dtype=out.dtype))
        return [out] + saved + [leaf.grad for leaf in leaves]
    return snippet


CASES = {
    "plain": attention(),
    "causal": attention(is_causal=True),
    "float mask": attention(mask=FLOAT_MASK),
    "bool mask": attention(mask=BOOL_MASK),
    "scale": attention(scale=0.3),
    "dropout 0": attention(dropout_p=0.0),
    "float64": attention("float64"),
    "mask and causal": attention(mask=FLOAT_MASK, is_causal=True),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_scaled_dot_product_attention(name):
    check(CASES[name], rtol=1e-4, atol=1e-5)


def test_no_grad_output():
    check(lambda t: t.nn.functional.scaled_dot_product_attention(
        t.tensor(Q).float(), t.tensor(K).float(), t.tensor(V).float(), is_causal=True))


def test_other_ranks_are_not_supported_yet():
    x = engine.ones(4, 8)
    with pytest.raises(NotImplementedError, match="not 4-D is not supported"):
        engine.nn.functional.scaled_dot_product_attention(x, x, x)


def _sdpa_of_dtypes(query="float32", key="float32", value="float32", mask=None):
    def snippet(t):
        q, k, v = (t.ones(1, 1, 2, 3, dtype=getattr(t, d)) for d in (query, key, value))
        attn_mask = None if mask is None else t.ones(2, 2, dtype=getattr(t, mask))
        return t.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask)
    return snippet


DTYPE_CASES = {
    "query double": _sdpa_of_dtypes(query="float64"),
    "value double": _sdpa_of_dtypes(value="float64"),
    "query and key double": _sdpa_of_dtypes("float64", "float64"),
    "mask double, query float": _sdpa_of_dtypes(mask="float64"),
    "mask float, query double": _sdpa_of_dtypes("float64", "float64", "float64", "float32"),
}


@pytest.mark.parametrize("name", sorted(DTYPE_CASES))
def test_dtypes_checked_as_torch(name):
    check(DTYPE_CASES[name])
