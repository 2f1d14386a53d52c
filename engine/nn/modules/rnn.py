"""LSTM (and the RNN base its parameters come from), recorded as PyTorch's CPU path records
it: engine.nn._ops.rnn has the per-layer node."""
from __future__ import annotations

import math

from engine.nn import init
from engine.nn._ops import rnn as R
from engine.nn.modules.module import Module
from engine.nn.parameter import Parameter
from engine.ops import indexing as X
from engine.ops import shape as S


class RNNBase(Module):
    _gate_count = 1

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device=None,
                 dtype=None) -> None:
        super().__init__()
        if proj_size:
            from engine._unsupported import NotSupportedError
            raise NotSupportedError(f"torch.nn.{type(self).__name__}(proj_size=...) is not "
                                    "supported by graphtui's engine; run it on PyTorch with "
                                    "--backend torch")
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout = bias, batch_first, float(dropout)
        self.bidirectional, self.proj_size = bidirectional, proj_size
        self._flat_weights_names = []
        gates = self._gate_count * hidden_size
        for layer in range(num_layers):
            for suffix in self._suffixes():
                layer_input = input_size if layer == 0 else hidden_size * self._directions()
                shapes = [("weight_ih", (gates, layer_input)), ("weight_hh", (gates, hidden_size))]
                if bias:
                    shapes += [("bias_ih", (gates,)), ("bias_hh", (gates,))]
                for kind, shape in shapes:
                    name = f"{kind}_l{layer}{suffix}"
                    setattr(self, name, Parameter(init._empty(*shape, dtype=dtype)))
                    self._flat_weights_names.append(name)
        self.reset_parameters()

    def _directions(self) -> int:
        return 2 if self.bidirectional else 1

    def _suffixes(self) -> tuple:
        return ("", "_reverse") if self.bidirectional else ("",)

    def reset_parameters(self) -> None:
        bound = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -bound, bound)

    def _layer_weights(self, layer: int, suffix: str) -> tuple:
        names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
        return tuple(getattr(self, f"{kind}_l{layer}{suffix}", None) if self.bias or
                     kind.startswith("weight") else None for kind in names)

    @staticmethod
    def _check_sequence(input) -> None:
        """`input` time-major, as ATen's RNN gets it."""
        if input.shape[0] == 0:
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        if not self.bias:
            text += ", bias=False"
        if self.batch_first:
            text += ", batch_first=True"
        if self.dropout:
            text += f", dropout={self.dropout}"
        if self.bidirectional:
            text += ", bidirectional=True"
        return text


class LSTM(RNNBase):
    _gate_count = 4

    def forward(self, input, hx=None):
        self._check_supported(input)
        batched = input.dim() == 3
        batch_dim = 0 if self.batch_first else 1
        if not batched:             # nn.LSTM unsqueezes at the batch dim, then runs as batched
            input = S.unsqueeze(input, batch_dim)
            if hx is not None:
                hx = (S.unsqueeze(hx[0], 1), S.unsqueeze(hx[1], 1))
        if self.batch_first:
            input = S.transpose(input, 0, 1)
        input = S.contiguous(input)      # the oneDNN path's, whatever made it non-contiguous
        output, h_n, c_n = self._layers(input, hx)
        if self.batch_first:
            output = S.transpose(output, 0, 1)
        if not batched:
            return S.squeeze(output, batch_dim), (S.squeeze(h_n, 1), S.squeeze(c_n, 1))
        return output, (h_n, c_n)

    def _check_supported(self, input) -> None:
        from engine._unsupported import NotSupportedError
        if input._data.dtype.name != "float32":
            raise NotSupportedError("torch.nn.LSTM on a non-float32 input (torch's composite "
                                    "path) is not supported by graphtui's engine")
        if self.dropout and self.training and self.num_layers > 1:
            raise NotSupportedError("torch.nn.LSTM(dropout=...) in training is not supported "
                                    "by graphtui's engine")

    def _initial_state(self, hx, index: int, batch: int):
        from engine.creation import zeros
        if hx is None:
            state = zeros(batch, self.hidden_size, dtype=self.weight_ih_l0.dtype)
            return state, state
        return X.select(hx[0], 0, index), X.select(hx[1], 0, index)

    def _layers(self, input, hx):
        self._check_sequence(input)
        settings = {"hidden_size": self.hidden_size, "num_layers": self.num_layers,
                    "has_biases": self.bias, "bidirectional": self.bidirectional,
                    "batch_first": self.batch_first}
        hy, cy = [], []
        layer_input = input
        for layer in range(self.num_layers):
            outputs = []
            for direction, suffix in enumerate(self._suffixes()):
                h0, c0 = self._initial_state(hx, layer * self._directions() + direction,
                                             input.shape[1])
                out, h, c = R.lstm_layer(layer_input, self._layer_weights(layer, suffix), h0,
                                         c0, reverse=direction == 1, settings=settings)
                outputs.append(out)
                hy.append(h)
                cy.append(c)
            layer_input = outputs[0] if len(outputs) == 1 else S.cat(outputs, -1)
        return layer_input, S.stack(hy, 0), S.stack(cy, 0)


class GRU(RNNBase):
    _gate_count = 3

    def forward(self, input, hx=None):
        if self.dropout and self.training and self.num_layers > 1:
            from engine._unsupported import NotSupportedError
            raise NotSupportedError("torch.nn.GRU(dropout=...) in training is not supported "
                                    "by graphtui's engine")
        batched = input.dim() == 3
        batch_dim = 0 if self.batch_first else 1
        if not batched:
            input = S.unsqueeze(input, batch_dim)
            hx = None if hx is None else S.unsqueeze(hx, 1)
        if self.batch_first:    # ATen's GRU: input.transpose(0, 1), output.transpose_(0, 1)
            input = S.transpose(input, 0, 1)
        output, h_n = self._layers(input, hx)
        if self.batch_first:
            from engine.ops.inplace_shape import transpose_
            transpose_(output, 0, 1)
        if not batched:
            return S.squeeze(output, batch_dim), S.squeeze(h_n, 1)
        return output, h_n

    def _layers(self, input, hx):
        from engine.creation import zeros
        from engine.ops.split import unbind
        self._check_sequence(input)
        initial = None if hx is None else unbind(hx, 0)     # ATen's GRU unbinds hx
        finals, layer_input = [], input
        for layer in range(self.num_layers):
            outputs = []
            for direction, suffix in enumerate(self._suffixes()):
                index = layer * self._directions() + direction
                h0 = zeros(input.shape[1], self.hidden_size, dtype=input.dtype) if hx is None \
                    else initial[index]
                out, h = R.gru_layer(layer_input, self._layer_weights(layer, suffix), h0,
                                     reverse=direction == 1)
                outputs.append(out)
                finals.append(h)
            layer_input = outputs[0] if len(outputs) == 1 else S.cat(outputs, -1)
        return layer_input, S.stack(finals, 0)
