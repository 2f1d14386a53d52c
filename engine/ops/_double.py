"""Recording gradients as the outputs of a node of their own, as PyTorch's derivatives of
backward functions do (ConvolutionBackwardBackward0, LogSoftmaxBackwardDataBackward0, ...):
under create_graph=True a backward rule that computes on arrays hands its results to
`record_grads`, and differentiating them then runs that node's rule."""
from __future__ import annotations

import numpy as np

from engine import trace
from engine.autograd import grad_mode as _gm
from engine.autograd.node import Node, SavedTensor
from engine.ops._core import bind_outputs, edge
from engine.tensor import Tensor, _announce


def record_grads(node_cls, grads: tuple, shapes: tuple, inputs: tuple, saved: dict | None = None,
                 attrs: dict | None = None) -> tuple:
    """First-order gradients (arrays, None where not wanted) as the outputs of one `node_cls`
    node (ConvolutionBackwardBackward0, ...) whose edges go to `inputs` (grad_output first),
    so that differentiating them runs `node_cls`'s rule. `shapes`: each output's shape, for
    the zeros the executor makes when only some outputs get a gradient."""
    outs = tuple(None if g is None else Tensor._make(np.asarray(g)) for g in grads)
    if _gm.state.enabled and any(t is not None and t._requires_grad for t in inputs):
        node = node_cls()
        node._next = tuple([edge(t) for t in inputs])
        node._in_shapes = tuple([None if t is None else t._data.shape for t in inputs])
        dtype = inputs[0]._data.dtype
        node._out_meta = tuple((shape, dtype) for shape in shapes)
        node._num_outputs = len(outs)
        node._saved = {k: SavedTensor(k, v) for k, v in (saved or {}).items() if v is not None}
        node._attrs = attrs
        bind_outputs(node, outs)
    if trace.active:
        for out in outs:
            if out is not None:
                _announce(out)
    return outs


class NotImplementedNode(Node):
    """PyTorch's torch::autograd::NotImplemented: the gradients of a backward function ATen
    has no derivative for (hardsigmoid_backward, ...); differentiating them raises."""

    def name(self) -> str:
        return "torch::autograd::NotImplemented"

    def _apply(self, grads):
        raise RuntimeError(f"derivative for {self._attrs['_op']} is not implemented")


NotImplementedNode.__name__ = NotImplementedNode.__qualname__ = "NotImplemented"
NOT_IMPLEMENTED = NotImplementedNode
