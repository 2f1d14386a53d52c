"""scaled_dot_product_attention's CPU flash kernel with NaN scores. Without a mask and with
fewer keys than its vector lanes (16 float32, 8 float64) it takes a row's maximum in a
scalar loop that skips NaN: a row of NaN scores then comes out 0, like a row masked
everywhere (nn seed 1001560: the averaged weights of a fully masked row fed to a second
attention as its query). With a mask, or more keys, the maximum propagates NaN and so
does the row. The backward recomputes the probabilities from the scores: a NaN score
makes every gradient it enters NaN. Values and gradients live against torch."""
import math

import pytest

import oracle

NAN, INF = math.nan, math.inf
QUERIES = {
    "all nan": [[NAN, NAN], [0.3, 0.5]],
    "one nan": [[NAN, 1.0], [0.3, 0.5]],
    "inf": [[INF, 1.0], [0.3, 0.5]],
    "finite": [[0.2, 1.0], [0.3, 0.5]],
}
KEYS = {"finite": [[0.1, 0.2], [0.3, -0.5], [1.0, 2.0]],
        "nan": [[NAN, 0.2], [0.3, -0.5], [1.0, 2.0]]}
MASKS = {"none": None, "row masked": [[True, True, False], [False, True, False]]}


def attention(lib, query, key, mask, dtype="float32", repeat=1):
    torch = lib.torch
    dtype = getattr(torch, dtype)
    q = torch.tensor([[QUERIES[query]]], dtype=dtype, requires_grad=True)
    k = torch.tensor([[KEYS[key] * repeat]], dtype=dtype, requires_grad=True)
    v = torch.tensor([[[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]] * repeat]], dtype=dtype,
                     requires_grad=True)
    attn_mask = None if MASKS[mask] is None else torch.tensor(MASKS[mask]).repeat(1, repeat)
    out = torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask)
    out.sum().backward()
    return [[repr(round(x, 3)) for x in t.flatten().tolist()]
            for t in (out, q.grad, k.grad, v.grad)]


@pytest.mark.parametrize("mask", sorted(MASKS))
@pytest.mark.parametrize("key", sorted(KEYS))
@pytest.mark.parametrize("query", sorted(QUERIES))
def test_nan_scores_as_the_flash_kernel(query, key, mask):
    oracle.agree(attention, query, key, mask, namespace_arg=True)


@pytest.mark.parametrize("repeat", [2, 3, 5, 6])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_the_vector_lanes_decide_a_nan_row(dtype, repeat):
    oracle.agree(attention, "all nan", "finite", "none", dtype, repeat, namespace_arg=True)
