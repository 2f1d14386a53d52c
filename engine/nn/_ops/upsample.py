"""F.interpolate's nearest, nearest-exact and (bi/tri)linear modes, as ATen's CPU kernels
compute them (UpSample.h, UpSampleKernel.cpp).

Each spatial dimension gets its source indices (and, for the linear modes, two taps with
their weights) in the input's float type, with the fused multiply-add ATen's compiled code
uses, so the nearest modes copy exactly torch's elements and the taps are torch's. The
linear forward interpolates the last dimension first and then each one before it (ATen's
nested `Interpolate`); backward adds each output's share into the input in output order.
Their sums agree with torch's to rounding, not bit for bit: ATen picks a vectorised
channels-last kernel for small outputs, whose summation order this does not reproduce.
"""
from __future__ import annotations

import itertools

import numpy as np

from engine.autograd.node import node_class
from engine.nn._ops._util import array, linear_double_node
from engine.ops._core import record
from engine.ops._double import record_grads

_AXES = {1: ("W",), 2: ("H", "W"), 3: ("D", "H", "W")}
_SCALE_NAMES = {1: ("scales",), 2: ("scales_h", "scales_w"),
                3: ("scales_d", "scales_h", "scales_w")}
_NODE_PREFIX = {("nearest", 1): "UpsampleNearest1D", ("nearest", 2): "UpsampleNearest2D",
                ("nearest", 3): "UpsampleNearest3D",
                ("nearest-exact", 1): "UpsampleNearestExact1D",
                ("nearest-exact", 2): "UpsampleNearestExact2D",
                ("nearest-exact", 3): "UpsampleNearestExact3D",
                ("linear", 1): "UpsampleLinear1D", ("bilinear", 2): "UpsampleBilinear2D",
                ("trilinear", 3): "UpsampleTrilinear3D"}


# ---------------------------------------------------------------- source indices

def _scale(in_size: int, out_size: int, scale, ftype, align_corners: bool = False):
    """area_pixel_compute_scale / compute_scales_value in the op's float type."""
    if align_corners:
        return ftype(in_size - 1) / ftype(out_size - 1) if out_size > 1 else ftype(0)
    if scale is not None and scale > 0:
        return ftype(1.0 / scale)
    return ftype(in_size) / ftype(out_size)


def nearest_index(in_size: int, out_size: int, scale, exact: bool) -> np.ndarray:
    """nearest_idx / nearest_exact_idx: the input index each output index copies."""
    out = np.arange(out_size)
    if out_size == in_size:
        return out
    if out_size == 2 * in_size and not exact:
        return out >> 1
    step = _scale(in_size, out_size, scale, np.float32)
    if exact:
        source = ((out + 0.5) * np.float64(step)).astype(np.float32)
    else:
        source = out.astype(np.float32) * step
    return np.minimum(np.floor(source).astype(np.int64), in_size - 1)


def linear_taps(in_size: int, out_size: int, scale, align_corners: bool, ftype):
    """compute_source_index_and_lambda for every output index: (index0, index1, lambda0,
    lambda1), the lambdas in the op's float type."""
    out = np.arange(out_size)
    if out_size == in_size:
        return out, out, np.ones(out_size, ftype), np.zeros(out_size, ftype)
    step = _scale(in_size, out_size, scale, ftype, align_corners)
    positions = out.astype(ftype)
    if align_corners:
        source = step * positions
    else:
        source = fma(np.full(out_size, step, ftype), positions + ftype(0.5),
                     np.full(out_size, -0.5, ftype))
        source = np.maximum(source, ftype(0))
    index0 = np.minimum(np.floor(source).astype(np.int64), in_size - 1)
    lambda1 = np.clip(source - index0.astype(ftype), ftype(0), ftype(1)).astype(ftype)
    index1 = index0 + (index0 < in_size - 1)
    return index0, index1, (ftype(1) - lambda1).astype(ftype), lambda1


# ---------------------------------------------------------------- kernels on arrays

def _spatial_axes(x: np.ndarray) -> range:
    return range(2, x.ndim)


def _nearest_forward(x: np.ndarray, indices: tuple) -> np.ndarray:
    for axis, index in zip(_spatial_axes(x), indices):
        x = np.take(x, index, axis=axis)
    return x


def _linear_forward(x: np.ndarray, taps: tuple) -> np.ndarray:
    for axis in reversed(_spatial_axes(x)):
        index0, index1, lambda0, lambda1 = taps[axis - 2]
        shape = (-1,) + (1,) * (x.ndim - 1 - axis)
        x = fma(np.take(x, index0, axis=axis), lambda0.reshape(shape),
                np.take(x, index1, axis=axis) * lambda1.reshape(shape))
    return x


def fma(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """a * b + c rounded once, as the fused multiply-add ATen's compiled kernels use: in
    double for float32 (the product is exact there), in extended precision for float64."""
    wide = np.float64 if a.dtype == np.float32 else np.longdouble
    return (a.astype(wide) * b.astype(wide) + c.astype(wide)).astype(a.dtype)


def _scatter_back(g: np.ndarray, in_shape: tuple, flat_index: np.ndarray,
                  weights: np.ndarray | None) -> np.ndarray:
    """grad_input += weight * grad_output for every (output, corner) in output order."""
    planes = int(np.prod(in_shape[:2]))
    per_output = flat_index.shape[-1]
    values = np.repeat(g.reshape(planes, -1), per_output, axis=1)
    if weights is not None:
        values = weights.reshape(1, -1) * values
    grad = np.zeros((planes, int(np.prod(in_shape[2:]))), dtype=g.dtype)
    np.add.at(grad, (slice(None), flat_index.reshape(-1)), values)
    return grad.reshape(in_shape)


def _nearest_backward(g: np.ndarray, in_shape: tuple, indices: tuple) -> np.ndarray:
    strides = _flat_strides(in_shape[2:])
    grids = np.meshgrid(*indices, indexing="ij")
    flat = sum(grid * stride for grid, stride in zip(grids, strides))
    return _scatter_back(g, in_shape, flat[..., None], None)


def _linear_backward(g: np.ndarray, in_shape: tuple, taps: tuple) -> np.ndarray:
    strides = _flat_strides(in_shape[2:])
    corners_index, corners_weight = [], []
    for corner in itertools.product((0, 1), repeat=len(taps)):
        index_parts = [tap[side] for tap, side in zip(taps, corner)]
        weight_parts = [tap[2 + side] for tap, side in zip(taps, corner)]
        grids = np.meshgrid(*index_parts, indexing="ij")
        corners_index.append(sum(grid * stride for grid, stride in zip(grids, strides)))
        corners_weight.append(_outer_product(weight_parts))
    flat = np.stack(corners_index, axis=-1)
    weights = np.stack(corners_weight, axis=-1)
    return _scatter_back(g, in_shape, flat, weights)


def _outer_product(parts: list) -> np.ndarray:
    """parts[0] * parts[1] * ... on the grid, multiplied left to right as ATen does."""
    grids = np.meshgrid(*parts, indexing="ij")
    product = grids[0]
    for grid in grids[1:]:
        product = product * grid
    return product


def _flat_strides(sizes: tuple) -> list:
    strides, step = [], 1
    for size in reversed(sizes):
        strides.insert(0, step)
        step *= size
    return strides


# ---------------------------------------------------------------- nodes

def _plan(n, in_shape: tuple):
    """The indices (nearest) or taps (linear) a node's attributes describe."""
    attrs = n._attrs
    sizes, scales = attrs["output_size"], attrs["_scales"]
    if attrs["_mode"] in ("nearest", "nearest-exact"):
        exact = attrs["_mode"] == "nearest-exact"
        return tuple(nearest_index(i, o, s, exact)
                     for i, o, s in zip(in_shape[2:], sizes, scales))
    ftype = np.dtype(attrs["_dtype"]).type
    return tuple(linear_taps(i, o, s, attrs["align_corners"], ftype)
                 for i, o, s in zip(in_shape[2:], sizes, scales))


def _is_nearest(n) -> bool:
    return n._attrs["_mode"] in ("nearest", "nearest-exact")


def _rule(n, g):
    in_shape = n._attrs["self_sym_sizes"]
    g = array(g)
    backward = _nearest_backward if _is_nearest(n) else _linear_backward
    return (backward(g, in_shape, _plan(n, in_shape)),)


def _forward_of(n, gg):
    forward = _nearest_forward if _is_nearest(n) else _linear_forward
    return forward(gg, _plan(n, n._attrs["_in_shape"]))


def _node_classes(prefix: str) -> type:
    double_cls = linear_double_node(f"{prefix}BackwardBackward0", _forward_of)

    def double(n, g):
        attrs = {k: v for k, v in n._attrs.items() if k != "self_sym_sizes"}
        attrs["_in_shape"] = n._attrs["self_sym_sizes"]
        return record_grads(double_cls, _rule(n, g), (n._attrs["self_sym_sizes"],), (g,),
                            attrs=attrs)
    return node_class(f"{prefix}Backward0", _rule, arrays=True, double=double)


_NODES = {key: _node_classes(prefix) for key, prefix in _NODE_PREFIX.items()}


# ---------------------------------------------------------------- the op

def upsample(input, mode: str, output_size, scales, align_corners) -> "Tensor":
    """ATen's upsample_<mode><N>d(input, output_size, scale_factors)."""
    x = input._data
    spatial = x.ndim - 2
    if output_size is None:
        output_size = tuple(int(size * scale) for size, scale in zip(x.shape[2:], scales))
        saved_scales = tuple(float(s) for s in scales)
    else:
        output_size = tuple(int(s) for s in output_size)
        saved_scales = (None,) * spatial
    _check_sizes(x.shape, output_size)
    _check_dtype(input, mode, output_size)
    attrs = {"output_size": output_size, "self_sym_sizes": x.shape, "_mode": mode,
             "_scales": saved_scales, "_dtype": x.dtype.str}
    attrs.update(zip(_SCALE_NAMES[spatial], saved_scales))
    if mode in ("nearest", "nearest-exact"):
        plan = tuple(nearest_index(i, o, s, mode == "nearest-exact")
                     for i, o, s in zip(x.shape[2:], output_size, saved_scales))
        out = _nearest_forward(x, plan)
    else:
        attrs["align_corners"] = bool(align_corners)
        ftype = x.dtype.type
        plan = tuple(linear_taps(i, o, s, bool(align_corners), ftype)
                     for i, o, s in zip(x.shape[2:], output_size, saved_scales))
        out = _linear_forward(x, plan).astype(x.dtype, copy=False)
    return record(_NODES[(mode, spatial)], np.ascontiguousarray(out), (input,), attrs=attrs)


def _check_dtype(input, mode: str, output_size: tuple) -> None:
    kind = input._data.dtype.kind
    if kind == "f" or (kind == "u" and mode.startswith("nearest")):
        return
    if kind == "u":
        from engine._unsupported import NotSupportedError
        raise NotSupportedError(f"F.interpolate(mode='{mode}') on uint8 tensors is not "
                                "supported by graphtui's engine")
    linear = "nearest" not in mode
    if input._data.ndim == 4 and sum(output_size) <= 128:
        # ATen runs its channels-last kernel on small 2-D outputs, whatever the layout.
        what = f"upsample_{'bilinear' if linear else 'nearest'}2d_channels_last"
    else:
        what = f"compute_indices_weights_{'linear' if linear else 'nearest'}"
    raise NotImplementedError(f"\"{what}\" not implemented for "
                              f"'{input.dtype.tensor_type[:-6]}'")


def _check_sizes(in_shape: tuple, output_size: tuple) -> None:
    spatial = len(in_shape) - 2
    if not all(in_shape[1:]):
        raise RuntimeError(f"Non-empty {len(in_shape)}D data tensor expected but got a tensor "
                           f"with sizes [{', '.join(map(str, in_shape))}]")
    if all(s > 0 for s in in_shape[2:]) and all(s > 0 for s in output_size):
        return
    axes = _AXES[spatial]
    inputs = ", ".join(f"{a}: {s}" for a, s in zip(axes, in_shape[2:]))
    outputs = ", ".join(f"{a}: {s}" for a, s in zip(axes, output_size))
    joiner = " and output" if spatial == 1 else " output"
    raise RuntimeError(f"Input and output sizes should be greater than 0, but got input "
                       f"({inputs}){joiner} ({outputs})")
