"""batch_norm: one NativeBatchNormBackward0 node (input, weight, bias), on the Numba
batch-norm kernels (engine.kernels.batch_norm).

Saves what PyTorch saves: input, weight, running stats, result1 = the batch mean and
result2 = the inverse std (empty in eval mode), training, eps.
"""
from __future__ import annotations

import numpy as np

from engine.autograd.node import node_class
from engine.nn._ops._util import array, kernels
from engine.ops._double import record_grads
from engine.ops._core import record
from engine.tensor import Tensor

K = kernels("batch_norm")


def _optional_saved(n, name: str):
    return n.saved(name) if name in n._saved else None


def _optional_array(n, name: str):
    return array(_optional_saved(n, name))


def _batch_norm_rule(n, g):
    a = n._attrs
    # Every saved value is unpacked, in PyTorch's order, so running stats modified in place
    # after forward fail the version check in training too, where the rule does not read them.
    x = array(n.saved("input"))
    weight = _optional_array(n, "weight")
    running_mean = _optional_array(n, "running_mean")
    running_var = _optional_array(n, "running_var")
    mean, invstd = array(n.saved("result1")), array(n.saved("result2"))
    training = a["training"]
    grads = K.batch_norm_backward(
        np.ascontiguousarray(array(g)), x, weight, mean, invstd, training,
        None if training else running_mean, None if training else running_var, a["eps"])
    return tuple(grad if n.needs(i) else None for i, grad in enumerate(grads))


class _ChannelStats:
    """What batchnorm_double_backward reuses, each shaped to broadcast against the input
    ([1, C, 1, ...]): the centred input, the inverse std and its powers, the gamma."""

    def __init__(self, n, x: np.ndarray) -> None:
        training = n._attrs["train"]
        self.axes = (0,) + tuple(range(2, x.ndim))
        self.count = x.size // x.shape[1]
        if training:
            mean, invstd = array(n.saved("save_mean")), array(n.saved("save_invstd"))
        else:
            mean = array(n.saved("running_mean"))
            invstd = 1.0 / np.sqrt(array(n.saved("running_var")) + n._attrs["eps"])
        self.centered = x - self.per_channel(mean.astype(x.dtype))
        self.invstd = self.per_channel(invstd.astype(x.dtype))
        weight = _optional_array(n, "weight")
        self.gamma = 1.0 if weight is None else self.per_channel(weight)

    def per_channel(self, values: np.ndarray) -> np.ndarray:
        return values.reshape((1, -1) + (1,) * (len(self.axes) - 1))

    def sum(self, values: np.ndarray) -> np.ndarray:
        """Summed over every dim but the channels, kept for broadcasting."""
        return values.sum(axis=self.axes, keepdims=True)

    def first_grad_input(self, grad_out: np.ndarray, gamma) -> np.ndarray:
        """The training-mode grad_input of batch norm for this grad_out and gamma."""
        m = self.count
        inner = (m * grad_out - self.sum(grad_out)
                 - self.centered * self.invstd ** 2 * self.sum(grad_out * self.centered))
        return gamma * self.invstd / m * inner


def _batch_norm_double_rule(n, gg_input, gg_weight, gg_bias):
    """ATen's batchnorm_double_backward: derivatives of (grad_input, grad_weight, grad_bias)
    for grad_out, input and weight (the saved mean and invstd get none, as in torch)."""
    x, grad_out = array(n.saved("input")), array(n.saved("grad_out"))
    gg_input, gg_weight, gg_bias = array(gg_input), array(gg_weight), array(gg_bias)
    st = _ChannelStats(n, x)
    training, affine = n._attrs["train"], "weight" in n._saved
    gg_weight_e, gg_bias_e = st.per_channel(gg_weight), st.per_channel(gg_bias)
    grad_grad_out = grad_input = grad_weight = None
    if n.needs(0):
        grad_grad_out = (st.first_grad_input(gg_input, st.gamma) if training
                         else gg_input * st.invstd * st.gamma)
        if affine:
            grad_grad_out = grad_grad_out + gg_weight_e * st.centered * st.invstd + gg_bias_e
    if n.needs(1):
        grad_input = _batch_norm_grad_input(st, grad_out, gg_input, gg_weight_e, training,
                                            affine)
    if n.needs(2):
        per_element = (gg_input * st.first_grad_input(grad_out, 1.0) if training
                       else gg_input * grad_out * st.invstd)
        grad_weight = st.sum(per_element).reshape(-1)
    return grad_grad_out, grad_input, grad_weight, None, None


def _batch_norm_grad_input(st, grad_out, gg_input, gg_weight_e, training, affine):
    m = st.count
    invstd3 = st.invstd ** 3
    centered_invstd3 = st.centered * invstd3
    grad_out_sum = st.sum(grad_out)
    grad_out_centered_sum = st.sum(grad_out * st.centered)
    grad_input = np.zeros_like(gg_input)
    if training:
        gg_sum, gg_centered_sum = st.sum(gg_input), st.sum(gg_input * st.centered)
        all_sub = (gg_sum * grad_out_sum / m - st.sum(grad_out * gg_input)
                   + 3.0 / m * st.invstd ** 2 * grad_out_centered_sum * gg_centered_sum)
        grad_input = st.gamma * (centered_invstd3 * all_sub / m
                                 + gg_centered_sum * invstd3 / m * (grad_out_sum / m - grad_out)
                                 + grad_out_centered_sum * invstd3 / m * (gg_sum / m - gg_input))
    if affine:
        if training:
            gamma_term = (grad_out * st.invstd - st.invstd * grad_out_sum / m
                          - centered_invstd3 * grad_out_centered_sum / m)
        else:
            gamma_term = st.invstd * grad_out
        grad_input = grad_input + gg_weight_e * gamma_term
    return grad_input


NativeBatchNormBackwardBackward0 = node_class("NativeBatchNormBackwardBackward0",
                                              _batch_norm_double_rule, arrays=True)


def _batch_norm_double(n, g):
    x, weight = n.saved("input"), _optional_saved(n, "weight")
    channels = (x.shape[1],)
    saved = {"grad_out": g, "input": x, "weight": weight,
             "running_mean": _optional_saved(n, "running_mean"),
             "running_var": _optional_saved(n, "running_var"),
             "save_mean": n.saved("result1"), "save_invstd": n.saved("result2")}
    attrs = {"train": n._attrs["training"], "eps": n._attrs["eps"]}
    attrs.update({name: None for name, value in saved.items() if value is None})
    return record_grads(NativeBatchNormBackwardBackward0, _batch_norm_rule(n, g),
                        (x.shape, channels, channels), (g, x, weight, None, None), saved, attrs)


NativeBatchNormBackward0 = node_class("NativeBatchNormBackward0", _batch_norm_rule,
                                      arrays=True, double=_batch_norm_double)


def _update_running(running_mean, running_var, mean, var_sum, count: int, momentum) -> None:
    """ATen's update, in double and rounded once: momentum * new + (1 - momentum) * running,
    the new variance unbiased (var_sum / (count - 1)). No version bump, as in torch."""
    unbiased = var_sum.astype(np.float64) / (count - 1)
    for running, value in ((running_mean, mean.astype(np.float64)), (running_var, unbiased)):
        if running is None:
            continue
        data = running._data
        data[...] = momentum * value + (1 - momentum) * data.astype(np.float64)


def _check_dtypes(x: np.ndarray, *parameters) -> None:
    dtypes = {p._data.dtype for p in parameters if p is not None}
    if not dtypes or dtypes == {x.dtype}:
        return
    if x.dtype == np.float32:
        raise RuntimeError("mixed dtype (CPU): expect parameter to have scalar type of Float")
    raise RuntimeError("mixed dtype (CPU): all inputs must share same datatype.")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    x = input._data
    if training and x.ndim >= 1 and x.shape[0] * int(np.prod(x.shape[2:])) == 1:
        # F.batch_norm's _verify_batch_size, before any other check
        raise ValueError(f"Expected more than 1 value per channel when training, got input "
                         f"size {input.shape}")
    if x.ndim < 2:
        raise ValueError(f"Expected 2D or more input (got {x.ndim}D input)")
    w = None if weight is None else weight._data
    b = None if bias is None else bias._data
    if x.size == 0:                     # ATen returns before its dtype checks
        return _empty_batch_norm(input, weight, bias)
    _check_dtypes(x, running_mean, running_var, weight, bias)
    if training:
        count = x.size // x.shape[1]
        out, mean, invstd, var_sum = K.batch_norm_train_forward(x, w, b, eps)
        _update_running(running_mean, running_var, mean, var_sum, count, momentum)
    else:
        out = K.batch_norm_eval_forward(x, running_mean._data, running_var._data, w, b, eps)
        mean = invstd = np.empty((0,), dtype=x.dtype)
    saved = {"input": input, "result1": Tensor._make(mean), "result2": Tensor._make(invstd)}
    attrs = {"training": training, "eps": eps}
    for name, value in (("weight", weight), ("running_mean", running_mean),
                        ("running_var", running_var)):
        if value is None:
            attrs[name] = None
        else:
            saved[name] = value
    return record(NativeBatchNormBackward0, out, (input, weight, bias), saved, attrs)


def _empty_batch_norm(input, weight, bias):
    """ATen's batch norm of a zero-element input: no statistics, running stats untouched, and
    (so the graph still reaches weight and bias) input.clone() * weight[0] + bias[0]."""
    from engine.ops.indexing import select      # ATen's weight.select(0, 0), and its text
    out = input.clone()
    if weight is not None:
        out = out * select(weight, 0, 0)
    if bias is not None:
        out = out + select(bias, 0, 0)
    return out
