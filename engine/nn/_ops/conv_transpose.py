"""conv_transpose1d/2d/3d: one ConvolutionBackward0 node with transposed=True (the rules in
engine.nn._ops.conv_general), ATen's checks in its order and with its texts."""
from __future__ import annotations

from engine.nn._ops.conv import (_check_weight_dtype, _record, check_not_partly_empty, single,
                                 spatial_tuple, uses_onednn)
from engine.nn._ops._util import kernels
from engine.ops.shape import squeeze, unsqueeze

KN = kernels("conv_nd")
_AXES = {1: ("height", "width"), 2: ("height", "width"), 3: ("depth", "height", "width")}


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups=1, dilation=1):
    return _transposed(input, weight, bias, stride, padding, output_padding, groups, dilation, 1)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups=1, dilation=1):
    return _transposed(input, weight, bias, stride, padding, output_padding, groups, dilation, 2)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups=1, dilation=1):
    return _transposed(input, weight, bias, stride, padding, output_padding, groups, dilation, 3)


def _transposed(input, weight, bias, stride, padding, output_padding, groups, dilation,
                spatial: int):
    if isinstance(padding, str):
        raise TypeError(f"conv_transpose{spatial}d(): argument 'padding' must be tuple of ints, "
                        "not str")
    ndim = input._data.ndim
    if ndim not in (spatial + 1, spatial + 2):
        raise RuntimeError(f"Expected {spatial + 1}D (unbatched) or {spatial + 2}D (batched) "
                           f"input to conv_transpose{spatial}d, but got input of size: "
                           f"{list(input._data.shape)}")
    if ndim == spatial + 1:
        out = _transposed(unsqueeze(input, 0), weight, bias, stride, padding, output_padding,
                          groups, dilation, spatial)
        return squeeze(out, 0)
    geometry = {name: _expanded(name, value, spatial) for name, value in
                (("stride", stride), ("padding", padding), ("dilation", dilation),
                 ("output_padding", output_padding))}
    x, w = input._data, weight._data
    b = None if bias is None else bias._data
    _check_shapes(x.shape, w.shape, None if b is None else b.shape, groups, **geometry)
    check_not_partly_empty(x.shape)
    if uses_onednn(x, w, groups, geometry["stride"], geometry["dilation"],
                   geometry["output_padding"]):
        _check_onednn(input, weight, **geometry)
    else:
        _check_output(x.shape, w.shape, spatial, **geometry)
        _check_weight_dtype(x, w)
    if b is not None and b.dtype != x.dtype:
        b = b.astype(x.dtype)
    out = KN.transposed_forward(x, w, b, geometry["stride"], geometry["padding"],
                                geometry["output_padding"], geometry["dilation"], groups)
    return _record(input, weight, bias, b, out, geometry["stride"], geometry["padding"],
                   geometry["dilation"], groups, transposed=True,
                   output_padding=geometry["output_padding"])


def _expanded(name: str, value, spatial: int) -> tuple:
    values = single(value)
    if len(values) not in (1, spatial):
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {spatial} "
                           f"values to match the convolution dimensions, but got "
                           f"{name}={list(values)}")
    return spatial_tuple(values, spatial)


def _check_shapes(x_shape, w_shape, b_shape, groups, stride, padding, dilation,
                  output_padding) -> None:
    """ATen's check_shape_forward for a transposed convolution, in its order."""
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if any(p < 0 for p in output_padding):
        raise RuntimeError("negative output_padding is not supported")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero")
    if len(w_shape) != len(x_shape):
        raise RuntimeError(f"Expected {len(w_shape)}-dimensional input for {len(w_shape)}-"
                           f"dimensional weight {list(w_shape)}, but got {len(x_shape)}-"
                           f"dimensional input of size {list(x_shape)} instead")
    if w_shape[0] < groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be at least {groups} at "
                           f"dimension 0, but got weight of size {list(w_shape)} instead")
    if w_shape[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size [{list(w_shape)}] instead")
    if x_shape[1] != w_shape[0]:
        raise RuntimeError(f"Given transposed=1, weight of size {list(w_shape)}, expected "
                           f"input{list(x_shape)} to have {w_shape[0]} channels, but got "
                           f"{x_shape[1]} channels instead")
    out_channels = w_shape[1] * groups
    if b_shape is not None and (len(b_shape) != 1 or b_shape[0] != out_channels):
        raise RuntimeError(f"Given transposed=1, weight of size {list(w_shape)}, expected bias "
                           f"to be 1-dimensional with {out_channels} elements, but got bias "
                           f"of size {list(b_shape)} instead")


def _check_output(x_shape, w_shape, spatial, stride, padding, dilation, output_padding):
    """The CPU kernel's checks (slow_conv_transpose2d's / 3d's: a 1-D one runs as a 2-D one
    of height 1, so its texts name a height)."""
    shown = lambda values, fill: ((fill,) + values) if spatial == 1 else values  # noqa: E731
    if any(o >= s and o >= d for o, s, d in zip(output_padding, stride, dilation)):
        parts = [f"output_padding_{axis}: {v}" for axis, v in
                 zip(_AXES[spatial], shown(output_padding, 0))]
        parts += [f"stride_{axis}: {v}" for axis, v in zip(_AXES[spatial], shown(stride, 1))]
        parts += [f"dilation_{axis}: {v}" for axis, v in
                  zip(_AXES[spatial], shown(dilation, 1))]
        raise RuntimeError("output padding must be smaller than either stride or dilation, but "
                           f"got {' '.join(parts)}")
    sizes = KN.transposed_output_sizes(x_shape[2:], w_shape, stride, padding, output_padding,
                                       dilation)
    if any(s < 1 for s in sizes):
        given = " x ".join(str(s) for s in shown(tuple(x_shape[2:]), 1))
        wanted = " x ".join(str(s) for s in shown(tuple(sizes), 1))
        raise RuntimeError(f"Given input size per channel: ({given}). Calculated output size "
                           f"per channel: ({wanted}). Output size is too small")


def _check_onednn(input, weight, stride, padding, dilation, output_padding) -> None:
    _check_weight_dtype(input._data, weight._data, onednn=True)
    sizes = KN.transposed_output_sizes(input._data.shape[2:], weight._data.shape, stride,
                                       padding, output_padding, dilation)
    if any(s < 0 for s in sizes):
        raise RuntimeError("could not construct a memory descriptor using a format tag")
