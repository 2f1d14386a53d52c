"""Parameters as one flat vector and back, as torch.nn.utils.convert_parameters."""
from __future__ import annotations

import engine
from engine.tensor import Tensor


def parameters_to_vector(parameters) -> Tensor:
    """One vector of every parameter's values, in order (differentiable: a CatBackward0 of
    ViewBackward0s)."""
    return engine.cat([param.view(-1) for param in parameters])


def vector_to_parameters(vec, parameters) -> None:
    """Copy consecutive slices of `vec` into the parameters' data."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {_typename(vec)}")
    start = 0
    for param in parameters:
        count = param.numel()
        param.data = vec[start:start + count].view_as(param).data
        start += count


def _typename(value) -> str:
    kind = type(value)
    module = kind.__module__
    return kind.__qualname__ if module in ("", "builtins") else f"{module}.{kind.__qualname__}"
