"""F.interpolate (and the deprecated F.upsample*): torch.nn.functional's argument handling
in front of the upsample ops (engine/nn/_ops/upsample.py), with torch's texts."""
from __future__ import annotations

import warnings

from engine.nn._ops.upsample import upsample

_LINEAR_MODES = {"linear": 3, "bilinear": 4, "trilinear": 5}
_UNSUPPORTED_MODES = ("bicubic", "lanczos")


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    align_corners = _align_corners(mode, align_corners)
    dim = input.dim() - 2
    output_size, scale_factors = _output_size_or_scales(input, dim, size, scale_factor)
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if mode == "area" and output_size is None:
        recompute_scale_factor = True
    if recompute_scale_factor:
        output_size = [int(input.shape[i + 2] * scale_factors[i]) for i in range(dim)]
        scale_factors = None
    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and input.ndim == 4):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos "
                         "modes and requires a 4-D tensor as input")
    _check_supported(mode, antialias, input.dim())
    return _dispatch(input, mode, output_size, scale_factors, align_corners)


def _align_corners(mode: str, align_corners):
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating "
                             "modes: linear | bilinear | bicubic | trilinear")
        return None
    return False if align_corners is None else align_corners


def _output_size_or_scales(input, dim: int, size, scale_factor):
    """(output_size, None) or (None, scale_factors), each a list of `dim` values."""
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if not isinstance(size, (list, tuple)):
            return [size] * dim, None
        if len(size) != dim:
            raise ValueError(_spatial_mismatch(input, "output", "output size of", size,
                                               "output size", "o"))
        if not all(_is_integer(s) for s in size):
            raise TypeError("expected size to be one of int or Tuple[int] or Tuple[int, int] "
                            "or Tuple[int, int, int], but got size with types "
                            f"{[type(s) for s in size]}")
        return size, None
    if scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    if not isinstance(scale_factor, (list, tuple)):
        return None, [scale_factor] * dim
    if len(scale_factor) != dim:
        raise ValueError(_spatial_mismatch(input, "scale_factor", "scale_factor of shape",
                                           scale_factor, "scale_factor", "s"))
    return None, scale_factor


def _spatial_mismatch(input, what: str, got: str, value, wanted: str, letter: str) -> str:
    return (f"Input and {what} must have the same number of spatial dimensions, but got "
            f"input with spatial dimensions of {list(input.shape[2:])} and {got} {value}. "
            f"Please provide input tensor in (N, C, d1, d2, ...,dK) format and {wanted} in "
            f"({letter}1, {letter}2, ...,{letter}K) format.")


def _is_integer(value) -> bool:
    from engine.tensor import Tensor
    if isinstance(value, Tensor):
        return not value.is_floating_point() and value.dim() == 0
    return isinstance(value, int) and not isinstance(value, bool) or \
        type(value).__name__.startswith("int")


def _check_supported(mode: str, antialias: bool, ndim: int) -> None:
    if mode in _UNSUPPORTED_MODES and ndim == 4 or antialias:
        from engine._unsupported import NotSupportedError
        what = "antialias=True" if antialias else f"mode='{mode}'"
        raise NotSupportedError(f"F.interpolate with {what} is not supported by graphtui's "
                                "engine (see docs/supported.md for what is)")


def _dispatch(input, mode, output_size, scale_factors, align_corners):
    ndim = input.dim()
    if mode in ("nearest", "nearest-exact") and ndim in (3, 4, 5):
        return upsample(input, mode, output_size, scale_factors, None)
    if mode == "area" and ndim == 4:
        from engine.nn._ops.pooling import adaptive_avg_pool2d
        return adaptive_avg_pool2d(input, output_size)
    if mode == "area" and ndim in (3, 5):
        from engine._unsupported import NotSupportedError
        raise NotSupportedError(f"F.interpolate(mode='area') of a {ndim}D input is not "
                                "supported by graphtui's engine")
    if _LINEAR_MODES.get(mode) == ndim:
        return upsample(input, mode, output_size, scale_factors, align_corners)
    for name, wanted in _LINEAR_MODES.items():
        if mode == name and ndim in (3, 4, 5):
            raise NotImplementedError(f"Got {ndim}D input, but {name} mode needs {wanted}D "
                                      "input")
    raise NotImplementedError(
        "Input Error: Only 3D, 4D and 5D input Tensors supported"
        f" (got {ndim}D) for the modes: nearest | linear | bilinear | bicubic | trilinear | "
        f"lanczos | area | nearest-exact (got {mode})")


def upsample_deprecated(input, size=None, scale_factor=None, mode="nearest",
                        align_corners=None):
    warnings.warn("`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` "
                  "instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    warnings.warn("`nn.functional.upsample_nearest` is deprecated. Use "
                  "`nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    warnings.warn("`nn.functional.upsample_bilinear` is deprecated. Use "
                  "`nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)
