"""Helpers the nn ops share."""
from __future__ import annotations

import numpy as np

from engine.tensor import Tensor

UINT64 = 2 ** 64
_REDUCTIONS = {"none": 0, "mean": 1, "sum": 2}


def array(value):
    """The array behind a gradient or saved value (a Tensor under create_graph)."""
    return value._data if isinstance(value, Tensor) else value


def unpack_saved(n) -> None:
    """Check every saved value, as PyTorch's node unpacks each before it runs, read by the
    rule or not: one freed, or modified in place since forward, raises here."""
    for name in n._saved:
        n.saved(name)


def as_uint64(index: int) -> int:
    """A negative index as PyTorch shows it in `_saved_*` (-100 -> 18446744073709551516)."""
    return index % UINT64


def reduction_enum(reduction: str) -> int:
    try:
        return _REDUCTIONS[reduction]
    except KeyError:
        raise ValueError(f"{reduction} is not a valid value for reduction") from None


def pair(value, name: str = "value") -> tuple[int, int]:
    if type(value) is tuple and len(value) == 2 and type(value[0]) is int \
            and type(value[1]) is int:
        return value
    if isinstance(value, (int, np.integer)):
        return int(value), int(value)
    value = tuple(int(v) for v in value)
    if len(value) == 1:
        return value[0], value[0]
    return value


def float_array(tensor: Tensor, what: str) -> np.ndarray:
    data = tensor._data
    if data.dtype.kind != "f":
        raise RuntimeError(f"\"{what}\" not implemented for '{tensor.dtype.tensor_type[:-6]}'")
    return data


class LazyModule:
    """A module imported on first attribute access: engine.kernels pulls in Numba (~0.5 s),
    which `import engine` must not pay. After the first access, lookups are plain. The first
    kernel use also keeps NumPy's OpenBLAS to one thread (see engine.kernels.blas_threads)."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str):
        import importlib
        from engine.kernels.blas_threads import limit_blas_threads
        limit_blas_threads(1)
        module = importlib.import_module(self._name)
        self.__dict__.update(module.__dict__)
        # Without __getattr__, Python reads the copied names the fast, specialised way.
        self.__class__ = _LoadedModule
        return getattr(module, attr)


class _LoadedModule:
    """A LazyModule after its import: the module's names in its __dict__."""


def kernels(name: str) -> LazyModule:
    return LazyModule(f"engine.kernels.{name}")


def stash(out, **private) -> None:
    """Keep values a backward rule needs but PyTorch does not save on the output's node: as
    "_name" attrs, which `_saved_*` and `dir(grad_fn)` leave out (they list what PyTorch
    lists). Rules read them with `private(node)` or `node._attrs["_name"]`."""
    node = out._grad_fn
    if node is not None:
        attrs = dict(node._attrs or {})
        attrs.update({f"_{name}": value for name, value in private.items()})
        node._attrs = attrs


def private(node) -> dict:
    """The values `stash` kept on a node, by the names it was given."""
    return {name[1:]: value for name, value in (node._attrs or {}).items()
            if name.startswith("_")}


def linear_double_node(name: str, grad_output_grad):
    """The *BackwardBackward0 node of an op whose gradient is linear in grad_output and does
    not depend on self (pooling, padding, embedding): grad_output's gradient is
    `grad_output_grad(n, gg)` (the op's forward applied to gg); self's, if an edge, zeros."""
    def rule(n, gg):
        gg = array(gg)
        zeros_for_self = tuple(np.zeros(n._in_shapes[i], dtype=gg.dtype) if n.needs(i) else None
                               for i in range(1, len(n._next)))
        return (grad_output_grad(n, gg) if n.needs(0) else None,) + zeros_for_self
    from engine.autograd.node import node_class
    return node_class(name, rule, arrays=True)


def check_tensor_arguments(function: str, *arguments, optional: tuple = ()) -> None:
    """torch's argument-parser error for a (name, value) pair whose value is no Tensor, at
    its 1-based position (`optional` names may also be None)."""
    from engine._arg_parser import type_name
    for position, (name, value) in enumerate(arguments, 1):
        if isinstance(value, Tensor) or (value is None and name in optional):
            continue
        raise TypeError(f"{function}(): argument '{name}' (position {position}) must be "
                        f"Tensor, not {type_name(value)}")
