"""layer_norm's double backward: under create_graph, NativeLayerNormBackward0's gradients are
the outputs of a NativeLayerNormBackwardBackward0 node (edges: grad_out, input, mean, rstd,
weight, bias), whose rule is ATen's layer_norm_double_backward op for op on Tensors, so the
graph of a third derivative has torch's nodes too. Where ATen calls an in-place op on a
fresh tensor (div_, sub_, add_, mul_) the graph is that of the out-of-place op; a Python
number in its C++ is a Scalar argument (div.Scalar: DivBackward1), hence div_scalar and
mul_scalar."""
from __future__ import annotations

import numpy as np

from engine.autograd import node as _node
from engine.autograd.node import node_class
from engine.creation import ones
from engine.ops._double import record_grads
from engine.ops.elementwise import div_scalar, mul_scalar
from engine.tensor import Tensor


def _tensor(value):
    return value if value is None or isinstance(value, Tensor) else Tensor._make(
        np.asarray(value))


def _double_rule(n, ggI, ggG, ggB):
    saved = {name: _tensor(n.saved(name)) for name in n._saved}
    gI, gG, ggO = layer_norm_double_backward(
        saved["input"], saved.get("weight"), _tensor(ggI), _tensor(ggG), _tensor(ggB),
        saved["grad_out"], saved["mean"], saved["rstd"], n._attrs["normalized_shape"])
    grads = (ggO if n.needs(0) else None, gI if n.needs(1) else None, None, None,
             gG if n.needs(4) else None, None)
    if _node.graph_mode:
        return grads
    return tuple(None if g is None else g._data for g in grads)


NativeLayerNormBackwardBackward0 = node_class("NativeLayerNormBackwardBackward0", _double_rule)
NativeLayerNormBackwardBackward0.keeps_undefined_grads = True  # its rule tells None from zeros


def layer_norm_double(n, g, first_order_rule):
    """NativeLayerNormBackward0 under create_graph: its gradients (from its array rule) as
    the outputs of a NativeLayerNormBackwardBackward0 node."""
    x = n.saved("input")
    weight = n.saved("weight") if "weight" in n._saved else None
    bias = n.saved("bias") if "bias" in n._saved else None
    normalized_shape = n._attrs["normalized_shape"]
    saved = {"grad_out": g, "input": x, "mean": n.saved("result1"),
             "rstd": n.saved("result2"), "weight": weight}
    attrs = {"normalized_shape": normalized_shape}
    if weight is None:
        attrs["weight"] = None
    return record_grads(NativeLayerNormBackwardBackward0, first_order_rule(n, g),
                        (x.shape, normalized_shape, normalized_shape),
                        (g, x, None, None, weight, bias), saved, attrs)


def layer_norm_double_backward(input_t, gamma, ggI, ggG, ggB, gO_t, save_mean_t,
                               save_invstd_t, normalized_shape) -> tuple:
    """(gI, gG, ggO): ATen's, each None where it is undefined."""
    axis = input_t.dim() - len(normalized_shape)
    M = int(np.prod(input_t.shape[:axis], dtype=np.int64))
    N = int(np.prod(input_t.shape[axis:], dtype=np.int64))
    input, gO = input_t.reshape(M, N), gO_t.reshape(M, N)
    mu, invstd = save_mean_t.reshape(M, 1), save_invstd_t.reshape(M, 1)
    ggG_e = ggB_e = None
    if gamma is not None:
        gamma_e = gamma.reshape(1, N)
        ggG_e = None if ggG is None else ggG.reshape(1, N)
        ggB_e = None if ggB is None else ggB.reshape(1, N)
    else:
        gamma_e = ones(1, dtype=input.dtype)
    ggI_e = None if ggI is None else ggI.reshape(M, N)
    input_sub_mu = input - mu
    invstd2, invstd3 = invstd.pow(2), invstd.pow(3)
    terms = _Terms(N, input_sub_mu, invstd, invstd2, invstd3)
    gI = None
    if ggI_e is not None:
        gI = terms.grad_input(gO * gamma_e, ggI_e)
    if gamma is not None and ggG_e is not None:
        gI_G = terms.gamma_term(gO, ggG_e)
        gI = gI_G if gI is None else gI + gI_G
    if gI is not None:
        gI = gI.reshape_as(input_t)
    gG = None
    if gamma is not None and ggI_e is not None:
        gG = terms.first_grad_input(ggI_e, ones((), dtype=invstd.dtype))
        gG = (gO * gG).sum(0).reshape_as(gamma)
    return gI, gG, _grad_grad_out(terms, ggI_e, gamma_e, ggG_e, ggB_e, input_t, (M, N))


def _grad_grad_out(terms, ggI_e, gamma_e, ggG_e, ggB_e, input_t, sizes):
    ggO = None
    if ggI_e is not None:
        ggO = terms.first_grad_input(ggI_e, gamma_e)
    if ggG_e is not None:
        term = ggG_e * terms.input_sub_mu * terms.invstd
        ggO = term if ggO is None else ggO + term
    if ggB_e is not None:
        ggO = ggB_e if ggO is None else ggO + ggB_e
    if ggO is not None:
        ggO = ggO.expand(*sizes).reshape_as(input_t)
    return ggO


class _Terms:
    """What layer_norm_double_backward reuses: N, x - mean and powers of the inverse std,
    each row (M, 1) or (M, N)."""

    def __init__(self, N, input_sub_mu, invstd, invstd2, invstd3) -> None:
        self.N, self.input_sub_mu = N, input_sub_mu
        self.invstd, self.invstd2, self.invstd3 = invstd, invstd2, invstd3
        self.input_mu_invstd3 = input_sub_mu * invstd3

    def grad_input(self, gxhat, ggI):
        N, centred = self.N, self.input_sub_mu
        gxhat_mu_sum = (gxhat * centred).sum(1, True)
        gxhat_sum = gxhat.sum(1, True)
        ggI_sum = ggI.sum(1, True)
        ggI_mu_sum = (ggI * centred).sum(1, True)
        all_sub = (div_scalar(ggI_sum * gxhat_sum, N) - (ggI * gxhat).sum(1, True)
                   + mul_scalar(self.invstd2 * gxhat_mu_sum * ggI_mu_sum, 3.0 / N))
        gI_0t = div_scalar(self.input_mu_invstd3 * all_sub, N)
        gI_1t = div_scalar(ggI_mu_sum * self.invstd3, N) * (div_scalar(gxhat_sum, N) - gxhat)
        gI_2t = div_scalar(gxhat_mu_sum * self.invstd3, N) * (div_scalar(ggI_sum, N) - ggI)
        return gI_0t + gI_1t + gI_2t

    def gamma_term(self, gO, ggG):
        N = self.N
        t0 = gO * ggG * self.invstd
        t1 = div_scalar(self.invstd * (gO * ggG).sum(1, True), -N)
        t2 = div_scalar(self.input_mu_invstd3 * (gO * ggG * self.input_sub_mu).sum(1, True),
                        -N)
        return t0 + t1 + t2

    def first_grad_input(self, gO_local, gamma_local):
        """The first backward's grad_input for gO_local and gamma_local."""
        N, centred = self.N, self.input_sub_mu
        h0 = div_scalar(gamma_local * self.invstd, N)
        h1 = (mul_scalar(gO_local, N) - gO_local.sum(1, True)
              - centred * self.invstd2 * (gO_local * centred).sum(1, True))
        return h0 * h1
