"""Conv1d and Conv2d (one base, as torch's _ConvNd; Conv3d and the transposed layers build
on it in conv_transpose.py)."""
from __future__ import annotations


from engine.nn import functional as F
from engine.nn import init
from engine.nn._ops._util import pair
from engine.nn._ops.conv import spatial_tuple
from engine.nn.modules.module import Module
from engine.nn.parameter import Parameter


class _ConvNd(Module):
    _spatial = 2
    _transposed = False

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device=None, dtype=None) -> None:
        super().__init__()
        self._build(in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
                    bias, padding_mode, dtype, output_padding=0)

    def _build(self, in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
               bias, padding_mode, dtype, output_padding) -> None:
        spatial = self._spatial
        tuple_of = pair if spatial == 2 else (lambda value: spatial_tuple(value, spatial))
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"Invalid padding string {padding!r}, should be one of "
                                 "{'valid', 'same'}")
            if padding == "same" and any(s != 1 for s in tuple_of(stride)):
                raise ValueError("padding='same' is not supported for strided convolutions")
        modes = {"zeros", "reflect", "replicate", "circular"}   # torch's, in its order
        if padding_mode not in modes:
            raise ValueError(f"padding_mode must be one of {modes}, but got "
                             f"padding_mode='{padding_mode}'")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride = tuple_of(kernel_size), tuple_of(stride)
        self.padding = padding if isinstance(padding, str) else tuple_of(padding)
        self.dilation, self.groups = tuple_of(dilation), groups
        self.transposed = self._transposed
        self.output_padding = tuple_of(output_padding)
        self.padding_mode = padding_mode
        self._reversed_padding_repeated_twice = self._edge_padding()
        weight_channels = (in_channels, out_channels // groups) if self.transposed else \
            (out_channels, in_channels // groups)
        self.weight = Parameter(init._empty(*weight_channels, *self.kernel_size, dtype=dtype))
        if bias:
            self.bias = Parameter(init._empty(out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def _edge_padding(self):
        """F.pad's amounts (last dim first) that padding_mode != 'zeros' pads with."""
        if self.padding == "valid":
            return [0, 0] * self._spatial
        if self.padding == "same":
            amounts = []
            for dilation, kernel in zip(reversed(self.dilation), reversed(self.kernel_size)):
                total = dilation * (kernel - 1)
                amounts += [total // 2, total - total // 2]
            return amounts
        return tuple(p for p in reversed(self.padding) for _ in range(2))

    def _conv_forward(self, input, function):
        """function(input, ...) with the layer's geometry; other padding modes pad the input
        with F.pad first and convolve it unpadded, as torch does."""
        if self.padding_mode == "zeros":
            return function(input, self.weight, self.bias, self.stride, self.padding,
                            self.dilation, self.groups)
        padded = F.pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode)
        return function(padded, self.weight, self.bias, self.stride, (0,) * self._spatial,
                        self.dilation, self.groups)

    def reset_parameters(self) -> None:
        init.default_reset(self.weight, self.bias)

    def extra_repr(self) -> str:
        ones, zeros = (1,) * self._spatial, (0,) * self._spatial
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        if self.padding != zeros:
            text += f", padding={self.padding}"
        if self.dilation != ones:
            text += f", dilation={self.dilation}"
        if self.output_padding != zeros:
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
        return text


class Conv2d(_ConvNd):
    def forward(self, input):
        return self._conv_forward(input, F.conv2d)


class Conv1d(_ConvNd):
    _spatial = 1

    def forward(self, input):
        return self._conv_forward(input, F.conv1d)
