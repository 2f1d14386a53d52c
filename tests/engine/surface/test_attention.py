"""F.scaled_dot_product_attention live against torch: on torch's CPU flash path (output, node
name, saved values, gradients of query, key and value) and on its math path (every node)."""
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


def _node_names(node) -> list:
    """Every node under `node`, depth first (None for an edge to nothing)."""
    if node is None:
        return [None]
    return [node.name()] + [name for child, _ in node.next_functions
                            for name in _node_names(child)]


def composed(shapes, strided_query=False, mask=None, mask_grad=False, **options):
    """torch's math path (and its answer for empty inputs): every node of the graph, the
    output and each input's gradient."""
    def snippet(t):
        rng = np.random.default_rng(5)
        leaves = [t.tensor(rng.normal(size=s), dtype=t.float32, requires_grad=True)
                  for s in shapes]
        query = leaves[0].transpose(-1, -2) if strided_query else leaves[0]
        if mask is not None:
            options["attn_mask"] = t.tensor(mask, requires_grad=mask_grad) \
                if mask.dtype != bool else t.tensor(mask)
        out = t.nn.functional.scaled_dot_product_attention(query, *leaves[1:], **options)
        out.backward(t.tensor(rng.normal(size=tuple(out.shape)), dtype=out.dtype))
        return [out, _node_names(out.grad_fn)] + [leaf.grad for leaf in leaves]
    return snippet


MATH_CASES = {
    "3-D": composed([(2, 3, 4), (2, 5, 4), (2, 5, 4)]),
    "2-D causal": composed([(3, 4), (5, 4), (5, 4)], is_causal=True),
    "value size differs": composed([(1, 2, 3, 4), (1, 2, 5, 4), (1, 2, 5, 6)]),
    "strided query": composed([(1, 2, 4, 3), (1, 2, 5, 4), (1, 2, 5, 4)], strided_query=True),
    "strided head of one": composed([(1, 2, 1, 3), (1, 2, 5, 1), (1, 2, 5, 1)],
                                    strided_query=True),
    "batches broadcast": composed([(1, 2, 3, 4), (3, 2, 5, 4), (3, 2, 5, 4)]),
    "bool mask": composed([(2, 3, 4), (2, 5, 4), (2, 5, 4)],
                          mask=np.tril(np.ones((3, 5), dtype=bool))),
    "mask row of -inf": composed([(2, 3, 4), (2, 5, 4), (2, 5, 4)],
                                 mask=np.arange(15).reshape(3, 5) % 7 > 0),
    "mask requires grad": composed([(1, 1, 3, 4), (1, 1, 5, 4), (1, 1, 5, 4)],
                                   mask=np.linspace(-1, 1, 15).reshape(3, 5), mask_grad=True),
    "3-D mask": composed([(1, 2, 3, 4), (1, 2, 5, 4), (1, 2, 5, 4)],
                         mask=np.linspace(-1, 1, 15).reshape(1, 3, 5)),
    "negative scale": composed([(2, 3, 4), (2, 5, 4), (2, 5, 4)], scale=-0.7),
    "mask too wide": composed([(1, 2, 3, 4), (1, 2, 5, 4), (1, 2, 5, 4)],
                              mask=np.zeros((3, 2, 3, 5))),
    "mask and causal": composed([(2, 3, 4), (2, 5, 4), (2, 5, 4)], is_causal=True,
                                mask=np.zeros((3, 5))),
    "1-D mask": composed([(1, 2, 3, 4), (1, 2, 3, 4), (1, 2, 3, 4)], mask=np.zeros(3)),
    "empty batch": composed([(0, 2, 3, 4), (0, 2, 5, 4), (0, 2, 5, 4)]),
    "no keys": composed([(1, 2, 3, 4), (1, 2, 0, 4), (1, 2, 0, 6)], is_causal=True),
}


@pytest.mark.parametrize("name", sorted(MATH_CASES))
def test_math_path_and_empty_inputs(name):
    check(MATH_CASES[name], rtol=1e-4, atol=1e-5)


def test_safe_softmax_double_backward():
    def snippet(t):
        q, k, v = (t.tensor(a[0, 0], requires_grad=True) for a in (Q, K, V))
        out = t.nn.functional.scaled_dot_product_attention(q, k, v)
        (grad_q,) = t.autograd.grad((out * out).sum(), q, create_graph=True)
        grad_q.sum().backward()
        return [grad_q, k.grad, v.grad]
    check(snippet, rtol=1e-4, atol=1e-5)


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


def double_backward(value_grad, squared):
    """create_graph through torch's flash node: gradients from a NotImplemented node whose
    edges go to what requires grad; differentiating them raises torch's error."""
    def snippet(t):
        rng = np.random.default_rng(0)
        q, k, v = (t.tensor(rng.normal(size=(1, 2, 3, 4)), dtype=t.float32, requires_grad=r)
                   for r in (True, True, value_grad))
        out = t.nn.functional.scaled_dot_product_attention(q, k, v)
        grads = t.autograd.grad(((out * out) if squared else out).sum(),
                                (q, k, v) if value_grad else (q, k), create_graph=True)
        node = grads[0].grad_fn
        edges = [None if f is None else f.name() for f, _ in node.next_functions]
        try:
            sum(g.sum() for g in grads).backward()
            error = None
        except RuntimeError as e:
            error = str(e)
        return list(grads) + [node.name(), edges, error]
    return snippet


@pytest.mark.parametrize("value_grad", [True, False])
@pytest.mark.parametrize("squared", [True, False])
def test_double_backward_through_flash_node(value_grad, squared):
    check(double_backward(value_grad, squared), rtol=1e-5, atol=1e-6)
