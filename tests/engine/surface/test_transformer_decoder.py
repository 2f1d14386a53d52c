"""nn.TransformerDecoderLayer, nn.TransformerDecoder and nn.Transformer live against torch:
seeded parameters (torch's draw order, the Transformer's xavier pass), outputs with dropout
on, every node of the graph, every gradient, masks, warnings and error texts."""
import warnings

import numpy as np
import pytest

from surface_live import check
from test_multihead_attention import _inputs, _run

CAUSAL_FLOAT = np.where(np.triu(np.ones((4, 4), dtype=bool), 1), -np.inf, 0.0).astype(
    np.float32)
PADDING = np.array([[False, False, False, True], [False, False, True, True]])
MEMORY_PADDING = np.array([[False] * 5, [False, False, False, True, True]])


def decoder(layers=0, batch_first=False, masks=None, dropout=0.0, unbatched=False,
            **options):
    def snippet(t):
        t.manual_seed(0)
        layer = t.nn.TransformerDecoderLayer(6, 2, dim_feedforward=8, dropout=dropout,
                                             batch_first=batch_first, **options)
        module = layer if not layers else t.nn.TransformerDecoder(
            layer, layers, norm=t.nn.LayerNorm(6))
        shapes = ((4, 6), (5, 6)) if unbatched else \
            ((2, 4, 6), (2, 5, 6)) if batch_first else ((4, 2, 6), (5, 2, 6))
        tgt, memory = _inputs(t, *shapes)
        kwargs = {name: t.tensor(array) for name, array in (masks or {}).items()}
        out = module(tgt, memory, **kwargs)
        return [p for p in module.parameters()] + _run(t, module, (out, None), [tgt, memory])
    return snippet


DECODER_CASES = {
    "post-norm relu": decoder(),
    "pre-norm gelu": decoder(norm_first=True, activation="gelu"),
    "callable activation": decoder(activation=lambda x: x.tanh()),
    "batch_first": decoder(batch_first=True),
    "unbatched": decoder(unbatched=True),
    "no bias": decoder(bias=False),
    "dropout": decoder(dropout=0.3),
    "masks": decoder(masks={"tgt_mask": CAUSAL_FLOAT, "tgt_key_padding_mask": PADDING,
                            "memory_key_padding_mask": MEMORY_PADDING}),
    "decoder": decoder(layers=2),
    "decoder, causal": decoder(layers=2, masks={"tgt_mask": CAUSAL_FLOAT}),
    "decoder, batch_first, dropout": decoder(layers=2, batch_first=True, dropout=0.2),
}


@pytest.mark.parametrize("name", sorted(DECODER_CASES))
def test_transformer_decoder(name):
    check(DECODER_CASES[name], rtol=1e-4, atol=1e-5)


def transformer(batch_first=False, masks=None, dropout=0.0, dtype="float32", **options):
    def snippet(t):
        t.manual_seed(0)
        module = t.nn.Transformer(6, 2, 2, 2, dim_feedforward=8, dropout=dropout,
                                  batch_first=batch_first, dtype=getattr(t, dtype), **options)
        shapes = ((2, 5, 6), (2, 4, 6)) if batch_first else ((5, 2, 6), (4, 2, 6))
        src, tgt = (x.detach().to(getattr(t, dtype)).requires_grad_()
                    for x in _inputs(t, *shapes))
        kwargs = {name: t.tensor(array) for name, array in (masks or {}).items()}
        if masks is None:
            kwargs["tgt_mask"] = module.generate_square_subsequent_mask(4)
        out = module(src, tgt, **kwargs)
        return [repr(module), *module.parameters()] + \
            _run(t, module, (out, None), [src, tgt])
    return snippet


TRANSFORMER_CASES = {
    "default": transformer(),
    "batch_first, dropout": transformer(batch_first=True, dropout=0.1),
    "pre-norm gelu": transformer(norm_first=True, activation="gelu"),
    "padding masks": transformer(masks={"src_key_padding_mask": MEMORY_PADDING,
                                        "memory_key_padding_mask": MEMORY_PADDING,
                                        "tgt_key_padding_mask": PADDING}),
    "float64": transformer(dtype="float64"),
}


@pytest.mark.parametrize("name", sorted(TRANSFORMER_CASES))
def test_transformer(name):
    check(TRANSFORMER_CASES[name], rtol=1e-4, atol=1e-5)


def test_square_subsequent_mask():
    check(lambda t: [t.nn.Transformer.generate_square_subsequent_mask(3),
                     t.nn.Transformer.generate_square_subsequent_mask(2, dtype=t.float64)])


def test_custom_encoder_and_decoder():
    def snippet(t):
        t.manual_seed(2)
        encoder = t.nn.TransformerEncoder(t.nn.TransformerEncoderLayer(4, 1, 8, 0.0), 1,
                                          enable_nested_tensor=False)
        decoder = t.nn.TransformerDecoder(t.nn.TransformerDecoderLayer(4, 1, 8, 0.0), 1)
        module = t.nn.Transformer(4, 1, custom_encoder=encoder, custom_decoder=decoder)
        src, tgt = _inputs(t, (3, 1, 4), (2, 1, 4))
        return [repr(module), *module.parameters(), module(src, tgt)]
    check(snippet, rtol=1e-4, atol=1e-5)


ERRORS = {
    "batch": lambda t: t.nn.Transformer(4, 1, 1, 1, 8)(t.ones(3, 2, 4), t.ones(3, 1, 4)),
    "batch, batch_first": lambda t: t.nn.Transformer(4, 1, 1, 1, 8, batch_first=True)(
        t.ones(2, 3, 4), t.ones(1, 3, 4)),
    "features": lambda t: t.nn.Transformer(4, 1, 1, 1, 8)(t.ones(3, 2, 4), t.ones(3, 2, 5)),
    "activation": lambda t: t.nn.TransformerDecoderLayer(4, 1, activation="tanh"),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors(name):
    check(ERRORS[name])


@pytest.mark.parametrize("case", ["nested", "not left aligned", "training", "with mask",
                                  "needs grad", "float padding"])
def test_encoder_inference_packs_padded_places_as_zeros(case):
    """torch's sparsity fast path: in inference with a left-aligned padding mask the encoder
    runs on a nested tensor and gives zeros at the padded places (before its norm). Its
    prototype warning is torch's TORCH_WARN_ONCE, given by whichever test runs first."""
    def snippet(t):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t.manual_seed(0)
            layer = t.nn.TransformerEncoderLayer(8, 2, 16, 0.1, batch_first=True)
            encoder = t.nn.TransformerEncoder(layer, 2, norm=t.nn.LayerNorm(8)).eval()
            encoder.train(case == "training")
            rows = [[False, False, False, True], [False, False, True, True]]
            if case == "not left aligned":
                rows[1] = [False, True, False, True]
            padding = t.tensor(rows)
            if case == "float padding":
                padding = t.zeros(2, 4).masked_fill(padding, float("-inf"))
            mask = t.zeros(4, 4) if case == "with mask" else None
            x = t.randn(2, 4, 8, requires_grad=case == "needs grad")
            with t.no_grad() if case != "needs grad" else t.enable_grad():
                return encoder(x, mask=mask, src_key_padding_mask=padding)
    check(snippet, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("activation", ["ReLU", "GELU", "Tanh"])
def test_activation_modules(activation):
    """A module activation is a submodule (in the repr); ReLU and GELU modules count as
    relu/gelu for the nested-tensor path, as in torch."""
    def snippet(t):
        t.manual_seed(0)
        layer = t.nn.TransformerEncoderLayer(4, 2, 8, 0.0, getattr(t.nn, activation)(),
                                             batch_first=True)
        encoder = t.nn.TransformerEncoder(layer, 1)
        decoder = t.nn.TransformerDecoderLayer(4, 2, 8, 0.0, getattr(t.nn, activation)())
        x, = _inputs(t, (2, 3, 4))
        return [layer.activation_relu_or_gelu, repr(encoder), repr(decoder), encoder(x),
                decoder(x, x)]
    check(snippet, rtol=1e-5, atol=1e-6)
