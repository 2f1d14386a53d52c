"""Broadcasting several tensors at once: torch.broadcast_tensors, broadcast_shapes and
meshgrid. Each result is an expand (ExpandBackward0) of its input, as ATen builds them, so
they are views that share the input's storage."""
from __future__ import annotations

from engine._cpp_warning import cpp_warning, warn_once
from engine.ops.elementwise import broadcast_error
from engine.ops.shape import expand, view
from engine.tensor import Tensor

_MESHGRID_INDEXING = cpp_warning(
    "torch.meshgrid: in an upcoming release, it will be required to pass the indexing "
    "argument.", "aten/src/ATen/native/TensorShape.cpp:4215")


def broadcast_shapes(*shapes):
    from engine.dtypes import Size
    result: list[int] = []
    for index, shape in enumerate(shapes):
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        if any(size < 0 for size in shape):
            raise ValueError("Attempting to broadcast a dimension with negative length!")
        result = _broadcast_onto(result, shape, index)
    return Size(result)


def _broadcast_onto(result: list, shape: tuple, index: int) -> list:
    result = [1] * (len(shape) - len(result)) + result
    for offset in range(1, len(shape) + 1):
        size, have = shape[-offset], result[-offset]
        if size == have or size == 1:
            continue
        if have != 1:
            raise RuntimeError(f"Attempting to broadcast a dimension of length {size} at "
                               f"-{offset}! Mismatching argument at index {index} had "
                               f"{shape}; but expected shape should be broadcastable to "
                               f"{result}")
        result[-offset] = size
    return result


def broadcast_tensors(*tensors):
    """Each tensor expanded to the common shape; one that has it already is returned as is."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    shape: tuple = ()
    for tensor in tensors:
        shape = _common_shape(shape, tuple(tensor.shape))
    return tuple(t if tuple(t.shape) == shape else expand(t, shape) for t in tensors)


def _common_shape(a: tuple, b: tuple) -> tuple:
    ndim = max(len(a), len(b))
    a_full, b_full = (1,) * (ndim - len(a)) + a, (1,) * (ndim - len(b)) + b
    if any(x != y and 1 not in (x, y) for x, y in zip(a_full, b_full)):
        raise broadcast_error(a, b)
    return tuple(max(x, y) if 0 not in (x, y) else 0 for x, y in zip(a_full, b_full))


def meshgrid(*tensors, indexing: str | None = None):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warn_once(_MESHGRID_INDEXING, stacklevel=2)
        indexing = "ij"
    _check_meshgrid(tensors, indexing)
    ordered = list(tensors)
    swap = indexing == "xy" and len(ordered) > 1
    if swap:
        ordered[0], ordered[1] = ordered[1], ordered[0]
    shape = tuple(t.numel() for t in ordered)
    grids = [_grid(t, dim, shape) for dim, t in enumerate(ordered)]
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


def _grid(tensor: Tensor, dim: int, shape: tuple) -> Tensor:
    view_shape = [1] * len(shape)
    view_shape[dim] = -1
    return expand(view(tensor, view_shape), shape)


def _check_meshgrid(tensors: tuple, indexing: str) -> None:
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for tensor in tensors:
        if tensor.dim() > 1:
            raise RuntimeError("torch.meshgrid: Expected 0D or 1D tensor in the tensor list "
                               f"but got: {_cpp_print(tensor)}")
    if any(t.dtype != tensors[0].dtype for t in tensors):
        raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    if indexing not in ("xy", "ij"):
        raise RuntimeError('torch.meshgrid: indexing must be one of "xy" or "ij", but '
                           f"received: {indexing}")


def _cpp_print(tensor: Tensor) -> str:
    """ATen's operator<< for a tensor in the common case of whole-number values: one row per
    line, each value right-aligned one wider than the widest, then the type and sizes."""
    rows = tensor.detach().reshape(tensor.shape[0], -1).tolist()
    cells = [[f"{value:g}" for value in row] for row in rows]
    width = max((len(cell) for row in cells for cell in row), default=0) + 1
    lines = [" ".join(cell.rjust(width) for cell in row) for row in cells]
    sizes = ",".join(str(size) for size in tensor.shape)
    return "\n".join(lines) + f"\n[ torch.{tensor.dtype.tensor_type}{{{sizes}}} ]"
