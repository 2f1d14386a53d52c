"""nn.RNN, nn.LSTM and nn.GRU on their RNNBase, with torch's forward (checks, unbatched and
packed input), recorded as PyTorch's CPU path records them: oneDNN's per-layer node for a
float32 LSTM (engine.nn._ops.rnn), ATen's composite cells otherwise
(engine.nn._ops.rnn_layers). The cells are in rnn_cells.py."""
from __future__ import annotations

import math

from engine.nn import init
from engine.nn._ops import rnn as R
from engine.nn._ops import rnn_layers as L
from engine.nn.modules.module import Module
from engine.nn.parameter import Parameter
from engine.ops import indexing as X
from engine.ops import shape as S
from engine.nn.utils.packed import PackedSequence


def _check_arguments(input_size, hidden_size, num_layers, bias, batch_first, dropout,
                     proj_size) -> None:
    """torch's RNNBase.__init__ checks, in its order."""
    import numbers
    import warnings
    if not isinstance(dropout, numbers.Number) or isinstance(dropout, bool) \
            or not 0 <= dropout <= 1:
        raise ValueError("dropout should be a number in range [0, 1] representing the "
                         "probability of an element being zeroed")
    if dropout > 0 and num_layers == 1:
        warnings.warn("dropout option adds dropout after all but last recurrent layer, so "
                      "non-zero dropout expects num_layers greater than 1, but got "
                      f"dropout={dropout} and num_layers={num_layers}", stacklevel=3)
    for name, value, kind in (("bias", bias, bool), ("batch_first", batch_first, bool),
                              ("input_size", input_size, int)):
        if not isinstance(value, kind):
            raise TypeError(f"{name} should be of type {kind.__name__}, got: "
                            f"{type(value).__name__}")
    if input_size <= 0:
        raise ValueError("input_size must be greater than zero")
    if not isinstance(hidden_size, int):
        raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
    if hidden_size <= 0:
        raise ValueError("hidden_size must be greater than zero")
    if num_layers <= 0:
        raise ValueError("num_layers must be greater than zero")
    if proj_size < 0:
        raise ValueError("proj_size should be a positive integer or zero to disable "
                         "projections")
    if proj_size >= hidden_size:
        raise ValueError("proj_size has to be smaller than hidden_size")


GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


class RNNBase(Module):
    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device=None,
                 dtype=None) -> None:
        super().__init__()
        _check_arguments(input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         proj_size)
        if proj_size:
            from engine._unsupported import NotSupportedError
            raise NotSupportedError(f"torch.nn.{type(self).__name__}(proj_size=...) is not "
                                    "supported by graphtui's engine; run it on PyTorch with "
                                    "--backend torch")
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout = bias, batch_first, float(dropout)
        self.bidirectional, self.proj_size = bidirectional, proj_size
        if mode not in GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        self.mode = mode
        self._flat_weights_names, self._all_weights = [], []
        gates = GATES[mode] * hidden_size
        for layer in range(num_layers):
            for suffix in self._suffixes():
                self._all_weights.append([])
                layer_input = input_size if layer == 0 else hidden_size * self._directions()
                shapes = [("weight_ih", (gates, layer_input)), ("weight_hh", (gates, hidden_size))]
                if bias:
                    shapes += [("bias_ih", (gates,)), ("bias_hh", (gates,))]
                for kind, shape in shapes:
                    name = f"{kind}_l{layer}{suffix}"
                    setattr(self, name, Parameter(init._empty(*shape, dtype=dtype)))
                    self._flat_weights_names.append(name)
                    self._all_weights[-1].append(name)
        self.reset_parameters()

    def flatten_parameters(self) -> None:
        """cuDNN's one buffer for the weights: nothing to do on the CPU, as in torch."""

    @property
    def _flat_weights(self) -> list:
        return [getattr(self, name) for name in self._flat_weights_names]

    @property
    def all_weights(self) -> list:
        return [[getattr(self, name) for name in names] for names in self._all_weights]

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

    # ------------------------------------------------------------ torch's forward

    def forward(self, input, hx=None):
        """torch's RNNBase forward: a PackedSequence runs packed (the initial state permuted
        to the sorted order and the final one back); a 2-D input runs as a batch of one."""
        if isinstance(input, PackedSequence):
            return self._packed_forward(input, hx)
        if input.dim() not in (2, 3):
            raise ValueError(f"{self._name()}: Expected input to be 2D or 3D, got "
                             f"{input.dim()}D{self._dims_suffix} instead")
        batched = input.dim() == 3
        batch_dim = 0 if self.batch_first else 1
        if not batched:
            input = S.unsqueeze(input, batch_dim)
        if hx is not None:
            hx = self._batched_state(hx, batched)
        batch = input.shape[0] if self.batch_first else input.shape[1]
        hx = self._zero_state(batch, input) if hx is None else hx
        self.check_forward_args(input, hx, None)
        output, hidden = self._run(input, hx)
        if not batched:
            return S.squeeze(output, batch_dim), self._map_state(hidden, S.squeeze, 1)
        return output, hidden

    def _packed_forward(self, packed, hx):
        input, batch_sizes, sorted_indices, unsorted_indices = packed
        if hx is None:
            hx = self._zero_state(int(batch_sizes[0]), input)
        else:
            hx = self.permute_hidden(hx, sorted_indices)
        if self._checks_packed:
            self.check_forward_args(input, hx, batch_sizes)
        output, hidden = self._run_packed(input, [int(n) for n in batch_sizes.tolist()], hx)
        return (PackedSequence(output, batch_sizes, sorted_indices, unsorted_indices),
                self.permute_hidden(hidden, unsorted_indices))

    _dims_suffix = " tensor"
    _checks_packed = True

    def _name(self) -> str:
        """The name torch's texts give, whatever the subclass."""
        return "RNN" if self.mode.startswith("RNN") else self.mode

    @staticmethod
    def _map_state(state, fn, *args):
        return tuple(fn(part, *args) for part in state) if isinstance(state, tuple) \
            else fn(state, *args)

    def _batched_state(self, hx, batched: bool):
        if batched and hx.dim() != 3:
            raise RuntimeError("For batched 3-D input, hx should also be 3-D but got "
                               f"{hx.dim()}-D tensor")
        if not batched:
            if hx.dim() != 2:
                raise RuntimeError("For unbatched 2-D input, hx should also be 2-D but got "
                                   f"{hx.dim()}-D tensor")
            hx = S.unsqueeze(hx, 1)
        return hx

    def _zero_state(self, batch: int, input):
        from engine.creation import zeros
        return zeros(self.num_layers * self._directions(), batch, self.hidden_size,
                     dtype=input.dtype)

    def check_input(self, input, batch_sizes) -> None:
        weight_dtype = self.weight_ih_l0.dtype
        if input.dtype != weight_dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype "
                             f"({weight_dtype}). Convert input: input.to({weight_dtype}), or "
                             f"convert model: model.to({input.dtype})")
        expected_dim = 2 if batch_sizes is not None else 3
        if input.dim() != expected_dim:
            raise RuntimeError(f"input must have {expected_dim} dimensions, got {input.dim()}")
        if self.input_size != input.size(-1):
            raise RuntimeError("input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {input.size(-1)}")

    def get_expected_hidden_size(self, input, batch_sizes) -> tuple:
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        else:
            mini_batch = input.size(0) if self.batch_first else input.size(1)
        return self.num_layers * self._directions(), mini_batch, self.hidden_size

    def check_hidden_size(self, hx, expected_hidden_size: tuple,
                          msg: str = "Expected hidden size {}, got {}") -> None:
        if tuple(hx.size()) != tuple(expected_hidden_size):
            raise RuntimeError(msg.format(expected_hidden_size, list(hx.size())))

    def check_forward_args(self, input, hidden, batch_sizes) -> None:
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden, self.get_expected_hidden_size(input, batch_sizes))

    def permute_hidden(self, hx, permutation):
        if permutation is None:
            return hx
        return self._map_state(hx, lambda part: part.index_select(1, permutation))

    def _dropout_between_layers(self) -> float:
        return self.dropout if self.training else 0.0

    def _weights_per_layer(self) -> list:
        return [self._layer_weights(layer, suffix) for layer in range(self.num_layers)
                for suffix in self._suffixes()]

    def _composite(self, input, hiddens: list, batch_sizes=None):
        """ATen's composite layers (engine.nn._ops.rnn_layers) over every layer."""
        return L.run_layers(input, hiddens, self._weights_per_layer(), L.CELLS[self.mode],
                            num_layers=self.num_layers, bidirectional=self.bidirectional,
                            batch_sizes=batch_sizes, dropout=self._dropout_between_layers())

    def _run(self, input, hx):
        """ATen's rnn_tanh/rnn_relu/gru: input transposed to time-major, hx unbound, the
        final hiddens stacked, the output transposed back in place."""
        from engine.ops.inplace_shape import transpose_
        from engine.ops.split import unbind
        if self.batch_first:
            input = S.transpose(input, 0, 1)
        self._check_sequence(input)
        output, finals = self._composite(input, list(unbind(hx, 0)))
        if self.batch_first:
            transpose_(output, 0, 1)
        return output, S.stack(finals, 0)

    def _run_packed(self, data, batch_sizes: list, hx):
        from engine.ops.split import unbind
        output, finals = self._composite(data, list(unbind(hx, 0)), batch_sizes)
        return output, S.stack(finals, 0)

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


class RNN(RNNBase):
    def __init__(self, *args, **kwargs) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop("nonlinearity", "tanh")
        modes = {"tanh": "RNN_TANH", "relu": "RNN_RELU"}
        if self.nonlinearity not in modes:
            raise ValueError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' "
                             "or 'relu'.")
        super().__init__(modes[self.nonlinearity], *args, **kwargs)


class GRU(RNNBase):
    _dims_suffix = ""

    def __init__(self, *args, **kwargs) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)
class LSTM(RNNBase):
    """On float32 input oneDNN's per-layer node (engine.nn._ops.rnn); packed or on other
    dtypes ATen's composite cells."""
    _dims_suffix = ""
    _checks_packed = False      # torch's LSTM leaves a packed input's checks to ATen

    def __init__(self, *args, **kwargs) -> None:
        super().__init__("LSTM", *args, **kwargs)

    def get_expected_cell_size(self, input, batch_sizes) -> tuple:
        return self.get_expected_hidden_size(input, batch_sizes)

    def _batched_state(self, hx, batched: bool):
        dims = hx[0].dim(), hx[1].dim()
        if batched and dims != (3, 3):
            raise RuntimeError("For batched 3-D input, hx and cx should also be 3-D but got "
                               f"({dims[0]}-D, {dims[1]}-D) tensors")
        if not batched:
            if dims != (2, 2):
                raise RuntimeError("For unbatched 2-D input, hx and cx should also be 2-D but "
                                   f"got ({dims[0]}-D, {dims[1]}-D) tensors")
            hx = (S.unsqueeze(hx[0], 1), S.unsqueeze(hx[1], 1))
        return hx

    def _zero_state(self, batch: int, input):
        return super()._zero_state(batch, input), super()._zero_state(batch, input)

    def check_forward_args(self, input, hidden, batch_sizes) -> None:
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden[0], self.get_expected_hidden_size(input, batch_sizes),
                               "Expected hidden[0] size {}, got {}")
        self.check_hidden_size(hidden[1], self.get_expected_cell_size(input, batch_sizes),
                               "Expected hidden[1] size {}, got {}")

    def _run(self, input, hx):
        if input._data.dtype.name != "float32" or not input._data.size:
            return self._run_composite(input, hx)       # ATen's use_mkldnn: float32, numel
        if self.batch_first:
            input = S.transpose(input, 0, 1)
        input = S.contiguous(input)      # the oneDNN path's, whatever made it non-contiguous
        output, h_n, c_n = self._layers(input, hx)
        if self.batch_first:
            output = S.transpose(output, 0, 1)
        return output, (h_n, c_n)

    def _run_composite(self, input, hx):
        if self.batch_first:
            input = S.transpose(input, 0, 1)
        self._check_sequence(input)
        output, finals = self._composite(input, self._unbound(hx))
        if self.batch_first:
            output = S.transpose(output, 0, 1)
        return output, self._stacked(finals)

    def _run_packed(self, data, batch_sizes: list, hx):
        if data._data.dtype.name == "float32" and len(set(batch_sizes)) == 1:
            # torch runs oneDNN's layers on the data viewed as [T, B, *] then
            steps, batch = len(batch_sizes), batch_sizes[0]
            padded = data.view((steps, batch) + tuple(data.shape[1:]))
            output, h_n, c_n = self._layers(padded, hx, batch_first=False)
            return output.view((steps * batch, output.shape[-1])), (h_n, c_n)
        output, finals = self._composite(data, self._unbound(hx), batch_sizes)
        return output, self._stacked(finals)

    @staticmethod
    def _unbound(hx) -> list:
        from engine.ops.split import unbind
        return list(zip(unbind(hx[0], 0), unbind(hx[1], 0)))

    @staticmethod
    def _stacked(finals: list) -> tuple:
        return S.stack([h for h, _ in finals], 0), S.stack([c for _, c in finals], 0)

    def _initial_state(self, hx, index: int, batch: int):
        from engine.creation import zeros
        if hx is None:
            state = zeros(batch, self.hidden_size, dtype=self.weight_ih_l0.dtype)
            return state, state
        return X.select(hx[0], 0, index), X.select(hx[1], 0, index)

    def _layers(self, input, hx, batch_first=None):
        from engine.nn.functional import dropout
        self._check_sequence(input)
        settings = {"hidden_size": self.hidden_size, "num_layers": self.num_layers,
                    "has_biases": self.bias, "bidirectional": self.bidirectional,
                    "batch_first": self.batch_first if batch_first is None else batch_first}
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
            if self._dropout_between_layers() and layer < self.num_layers - 1:
                layer_input = dropout(layer_input, self.dropout, True)
        return layer_input, S.stack(hy, 0), S.stack(cy, 0)




# torch.nn.modules.rnn holds the cells too
from engine.nn.modules.rnn_cells import GRUCell, LSTMCell, RNNCell, RNNCellBase  # noqa: E402,F401
