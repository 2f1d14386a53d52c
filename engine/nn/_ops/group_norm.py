"""group_norm: one NativeGroupNormBackward0 node (input, weight, bias) with native_group_norm's
three outputs (the result, result1 = the mean and result2 = the inverse std, each (N, group),
the last two hidden and saved as outputs), saving what PyTorch saves: input, weight, result1,
result2, and N, C, HxW, group, eps. The gradients are ATen's native_group_norm_backward
formulas, or under create_graph its composite (group_norm_composite)."""
from __future__ import annotations

import numpy as np

from engine import trace
from engine.autograd import grad_mode as _gm
from engine.autograd import node as _node
from engine.autograd.node import SavedTensor, node_class
from engine.nn._ops._util import array, unpack_saved
from engine.nn._ops.group_norm_backward import group_norm_backward
from engine.nn._ops.moments import rowwise_moments
from engine.nn._ops.group_norm_composite import group_norm_composite
from engine.ops._core import _any_requires_grad, _link_inputs, bind_outputs, needs_grad
from engine.tensor import Tensor, _announce

_SCALAR_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half"}


def _grouped(x: np.ndarray, n: int, group: int) -> np.ndarray:
    """(N, C, *) as (N, group, C / group * HxW)."""
    return x.reshape(n, group, int(np.prod(x.shape[1:])) // group)


def _group_norm_rule(n, g, dmean=None, drstd=None):
    """ATen's choice: the composite when grad mode is on (create_graph) or the mean or rstd
    got a gradient, else native_group_norm_backward (here, its float32 kernel)."""
    if _node.graph_mode or dmean is not None or drstd is not None:
        unpack_saved(n)
        return group_norm_composite(n, g, dmean, drstd)
    return _first_order(n, g)


def _first_order(n, g):
    unpack_saved(n)
    if n.needs(2) and "weight" not in n._saved:
        raise RuntimeError("tensor does not have a device")     # ATen's, for a lone bias
    a = n._attrs
    N, C, hxw, group = a["N"], a["C"], a["HxW"], a["group"]
    x = array(n.saved("input"))
    if x.dtype == np.float32 and x.size and g.dtype == np.float32:
        weight = array(n.saved("weight")) if "weight" in n._saved else None
        dx, dgamma, dbeta = group_norm_backward(
            np.ascontiguousarray(g).reshape(N, C, hxw), x.reshape(N, C, hxw),
            array(n.saved("result1")), array(n.saved("result2")), weight, group,
            (n.needs(0), n.needs(1), n.needs(2)))
        return None if dx is None else dx.reshape(x.shape), dgamma, dbeta
    mean = array(n.saved("result1")).astype(np.float64)[..., None]
    rstd = array(n.saved("result2")).astype(np.float64)[..., None]
    weight = array(n.saved("weight")).astype(np.float64) if "weight" in n._saved else None
    g64, x64 = g.astype(np.float64).reshape(N, C, hxw), x.astype(np.float64).reshape(N, C, hxw)
    ds, db = (g64 * x64).sum(axis=2), g64.sum(axis=2)               # (N, C)
    grad_input = grad_weight = grad_bias = None
    if n.needs(0):
        gamma = np.ones(C) if weight is None else weight
        per_group = C // group
        ds_g = (ds * gamma).reshape(N, group, per_group).sum(axis=2)[..., None]
        db_g = (db * gamma).reshape(N, group, per_group).sum(axis=2)[..., None]
        count = per_group * hxw
        c2 = (db_g * mean - ds_g) * rstd ** 3 / count
        c3 = -c2 * mean - db_g * rstd / count
        c1 = rstd * gamma.reshape(group, per_group, 1).repeat(hxw, axis=2).reshape(group, -1)
        grouped_g, grouped_x = _grouped(g64, N, group), _grouped(x64, N, group)
        grad_input = (c1 * grouped_g + c2 * grouped_x + c3).reshape(x.shape).astype(x.dtype)
    if n.needs(1):      # (an empty group's rstd is NaN, and so is its channels' gradient)
        per_channel_mean = np.repeat(mean[..., 0], C // group, axis=1)
        per_channel_rstd = np.repeat(rstd[..., 0], C // group, axis=1)
        grad_weight = ((ds - db * per_channel_mean) * per_channel_rstd).sum(axis=0)
        grad_weight = grad_weight.astype(x.dtype)
    if n.needs(2):
        grad_bias = db.sum(axis=0).astype(x.dtype)
    return grad_input, grad_weight, grad_bias


NativeGroupNormBackward0 = node_class("NativeGroupNormBackward0", _group_norm_rule,
                                      num_outputs=3)
NativeGroupNormBackward0.keeps_undefined_grads = True     # its rule tells None from zeros


def _check(input, num_groups: int, weight, bias) -> None:
    shape = list(input._data.shape)
    channels = shape[1]
    if channels % num_groups != 0:
        raise RuntimeError(f"Expected number of channels in input to be divisible by "
                           f"num_groups, but got input of shape {shape} and "
                           f"num_groups={num_groups}")
    weight_shape = [0] if weight is None else list(weight._data.shape)
    if weight is not None and (weight._data.ndim != 1 or weight._data.size != channels):
        raise RuntimeError(f"Expected weight to be a vector of size equal to the number of "
                           f"channels in input, but got weight of shape {weight_shape} and "
                           f"input of shape {shape}")
    if bias is not None and (bias._data.ndim != 1 or bias._data.size != channels):
        # ATen prints the weight's shape here ([0] when there is none).
        raise RuntimeError(f"Expected bias to be a vector of size equal to the number of "
                           f"channels in input, but got bias of shape {weight_shape} and "
                           f"input of shape {shape}")
    dtype = input._data.dtype
    if input._data.dtype.kind != "f":
        raise NotImplementedError(f'"GroupNormKernelImpl" not implemented for '
                                  f"'{input.dtype.tensor_type.replace('Tensor', '')}'")
    if weight is not None and weight._data.dtype != dtype:
        raise RuntimeError("mixed dtype (CPU): expect parameter to have scalar type of Float"
                           if dtype == np.float32 else
                           "mixed dtype (CPU): all inputs must share same datatype.")
    if bias is not None and bias._data.dtype != dtype:
        raise RuntimeError(f"expected scalar type {_SCALAR_NAMES.get(dtype.name)} but found "
                           f"{_SCALAR_NAMES.get(bias._data.dtype.name)}")


def _float32_forward(x, N, C, hxw, group, weight, bias, eps):
    """ATen's float32 kernel, bit for bit: RowwiseMoments per (sample, group), the inverse
    std in double (eps is a double), then (x - mean) * rstd, or with an affine
    fma(scale, x, fma(-scale, mean, beta)) with scale = rstd * gamma."""
    mean, var = rowwise_moments(x.reshape(N * group, -1))
    rstd = (1.0 / np.sqrt(np.maximum(var, 0).astype(np.float64) + eps)).astype(np.float32)
    xg = x.reshape(N, group, C // group, hxw)
    m, r = mean.reshape(N, group, 1, 1), rstd.reshape(N, group, 1, 1)
    if weight is None and bias is None:
        out = (xg - m) * r
    else:
        gamma = np.ones(C, np.float32) if weight is None else weight._data
        beta = np.zeros(C, np.float32) if bias is None else bias._data
        scale = r * gamma.reshape(1, group, -1, 1)
        shift = _fma(-scale, m, beta.reshape(1, group, -1, 1))
        out = _fma(scale, xg, shift)
    return out, mean.reshape(N, group), rstd.reshape(N, group)


def _fma(a, b, c):
    return (np.float64(1) * a * b + c).astype(np.float32)


def _wide_forward(x, N, C, hxw, group, weight, bias, eps):
    """Other dtypes: the sums in float64, the result rounded once."""
    grouped = _grouped(x.astype(np.float64), N, group)
    if grouped.shape[2]:
        mean = grouped.mean(axis=2)
        var = ((grouped - mean[..., None]) ** 2).mean(axis=2)
    else:           # ATen's: a mean of 0 and a variance of 0 / 0
        mean, var = np.zeros((N, group)), np.full((N, group), np.nan)
    rstd = (np.ones((), x.dtype) / np.sqrt(var.astype(x.dtype) + x.dtype.type(eps)))
    normalized = (grouped - mean[..., None]) * rstd[..., None].astype(np.float64)
    out = normalized.reshape(N, C, hxw)
    if weight is not None:
        out = out * weight._data.astype(np.float64)[:, None]
    if bias is not None:
        out = out + bias._data.astype(np.float64)[:, None]
    return out, mean.astype(x.dtype), rstd


def _contiguous(input):
    """ATen's input.contiguous(input.suggest_memory_format()): a CloneBackward0 unless the
    input is contiguous, or dense channels-last 4-D with strides ATen reads as such (an
    N-H-W-1 transpose is not: nn seed 1117752)."""
    from engine.ops import _layout
    from engine.ops.shape import contiguous
    x = input._data
    if _layout.strides_like_channels_last(x) and x.transpose(0, 2, 3, 1).flags.c_contiguous:
        return input
    return contiguous(input)


def group_norm(input, num_groups: int, weight=None, bias=None, eps: float = 1e-5):
    if input._data.ndim < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received "
                           f"{input._data.ndim}")
    shape = input._data.shape
    size = [shape[0] * shape[1] // num_groups, num_groups] + list(shape[2:])
    if size[0] * int(np.prod(size[2:])) == 1:        # torch's _verify_batch_size of `size`
        raise ValueError(f"Expected more than 1 value per channel when training, got input "
                         f"size {size}")
    _check(input, num_groups, weight, bias)
    input = _contiguous(input)
    x = input._data
    N, C = shape[0], shape[1]
    hxw = int(np.prod(shape[2:]))
    if x.dtype == np.float32 and x.size:
        out, mean32, rstd = _float32_forward(x, N, C, hxw, num_groups, weight, bias, eps)
    else:
        out, mean32, rstd = _wide_forward(x, N, C, hxw, num_groups, weight, bias, eps)
    attrs = {"N": N, "C": C, "HxW": hxw, "group": num_groups, "eps": eps}
    outs = (Tensor._make(out.reshape(shape).astype(x.dtype)), Tensor._make(mean32),
            Tensor._make(rstd))
    return _record(outs, (input, weight, bias), attrs)


def _record(outs: tuple, inputs: tuple, attrs: dict):
    """native_group_norm's node: three outputs (the result, the mean, the rstd), the last
    two saved as outputs, so that its gradients' graph reaches them (see the composite)."""
    if _gm.state.inference:
        outs[0]._inference = True
    elif needs_grad(*inputs):
        node = NativeGroupNormBackward0()
        _link_inputs(node, inputs, outs[0]._data.dtype)
        node._out_meta = tuple((t._data.shape, t._data.dtype) for t in outs)
        saved = {"input": SavedTensor("input", inputs[0])}
        for nr, name in ((1, "result1"), (2, "result2")):
            outs[nr]._output_nr = nr
            saved[name] = SavedTensor(name, outs[nr], is_output=True)
        if inputs[1] is None:
            attrs["weight"] = None
        else:
            saved["weight"] = SavedTensor("weight", inputs[1])
        node._saved, node._attrs = saved, attrs
        bind_outputs(node, outs)
    if trace.active:
        _announce(outs[0], made=None if _gm.state.enabled or _gm.state.inference
                  or not _any_requires_grad(inputs) else "no_grad")
    return outs[0]
