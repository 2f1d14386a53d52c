"""Reductions (sum, mean, max, min, norm) and softmax / log_softmax."""
from __future__ import annotations

import sys
from collections import namedtuple

import numpy as np

from engine.autograd import node as _graph
from engine.autograd.node import node_class
from engine.ops import _float32_math as F32, _layout, _poly as P
from engine.ops._double import record_grads
from engine.ops._norm_lanes import two_norm_in_lanes
from engine.ops._sum_cascade import sum_in_aten_order
from engine.ops._core import as_saved, edges_before_kernel_errors, record, wrap_dim
from engine.tensor import Tensor



def _return_type(name: str, fields: tuple = ("values", "indices")):
    """A named tuple ((values, indices) unless told) printed as PyTorch prints
    torch.return_types."""
    base = namedtuple(name, fields)

    def __repr__(self) -> str:
        shown = ",\n".join(f"{field}={value!r}" for field, value in zip(fields, self))
        return f"torch.return_types.{name}(\n{shown})"
    return type(name, (base,), {"__slots__": (), "__repr__": __repr__,
                                "__module__": "torch.return_types"})


max_result = _return_type("max")
min_result = _return_type("min")


def _dims(dim, ndim: int) -> tuple[int, ...]:
    """The reduced axes, wrapped and sorted; none for a 0-dim tensor (whose dim 0 or -1 is
    the tensor itself, as in PyTorch)."""
    if isinstance(dim, int):
        dim = (dim,)
    wrapped = [wrap_dim(d, ndim) for d in dim]
    for d in wrapped:
        if wrapped.count(d) > 1:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return tuple(sorted(wrapped)) if ndim else ()


def _saved_dims(dim) -> tuple:
    """dim as PyTorch saves it: as given, a negative dim read back as an unsigned 64-bit."""
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    return tuple(d % 2**64 for d in dims)


def _expand_back(g, shape: tuple, dims: tuple, keepdim: bool):
    """Broadcast a reduced gradient back to the input's shape."""
    if not keepdim:
        kept = list(shape)
        for d in dims:
            kept[d] = 1
        g = P.reshape(g, tuple(kept))
    return P.broadcast_to(g, shape)


# ---------------------------------------------------------------- sum, mean

def _sum_backward(g, shape: tuple, dims: tuple, keepdim: bool):
    """ATen's sum_backward: unsqueeze each reduced dim (not kept), then expand."""
    if not keepdim and shape and dims:
        for d in sorted(dims):
            g = P.reshape(g, g.shape[:d] + (1,) + g.shape[d:]) if P._is_array(g) \
                else g.unsqueeze(d)
    return P.broadcast_to(g, shape)


def _divided(g, count: int):
    """grad / count: a div.Scalar (DivBackward1) under create_graph."""
    if P._is_array(g):
        return g / count
    from engine.ops.elementwise import div_scalar
    return div_scalar(g, count)


def _sum_all_rule(n, g):
    return (_sum_backward(g, n._attrs["self_sym_sizes"], (), False),)


def _sum_dim_rule(n, g):
    a = n._attrs
    return (_sum_backward(g, a["self_sym_sizes"], a["_dims"], a["keepdim"]),)


def _mean_all_rule(n, g):
    shape = n._attrs["self_sym_sizes"]
    return (_divided(_sum_backward(g, shape, (), False), int(n._attrs["self_sym_numel"])),)


def _mean_dim_rule(n, g):
    a = n._attrs
    count = 1
    for d in a["_dims"]:
        count *= a["self_sym_sizes"][d]
    return (_divided(_sum_backward(g, a["self_sym_sizes"], a["_dims"], a["keepdim"]), count),)


SumBackward0 = node_class("SumBackward0", _sum_all_rule)
SumBackward1 = node_class("SumBackward1", _sum_dim_rule)
MeanBackward0 = node_class("MeanBackward0", _mean_all_rule)
MeanBackward1 = node_class("MeanBackward1", _mean_dim_rule)


def _sum_dtype(input: Tensor, dtype):
    if dtype is not None:
        return dtype.np_dtype
    return np.dtype(np.int64) if input._data.dtype.kind in "biu" else input._data.dtype


def _float_sum(data: np.ndarray, out_dtype, dims, keepdim: bool):
    """A float sum in ATen's order (engine/ops/_sum_cascade.py) where that order is known,
    else None."""
    if out_dtype != data.dtype:
        return None
    out = sum_in_aten_order(data, dims, keepdim)
    return None if out is None else np.asarray(out)


@edges_before_kernel_errors
def sum(input, dim=None, keepdim=False, *, dtype=None):
    data, shape = input._data, input._data.shape
    out_dtype = _sum_dtype(input, dtype)
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        out = _float_sum(data, out_dtype, None, False)
        if out is None:
            out = np.asarray(data.sum(dtype=out_dtype))
        return record(SumBackward0, out, (input,), attrs={"self_sym_sizes": shape})
    dims = _dims(dim, data.ndim)
    out = _float_sum(data, out_dtype, dims, keepdim)
    if out is None:
        out = _layout.contiguous(np.asarray(data.sum(axis=dims, keepdims=keepdim,
                                                     dtype=out_dtype)))
    return record(SumBackward1, out, (input,),
                  attrs={"dim": _saved_dims(dim), "_dims": dims, "keepdim": keepdim,
                         "self_sym_sizes": shape})


@edges_before_kernel_errors
def mean(input, dim=None, keepdim=False, *, dtype=None):
    data, shape = input._data, input._data.shape
    if data.dtype.kind not in "fc" and dtype is None:
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating "
            f"point or complex dtype. Got: {input.dtype.tensor_type.replace('Tensor', '')}")
    out_dtype = data.dtype if dtype is None else dtype.np_dtype
    if dim is None:
        total = _float_sum(data, out_dtype, None, False)
        if total is not None:       # ATen's CPU mean: the sum, then divided by the count
            out = np.asarray(total / out_dtype.type(data.size))
        else:   # The mean of nothing is NaN, as in PyTorch (NumPy would also warn).
            out = np.asarray(data.mean(dtype=out_dtype) if data.size else np.nan,
                             dtype=out_dtype)
        return record(MeanBackward0, out, (input,),
                      attrs={"self_sym_sizes": shape, "self_sym_numel": data.size})
    dims = _dims(dim, data.ndim)
    total = _float_sum(data, out_dtype, dims, keepdim)
    if total is not None:
        count = 1
        for d in dims:
            count *= shape[d]
        out = np.asarray(total / out_dtype.type(count))
    elif data.size:
        out = np.asarray(data.mean(axis=dims, keepdims=keepdim, dtype=out_dtype))
    else:   # NaN where nothing was averaged, as in PyTorch (NumPy would also warn)
        out = np.asarray(data.sum(axis=dims, keepdims=keepdim, dtype=out_dtype) / 0.0,
                         dtype=out_dtype)
    out = _layout.contiguous(out)
    return record(MeanBackward1, out, (input,), attrs={
        "dim": _saved_dims(dim), "_dims": dims, "keepdim": keepdim, "self_sym_sizes": shape,
        "self_sym_numel": data.size})


# ---------------------------------------------------------------- max, min

def _evenly_distribute_rule(n, g):
    """Full max/min: the gradient is shared evenly by every element equal to the result (by
    the NaNs when it is NaN), zeros elsewhere: ATen's
    grad.new_zeros(sizes).masked_fill_(mask, grad / mask.sum())."""
    x, result = n.saved("self"), n.saved("result")
    x_data = x._data if hasattr(x, "_data") else np.asarray(x)
    result_data = result._data if hasattr(result, "_data") else np.asarray(result)
    mask = np.isnan(x_data) if np.isnan(result_data) else x_data == result_data
    if hasattr(g, "_data"):
        from engine.ops.elementwise import masked_fill
        share = g / Tensor._make(np.asarray(mask.sum()))
        zeros = Tensor._make(np.zeros(mask.shape, dtype=g._data.dtype))
        return (masked_fill(zeros, Tensor._make(mask), share),)
    out = np.zeros(mask.shape, dtype=g.dtype)
    out[mask] = g / mask.sum()
    return (out,)


def _by_dim_rule(n, g):
    a = n._attrs
    indices = n.saved("indices")
    return (_scatter_along(g, indices, a["_dim"], a["keepdim"], a["self_sym_sizes"]),)


def _scatter_along(g, indices, dim: int, keepdim: bool, shape: tuple):
    if hasattr(g, "_data"):
        from engine.ops.indexing import scatter_into_zeros
        return scatter_into_zeros(g, indices, dim, keepdim, shape)
    if shape == ():
        return g
    if not keepdim:
        g = np.expand_dims(g, dim)
        indices = np.expand_dims(indices, dim)
    out = np.zeros(shape, dtype=g.dtype)
    np.put_along_axis(out, indices, g, axis=dim)
    return out


MaxBackward1 = node_class("MaxBackward1", _evenly_distribute_rule)
MinBackward1 = node_class("MinBackward1", _evenly_distribute_rule)
MaxBackward0 = node_class("MaxBackward0", _by_dim_rule)
MinBackward0 = node_class("MinBackward0", _by_dim_rule)


def _extreme(input, dim, keepdim, *, is_max: bool):
    data = input._data
    if dim is None:
        if data.size == 0:
            raise RuntimeError(f"{'max' if is_max else 'min'}(): Expected reduction dim to be "
                               "specified for input.numel() == 0. Specify the reduction dim "
                               "with the 'dim' argument.")
        out = np.asarray(data.max() if is_max else data.min())
        return record(MaxBackward1 if is_max else MinBackward1, out, (input,), {"self": input},
                      save_result="result")
    d = wrap_dim(dim, data.ndim)
    _check_nonempty_dim("max" if is_max else "min", data, d)
    if data.ndim == 0:
        idx, values = np.zeros((), np.int64), data.copy()
    elif data.size == 0:
        shape = data.shape[:d] + ((1,) if keepdim else ()) + data.shape[d + 1:]
        idx, values = np.zeros(shape, np.int64), np.zeros(shape, data.dtype)
    else:
        idx = np.argmax(data, axis=d) if is_max else np.argmin(data, axis=d)
        idx = np.asarray(np.expand_dims(idx, d) if keepdim else idx, dtype=np.int64)
        values = np.take_along_axis(data, idx if keepdim else np.expand_dims(idx, d), axis=d)
        values = values if keepdim else np.squeeze(values, axis=d)
    indices = Tensor._make(idx)
    out = record(MaxBackward0 if is_max else MinBackward0, np.asarray(values), (input,),
                 {"indices": indices},
                 {"dim": as_saved(dim), "_dim": d, "keepdim": keepdim,
                  "self_sym_sizes": data.shape})
    return (max_result if is_max else min_result)(out, indices)


def max(input, dim=None, keepdim=False):
    if isinstance(dim, Tensor):
        from engine.ops.elementwise import maximum
        return maximum(input, dim)
    return _extreme(input, dim, keepdim, is_max=True)


def min(input, dim=None, keepdim=False):
    if isinstance(dim, Tensor):
        from engine.ops.elementwise import minimum
        return minimum(input, dim)
    return _extreme(input, dim, keepdim, is_max=False)


def _check_nonempty_dim(name: str, data: np.ndarray, d: int) -> None:
    if data.ndim and data.shape[d] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")


def _arg_extreme(np_fn, input, dim, keepdim: bool) -> Tensor:
    data = input._data
    name = "argmax" if np_fn is np.argmax else "argmin"
    if dim is None and data.size == 0:
        raise IndexError(f"{name}(): Expected reduction dim to be specified for "
                         "input.numel() == 0.")
    if dim is None:
        return Tensor._make(np.asarray(np_fn(data), dtype=np.int64))
    d = wrap_dim(dim, data.ndim)
    _check_nonempty_dim(name, data, d)
    if data.ndim == 0:
        return Tensor._make(np.zeros((), np.int64))
    if data.size == 0:
        shape = data.shape[:d] + ((1,) if keepdim else ()) + data.shape[d + 1:]
        return Tensor._make(np.zeros(shape, np.int64))
    idx = np_fn(data, axis=d)
    return Tensor._make(np.asarray(np.expand_dims(idx, d) if keepdim else idx, dtype=np.int64))


def argmax(input, dim=None, keepdim=False):
    return _arg_extreme(np.argmax, input, dim, keepdim)


def argmin(input, dim=None, keepdim=False):
    return _arg_extreme(np.argmin, input, dim, keepdim)


# ---------------------------------------------------------------- norm

def _norm_rule(n, g):
    """ATen's norm_backward for p=2: grad * (self / norm).masked_fill_(norm == 0, 0), with
    grad and norm unsqueezed at the reduced dims first when keepdim is False."""
    a = n._attrs
    if a["ord"] not in (2, 2.0):
        from engine.linalg import other_order_grad
        return other_order_grad(n, g)
    x, result = n.saved("self"), n.saved("result")
    if a["_dims"] is not None and not a["keepdim"] and len(a["_self_sizes"]):
        g, result = _unsqueeze_dims(g, a["_dims"]), _unsqueeze_dims(result, a["_dims"])
    if isinstance(g, Tensor):
        ratio = x / result
        ratio.masked_fill_(result == 0, 0)
        return (g * ratio,)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(result == 0, 0, x / result).astype(x.dtype, copy=False)
    return (g * ratio,)


def _unsqueeze_dims(t, dims: tuple):
    """unsqueeze_multiple: one unsqueeze per reduced dim, lowest first."""
    if not isinstance(t, Tensor):
        return np.expand_dims(t, tuple(sorted(dims)))
    for d in sorted(dims):
        t = t.unsqueeze(d)
    return t


LinalgVectorNormBackward0 = node_class("LinalgVectorNormBackward0", _norm_rule)


@edges_before_kernel_errors
def norm(input, p="fro", dim=None, keepdim=False):
    if p not in ("fro", 2, 2.0):
        if isinstance(p, str):
            from engine._unsupported import NotSupportedError
            raise NotSupportedError(f"torch.norm with p={p!r} is not supported by graphtui's "
                                    "engine")
        from engine.linalg import vector_norm
        return vector_norm(input, p, dim, keepdim)
    data = input._data
    dims = None if dim is None else _dims(dim, data.ndim)
    out = two_norm_in_lanes(data, dims, keepdim and dims is not None)
    if out is not None:
        out = np.asarray(out)
    elif dim is None:
        out = np.asarray(np.sqrt((data * data).sum()), dtype=data.dtype)
    else:
        out = np.sqrt((data * data).sum(axis=dims, keepdims=keepdim)).astype(data.dtype)
        out = _layout.contiguous(out)
    return record(LinalgVectorNormBackward0, out, (input,), {"self": input},
                  {"ord": 2 if p == "fro" else p,       # as given: 2 and 2.0 read back apart
                   "dim": None if dims is None else _saved_dims(dim), "_dims": dims,
                   "keepdim": keepdim, "_self_sizes": data.shape},
                  save_result="result")


# ---------------------------------------------------------------- softmax

def _softmax_backward(g, y, d):
    if isinstance(g, np.ndarray) and isinstance(y, np.ndarray):
        return y * (g - F32.row_sum(g * y, d))
    return y * (g - P.sum(g * y, d, keepdims=True))


def _log_softmax_backward(g, y, d):
    if type(g) is np.ndarray and g.dtype is y.dtype:
        kernels = _loaded_loss_kernels(y, d)
        if kernels is not None:
            return kernels.log_softmax_backward(g, y)
    if isinstance(g, np.ndarray) and isinstance(y, np.ndarray):
        return F32.minus_product(g, F32.exp(y), F32.row_sum(g, d))
    return g - P.exp(y) * P.sum(g, d, keepdims=True)


def _softmax_data_double_rule(n, gg):
    """Derivatives of _softmax_backward_data(grad_output, output): linear in grad_output;
    for output, torch's softmax_double_backward. In P ops, so they differentiate again."""
    g, y, d = n.saved("grad_output"), n.saved("output"), n._attrs["_dim"]
    gg = _like(gg, y)
    return (_softmax_backward(gg, y, d) if n.needs(0) else None,
            gg * g - P.sum(y * g, d, keepdims=True) * gg - g * P.sum(y * gg, d, keepdims=True)
            if n.needs(1) else None)


def _log_softmax_data_double_rule(n, gg):
    g, y, d = n.saved("grad_output"), n.saved("output"), n._attrs["_dim"]
    gg = _like(gg, y)
    return (gg - P.sum(gg * P.exp(y), d, keepdims=True) if n.needs(0) else None,
            -P.sum(g, d, keepdims=True) * P.exp(y) * gg if n.needs(1) else None)


def _like(grad, saved):
    """A constant (array) grad as a Tensor when the saved values are Tensors."""
    return Tensor._make(grad) if isinstance(saved, Tensor) and isinstance(grad, np.ndarray) \
        else grad


SoftmaxBackwardDataBackward0 = node_class("SoftmaxBackwardDataBackward0",
                                          _softmax_data_double_rule)
LogSoftmaxBackwardDataBackward0 = node_class("LogSoftmaxBackwardDataBackward0",
                                             _log_softmax_data_double_rule)


def _softmax_family_rule(backward, data_node):
    """Arrays in a plain backward; under create_graph, the gradient is the output of a
    `data_node` (edges: grad_output, the forward's output), as in torch."""
    def rule(n, g):
        y, d = n.saved("result"), n._attrs["_dim"]
        if not _graph.graph_mode:
            return (backward(g, y, d),)
        g = _like(g, y)
        grad = backward(g._data, y._data, d)
        return record_grads(data_node, (grad,), (y.shape,), (g, y),
                            {"grad_output": g, "output": y},
                            {"dim": n._attrs["dim"], "_dim": d})
    return rule


SoftmaxBackward0 = node_class("SoftmaxBackward0",
                              _softmax_family_rule(_softmax_backward,
                                                   SoftmaxBackwardDataBackward0))
LogSoftmaxBackward0 = node_class("LogSoftmaxBackward0",
                                 _softmax_family_rule(_log_softmax_backward,
                                                      LogSoftmaxBackwardDataBackward0))


def _shifted(data: np.ndarray, d: int) -> np.ndarray:
    if data.size == 0:
        return data.copy()
    return data - data.max(axis=d, keepdims=True)


def _normalised(e: np.ndarray, d: int) -> np.ndarray:
    """e / its sum along d; float32 along the last axis as ATen's kernel does it: times
    the reciprocal of a lane-ordered sum."""
    if e.dtype == np.float32 and d == e.ndim - 1 and e.size:
        return e * (np.float32(1) / F32.lane_sum(e))
    return e / e.sum(axis=d, keepdims=True)


def softmax(input, dim=None, dtype=None):
    data = input._data if dtype is None else input._data.astype(dtype.np_dtype)
    dim = _implicit_dim(dim, data.ndim, "softmax")
    d = wrap_dim(dim, data.ndim)
    e = F32.exp(_shifted(data, d))
    # Contiguous whatever the input's layout, as ATen allocates it (so .contiguous() on it
    # records no CloneBackward0).
    out = np.require(_normalised(e, d), requirements="C")   # 0-d stays 0-d
    return record(SoftmaxBackward0, out, (input,), attrs={"dim": as_saved(dim), "_dim": d},
                  save_result="result")


def log_softmax(input, dim=None, dtype=None):
    data = input._data if dtype is None else input._data.astype(dtype.np_dtype)
    dim = _implicit_dim(dim, data.ndim, "log_softmax")
    d = wrap_dim(dim, data.ndim)
    kernels = _loaded_loss_kernels(data, d)
    if kernels is not None:
        out = kernels.log_softmax_forward(data)
    else:
        shifted = _shifted(data, d)
        out = np.require(shifted - F32.log(F32.row_sum(F32.exp(shifted), d)),
                         requirements="C")
    return record(LogSoftmaxBackward0, out, (input,), attrs={"dim": as_saved(dim), "_dim": d},
                  save_result="result")


def _loaded_loss_kernels(data, d: int):
    """engine.kernels.loss for a float64 array reduced along its last axis, when something
    has loaded the kernels already: a fused pass, 3x faster than NumPy's five on
    cross-entropy's logits, but not worth Numba's import (~0.5 s) on its own. float32 stays
    on NumPy, which adds in torch's lane order (_float32_math)."""
    kernels = sys.modules.get("engine.kernels.loss")
    if kernels is None or d != data.ndim - 1 or data.dtype != np.float64 or not data.size:
        return None
    return kernels


def _dim_required(op, name: str):
    """torch.softmax / Tensor.softmax (and log_softmax): dim is required there; only F's
    functions pick one (with a warning)."""
    def required(input, dim=None, dtype=None):
        if dim is None:
            raise TypeError(f'{name}() missing 1 required positional arguments: "dim"')
        return op(input, dim, dtype)
    required.__name__ = required.__qualname__ = name
    return required


softmax_with_dim = _dim_required(softmax, "softmax")
log_softmax_with_dim = _dim_required(log_softmax, "log_softmax")


def _implicit_dim(dim, ndim: int, name: str) -> int:
    if dim is not None:
        return dim
    import warnings
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call "
                  "to include dim=X as an argument.", UserWarning, stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1

