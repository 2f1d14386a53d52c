"""LSTM layers as PyTorch's CPU (oneDNN) path records them: one MkldnnRnnLayerBackward0 node
per layer and direction, with edges (input, weight_ih, weight_hh, bias_ih, bias_hh, hx, cx)
and four outputs (output, hy, cy, workspace), saving the input, the weights, hx_, cx_, the
results and the layer's settings. The forward keeps each step's gates for the backward
(through time), which runs on arrays.
"""
from __future__ import annotations

import numpy as np

from engine.autograd import grad_mode as _gm
from engine.autograd.node import SavedTensor, node_class
from engine.nn._ops._util import array, unpack_saved
from engine.ops._core import bind_outputs, edge
from engine.tensor import Tensor, _announce
from engine import trace

LSTM_MODE = 2          # what PyTorch saves as `mode` for an LSTM


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _lstm_forward(x, w_ih, w_hh, b_ih, b_hh, h, c, reverse: bool):
    """Run one layer over time: outputs [T, B, H], final h and c, and per-step caches."""
    steps = range(x.shape[0] - 1, -1, -1) if reverse else range(x.shape[0])
    projected = x @ w_ih.T
    if b_ih is not None:
        projected = projected + b_ih + b_hh
    outputs = np.empty(x.shape[:2] + (h.shape[-1],), dtype=x.dtype)
    caches = []
    for t in steps:
        gates = projected[t] + h @ w_hh.T
        i, f, g, o = np.split(gates, 4, axis=1)
        i, f, g, o = _sigmoid(i), _sigmoid(f), np.tanh(g), _sigmoid(o)
        c_next = f * c + i * g
        tanh_c = np.tanh(c_next)
        caches.append((t, h, c, i, f, g, o, tanh_c))
        h, c = o * tanh_c, c_next
        outputs[t] = h
    return outputs, h, c, caches


def _lstm_rule(n, grad_output, grad_hy, grad_cy, _grad_workspace=None):
    unpack_saved(n)         # the outputs too, though the rule reads the caches
    x = array(n.saved("input"))
    w_ih, w_hh = array(n.saved("weight0")), array(n.saved("weight1"))
    caches = n._attrs["_caches"]
    grad_output, grad_h, grad_c = array(grad_output), array(grad_hy), array(grad_cy)
    grad_x = np.zeros_like(x)
    grad_w_ih, grad_w_hh = np.zeros_like(w_ih), np.zeros_like(w_hh)
    grad_bias = np.zeros(w_ih.shape[0], dtype=x.dtype)
    for t, h_prev, c_prev, i, f, g, o, tanh_c in reversed(caches):
        grad_h = grad_h + grad_output[t]
        grad_o = grad_h * tanh_c
        grad_c = grad_c + grad_h * o * (1 - tanh_c * tanh_c)
        grad_i, grad_f, grad_g = grad_c * g, grad_c * c_prev, grad_c * i
        grad_gates = np.concatenate([grad_i * i * (1 - i), grad_f * f * (1 - f),
                                     grad_g * (1 - g * g), grad_o * o * (1 - o)], axis=1)
        grad_x[t] = grad_gates @ w_ih
        grad_w_ih += grad_gates.T @ x[t]
        grad_w_hh += grad_gates.T @ h_prev
        grad_bias += grad_gates.sum(axis=0)
        grad_h = grad_gates @ w_hh
        grad_c = grad_c * f
    has_bias = n._attrs["has_biases"]
    grads = (grad_x, grad_w_ih, grad_w_hh, grad_bias if has_bias else None,
             grad_bias.copy() if has_bias else None, grad_h, grad_c)
    return tuple(grad if n.needs(k) else None for k, grad in enumerate(grads))


def _one_minus(x):
    """C++'s `1 - x` in ATen: a filled tensor, then sub_ (SubBackward0, no edge for the 1)."""
    from engine.creation import full_like
    return full_like(x, 1).sub_(x)


def _recompute_forward(n):
    """The layer's forward again, op by op: per step (t, h_prev, c_prev, i, f, g, o, c)."""
    from engine.nn._ops.linear import linear
    from engine.ops.split import unsafe_chunk
    x, w_ih, w_hh = n.saved("input"), n.saved("weight0"), n.saved("weight1")
    if n._attrs["has_biases"]:
        b_ih, b_hh = n.saved("weight2"), n.saved("weight3")
    else:       # oneDNN's layer has zero biases then: addmm all the same
        from engine.creation import zeros
        b_ih = b_hh = zeros(w_ih.shape[0], dtype=w_ih.dtype)
    steps = x.shape[0]
    h, c, caches = n.saved("hx_"), n.saved("cx_"), []
    for t in (range(steps - 1, -1, -1) if n._attrs["reverse"] else range(steps)):
        gates = linear(x.select(0, t), w_ih, b_ih) + linear(h, w_hh, b_hh)
        i, f, g, o = unsafe_chunk(gates, 4, 1)
        i, f, g, o = i.sigmoid(), f.sigmoid(), g.tanh(), o.sigmoid()
        c_next = f * c + i * g
        caches.append((t, h, c, i, f, g, o, c_next))
        h, c = o * c_next.tanh(), c_next
    return caches


def _lstm_double(n, grad_output, grad_hy, grad_cy, _grad_workspace=None):
    """PyTorch's mkldnn_rnn_layer_differentiable_backward, which runs under create_graph: the
    forward recomputed, then backward through time with differentiable ops, so the gradients
    have a graph of their own."""
    from engine.ops import shape as S
    from engine.ops.linalg import mm
    unpack_saved(n)
    x, w_ih, w_hh = n.saved("input"), n.saved("weight0"), n.saved("weight1")
    # a bidirectional layer's output gradient is a slice of the concatenation's
    grad_output, grad_h, grad_c = (g.contiguous() for g in (grad_output, grad_hy, grad_cy))
    grad_x, grad_w_ih, grad_w_hh, grad_bias = {}, None, None, None
    for t, h_prev, c_prev, i, f, g, o, c in reversed(_recompute_forward(n)):
        grad_h = grad_output.select(0, t) + grad_h
        grad_c = grad_c + (grad_h * o) * _one_minus(c.tanh() * c.tanh())
        grad_gates = S.cat([((grad_c * g) * i) * _one_minus(i),
                            ((grad_c * c_prev) * f) * _one_minus(f),
                            (grad_c * i) * _one_minus(g * g),
                            ((grad_h * c.tanh()) * o) * _one_minus(o)], 1)
        grad_x[t] = S.unsqueeze(mm(grad_gates, w_ih), 0)
        step_grads = (mm(grad_gates.transpose(0, 1), x.select(0, t)),
                      mm(grad_gates.transpose(0, 1), h_prev), grad_gates.sum(0))
        grad_w_ih, grad_w_hh, grad_bias = step_grads if grad_bias is None else (
            grad_w_ih + step_grads[0], grad_w_hh + step_grads[1], grad_bias + step_grads[2])
        grad_h, grad_c = mm(grad_gates, w_hh), grad_c * f
    has_bias = n._attrs["has_biases"]
    grads = (S.cat([grad_x[t] for t in sorted(grad_x)], 0), grad_w_ih, grad_w_hh,
             grad_bias if has_bias else None, grad_bias if has_bias else None, grad_h, grad_c)
    return tuple(grad if n.needs(k) else None for k, grad in enumerate(grads))


MkldnnRnnLayerBackward0 = node_class("MkldnnRnnLayerBackward0", _lstm_rule, arrays=True,
                                     double=_lstm_double)


def lstm_layer(input, weights: tuple, hx, cx, *, reverse: bool, settings: dict):
    """One layer, one direction: (output, hy, cy). `weights`: (w_ih, w_hh, b_ih, b_hh), the
    biases None without bias; hx, cx: [B, H] tensors."""
    w_ih, w_hh, b_ih, b_hh = weights
    out, hy, cy, caches = _lstm_forward(
        input._data, w_ih._data, w_hh._data, None if b_ih is None else b_ih._data,
        None if b_hh is None else b_hh._data, hx._data, cx._data, reverse)
    outs = [Tensor._make(out), Tensor._make(hy), Tensor._make(cy),
            Tensor._make(np.empty((0,), dtype=out.dtype))]
    inputs = (input, w_ih, w_hh, b_ih, b_hh, hx, cx)
    if _gm.state.enabled and any(t is not None and t._requires_grad for t in inputs):
        _attach(inputs, outs, caches, reverse, settings)
    if trace.active:
        for t in outs[:3]:
            _announce(t)
    return tuple(outs[:3])


def _attach(inputs: tuple, outs: list, caches: list, reverse: bool, settings: dict) -> None:
    node = MkldnnRnnLayerBackward0()
    node._next = tuple(None if t is None else edge(t) for t in inputs)
    node._in_shapes = tuple(None if t is None else t._data.shape for t in inputs)
    node._out_meta = tuple((t._data.shape, t._data.dtype) for t in outs)
    node._num_outputs = 4
    saved = {"input": inputs[0], "hx_": inputs[5], "cx_": inputs[6]}
    attrs = {"reverse": reverse, "mode": LSTM_MODE, "batch_sizes": (), "train": True,
             **settings}
    for k, weight in enumerate(inputs[1:5]):
        if weight is None:
            attrs[f"weight{k}"] = None
        else:
            saved[f"weight{k}"] = weight
    node._saved = {name: SavedTensor(name, value) for name, value in saved.items()}
    for k, out in enumerate(outs):
        out._grad_fn, out._output_nr = node, k
        node._saved[f"result{k}"] = SavedTensor(f"result{k}", out, is_output=True)
    node._attrs = {**attrs, "_caches": caches}
    bind_outputs(node, outs)

