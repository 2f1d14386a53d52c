"""nn.RNNCell, nn.LSTMCell and nn.GRUCell live against torch: batched and unbatched input,
the state omitted or given, float32 and float64, with and without bias: values, gradients,
parameters and their initial values for a seed, the graph node by node, and the errors."""
import numpy as np
import pytest

from surface_live import check
from test_rnn import graph
from tests.oracle import error_of

RNG = np.random.default_rng(31)


def cell_case(kind, unbatched=False, with_state=False, bias=True, dtype="float32", **options):
    shape = (3,) if unbatched else (2, 3)
    data = RNG.normal(size=shape)
    states = RNG.normal(size=(2,) + shape[:-1] + (4,))

    def snippet(t):
        t.manual_seed(11)
        float_type = getattr(t, dtype)
        module = getattr(t.nn, kind)(3, 4, bias=bias, **options).to(float_type)
        x = t.tensor(data, dtype=float_type, requires_grad=True)
        hx = [t.tensor(s, dtype=float_type, requires_grad=True) for s in states]
        state = (tuple(hx) if kind == "LSTMCell" else hx[0]) if with_state else None
        result = module(x, state)
        h, c = result if kind == "LSTMCell" else (result, result * 0.5)
        h2 = module(x * 2, result)      # a second step from the first's state
        h2 = h2[0] if kind == "LSTMCell" else h2
        loss = (h * t.linspace(-1, 1, h.numel(), dtype=float_type).reshape(h.shape)).sum()
        (loss + (c * c).sum() + h2.sum()).backward()
        grads = [x.grad] + [p.grad for p in module.parameters()]
        grads += [s.grad for s in hx] if with_state else []
        return [h, c, h2, graph(h.grad_fn), graph(c.grad_fn), graph(h2.grad_fn), repr(module),
                list(module.named_parameters())] + grads
    return snippet


CASES = {}
for _kind in ("RNNCell", "LSTMCell", "GRUCell"):
    CASES[f"{_kind}"] = cell_case(_kind)
    CASES[f"{_kind} unbatched"] = cell_case(_kind, unbatched=True)
    CASES[f"{_kind} unbatched, state"] = cell_case(_kind, unbatched=True, with_state=True)
    CASES[f"{_kind} state, no bias"] = cell_case(_kind, with_state=True, bias=False)
    CASES[f"{_kind} float64, state"] = cell_case(_kind, with_state=True, dtype="float64")
CASES["RNNCell relu, state"] = cell_case("RNNCell", with_state=True, nonlinearity="relu")


@pytest.mark.parametrize("name", sorted(CASES))
def test_cell(name):
    check(CASES[name], rtol=1e-4, atol=1e-5)


def cell_errors(kind):
    def snippet(t):
        module = getattr(t.nn, kind)(3, 4)

        def state(*shape):
            return (t.zeros(*shape), t.zeros(*shape)) if kind == "LSTMCell" else t.zeros(*shape)
        return [error_of(f) for f in (
            lambda: module(t.ones(2, 2)), lambda: module(t.ones(2, 3), state(3, 4)),
            lambda: module(t.ones(2, 3), state(2, 5)), lambda: module(t.ones(1, 2, 3)),
            lambda: module(t.ones(2, 3), state(1, 2, 4)), lambda: module(t.ones(3), state(4)),
            lambda: module(t.ones(3), state(2, 4)))]
    return snippet


@pytest.mark.parametrize("kind", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cell_errors(kind):
    check(cell_errors(kind))


def test_lstm_cell_state_errors():
    def snippet(t):
        cell = t.nn.LSTMCell(3, 4)
        return [error_of(f) for f in (
            lambda: cell(t.ones(2, 3), (t.zeros(2, 4), t.zeros(1, 4))),
            lambda: cell(t.ones(2, 3), (t.zeros(2, 4), t.zeros(2, 4), t.zeros(2, 4))),
            lambda: cell(t.ones(2, 3), (t.zeros(2, 4), t.zeros(2, 2, 4))))]
    check(snippet)


def test_unknown_nonlinearity():
    def snippet(t):
        return [repr(t.nn.RNNCell(2, 3, False, "relu")),
                error_of(lambda: t.nn.RNNCell(2, 3, nonlinearity="gelu")(t.ones(2)))]
    check(snippet)


def test_torch_level_cell_functions():
    def snippet(t):
        t.manual_seed(6)
        x, h = t.randn(2, 3, requires_grad=True), t.randn(2, 4, requires_grad=True)
        w_ih, w_hh = t.randn(16, 3, requires_grad=True), t.randn(16, 4, requires_grad=True)
        b = t.randn(16, requires_grad=True)
        hy, cy = t.lstm_cell(x, (h, h * 2), w_ih, w_hh, b, b)
        g = t.gru_cell(x, h, w_ih[:12], w_hh[:12])
        r = t.rnn_tanh_cell(x, h, w_ih[:4], w_hh[:4], b[:4]) + t.rnn_relu_cell(x, h, w_ih[:4],
                                                                              w_hh[:4])
        (hy.sum() + cy.sum() + g.sum() + r.sum()).backward()
        return [hy, cy, g, r, graph(r.grad_fn), x.grad, h.grad, w_ih.grad, b.grad,
                error_of(lambda: t.lstm_cell(x, (h,), w_ih, w_hh)),
                error_of(lambda: t.gru_cell(x, h, w_ih[:12], w_hh[:12, :3]))]
    check(snippet, rtol=1e-4, atol=1e-5)
