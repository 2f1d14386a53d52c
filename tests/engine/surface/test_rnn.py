"""nn.LSTM live against torch (float32, torch's CPU oneDNN path): outputs, final states,
gradients of the input, the initial state and every weight, and the graph node by node."""
import numpy as np
import pytest

import engine
from surface_live import check

RNG = np.random.default_rng(17)


def graph(node):
    if node is None:
        return None
    return (node.name(), tuple(graph(n) for n, _ in node.next_functions))


def lstm_case(num_layers=1, bidirectional=False, batch_first=False, bias=True, unbatched=False,
              with_state=False, kind="LSTM"):
    shape = (5, 3) if unbatched else ((2, 5, 3) if batch_first else (5, 2, 3))
    data = RNG.normal(size=shape)
    layers = num_layers * (2 if bidirectional else 1)
    state_shape = (layers, 4) if unbatched else (layers, 2, 4)
    states = RNG.normal(size=state_shape), RNG.normal(size=state_shape)
    weight_seed = int(RNG.integers(1000))

    def snippet(t):
        module = getattr(t.nn, kind)(3, 4, num_layers=num_layers, bidirectional=bidirectional,
                                     batch_first=batch_first, bias=bias)
        rng = np.random.default_rng(weight_seed)
        with t.no_grad():
            for p in module.parameters():
                p.copy_(t.tensor(rng.uniform(-0.5, 0.5, size=tuple(p.shape)), dtype=p.dtype))
        x = t.tensor(data, dtype=t.float32, requires_grad=True)
        hx = tuple(t.tensor(s, dtype=t.float32, requires_grad=True) for s in states)
        out, (h, c) = module(x, hx) if with_state else module(x)
        loss = (out * t.tensor(np.linspace(-1, 1, out.numel()).reshape(tuple(out.shape)),
                               dtype=t.float32)).sum() + (h * 2).sum() + (c * c).sum()
        loss.backward()
        grads = [x.grad] + [p.grad for p in module.parameters()]
        grads += [s.grad for s in hx] if with_state else []
        return [out, h, c, repr(module), graph(out.grad_fn), graph(h.grad_fn),
                graph(c.grad_fn)] + grads
    return snippet


CASES = {
    "one layer": lstm_case(),
    "two layers": lstm_case(num_layers=2),
    "bidirectional": lstm_case(bidirectional=True),
    "two layers bidirectional": lstm_case(num_layers=2, bidirectional=True),
    "batch_first": lstm_case(batch_first=True),
    "no bias": lstm_case(bias=False),
    "unbatched": lstm_case(unbatched=True),
    "initial state": lstm_case(with_state=True),
    "initial state, two layers, batch_first": lstm_case(num_layers=2, batch_first=True,
                                                        with_state=True),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_lstm(name):
    check(CASES[name], rtol=1e-4, atol=1e-5)


def _saved(t):
    module = t.nn.LSTM(3, 4, num_layers=2)
    out, _ = module(t.ones(5, 2, 3, requires_grad=True))
    node = out.grad_fn
    names = ["batch_first", "batch_sizes", "bidirectional", "has_biases", "hidden_size",
             "mode", "num_layers", "reverse", "train"]
    shapes = ["cx_", "hx_", "input", "result0", "result1", "result2", "weight0", "weight1",
              "weight2", "weight3"]
    return ([getattr(node, f"_saved_{n}") for n in names]
            + [tuple(getattr(node, f"_saved_{n}").shape) for n in shapes])


def test_lstm_saved_values():
    check(_saved)


def test_lstm_parameters_and_repr():
    check(lambda t: ([(n, tuple(p.shape)) for n, p in
                      t.nn.LSTM(3, 4, num_layers=2, bidirectional=True).named_parameters()],
                     repr(t.nn.LSTM(3, 4, 2, bias=False, batch_first=True, dropout=0.5,
                                    bidirectional=True))))


def test_lstm_float64_is_not_supported_yet():
    module = engine.nn.LSTM(3, 4).double()
    with pytest.raises(NotImplementedError, match="non-float32"):
        module(engine.ones(5, 2, 3, dtype=engine.float64))
