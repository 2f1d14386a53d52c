"""Parameter: a leaf Tensor that a Module registers as one of its parameters."""
from __future__ import annotations

import numpy as np

from engine.tensor import Tensor, _announce


class Parameter(Tensor):
    """A Tensor that is a module parameter; shares the data of the tensor it wraps."""

    def __init__(self, data=None, requires_grad: bool = True) -> None:
        if data is None:
            array = np.empty((0,), dtype=np.float32)
        else:
            array = data._data if isinstance(data, Tensor) else np.asarray(data)
        self._init(array, bool(requires_grad))
        _announce(self)

    def __repr__(self, *, tensor_contents=None) -> str:
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__

    def __reduce_ex__(self, protocol):
        return (Parameter, (Tensor._make(self._data), self._requires_grad))


class Buffer(Tensor):
    """Marks a tensor as a buffer when assigned to a Module attribute (torch.nn.Buffer)."""

    def __init__(self, data=None, *, persistent: bool = True) -> None:
        array = np.empty((0,), np.float32) if data is None else (
            data._data if isinstance(data, Tensor) else np.asarray(data))
        self._init(array)
        self.persistent = persistent
