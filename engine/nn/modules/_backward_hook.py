"""Full module backward hooks, as PyTorch builds them.

Around a module with full backward (pre-)hooks, PyTorch passes the tensor inputs and the
outputs through an identity node, `BackwardHookFunctionBackward`. The one on the outputs
captures grad_output and runs the backward pre-hooks; the one on the inputs runs the full
backward hooks with (grad_input, grad_output). Both nodes are in the graph, as in PyTorch.
"""
from __future__ import annotations


import numpy as np

from engine import trace, warning_events
from engine.autograd import grad_mode as _gm
from engine.autograd import node as _node
from engine.autograd.node import node_class
from engine.ops._core import announce_node, edge
from engine.tensor import Tensor, _announce, mark_custom_view
from engine.utils.hooks import fire

NO_INPUT_GRAD_WARNING = (
    "Full backward hook is firing when gradients are computed with respect to module outputs "
    "since no inputs require gradients. See https://docs.pytorch.org/docs/main/generated/"
    "torch.nn.Module.html#torch.nn.Module.register_full_backward_hook for more details.")


def _identity_rule(node, *grads):
    grads = tuple(g if e is not None else None for g, e in zip(grads, node._next))
    on_backward = node.__dict__.get("_on_backward")
    return grads if on_backward is None else on_backward(grads)


BackwardHookFunctionBackward = node_class("BackwardHookFunctionBackward", _identity_rule)


def pass_through(tensors: tuple, on_backward=None) -> tuple:
    """The tensors again, as outputs of one identity node that calls on_backward(grads)."""
    node = BackwardHookFunctionBackward()
    node._next = tuple(edge(t) for t in tensors)
    node._in_shapes = tuple(t._data.shape for t in tensors)
    node._out_meta = tuple((t._data.shape, t._data.dtype) for t in tensors)
    node._num_outputs = len(tensors)
    node._on_backward = on_backward
    outputs = []
    for nr, tensor in enumerate(tensors):
        out = Tensor._make(tensor._data)
        out._vc = tensor._vc
        if tensor._requires_grad:
            out._grad_fn, out._output_nr, out._requires_grad = node, nr, True
            mark_custom_view(out, tensor)
        outputs.append(out)
    if trace.active:
        announce_node(node, outputs)
        for out in outputs:
            _announce(out)
    return tuple(outputs)


def _as_tensor(grad):
    if grad is None or isinstance(grad, Tensor):
        return grad
    return Tensor._make(np.asarray(grad))


def _as_grad(value):
    """A hook's returned gradient, as the executor wants it (array, or Tensor in graph mode)."""
    if value is None or _node.graph_mode:
        return value
    return value._data if isinstance(value, Tensor) else np.asarray(value)


class BackwardHook:
    """One module call's full backward hooks and backward pre-hooks."""

    def __init__(self, module, path: str, user_hooks: list, user_pre_hooks: list) -> None:
        self.module = module
        self.path = path
        self.user_hooks = user_hooks              # [(hook id, hook)]
        self.user_pre_hooks = user_pre_hooks
        self.grad_outputs = None
        self.n_outputs = -1
        self.output_tensors_index = None
        self.n_inputs = -1
        self.input_tensors_index = None

    @staticmethod
    def _pack_with_none(indices, values, size: int) -> tuple:
        packed = [None] * size
        for index, value in zip(indices, values):
            packed[index] = value
        return tuple(packed)

    def _apply_on_tensors(self, on_backward, args: tuple):
        indices = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        tensors = tuple(args[i] for i in indices)
        if not (any(t._requires_grad for t in tensors) and _gm.state.enabled):
            return args, None
        new_tensors = pass_through(tensors, on_backward)
        replaced = list(args)
        for index, tensor in zip(indices, new_tensors):
            replaced[index] = tensor
        return tuple(replaced), indices

    # ------------------------------------------------------------ inputs
    def setup_input_hook(self, args: tuple) -> tuple:
        result, indices = self._apply_on_tensors(self._on_input_grads, args)
        self.n_inputs = len(args)
        self.input_tensors_index = indices
        return result

    def _on_input_grads(self, grads: tuple) -> tuple:
        if self.grad_outputs is None:
            return grads
        grad_input = self._pack_with_none(self.input_tensors_index,
                                          [_as_tensor(g) for g in grads], self.n_inputs)
        for hook_id, hook in self.user_hooks:
            out = fire(hook_id, hook, "full_backward", self.path, self.module, grad_input,
                       self.grad_outputs)
            if out is None:
                continue
            if len(out) != len(grad_input):
                raise RuntimeError("Backward hook returned an invalid number of grad_input, "
                                   f"got {len(out)}, but expected {len(grad_input)}")
            grad_input = out
        self.grad_outputs = None
        return tuple(_as_grad(grad_input[i]) for i in self.input_tensors_index)

    # ------------------------------------------------------------ outputs
    def setup_output_hook(self, result):
        is_tuple = isinstance(result, tuple)
        outputs = result if is_tuple else (result,)
        replaced, indices = self._apply_on_tensors(self._on_output_grads, outputs)
        self.n_outputs = len(outputs)
        self.output_tensors_index = indices
        return replaced if is_tuple else replaced[0]

    def _on_output_grads(self, grads: tuple) -> tuple:
        self.grad_outputs = self._pack_with_none(self.output_tensors_index,
                                                 [_as_tensor(g) for g in grads], self.n_outputs)
        for hook_id, hook in self.user_pre_hooks:
            replaced = fire(hook_id, hook, "full_backward_pre", self.path, self.module,
                            self.grad_outputs)
            if replaced is None:
                continue
            if len(replaced) != len(self.grad_outputs):
                raise RuntimeError("Backward pre hook returned an invalid number of grad_output, "
                                   f"got {len(replaced)}, but expected {len(self.grad_outputs)}")
            self.grad_outputs = tuple(replaced)
        local_grad_outputs = self.grad_outputs
        if self.input_tensors_index is None:
            self._fire_without_inputs()
        return tuple(_as_grad(local_grad_outputs[i]) for i in self.output_tensors_index)

    def _fire_without_inputs(self) -> None:
        warning_events.warn(NO_INPUT_GRAD_WARNING, UserWarning, stacklevel=2)
        grad_input = (None,) * self.n_inputs
        for hook_id, hook in self.user_hooks:
            out = fire(hook_id, hook, "full_backward", self.path, self.module, grad_input,
                       self.grad_outputs)
            if out is not None and not (isinstance(out, tuple) and all(o is None for o in out)):
                raise RuntimeError("Backward hook for Modules where no input requires gradient "
                                   "should always return None or None for all gradients.")
        self.grad_outputs = None
