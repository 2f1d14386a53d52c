"""Custom autograd Functions: `class F(Function)` with static forward/backward and `apply`.

The ctx of forward and backward is the graph node itself (as in PyTorch, where ctx is the
`<Name>Backward` object), so what it saved is visible to the debugger like any node's.
"""
from __future__ import annotations

import functools

import numpy as np

from engine import trace
from engine.autograd import grad_mode as _gm
from engine.autograd import node as _node
from engine.autograd.node import Node, SavedTensor
from engine.tensor import Tensor, _announce, mark_custom_view


class FunctionCtx:
    """What forward and backward may call on ctx."""

    def save_for_backward(self, *tensors) -> None:
        self._to_save = tensors

    def save_for_forward(self, *tensors) -> None:
        self._to_save_forward = tensors

    def mark_dirty(self, *tensors) -> None:
        self._dirty = tensors

    def mark_non_differentiable(self, *tensors) -> None:
        self._non_differentiable = tensors

    def set_materialize_grads(self, value: bool) -> None:
        self._materialize = value

    @property
    def saved_tensors(self) -> tuple:
        saved = getattr(self, "_saved", None)
        if saved is None:
            return tuple(getattr(self, "_to_save", ()))
        return tuple(None if s is None else s.public_value(self) if not s.freed else
                     _freed() for s in saved.values())


def _freed():
    raise RuntimeError(_node.FREED_MESSAGE)


class BackwardCFunction(FunctionCtx, Node):
    """Base of every `<Name>Backward` node class made for a custom Function."""

    _function_cls = None
    _materialize = True

    def __repr__(self) -> str:
        # torch's Python-made backward classes live in torch.autograd.function, and their
        # repr is the default object one, so it names that module.
        return f"<torch.autograd.function.{type(self).__qualname__} object at {hex(id(self))}>"

    def _apply(self, grads: list) -> tuple:
        graph = _node.graph_mode
        grad_tensors = [None if g is None else (g if isinstance(g, Tensor) else Tensor._make(g))
                        for g in grads]
        if self._materialize:
            grad_tensors = [Tensor._make(np.zeros(shape, dtype)) if g is None else g
                            for g, (shape, dtype) in zip(grad_tensors, self._out_meta)]
        for saved in (self._saved or {}).values():
            saved.unpack(self)          # raises if freed or modified in place
        result = self._function_cls.backward(self, *grad_tensors)
        if not isinstance(result, tuple):
            result = (result,)
        if len(result) != len(self._arg_is_tensor):
            raise RuntimeError(f"function {self.name()} returned an incorrect number of "
                               f"gradients (expected {len(self._arg_is_tensor)}, got "
                               f"{len(result)})")
        per_edge = [r for r, is_tensor in zip(result, self._arg_is_tensor) if is_tensor]
        if graph:
            return tuple(per_edge)
        return tuple(None if r is None else (r._data if isinstance(r, Tensor) else np.asarray(r))
                     for r in per_edge)


class FunctionMeta(type):
    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        cls._backward_cls = type(f"{name}Backward", (BackwardCFunction,),
                                 {"_function_cls": cls, "__module__": cls.__module__})


class Function(metaclass=FunctionMeta):
    """Subclass with `forward(ctx, *args)` and `backward(ctx, *grad_outputs)`, call `apply`."""

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for "
                                  "your custom autograd.Function to use it with backward mode AD.")

    vjp = backward

    @classmethod
    def apply(cls, *args, **kwargs):
        from engine.ops._core import announce_node, needs_grad
        tensor_args = [a for a in args if isinstance(a, Tensor)]
        ctx = cls._backward_cls()
        ctx._arg_is_tensor = tuple(isinstance(a, Tensor) for a in args)
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a._requires_grad for a in args)
        with _gm.no_grad():
            raw = cls.forward(ctx, *args, **kwargs)
        is_tuple = isinstance(raw, tuple)
        outputs = raw if is_tuple else (raw,)
        if not needs_grad(*tensor_args):
            return raw
        marked = getattr(ctx, "_non_differentiable", ())
        owned = tuple(_own_output(out, args) for out in outputs)
        # An input returned as-is and marked non-differentiable stays marked as its copy.
        ctx._non_differentiable = tuple(o for o, out in zip(owned, outputs)
                                        if any(out is m for m in marked)) + tuple(marked)
        outputs = owned
        _attach(ctx, tensor_args, outputs)
        if trace.active:
            announce_node(ctx, [o for o in outputs if isinstance(o, Tensor)])
            for out in outputs:
                if isinstance(out, Tensor):
                    _announce(out)
        return outputs if is_tuple else outputs[0]


def _own_output(out, args):
    """An input returned as-is becomes a new tensor sharing its data (PyTorch makes a view)."""
    if isinstance(out, Tensor) and any(out is a for a in args):
        view = Tensor._make(out._data)
        view._vc = out._vc
        mark_custom_view(view, out)
        return view
    return out


def _attach(ctx, tensor_args: list, outputs: tuple) -> None:
    from engine.ops._core import edge
    non_diff = {id(t) for t in getattr(ctx, "_non_differentiable", ())}
    ctx._next = tuple([edge(a) for a in tensor_args])
    ctx._num_outputs = len(outputs)
    ctx._out_meta = tuple((o._data.shape, o._data.dtype) if isinstance(o, Tensor) else ((), np.float32)
                          for o in outputs)
    for nr, out in enumerate(outputs):
        if isinstance(out, Tensor) and id(out) not in non_diff and out._data.dtype.kind in "fc":
            out._grad_fn, out._output_nr, out._requires_grad = ctx, nr, True
    to_save = getattr(ctx, "_to_save", ())
    if to_save:
        ctx._saved = {f"saved_tensors[{i}]": SavedTensor(f"saved_tensors[{i}]", t,
                                                         is_output=any(t is o for o in outputs))
                      for i, t in enumerate(to_save) if isinstance(t, Tensor)}


def once_differentiable(fn):
    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with _gm.no_grad():
            return fn(ctx, *args)
    return wrapper
