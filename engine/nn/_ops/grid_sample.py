"""F.grid_sample (torch.grid_sampler, GridSampler2DBackward0 on engine.kernels.grid_sample)
and F.affine_grid (torch.affine_grid_generator, AffineGridGeneratorBackward0): ATen's
checks in ATen's order, torch.nn.functional's warnings."""
from __future__ import annotations

import warnings
from functools import partial

import numpy as np

from engine._unsupported import NotSupportedError
from engine.autograd.node import node_class
from engine.nn._ops._util import array, kernels
from engine.nn._ops.pooling import _sizes
from engine.ops._core import record
from engine.ops._double import record_grads
from engine.tensor import Tensor

K = kernels("grid_sample")
K3 = kernels("grid_sample3d")
KB = kernels("grid_sample_bicubic")
KB_LANES = 32           # bytes a vector in the AVX2 build torch runs this kernel in

_ALIGN_CORNERS_DEFAULT = (
    "Default grid_sample and affine_grid behavior has changed to align_corners=False since "
    "1.3.0. Please specify align_corners=True if the old behavior is desired. See the "
    "documentation of grid_sample for details.")
GRID_SAMPLE_INTERPOLATION_MODES = _MODES = {"bilinear": 0, "nearest": 1, "bicubic": 2}
GRID_SAMPLE_PADDING_MODES = _PADDINGS = {"zeros": 0, "border": 1, "reflection": 2}


# ---------------------------------------------------------------- grid_sample

def _grid_sampler_rule(n, g):
    attrs = n._attrs
    if attrs["interpolation_mode"] == 2:
        x = array(n.saved("input"))
        return KB.grid_sample_bicubic_backward(
            array(g), x, array(n.saved("grid")), attrs["padding_mode"],
            attrs["align_corners"], KB_LANES // x.itemsize, input_grad=n.needs(0))
    grad_input, grad_grid = K.grid_sample_2d_backward(
        array(g), array(n.saved("input")), array(n.saved("grid")),
        attrs["interpolation_mode"], attrs["padding_mode"], attrs["align_corners"],
        input_grad=n.needs(0))
    return grad_input, grad_grid


def _grid_sampler_double_rule(n, gg_input, gg_grid):
    attrs = n._attrs
    kernel = KB.grid_sample_bicubic_double_backward if attrs["interpolation_mode"] == 2 \
        else partial(K.grid_sample_2d_double_backward, mode=attrs["interpolation_mode"])
    d_grad_out, d_input, d_grid = kernel(
        None if gg_input is None else array(gg_input),
        None if gg_grid is None else array(gg_grid), array(n.saved("grad_output")),
        array(n.saved("input")), array(n.saved("grid")), padding=attrs["padding_mode"],
        align_corners=attrs["align_corners"])
    return _double_grads(n, (d_grad_out, d_input, d_grid))


def _double_grads(n, grads):
    """Those wanted; nearest sampling's grad_input has no input term (torch leaves it
    undefined), its grad_grid is zero."""
    nearest = n._attrs["interpolation_mode"] == 1
    return tuple(None if not n.needs(i) or (i == 1 and nearest) else grad
                 for i, grad in enumerate(grads))


GridSampler2DBackwardBackward0 = node_class("GridSampler2DBackwardBackward0",
                                            _grid_sampler_double_rule, arrays=True)


def _grid_sampler_double(n, g):
    x, grid = n.saved("input"), n.saved("grid")
    return record_grads(GridSampler2DBackwardBackward0, _grid_sampler_rule(n, g),
                        (x.shape, grid.shape), (g, x, grid),
                        {"grad_output": g, "input": x, "grid": grid}, dict(n._attrs))


GridSampler2DBackward0 = node_class("GridSampler2DBackward0", _grid_sampler_rule,
                                    arrays=True, double=_grid_sampler_double)


def _grid_sampler_3d_rule(n, g):
    attrs = n._attrs
    return K3.grid_sample_3d_backward(
        array(g), array(n.saved("input")), array(n.saved("grid")),
        attrs["interpolation_mode"], attrs["padding_mode"], attrs["align_corners"],
        input_grad=n.needs(0))


def _grid_sampler_3d_double_rule(n, gg_input, gg_grid):
    attrs = n._attrs
    grads = K3.grid_sample_3d_double_backward(
        None if gg_input is None else array(gg_input),
        None if gg_grid is None else array(gg_grid), array(n.saved("grad_output")),
        array(n.saved("input")), array(n.saved("grid")), attrs["interpolation_mode"],
        attrs["padding_mode"], attrs["align_corners"])
    return _double_grads(n, grads)


GridSampler3DBackwardBackward0 = node_class("GridSampler3DBackwardBackward0",
                                            _grid_sampler_3d_double_rule, arrays=True)


def _grid_sampler_3d_double(n, g):
    x, grid = n.saved("input"), n.saved("grid")
    return record_grads(GridSampler3DBackwardBackward0, _grid_sampler_3d_rule(n, g),
                        (x.shape, grid.shape), (g, x, grid),
                        {"grad_output": g, "input": x, "grid": grid}, dict(n._attrs))


GridSampler3DBackward0 = node_class("GridSampler3DBackward0", _grid_sampler_3d_rule,
                                    arrays=True, double=_grid_sampler_3d_double)


def _check_grid_sampler(input, grid, interpolation_mode) -> None:
    x, g = input._data, grid._data
    if x.shape[0] != g.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, "
                           f"but got input with sizes {_sizes(x.shape)} and grid with sizes "
                           f"{_sizes(g.shape)}")
    if g.shape[-1] != x.ndim - 2:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {x.ndim - 2} in last "
                           f"dimension, but got grid with sizes {_sizes(g.shape)}")
    for dim in range(2, x.ndim):
        if x.shape[dim] <= 0:
            raise RuntimeError(f"grid_sampler(): expected input to have non-empty spatial "
                               f"dimensions, but input has sizes {_sizes(x.shape)} with "
                               f"dimension {dim} being empty")
    spatial = 2 if x.ndim == 4 else 3
    if x.ndim != spatial + 2 or g.ndim != x.ndim:
        raise RuntimeError(f"grid_sampler(): expected {spatial + 2}D input and grid with same "
                           f"number of dimensions, but got input with sizes {_sizes(x.shape)} "
                           f"and grid with sizes {_sizes(g.shape)}")
    if spatial == 3 and interpolation_mode == 2:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    if x.dtype.kind != "f":
        kernel = "grid_sampler_2d_cpu_kernel_impl" if spatial == 2 else "grid_sampler3d_cpu"
        raise NotImplementedError(f"\"{kernel}\" not implemented for "
                                  f"'{input.dtype.tensor_type[:-6]}'")
    if g.dtype != x.dtype:
        names = {"float32": "Float", "float64": "Double"}
        raise RuntimeError(f"expected scalar type {names.get(x.dtype.name, x.dtype.name)} but "
                           f"found {names.get(g.dtype.name, g.dtype.name)}")


def grid_sampler(input, grid, interpolation_mode: int, padding_mode: int,
                 align_corners: bool):
    _check_grid_sampler(input, grid, interpolation_mode)
    volume = input._data.ndim == 5
    if interpolation_mode == 2:
        out = KB.grid_sample_bicubic_forward(input._data, grid._data, padding_mode,
                                             align_corners)
    else:
        forward = K3.grid_sample_3d_forward if volume else K.grid_sample_2d_forward
        out = forward(input._data, grid._data, interpolation_mode, padding_mode,
                      align_corners)
    node = GridSampler3DBackward0 if volume else GridSampler2DBackward0
    return record(node, out, (input, grid), {"input": input, "grid": grid},
                  {"interpolation_mode": interpolation_mode, "padding_mode": padding_mode,
                   "align_corners": align_corners})


def grid_sample(input, grid, mode: str = "bilinear", padding_mode: str = "zeros",
                align_corners=None):
    if mode not in _MODES:
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', "
                         f"'nearest' or 'bicubic', but got: '{mode}'")
    if padding_mode not in _PADDINGS:
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        warnings.warn(_ALIGN_CORNERS_DEFAULT, stacklevel=2)
        align_corners = False
    return grid_sampler(input, grid, _MODES[mode], _PADDINGS[padding_mode], align_corners)


# ---------------------------------------------------------------- affine_grid

def _steps(count: int, align_corners: bool, dtype) -> np.ndarray:
    """ATen's linspace_from_neg_one: -1..1 in `count` steps, shrunk by (count - 1) / count
    unless align_corners (one step is [0])."""
    import engine
    from engine.dtypes import from_numpy_dtype
    if count <= 1:
        return np.zeros(1, dtype)
    steps = engine.linspace(-1, 1, count, dtype=from_numpy_dtype(dtype))._data
    if not align_corners:
        steps = steps * dtype.type(count - 1) / dtype.type(count)
    return steps.astype(dtype, copy=False)


def _base_grid(size, align_corners: bool, dtype) -> np.ndarray:
    """(N, *spatial, spatial + 1): x (the last axis) first, then y, (z,) and ones."""
    spatial = tuple(size[2:])
    base = np.empty((size[0],) + spatial + (len(spatial) + 1,), dtype)
    for k, axis in enumerate(reversed(range(len(spatial)))):
        shape = [1] * len(spatial)
        shape[axis] = spatial[axis]
        base[..., k] = _steps(spatial[axis], align_corners, dtype).reshape(shape)
    base[..., -1] = 1
    return base


def _affine_grid_rule(n, g):
    size, align_corners = n._attrs["size"], n._attrs["align_corners"]
    batch, columns = size[0], len(size) - 1
    base = _base_grid(size, align_corners, g.dtype if not isinstance(g, Tensor)
                      else g._data.dtype).reshape(batch, -1, columns)
    if not isinstance(g, Tensor):
        return (K.sequential_bmm(base.transpose(0, 2, 1), g.reshape(batch, -1, columns - 1))
                .transpose(0, 2, 1),)
    # Under create_graph: torch's composite (view, transpose, bmm, transpose), its values
    # summed in ATen's order.
    flat = Tensor._make(base).transpose(1, 2).bmm(g.view(batch, -1, columns - 1))
    flat._data[...] = K.sequential_bmm(base.transpose(0, 2, 1),
                                       g._data.reshape(batch, -1, columns - 1))
    return (flat.transpose(1, 2),)


AffineGridGeneratorBackward0 = node_class("AffineGridGeneratorBackward0", _affine_grid_rule)


def affine_grid_generator(theta, size, align_corners: bool):
    size = tuple(int(s) for s in size)
    batch, columns = size[0], len(size) - 1
    theta_data = theta._data
    if theta_data.shape[0] != batch:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{batch}, {columns}] but got: [{theta_data.shape[0]}, "
                           f"{theta_data.shape[2]}].")
    base = _base_grid(size, align_corners, theta_data.dtype).reshape(batch, -1, columns)
    out = K.sequential_bmm(base, theta_data.transpose(0, 2, 1)).reshape(
        size[:1] + size[2:] + (columns - 1,))
    return record(AffineGridGeneratorBackward0, out, (theta,),
                  attrs={"size": list(size), "align_corners": align_corners})


def affine_grid(theta, size, align_corners=None):
    if align_corners is None:
        warnings.warn(_ALIGN_CORNERS_DEFAULT, stacklevel=2)
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    if len(size) == 4:
        if theta.dim() != 3 or theta.shape[-2] != 2 or theta.shape[-1] != 3:
            raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size "
                             f"{size}. Got {theta.shape}.")
        spatial_size = size[-2:]
    elif len(size) == 5:
        if theta.dim() != 3 or theta.shape[-2] != 3 or theta.shape[-1] != 4:
            raise ValueError(f"Expected a batch of 3D affine matrices of shape Nx3x4 for size "
                             f"{size}. Got {theta.shape}.")
        spatial_size = size[-3:]
    else:
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D "
                                  f"affine transforms, respectively. Got size {size}.")
    if align_corners and min(spatial_size) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size "
                      "grids when align_corners=True. This is not an intended use case of "
                      "affine_grid. See the documentation of affine_grid for details.",
                      stacklevel=2)
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    return affine_grid_generator(theta, size, align_corners)
