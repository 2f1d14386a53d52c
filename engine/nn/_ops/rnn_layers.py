"""Recurrent layers op by op as ATen's composite CPU path records them (RNN.cpp's cells,
FullLayer, PackedLayer and their reversed and bidirectional forms): nn.RNN always, nn.GRU
always, nn.LSTM on packed or non-float32 input, and the RNNCell/LSTMCell/GRUCell modules.

A cell maps (step input, hidden, weights, precomputed) to the new hidden: a tensor, or for
the LSTM an (h, c) pair. `precomputed` says the step input is already linear_ih of the input,
as every CPU layer computes it once for all steps. Weights: (w_ih, w_hh, b_ih, b_hh), the
biases None without bias.
"""
from __future__ import annotations

from engine.nn._ops.linear import linear
from engine.ops import shape as S
from engine.ops.composite import narrow
from engine.ops.split import unbind, unsafe_chunk


# ---------------------------------------------------------------- cells

def _input_gates(step_input, weights, precomputed: bool):
    return step_input if precomputed else linear(step_input, weights[0], weights[2])


def tanh_cell(step_input, hidden, weights, precomputed=False):
    hidden_gates = linear(hidden, weights[1], weights[3])
    return hidden_gates.add_(_input_gates(step_input, weights, precomputed)).tanh()


def relu_cell(step_input, hidden, weights, precomputed=False):
    hidden_gates = linear(hidden, weights[1], weights[3])
    return hidden_gates.add_(_input_gates(step_input, weights, precomputed)).relu()


def lstm_cell(step_input, hidden, weights, precomputed=False):
    hx, cx = hidden
    gates = linear(hx, weights[1], weights[3]).add_(
        _input_gates(step_input, weights, precomputed))
    in_gate, forget_gate, cell_gate, out_gate = unsafe_chunk(gates, 4, 1)
    in_gate, forget_gate = in_gate.sigmoid_(), forget_gate.sigmoid_()
    cell_gate, out_gate = cell_gate.tanh_(), out_gate.sigmoid_()
    cy = (forget_gate * cx).add_(in_gate * cell_gate)
    return out_gate * cy.tanh(), cy


def gru_cell(step_input, hidden, weights, precomputed=False):
    input_gates = unsafe_chunk(_input_gates(step_input, weights, precomputed), 3, 1)
    hidden_gates = unsafe_chunk(linear(hidden, weights[1], weights[3]), 3, 1)
    reset_gate = hidden_gates[0].add_(input_gates[0]).sigmoid_()
    input_gate = hidden_gates[1].add_(input_gates[1]).sigmoid_()
    new_gate = input_gates[2].add(hidden_gates[2].mul_(reset_gate)).tanh_()
    return (hidden - new_gate).mul_(input_gate).add_(new_gate)


CELLS = {"RNN_TANH": tanh_cell, "RNN_RELU": relu_cell, "LSTM": lstm_cell, "GRU": gru_cell}


# ---------------------------------------------------------------- ATen's checked cells
# torch.rnn_tanh_cell, torch.rnn_relu_cell, torch.lstm_cell, torch.gru_cell (and the modules)

def _check_input(input, input_size: int) -> None:
    if input.size(1) != input_size:
        raise RuntimeError(f"input has inconsistent input_size: got {input.size(1)} expected "
                           f"{input_size}")


def _check_hidden(input, hx, hidden_size: int, label: int) -> None:
    if input.size(0) != hx.size(0):
        raise RuntimeError(f"Input batch size {input.size(0)} doesn't match hidden{label} "
                           f"batch size {hx.size(0)}")
    if hx.size(1) != hidden_size:
        raise RuntimeError(f"hidden{label} has inconsistent hidden_size: got {hx.size(1)}, "
                           f"expected {hidden_size}")


def _one_state_cell(cell):
    def checked(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
        _check_input(input, w_ih.size(1))
        _check_hidden(input, hx, w_hh.size(1), 0)
        return cell(input, hx, (w_ih, w_hh, b_ih, b_hh))
    checked.__name__ = {tanh_cell: "rnn_tanh_cell", relu_cell: "rnn_relu_cell",
                        gru_cell: "gru_cell"}[cell]
    return checked


rnn_tanh_cell = _one_state_cell(tanh_cell)
rnn_relu_cell = _one_state_cell(relu_cell)
gru_cell_checked = _one_state_cell(gru_cell)


def lstm_cell_checked(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    if len(hx) != 2:
        raise RuntimeError("lstm_cell expects two hidden states")
    _check_input(input, w_ih.size(1))
    for label, state in enumerate(hx):
        _check_hidden(input, state, w_hh.size(1), label)
    return lstm_cell(input, tuple(hx), (w_ih, w_hh, b_ih, b_hh))


# ---------------------------------------------------------------- hidden states

def _as_output(hidden):
    return hidden[0] if isinstance(hidden, tuple) else hidden


def _slice(hidden, start: int, end: int):
    if isinstance(hidden, tuple):
        return tuple(narrow(h, 0, start, end - start) for h in hidden)
    return narrow(hidden, 0, start, end - start)


def _concat(hiddens: list):
    if isinstance(hiddens[0], tuple):
        return tuple(S.cat(list(parts), 0) for parts in zip(*hiddens))
    return S.cat(hiddens, 0)


# ---------------------------------------------------------------- layers

def full_layer(input, hidden, weights, cell, reverse: bool):
    """One direction over a [T, B, *] input: (output [T, B, H], final hidden)."""
    steps = list(unbind(linear(input, weights[0], weights[2]), 0))
    outputs = []
    for step_input in (reversed(steps) if reverse else steps):
        hidden = cell(step_input, hidden, weights, True)
        outputs.append(_as_output(hidden))
    if reverse:
        outputs.reverse()
    return S.stack(outputs, 0), hidden


def packed_layer(data, batch_sizes: list, hidden, weights, cell, reverse: bool):
    """One direction over packed data: (output data, final hidden). Forward, the batch
    shrinks and the finished rows' hidden states are set aside; reversed, it grows from the
    initial state's rows."""
    projected = linear(data, weights[0], weights[2])
    if reverse:
        return _reversed_packed(projected, batch_sizes, hidden, weights, cell)
    outputs, finished, offset, last = [], [], 0, batch_sizes[0]
    for size in batch_sizes:
        step_input = narrow(projected, 0, offset, size)
        offset += size
        if size < last:
            finished.append(_slice(hidden, size, last))
            hidden = _slice(hidden, 0, size)
        last = size
        hidden = cell(step_input, hidden, weights, True)
        outputs.append(_as_output(hidden))
    finished.append(hidden)
    finished.reverse()
    return S.cat(outputs, 0), _concat(finished)


def _reversed_packed(projected, batch_sizes: list, initial, weights, cell):
    offset, last = projected.shape[0], batch_sizes[-1]
    hidden, outputs = _slice(initial, 0, last), []
    for size in reversed(batch_sizes):
        if size > last:
            hidden = _concat([hidden, _slice(initial, last, size)])
        step_input = narrow(projected, 0, offset - size, size)
        offset -= size
        last = size
        hidden = cell(step_input, hidden, weights, True)
        outputs.append(_as_output(hidden))
    outputs.reverse()
    return S.cat(outputs, 0), hidden


def run_layers(input, hiddens: list, layer_weights: list, cell, *, num_layers: int,
               bidirectional: bool, batch_sizes=None, dropout: float = 0.0):
    """ATen's _rnn_impl: every layer (both directions) in turn, in training `dropout` on
    the input of each layer after the first; `hiddens` and `layer_weights` one per layer
    and direction. Returns (output, final hiddens in the same order)."""
    from engine.nn.functional import dropout as dropout_fn
    directions = 2 if bidirectional else 1
    finals, layer_input = [], input
    for layer in range(num_layers):
        outputs = []
        for direction in range(directions):
            index = layer * directions + direction
            if batch_sizes is None:
                out, hidden = full_layer(layer_input, hiddens[index], layer_weights[index],
                                         cell, direction == 1)
            else:
                out, hidden = packed_layer(layer_input, batch_sizes, hiddens[index],
                                           layer_weights[index], cell, direction == 1)
            outputs.append(out)
            finals.append(hidden)
        layer_input = outputs[0] if directions == 1 else S.cat(outputs, -1)
        if dropout and layer < num_layers - 1:
            layer_input = dropout_fn(layer_input, dropout, True)
    return layer_input, finals
