"""Conv1d and Conv2d (one base, as torch's _ConvNd)."""
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
        if padding_mode != "zeros":
            raise NotImplementedError(f"engine: {type(self).__name__} supports "
                                      "padding_mode='zeros' only")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride = tuple_of(kernel_size), tuple_of(stride)
        self.padding = padding if isinstance(padding, str) else tuple_of(padding)
        self.dilation, self.groups = tuple_of(dilation), groups
        self.transposed = self._transposed
        self.output_padding = tuple_of(output_padding)
        self.padding_mode = padding_mode
        weight_channels = (in_channels, out_channels // groups) if self.transposed else \
            (out_channels, in_channels // groups)
        self.weight = Parameter(init._empty(*weight_channels, *self.kernel_size, dtype=dtype))
        if bias:
            self.bias = Parameter(init._empty(out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

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
        return text


class Conv2d(_ConvNd):
    def forward(self, input):
        return F.conv2d(input, self.weight, self.bias, self.stride, self.padding,
                        self.dilation, self.groups)


class Conv1d(_ConvNd):
    _spatial = 1

    def forward(self, input):
        return F.conv1d(input, self.weight, self.bias, self.stride, self.padding,
                        self.dilation, self.groups)
