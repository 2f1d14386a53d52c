"""Recurrent ops for the nn programs: nn.RNN, the cells, float64 and batch_first layers, and
packed sequences (pack_padded_sequence with sorted or unsorted lengths, a packed RNN/LSTM/GRU,
pad_packed_sequence)."""
from __future__ import annotations

from tests.differential.ops_nn import _input, _module


def _layer_loads(gen, gates: int, input_size: int, hidden: int, layers: int,
                 directions: int, bias: bool) -> dict:
    loads = {}
    for layer in range(layers):
        for suffix in ("", "_reverse")[:directions]:
            fan_in = input_size if layer == 0 else hidden * directions
            loads[f".weight_ih_l{layer}{suffix}"] = (gates * hidden, fan_in)
            loads[f".weight_hh_l{layer}{suffix}"] = (gates * hidden, hidden)
            if bias:
                loads[f".bias_ih_l{layer}{suffix}"] = (gates * hidden,)
                loads[f".bias_hh_l{layer}{suffix}"] = (gates * hidden,)
    return loads


def _recurrent_module(gen, input_size: int):
    """(module name, kind, layers * directions, hidden) of a new RNN, LSTM or GRU."""
    kind = gen.choice(["RNN", "LSTM", "GRU"])
    hidden, layers = gen.int(1, 3), gen.choice([1, 1, 2])
    bidirectional, bias = gen.chance(0.3), gen.chance(0.8)
    directions = 2 if bidirectional else 1
    extra = f", nonlinearity='{gen.choice(['tanh', 'relu'])}'" if kind == "RNN" else ""
    gates = {"RNN": 1, "LSTM": 4, "GRU": 3}[kind]
    m = gen.name("m")
    _module(gen, m, f"nn.{kind}({input_size}, {hidden}, num_layers={layers}, bias={bias}, "
            f"bidirectional={bidirectional}{extra})",
            _layer_loads(gen, gates, input_size, hidden, layers, directions, bias))
    return m, kind, layers * directions, hidden


def _state(gen, kind: str, shape: tuple, dtype: str = "float32") -> str:
    if not gen.chance(0.4):
        return ""
    h0 = gen.leaf(shape, dtype, requires_grad=gen.chance(0.5))
    return f", ({h0}, {gen.const(shape, dtype)})" if kind == "LSTM" else f", {h0}"


def op_rnn_layer(gen):
    """nn.RNN, and any layer on float64 or batch_first input."""
    input_size = gen.int(1, 3)
    float64, batch_first = gen.chance(0.3), gen.chance(0.3)
    shape = (gen.int(1, 3), gen.int(1, 2), input_size)
    x = gen.leaf(shape, "float64") if float64 else _input(
        gen, lambda t: str(t.dtype) == "torch.float32" and t.dim() == 3
        and t.shape[-1] == input_size, lambda: shape)
    shape = gen.shape(x)
    m, kind, stacked, hidden = _recurrent_module(gen, input_size)
    options = []
    if batch_first:
        options.append(f"{m}.batch_first = True")
    if float64:
        options.append(f"{m}.double()")
    if options:
        gen.emit("\n".join(options), "module")
    state = _state(gen, kind, (stacked, shape[0] if batch_first else shape[1], hidden),
                   "float64" if float64 else "float32")
    final = gen.name("t") if kind == "LSTM" else gen.name("v")
    return f"{gen.name('v')}, {final} = {m}({x}{state})"


def op_rnn_cell(gen):
    kind = gen.choice(["RNNCell", "LSTMCell", "GRUCell"])
    input_size, hidden, bias = gen.int(1, 3), gen.int(1, 3), gen.chance(0.8)
    shape = (gen.int(1, 3), input_size) if gen.chance(0.8) else (input_size,)
    x = _input(gen, lambda t: str(t.dtype) == "torch.float32" and t.dim() in (1, 2)
               and t.shape[-1] == input_size, lambda: shape)
    shape = gen.shape(x)
    gates = {"RNNCell": 1, "LSTMCell": 4, "GRUCell": 3}[kind]
    loads = {".weight_ih": (gates * hidden, input_size), ".weight_hh": (gates * hidden, hidden)}
    if bias:
        loads.update({".bias_ih": (gates * hidden,), ".bias_hh": (gates * hidden,)})
    extra = f", nonlinearity='{gen.choice(['tanh', 'relu'])}'" if kind == "RNNCell" else ""
    m = gen.name("m")
    _module(gen, m, f"nn.{kind}({input_size}, {hidden}, bias={bias}{extra})", loads)
    state = _state(gen, "LSTM" if kind == "LSTMCell" else kind, shape[:-1] + (hidden,))
    out = gen.name("t") if kind == "LSTMCell" else gen.name("v")
    return f"{out} = {m}({x}{state})"


def op_packed_rnn(gen):
    input_size = gen.int(1, 3)
    steps, batch = gen.int(1, 4), gen.int(1, 3)
    x = _input(gen, lambda t: str(t.dtype) == "torch.float32" and t.dim() == 3
               and t.shape[-1] == input_size and min(t.shape) >= 1, lambda: (steps, batch,
                                                                          input_size))
    steps, batch = gen.shape(x)[:2]
    lengths = sorted((gen.int(1, steps) for _ in range(batch)), reverse=True)
    lengths[0] = steps
    enforce_sorted = gen.chance(0.5)
    if not enforce_sorted:
        lengths = [lengths[i] for i in gen.rng.permutation(batch)]
    m, kind, stacked, hidden = _recurrent_module(gen, input_size)
    state = _state(gen, kind, (stacked, batch, hidden))
    packed, out = gen.name("p"), gen.name("o")
    final = gen.name("t") if kind == "LSTM" else gen.name("v")
    gen.emit(f"{packed} = nn.utils.rnn.pack_padded_sequence({x}, {lengths}, "
             f"enforce_sorted={enforce_sorted})\n{out}, {final} = {m}({packed}{state})",
             "rnn")
    return f"{gen.name('v')}, {gen.name('v')} = nn.utils.rnn.pad_packed_sequence({out})"


RNN_OPS = {"rnn_layer": (1, op_rnn_layer), "rnn_cell": (1, op_rnn_cell),
           "packed_rnn": (1, op_packed_rnn)}
