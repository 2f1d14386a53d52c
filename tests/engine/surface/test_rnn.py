"""nn.LSTM live against torch (float32, torch's CPU oneDNN path): outputs, final states,
gradients of the input, the initial state and every weight, and the graph node by node."""
import numpy as np
import pytest

from surface_live import check

RNG = np.random.default_rng(17)


def graph(root):
    """The graph as a list of (name, [(child's position, output_nr)]), nodes numbered in
    depth-first order: shared nodes once (a tree would grow exponentially through time)."""
    order: dict = {}
    rows: list = []

    def visit(node):
        if node is None:
            return None
        if node not in order:
            order[node] = len(rows)
            rows.append(None)
            rows[order[node]] = (node.name(), [(visit(n), nr) for n, nr in node.next_functions])
        return order[node]
    visit(root)
    return rows


def lstm_case(num_layers=1, bidirectional=False, batch_first=False, bias=True, unbatched=False,
              with_state=False, kind="LSTM", dtype="float32", **options):
    gru = kind != "LSTM"        # one hidden state: GRU and RNN
    shape = (5, 3) if unbatched else ((2, 5, 3) if batch_first else (5, 2, 3))
    data = RNG.normal(size=shape)
    layers = num_layers * (2 if bidirectional else 1)
    state_shape = (layers, 4) if unbatched else (layers, 2, 4)
    states = RNG.normal(size=state_shape), RNG.normal(size=state_shape)
    weight_seed = int(RNG.integers(1000))

    def snippet(t):
        module = getattr(t.nn, kind)(3, 4, num_layers=num_layers, bidirectional=bidirectional,
                                     batch_first=batch_first, bias=bias, **options)
        module.to(getattr(t, dtype))
        rng = np.random.default_rng(weight_seed)
        with t.no_grad():
            for p in module.parameters():
                p.copy_(t.tensor(rng.uniform(-0.5, 0.5, size=tuple(p.shape)), dtype=p.dtype))
        x = t.tensor(data, dtype=getattr(t, dtype), requires_grad=True)
        hx = tuple(t.tensor(s, dtype=getattr(t, dtype), requires_grad=True) for s in states)
        hx = hx[:1] if gru else hx
        if gru:
            out, h = module(x, hx[0]) if with_state else module(x)
            c = h * 0.5
        else:
            out, (h, c) = module(x, hx) if with_state else module(x)
        loss = (out * t.tensor(np.linspace(-1, 1, out.numel()).reshape(tuple(out.shape)),
                               dtype=getattr(t, dtype))).sum() + (h * 2).sum() + (c * c).sum()
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
    "unbatched, batch_first": lstm_case(unbatched=True, batch_first=True),
    "unbatched, batch_first, initial state": lstm_case(unbatched=True, batch_first=True,
                                                       with_state=True),
    "initial state": lstm_case(with_state=True),
    "initial state, two layers, batch_first": lstm_case(num_layers=2, batch_first=True,
                                                        with_state=True),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_lstm(name):
    check(CASES[name], rtol=1e-4, atol=1e-5)


GRU_CASES = {
    "one layer": lstm_case(kind="GRU"),
    "two layers": lstm_case(num_layers=2, kind="GRU"),
    "bidirectional": lstm_case(bidirectional=True, kind="GRU"),
    "no bias": lstm_case(bias=False, kind="GRU"),
    "batch_first": lstm_case(batch_first=True, kind="GRU"),
    "batch_first, two layers, initial state": lstm_case(num_layers=2, batch_first=True,
                                                        with_state=True, kind="GRU"),
    "unbatched, batch_first": lstm_case(unbatched=True, batch_first=True, kind="GRU"),
    "unbatched": lstm_case(unbatched=True, kind="GRU"),
    "initial state": lstm_case(with_state=True, kind="GRU"),
    "initial state, two layers bidirectional": lstm_case(num_layers=2, bidirectional=True,
                                                         with_state=True, kind="GRU"),
}


EMPTY_SEQUENCES = {
    "LSTM": lambda t: t.nn.LSTM(1, 2)(t.ones(0, 2, 1)),
    "LSTM unbatched": lambda t: t.nn.LSTM(1, 2)(t.ones(0, 1)),
    "LSTM batch_first": lambda t: t.nn.LSTM(1, 2, batch_first=True)(t.ones(2, 0, 1)),
    "GRU": lambda t: t.nn.GRU(1, 2)(t.ones(0, 2, 1)),
}


@pytest.mark.parametrize("name", sorted(EMPTY_SEQUENCES))
def test_an_empty_sequence_raises_as_torch(name):
    check(EMPTY_SEQUENCES[name])


@pytest.mark.parametrize("name", sorted(GRU_CASES))
def test_gru(name):
    check(GRU_CASES[name], rtol=1e-4, atol=1e-5)


def test_unsafe_chunk():
    def snippet(t):
        x = t.arange(12.0).reshape(2, 6).requires_grad_()
        pieces = x.unsafe_chunk(3, 1)
        node = pieces[0].grad_fn
        (pieces[1] * 2).sum().backward()
        return (list(pieces), node.name(), node._saved_dim, node._saved_split_size,
                node._saved_self_sym_sizes, pieces[0]._base is None, x.grad)
    check(snippet)


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


def lstm_output_modified_then_backward(t):
    """The LSTM node saves its outputs: changing one in place makes backward raise."""
    lstm = t.nn.LSTM(2, 1, batch_first=True)
    out, _ = lstm(t.ones(1, 3, 2))
    out[:] = t.ones(1, 3, 1, requires_grad=True)
    return out.abs().sum().backward()


def test_an_output_modified_in_place_is_detected():
    check(lstm_output_modified_then_backward)
