"""Conv3d, and ConvTranspose1d/2d/3d with the output_size argument of their forward."""
from __future__ import annotations

from engine.nn import functional as F
from engine.nn.modules.conv import _ConvNd


class Conv3d(_ConvNd):
    _spatial = 3

    def forward(self, input):
        return self._conv_forward(input, F.conv3d)


class _ConvTransposeNd(_ConvNd):
    _transposed = True

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 output_padding=0, groups: int = 1, bias: bool = True, dilation=1,
                 padding_mode: str = "zeros", device=None, dtype=None) -> None:
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for '
                             f"{type(self).__name__}")
        super(_ConvNd, self).__init__()
        self._build(in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
                    bias, padding_mode, dtype, output_padding)

    def _output_padding(self, input, output_size) -> tuple:
        """The output_padding that makes the output output_size (its spatial sizes, or all
        of its sizes), checked to be one this layer can make."""
        if output_size is None:
            return self.output_padding
        spatial = self._spatial
        batched = input.dim() == spatial + 2
        leading = 2 if batched else 1
        sizes = list(output_size)
        if len(sizes) == leading + spatial:
            sizes = sizes[leading:]
        if len(sizes) != spatial:
            raise ValueError(f"ConvTranspose{spatial}D: for {input.dim()}D input, output_size "
                             f"must have {spatial} or {leading + spatial} elements (got "
                             f"{len(sizes)})")
        smallest = [(input.size(d + leading) - 1) * self.stride[d] - 2 * self.padding[d]
                    + self.dilation[d] * (self.kernel_size[d] - 1) + 1 for d in range(spatial)]
        largest = [low + self.stride[d] - 1 for d, low in enumerate(smallest)]
        if any(size < low or size > high for size, low, high in zip(sizes, smallest, largest)):
            raise ValueError(f"requested an output size of {sizes}, but valid sizes range from "
                             f"{smallest} to {largest} (for an input of {input.size()[2:]})")
        return tuple(size - low for size, low in zip(sizes, smallest))

    def forward(self, input, output_size=None):
        output_padding = self._output_padding(input, output_size)
        return self._transposed_function(input, self.weight, self.bias, self.stride,
                                         self.padding, output_padding, self.groups,
                                         self.dilation)


class ConvTranspose1d(_ConvTransposeNd):
    _spatial = 1
    _transposed_function = staticmethod(F.conv_transpose1d)


class ConvTranspose2d(_ConvTransposeNd):
    _spatial = 2
    _transposed_function = staticmethod(F.conv_transpose2d)


class ConvTranspose3d(_ConvTransposeNd):
    _spatial = 3
    _transposed_function = staticmethod(F.conv_transpose3d)
