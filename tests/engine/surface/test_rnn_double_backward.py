"""Double backward through recurrent layers, live against torch: the first-order gradients
taken with create_graph=True (values and their graph node by node: for the float32 LSTM,
torch's mkldnn_rnn_layer_differentiable_backward, which recomputes the layer op by op), then
the gradients of their squared sum."""
import numpy as np
import pytest

from surface_live import check
from test_rnn import graph

RNG = np.random.default_rng(41)


def double_case(kind, dtype="float32", with_state=False, packed=False, **options):
    layers = options.get("num_layers", 1) * (2 if options.get("bidirectional") else 1)
    batch_first = options.get("batch_first", False)
    data = RNG.normal(size=(5, 2, 2))
    states = RNG.normal(size=(2, layers, 2, 3))

    def snippet(t):
        t.manual_seed(2)
        float_type = getattr(t, dtype)
        module = getattr(t.nn, kind)(2, 3, **options).to(float_type)
        x = t.tensor(data, dtype=float_type, requires_grad=True)
        hx = [t.tensor(s, dtype=float_type, requires_grad=True) for s in states]
        state = None if not with_state else (tuple(hx) if kind == "LSTM" else hx[0])
        given = x.transpose(0, 1) if batch_first else x
        if packed:
            given = t.nn.utils.rnn.pack_padded_sequence(given, [5, 3], batch_first)
        out, final = module(given, state)
        out = t.nn.utils.rnn.pad_packed_sequence(out)[0] if packed else out
        h, c = final if kind == "LSTM" else (final, final)
        inputs = [x] + (hx[:2 if kind == "LSTM" else 1] if with_state else []) \
            + list(module.parameters())
        loss = (out ** 2).sum() + (h * c * 0.5).sum()
        grads = t.autograd.grad(loss, inputs, create_graph=True)
        second = t.autograd.grad(sum((g * g).sum() for g in grads), inputs, allow_unused=True)
        return [*grads, [graph(g.grad_fn) for g in grads], *second]
    return snippet


CASES = {
    "LSTM": double_case("LSTM"),
    "LSTM initial state": double_case("LSTM", with_state=True),
    "LSTM two layers bidirectional": double_case("LSTM", num_layers=2, bidirectional=True),
    "LSTM no bias, batch_first, initial state": double_case("LSTM", bias=False,
                                                            batch_first=True,
                                                            with_state=True),
    "LSTM float64": double_case("LSTM", dtype="float64", with_state=True),
    "LSTM packed": double_case("LSTM", packed=True),
    "GRU bidirectional, initial state": double_case("GRU", bidirectional=True,
                                                    with_state=True),
    "GRU packed, two layers": double_case("GRU", packed=True, num_layers=2),
    "RNN relu, initial state": double_case("RNN", nonlinearity="relu", with_state=True),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_double_backward(name):
    check(CASES[name], rtol=1e-4, atol=1e-5)


def test_lstm_cell_double_backward():
    def snippet(t):
        t.manual_seed(4)
        cell = t.nn.LSTMCell(2, 3)
        x = t.randn(4, 2, requires_grad=True)
        h, c = cell(x)
        h, c = cell(x * 2, (h, c))
        grads = t.autograd.grad((h * c).sum(), [x] + list(cell.parameters()),
                                create_graph=True)
        second = t.autograd.grad(sum((g * g).sum() for g in grads), x)
        return [*grads, [graph(g.grad_fn) for g in grads], *second]
    check(snippet, rtol=1e-4, atol=1e-5)
