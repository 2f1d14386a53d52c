"""nn.MultiheadAttention, F.multi_head_attention_forward, nn.TransformerEncoderLayer and
nn.TransformerEncoder live against torch: seeded parameters, outputs, attention weights,
every node of the graph (torch's slow path, the one autograd records), every gradient,
warnings and error texts."""
import numpy as np
import pytest

from surface_live import check


def _node_names(node, seen=None) -> list:
    """Every node under `node`, depth first, each once (None for an edge to nothing)."""
    seen = set() if seen is None else seen
    if node is None:
        return [None]
    if node in seen:
        return ["<seen>"]
    seen.add(node)
    return [node.name()] + [name for child, _ in node.next_functions
                            for name in _node_names(child, seen)]


def _inputs(t, *shapes, seed=3):
    rng = np.random.default_rng(seed)
    return [t.tensor(rng.normal(size=s), dtype=t.float32, requires_grad=True) for s in shapes]


def _run(t, module, outputs, leaves):
    """Outputs, graph, and the gradient of every leaf and parameter."""
    first = outputs[0]
    total = (first * first).sum()
    if outputs[1] is not None:
        total = total + (outputs[1] * t.arange(outputs[1].numel()).reshape(
            outputs[1].shape)).sum()
    total.backward()
    grads = [leaf.grad for leaf in leaves] + [p.grad for p in module.parameters()]
    return list(outputs) + [_node_names(total.grad_fn)] + grads


def mha(shapes=((4, 2, 6),), same="qkv", module_options=None, batch_first=False,
        masks=None, **call):
    """shapes: query's, key's (and value's); same: which of them are one tensor."""
    def snippet(t):
        t.manual_seed(0)
        module = t.nn.MultiheadAttention(6, 2, batch_first=batch_first,
                                         **(module_options or {}))
        leaves = _inputs(t, *shapes)
        query = leaves[0]
        key = query if same == "qkv" else leaves[1]
        value = key if same in ("qkv", "kv") else leaves[2]
        kwargs = dict(call)
        for name, array in (masks or {}).items():
            kwargs[name] = t.tensor(array)
        outputs = module(query, key, value, **kwargs)
        return [p for p in module.parameters()] + _run(t, module, outputs, leaves)
    return snippet


CAUSAL_BOOL = np.triu(np.ones((4, 4), dtype=bool), 1)
CAUSAL_FLOAT = np.where(CAUSAL_BOOL, -np.inf, 0.0).astype(np.float32)
PADDING = np.array([[False, False, False, True], [False, False, True, True]])
CASES = {
    "self": mha(),
    "self, no weights": mha(need_weights=False),
    "per-head weights": mha(average_attn_weights=False),
    "batch_first": mha(shapes=((2, 4, 6),), batch_first=True),
    "batch_first, no weights": mha(shapes=((2, 4, 6),), batch_first=True, need_weights=False),
    "k is v": mha(shapes=((3, 2, 6), (4, 2, 6)), same="kv"),
    "q, k, v": mha(shapes=((3, 2, 6), (4, 2, 6), (4, 2, 6)), same=""),
    "unbatched": mha(shapes=((4, 6),)),
    "bool mask": mha(masks={"attn_mask": CAUSAL_BOOL}),
    "float mask": mha(masks={"attn_mask": CAUSAL_FLOAT}),
    "float mask, no weights": mha(masks={"attn_mask": CAUSAL_FLOAT}, need_weights=False),
    "causal, no weights": mha(masks={"attn_mask": CAUSAL_BOOL}, is_causal=True,
                              need_weights=False),
    "padding": mha(masks={"key_padding_mask": PADDING}),
    "padding, no weights": mha(masks={"key_padding_mask": PADDING}, need_weights=False),
    "padding and mask": mha(masks={"key_padding_mask": PADDING, "attn_mask": CAUSAL_BOOL}),
    "mismatched masks": mha(masks={"key_padding_mask": PADDING, "attn_mask": CAUSAL_FLOAT}),
    "no bias": mha(module_options={"bias": False}),
    "bias_kv and zero attn": mha(module_options={"add_bias_kv": True, "add_zero_attn": True}),
    "kdim and vdim": mha(shapes=((3, 2, 6), (4, 2, 5), (4, 2, 7)), same="",
                         module_options={"kdim": 5, "vdim": 7}),
    "dropout": mha(module_options={"dropout": 0.5}),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_multihead_attention(name):
    check(CASES[name], rtol=1e-4, atol=1e-5)


def test_functional_forward():
    def snippet(t):
        t.manual_seed(1)
        w_in, b_in, w_out, b_out = (t.randn(18, 6, requires_grad=True),
                                    t.randn(18, requires_grad=True),
                                    t.randn(6, 6, requires_grad=True),
                                    t.randn(6, requires_grad=True))
        x, = _inputs(t, (4, 2, 6))
        out, weights = t.nn.functional.multi_head_attention_forward(
            x, x, x, 6, 3, w_in, b_in, None, None, False, 0.0, w_out, b_out)
        (out.sum() + weights.sum()).backward()
        return [out, weights, _node_names(out.grad_fn), x.grad, w_in.grad, b_in.grad,
                w_out.grad, b_out.grad]
    check(snippet, rtol=1e-4, atol=1e-5)


ERRORS = {
    "heads": lambda t: t.nn.MultiheadAttention(6, 4),
    "zero": lambda t: t.nn.MultiheadAttention(0, 2),
    "rank": lambda t: t.nn.MultiheadAttention(6, 2)(t.ones(2, 3, 6), t.ones(3, 6),
                                                     t.ones(3, 6)),
    "4-D": lambda t: t.nn.MultiheadAttention(6, 2)(*[t.ones(1, 2, 3, 6)] * 3),
    "mask shape": lambda t: t.nn.MultiheadAttention(6, 2)(
        *[t.ones(3, 2, 6)] * 3, attn_mask=t.ones(2, 2)),
    "embed": lambda t: t.nn.MultiheadAttention(6, 2)(*[t.ones(3, 2, 4)] * 3),
    "causal without mask": lambda t: t.nn.MultiheadAttention(6, 2)(
        *[t.ones(3, 2, 6)] * 3, is_causal=True),
    "int mask": lambda t: t.nn.MultiheadAttention(6, 2)(
        *[t.ones(3, 2, 6)] * 3, attn_mask=t.ones(3, 3, dtype=t.int64)),
    "padding shape": lambda t: t.nn.MultiheadAttention(6, 2)(
        *[t.ones(3, 2, 6)] * 3, key_padding_mask=t.zeros(2, 4, dtype=t.bool)),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors(name):
    check(ERRORS[name])


def encoder_layer(norm_first=False, activation="relu", batch_first=False, mask=None,
                  layers=0, **options):
    def snippet(t):
        t.manual_seed(0)
        layer = t.nn.TransformerEncoderLayer(6, 2, dim_feedforward=8, dropout=0.0,
                                             activation=activation, batch_first=batch_first,
                                             norm_first=norm_first, **options)
        module = layer if not layers else t.nn.TransformerEncoder(layer, layers)
        x, = _inputs(t, (2, 4, 6) if batch_first else (4, 2, 6))
        kwargs = {} if mask is None else {"src_mask" if not layers else "mask":
                                          t.tensor(mask)}
        out = module(x, **kwargs)
        return [p for p in module.parameters()] + _run(t, module, (out, None), [x])
    return snippet


LAYER_CASES = {
    "post-norm relu": encoder_layer(),
    "pre-norm gelu": encoder_layer(norm_first=True, activation="gelu"),
    "batch_first": encoder_layer(batch_first=True),
    "causal mask": encoder_layer(mask=CAUSAL_FLOAT),
    "encoder": encoder_layer(layers=2),
    "encoder, causal": encoder_layer(layers=2, mask=CAUSAL_FLOAT),
    "encoder, batch_first": encoder_layer(layers=2, batch_first=True),
}


@pytest.mark.parametrize("name", sorted(LAYER_CASES))
def test_transformer_encoder(name):
    check(LAYER_CASES[name], rtol=1e-4, atol=1e-5)


def test_bad_activation():
    check(lambda t: t.nn.TransformerEncoderLayer(6, 2, activation="tanh"))
