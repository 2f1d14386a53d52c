"""batch_norm: one NativeBatchNormBackward0 node (input, weight, bias), on the Numba
batch-norm kernels (engine.kernels.batch_norm).

Saves what PyTorch saves: input, weight, running stats, result1 = the batch mean and
result2 = the inverse std (empty in eval mode), training, eps.
"""
from __future__ import annotations

import numpy as np

from engine.nn._ops._util import array, kernels, nn_node
from engine.ops._core import record
from engine.tensor import Tensor

K = kernels("batch_norm")


def _optional_array(n, name: str):
    return array(n.saved(name)) if name in n._saved else None


def _batch_norm_rule(n, g):
    a = n._attrs
    x = array(n.saved("input"))
    weight = _optional_array(n, "weight")
    training = a["training"]
    grads = K.batch_norm_backward(
        np.ascontiguousarray(array(g)), x, weight, array(n.saved("result1")),
        array(n.saved("result2")), training,
        None if training else _optional_array(n, "running_mean"),
        None if training else _optional_array(n, "running_var"), a["eps"])
    return tuple(grad if n.needs(i) else None for i, grad in enumerate(grads))


NativeBatchNormBackward0 = nn_node("NativeBatchNormBackward0", _batch_norm_rule)


def _update_running(running_mean, running_var, mean, var_unbiased, momentum) -> None:
    for running, value in ((running_mean, mean), (running_var, var_unbiased)):
        if running is None:
            continue
        running._data *= 1 - momentum
        running._data += momentum * value.astype(running._data.dtype)
        running._vc[0] += 1


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    x = input._data
    if x.ndim < 2:
        raise ValueError(f"Expected 2D or more input (got {x.ndim}D input)")
    w = None if weight is None else weight._data
    b = None if bias is None else bias._data
    if training:
        count = x.size // x.shape[1]
        if count <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input "
                             f"size {input.shape}")
        out, mean, invstd = K.batch_norm_train_forward(x, w, b, eps)
        biased_var = 1.0 / np.square(invstd.astype(np.float64)) - eps
        _update_running(running_mean, running_var, mean, biased_var * count / (count - 1),
                        momentum)
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
