"""nn.RNN, and nn.LSTM/nn.GRU where torch runs ATen's composite cells (float64, packed input),
live against torch: outputs, final states, gradients of the input, the initial state and
every weight, the graph node by node, and the errors for wrong shapes."""
import pytest

from surface_live import check
from test_rnn import lstm_case

RNN_CASES = {
    "one layer": lstm_case(kind="RNN"),
    "relu": lstm_case(kind="RNN", nonlinearity="relu"),
    "two layers bidirectional": lstm_case(num_layers=2, bidirectional=True, kind="RNN"),
    "no bias, batch_first": lstm_case(bias=False, batch_first=True, kind="RNN"),
    "unbatched, initial state": lstm_case(unbatched=True, with_state=True, kind="RNN"),
    "batch_first, two layers, initial state": lstm_case(num_layers=2, batch_first=True,
                                                        with_state=True, kind="RNN"),
    "float64, relu, bidirectional": lstm_case(bidirectional=True, kind="RNN",
                                              nonlinearity="relu", dtype="float64"),
}

FLOAT64_CASES = {
    "LSTM": lstm_case(dtype="float64"),
    "LSTM two layers bidirectional, initial state": lstm_case(
        num_layers=2, bidirectional=True, with_state=True, dtype="float64"),
    "LSTM batch_first, no bias": lstm_case(batch_first=True, bias=False, dtype="float64"),
    "LSTM unbatched": lstm_case(unbatched=True, with_state=True, dtype="float64"),
    "GRU": lstm_case(kind="GRU", dtype="float64"),
}


@pytest.mark.parametrize("name", sorted(RNN_CASES))
def test_rnn(name):
    check(RNN_CASES[name], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", sorted(FLOAT64_CASES))
def test_float64(name):
    check(FLOAT64_CASES[name])


def test_rnn_parameters_init_and_repr():
    def snippet(t):
        t.manual_seed(3)
        module = t.nn.RNN(3, 4, 2, "relu", bidirectional=True)
        return ([(n, p) for n, p in module.named_parameters()],
                repr(module), repr(t.nn.RNN(2, 3, nonlinearity="tanh", bias=False)),
                module.nonlinearity)
    check(snippet)


def test_constructor_errors():
    def snippet(t):
        from tests.oracle import error_of
        return [error_of(f) for f in (
            lambda: t.nn.RNN(2, 3, nonlinearity="sigmoid"),
            lambda: t.nn.RNN(2, 3, proj_size=1), lambda: t.nn.GRU(2, 3, proj_size=1))]
    check(snippet)


def shape_errors(kind):
    def snippet(t):
        from tests.oracle import error_of
        module = getattr(t.nn, kind)(3, 4)
        state = t.zeros(1, 2, 4)
        hx = (state, state) if kind == "LSTM" else state
        bad_hx = (t.zeros(2, 2, 4), state) if kind == "LSTM" else t.zeros(2, 2, 4)
        flat_hx = (t.zeros(2, 4), t.zeros(2, 4)) if kind == "LSTM" else t.zeros(2, 4)
        return [error_of(f) for f in (
            lambda: module(t.ones(5, 2, 2)), lambda: module(t.ones(5, 2, 3), bad_hx),
            lambda: module(t.ones(1, 5, 2, 3)), lambda: module(t.ones(5, 2, 3), flat_hx),
            lambda: module(t.ones(5, 3), hx), lambda: module(t.ones(5, 2, 3).double()),
            lambda: module(t.ones(5, 3, 3), hx))]
    return snippet


@pytest.mark.parametrize("kind", ["RNN", "GRU", "LSTM"])
def test_shape_errors(kind):
    check(shape_errors(kind))


def seeded(snippet):
    def run(t):
        t.manual_seed(7)
        return snippet(t)
    return run


DROPOUT_CASES = {
    "RNN": lstm_case(num_layers=3, kind="RNN", dropout=0.4),
    "GRU bidirectional": lstm_case(num_layers=2, bidirectional=True, kind="GRU", dropout=0.3),
    "LSTM (oneDNN)": lstm_case(num_layers=2, dropout=0.5),
    "LSTM float64, bidirectional": lstm_case(num_layers=2, bidirectional=True, dropout=0.5,
                                             dtype="float64"),
}


@pytest.mark.parametrize("name", sorted(DROPOUT_CASES))
def test_dropout_between_layers_in_training(name):
    check(seeded(DROPOUT_CASES[name]), rtol=1e-4, atol=1e-5)


def test_dropout_is_off_in_eval_and_warns_for_one_layer():
    def snippet(t):
        module = t.nn.GRU(2, 3, num_layers=2, dropout=0.9).eval()
        return [module(t.ones(2, 1, 2))[0], t.nn.LSTM(2, 3, dropout=0.2).dropout]
    check(seeded(snippet))


def test_argument_errors():
    def snippet(t):
        from tests.oracle import error_of
        return [error_of(f) for f in (
            lambda: t.nn.LSTM(2, 3, dropout=1.5), lambda: t.nn.GRU(2, 3, dropout=True),
            lambda: t.nn.RNN(2, 3, bias=1), lambda: t.nn.LSTM(2, 3, batch_first=None),
            lambda: t.nn.GRU(2.0, 3), lambda: t.nn.GRU(0, 3), lambda: t.nn.RNN(2, "3"),
            lambda: t.nn.RNN(2, 0), lambda: t.nn.LSTM(2, 3, 0),
            lambda: t.nn.LSTM(2, 3, proj_size=-1), lambda: t.nn.LSTM(2, 3, proj_size=3))]
    check(snippet)


def test_all_weights():
    def snippet(t):
        t.manual_seed(1)
        module = t.nn.GRU(2, 3, num_layers=2, bidirectional=True, bias=False)
        return module._all_weights, module.all_weights, module._flat_weights_names
    check(snippet)


def test_mode_flat_weights_and_flatten_parameters():
    def snippet(t):
        from tests.oracle import error_of
        t.manual_seed(2)
        modules = [t.nn.RNN(2, 3), t.nn.RNN(2, 3, 1, "relu"), t.nn.GRU(2, 3), t.nn.LSTM(2, 3),
                   t.nn.RNNBase("GRU", 2, 3, bias=False)]
        lstm = modules[3]
        return ([m.mode for m in modules], [m.flatten_parameters() for m in modules],
                [list(m._flat_weights) for m in modules[3:]],
                lstm.get_expected_cell_size(t.ones(5, 2, 2), None),
                lstm.get_expected_hidden_size(t.ones(5, 2, 2), None),
                error_of(lambda: t.nn.RNNBase("LSTM2", 2, 3)))
    check(snippet)


def test_a_subclass_keeps_torchs_names_in_errors():
    def snippet(t):
        from tests.oracle import error_of

        class Encoder(t.nn.GRU):
            pass
        return error_of(lambda: Encoder(2, 3)(t.ones(1, 1, 1, 2)))
    check(snippet)
