"""NumPy's names for two arguments, as torch's argument parser takes them: ``axis`` for
``dim`` and ``keepdims`` for ``keepdim`` (``x.sum(axis=0, keepdims=True)``).

torch's parser renames them in every function it parses: the ``torch.*`` functions and
``Tensor`` methods ATen defines. Those torch writes in Python (``torch.functional``,
``Tensor.split``, ``Tensor.norm``, ``torch.nn.functional``) never see the parser and refuse
them, as the engine's functions do by themselves. A call that gives both names is left as
it is: the function then refuses the alias, as torch does.
"""
from __future__ import annotations

import functools
import inspect
import types

ALIASES = (("axis", "dim"), ("keepdims", "keepdim"))

# torch.* names that torch defines in Python (torch.functional.__all__ and torch/functional
# helpers reachable from torch): no alias there.
PYTHON_FUNCTIONS = frozenset({
    "atleast_1d", "atleast_2d", "atleast_3d", "align_tensors", "broadcast_shapes",
    "broadcast_tensors", "cartesian_prod", "block_diag", "cdist", "chain_matmul", "einsum",
    "istft", "lu", "norm", "meshgrid", "pca_lowrank", "split", "stft", "svd_lowrank",
    "tensordot", "unique", "unique_consecutive", "unravel_index"})
# Tensor methods that torch/_tensor.py defines in Python.
PYTHON_METHODS = frozenset({
    "split", "norm", "unique", "unique_consecutive", "unflatten", "stft", "istft", "lu",
    "align_to", "refine_names", "rename", "rename_"})


def _aliases_of(fn) -> tuple[tuple[str, str], ...]:
    try:
        parameters = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return ()
    return tuple((alias, name) for alias, name in ALIASES
                 if name in parameters and alias not in parameters)


def accepting_numpy_names(fn):
    """``fn``, also taking ``axis``/``keepdims`` for its ``dim``/``keepdim`` (itself when it
    has neither)."""
    aliases = _aliases_of(fn)
    if not aliases or getattr(fn, "_numpy_names", False):      # nothing to add, or added
        return fn

    @functools.wraps(fn)
    def call(*args, **kwargs):
        if kwargs:
            for alias, name in aliases:
                if alias in kwargs and name not in kwargs:
                    kwargs[name] = kwargs.pop(alias)
        return fn(*args, **kwargs)

    call._numpy_names = True
    return call


def apply(namespace: dict, tensor_class: type) -> None:
    """Give the torch-level functions of ``namespace`` and the methods of ``tensor_class``
    the aliases, except those torch writes in Python."""
    for name, value in list(namespace.items()):
        if callable(value) and not isinstance(value, type) and not name.startswith("_") \
                and name not in PYTHON_FUNCTIONS:
            namespace[name] = accepting_numpy_names(value)
    for name, value in list(vars(tensor_class).items()):
        if not inspect.isfunction(value) or name.startswith("__"):
            continue
        if name in PYTHON_METHODS:
            setattr(tensor_class, name, _as_method_of(value, f"{tensor_class.__name__}.{name}"))
        else:
            setattr(tensor_class, name, accepting_numpy_names(value))


def _as_method_of(fn, qualname: str):
    """A copy of ``fn`` whose argument errors name ``Tensor.split()``, as torch's Python
    methods' do (the function itself may be ``torch.split`` too, which names ``split()``)."""
    if fn.__qualname__ == qualname:
        return fn
    method = types.FunctionType(fn.__code__, fn.__globals__, fn.__name__, fn.__defaults__,
                                fn.__closure__)
    method.__kwdefaults__ = fn.__kwdefaults__
    method.__dict__.update(fn.__dict__)
    method.__doc__ = fn.__doc__
    method.__qualname__ = qualname
    return method
