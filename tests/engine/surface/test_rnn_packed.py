"""nn.RNN, nn.LSTM and nn.GRU on a PackedSequence, live against torch: the packed output
(data, batch sizes, indices), the final states in the caller's order, the gradients and
the graph ATen's PackedLayer records (narrow per step, the finished rows set aside)."""
import numpy as np
import pytest

from surface_live import check
from test_rnn import graph

RNG = np.random.default_rng(23)


def packed_case(kind, num_layers=1, bidirectional=False, enforce_sorted=True,
                with_state=False, batch_first=False, dtype="float32", lengths=None):
    lengths = lengths or ([4, 3, 3, 1] if enforce_sorted else [3, 4, 1, 3])
    padded = RNG.normal(size=(4, 4, 3))
    layers = num_layers * (2 if bidirectional else 1)
    states = RNG.normal(size=(2, layers, 4, 2))

    def snippet(t):
        t.manual_seed(5)
        float_type = getattr(t, dtype)
        module = getattr(t.nn, kind)(3, 2, num_layers=num_layers, bidirectional=bidirectional,
                                     batch_first=batch_first).to(float_type)
        x = t.tensor(padded, dtype=float_type, requires_grad=True)
        packed = t.nn.utils.rnn.pack_padded_sequence(
            x.transpose(0, 1) if batch_first else x, lengths, batch_first=batch_first,
            enforce_sorted=enforce_sorted)
        hx = [t.tensor(s, dtype=float_type, requires_grad=True) for s in states]
        state = (tuple(hx) if kind == "LSTM" else hx[0]) if with_state else None
        out, hidden = module(packed, state)
        h, c = hidden if kind == "LSTM" else (hidden, hidden * 0.5)
        padded_out, out_lengths = t.nn.utils.rnn.pad_packed_sequence(out, batch_first)
        weights = t.linspace(-1, 1, padded_out.numel(), dtype=float_type)
        loss = (padded_out * weights.reshape(padded_out.shape)).sum() + (h * c).sum()
        loss.backward()
        grads = [x.grad] + [p.grad for p in module.parameters()]
        grads += [s.grad for s in hx[:2 if kind == "LSTM" else 1]] if with_state else []
        return [*out, h, c, padded_out, out_lengths, graph(out.data.grad_fn),
                graph(h.grad_fn), graph(c.grad_fn)] + grads
    return snippet


CASES = {}
for _kind in ("RNN", "GRU", "LSTM"):
    CASES[f"{_kind} sorted"] = packed_case(_kind)
    CASES[f"{_kind} unsorted, initial state"] = packed_case(_kind, enforce_sorted=False,
                                                            with_state=True)
    CASES[f"{_kind} two layers bidirectional"] = packed_case(_kind, num_layers=2,
                                                             bidirectional=True)
CASES["LSTM bidirectional, unsorted, initial state, batch_first"] = packed_case(
    "LSTM", bidirectional=True, enforce_sorted=False, with_state=True, batch_first=True)
# equal lengths: torch's float32 LSTM runs oneDNN's layers on the data viewed as [T, B, *]
CASES["LSTM equal lengths, unsorted, initial state"] = packed_case(
    "LSTM", enforce_sorted=False, with_state=True, lengths=[4, 4, 4, 4])
CASES["LSTM equal lengths, two layers bidirectional"] = packed_case(
    "LSTM", num_layers=2, bidirectional=True, lengths=[4, 4, 4, 4])
CASES["LSTM float64 equal lengths"] = packed_case("LSTM", dtype="float64", lengths=[4] * 4)
CASES["GRU equal lengths"] = packed_case("GRU", lengths=[4, 4, 4, 4])
CASES["GRU float64, bidirectional, initial state"] = packed_case(
    "GRU", bidirectional=True, with_state=True, dtype="float64")


@pytest.mark.parametrize("name", sorted(CASES))
def test_packed(name):
    check(CASES[name], rtol=1e-4, atol=1e-5)


def packed_errors(kind):
    def snippet(t):
        from tests.oracle import error_of
        module = getattr(t.nn, kind)(3, 2)
        packed = t.nn.utils.rnn.pack_sequence([t.ones(3, 3), t.ones(2, 3)])
        narrow = t.nn.utils.rnn.pack_sequence([t.ones(3, 2), t.ones(2, 2)])
        state = t.zeros(1, 3, 2)
        return [error_of(f) for f in (
            lambda: module(narrow),
            lambda: module(packed, (state, state) if kind == "LSTM" else state))]
    return snippet


@pytest.mark.parametrize("kind", ["RNN", "GRU", "LSTM"])
def test_packed_errors(kind):
    check(packed_errors(kind))


def packed_dropout(kind, lengths, dtype):
    """Three bidirectional layers with dropout in training: the same draws as torch's."""
    def snippet(t):
        t.manual_seed(3)
        module = getattr(t.nn, kind)(2, 3, num_layers=3, dropout=0.5,
                                     bidirectional=True).to(getattr(t, dtype))
        x = t.randn(4, 3, 2, dtype=getattr(t, dtype), requires_grad=True)
        packed = t.nn.utils.rnn.pack_padded_sequence(x, lengths, enforce_sorted=False)
        out, hidden = module(packed)
        h = hidden[0] if kind == "LSTM" else hidden
        (out.data.sum() + h.sum()).backward()
        return [out.data, h, graph(out.data.grad_fn), x.grad]
    return snippet


DROPOUT_CASES = {
    "LSTM equal lengths (oneDNN)": packed_dropout("LSTM", [4, 4, 4], "float32"),
    "LSTM float64": packed_dropout("LSTM", [2, 4, 3], "float64"),
    "GRU": packed_dropout("GRU", [2, 4, 3], "float32"),
    "RNN": packed_dropout("RNN", [2, 4, 3], "float32"),
}


@pytest.mark.parametrize("name", sorted(DROPOUT_CASES))
def test_packed_dropout(name):
    check(DROPOUT_CASES[name], rtol=1e-4, atol=1e-5)
