"""nn.RNNCell, nn.LSTMCell and nn.GRUCell: torch's modules around ATen's rnn_tanh_cell,
rnn_relu_cell, lstm_cell and gru_cell, whose cells engine.nn._ops.rnn_layers records op by
op."""
from __future__ import annotations

import math

from engine.nn import init
from engine.nn._ops import rnn_layers as L
from engine.nn.modules.module import Module
from engine.nn.parameter import Parameter
from engine.ops import shape as S


class RNNCellBase(Module):
    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int,
                 device=None, dtype=None) -> None:
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        self.weight_ih = Parameter(init._empty(num_chunks * hidden_size, input_size,
                                               dtype=dtype))
        self.weight_hh = Parameter(init._empty(num_chunks * hidden_size, hidden_size,
                                               dtype=dtype))
        if bias:
            self.bias_ih = Parameter(init._empty(num_chunks * hidden_size, dtype=dtype))
            self.bias_hh = Parameter(init._empty(num_chunks * hidden_size, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            text += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            text += f", nonlinearity={self.nonlinearity}"
        return text

    def reset_parameters(self) -> None:
        bound = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -bound, bound)

    def _weights(self) -> tuple:
        return self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh

    def _check_dims(self, input, hx, hidden_name: str = "hidden") -> None:
        name = type(self).__name__
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D "
                             "instead")
        if hx is not None and hx.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected {hidden_name} to be 1D or 2D, got {hx.dim()}D "
                             "instead")

    def _one_state_forward(self, input, hx, cell):
        """RNNCell's and GRUCell's forward: a 1-D input runs as a batch of one."""
        from engine.creation import zeros
        self._check_dims(input, hx)
        batched = input.dim() == 2
        if not batched:
            input = S.unsqueeze(input, 0)
        if hx is None:
            hx = zeros(input.size(0), self.hidden_size, dtype=input.dtype)
        elif not batched:
            hx = S.unsqueeze(hx, 0)
        result = cell(input, hx, *self._weights())
        return result if batched else S.squeeze(result, 0)


class RNNCell(RNNCellBase):
    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device=None, dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        cells = {"tanh": L.rnn_tanh_cell, "relu": L.rnn_relu_cell}
        if self.nonlinearity not in cells:
            self._check_dims(input, hx)
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        return self._one_state_forward(input, hx, cells[self.nonlinearity])


class GRUCell(RNNCellBase):
    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input, hx=None):
        return self._one_state_forward(input, hx, L.gru_cell_checked)


class LSTMCell(RNNCellBase):
    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input, hx=None):
        from engine.creation import zeros
        self._check_dims(input, None)
        for index, value in enumerate(hx or ()):
            self._check_dims(input, value, f"hx[{index}]")
        batched = input.dim() == 2
        if not batched:
            input = S.unsqueeze(input, 0)
        if hx is None:
            state = zeros(input.size(0), self.hidden_size, dtype=input.dtype)
            hx = (state, state)
        elif not batched:
            hx = (S.unsqueeze(hx[0], 0), S.unsqueeze(hx[1], 0))
        hy, cy = L.lstm_cell_checked(input, hx, *self._weights())
        if not batched:
            return S.squeeze(hy, 0), S.squeeze(cy, 0)
        return hy, cy
