"""bilinear as ATen composes it: both inputs flattened to rows, one _trilinear
(TrilinearBackward0) with the weight, reshaped back, plus the bias. _trilinear's gradients
are _trilinear calls again, so under create_graph they record TrilinearBackward0 nodes."""
from __future__ import annotations

import string

import numpy as np

from engine.autograd import node as _node
from engine.autograd.node import node_class
from engine.nn._ops._util import check_tensor_arguments
from engine.ops._core import record
from engine.tensor import Tensor


def _subscripts(ndim_total: int, expands: tuple, sumdim) -> str:
    letters = string.ascii_letters[:ndim_total]
    operands = ["".join(letters[d] for d in range(ndim_total) if d not in expand)
                for expand in expands]
    output = "".join(letters[d] for d in range(ndim_total) if d not in sumdim)
    return ",".join(operands) + "->" + output


def _trilinear_values(a1, a2, a3, expand1, expand2, expand3, sumdim) -> np.ndarray:
    total = a1.ndim + len(expand1)
    spec = _subscripts(total, (expand1, expand2, expand3), sumdim)
    dtype = np.result_type(a1, a2, a3)
    return np.ascontiguousarray(np.einsum(spec, a1, a2, a3, optimize=True), dtype=dtype)


def _trilinear_rule(n, g):
    """ATen's _trilinear_backward: each input's gradient a _trilinear of grad and the others
    (recorded as one again under create_graph, on arrays otherwise)."""
    a = n._attrs
    e1, e2, e3, s = a["expand1"], a["expand2"], a["expand3"], a["sumdim"]
    g, i1, i2, i3 = g, n.saved("i1"), n.saved("i2"), n.saved("i3")
    if _node.graph_mode:
        g, i1, i2, i3 = (t if isinstance(t, Tensor) else Tensor._make(t) for t in (g, i1, i2, i3))
        trilinear = _trilinear
    else:
        g, i1, i2, i3 = (t._data if isinstance(t, Tensor) else t for t in (g, i1, i2, i3))
        trilinear = _trilinear_values
    calls = ((g, i2, i3, s, e2, e3, e1), (i1, g, i3, e1, s, e3, e2), (i1, i2, g, e1, e2, s, e3))
    return tuple(trilinear(*call) if n.needs(k) else None for k, call in enumerate(calls))


TrilinearBackward0 = node_class("TrilinearBackward0", _trilinear_rule)


def _trilinear(i1, i2, i3, expand1, expand2, expand3, sumdim, unroll_dim: int = 1):
    expand1, expand2, expand3, sumdim = (tuple(d) for d in (expand1, expand2, expand3, sumdim))
    out = _trilinear_values(i1._data, i2._data, i3._data, expand1, expand2, expand3, sumdim)
    return record(TrilinearBackward0, out, (i1, i2, i3), {"i1": i1, "i2": i2, "i3": i3},
                  {"expand1": expand1, "expand2": expand2, "expand3": expand3,
                   "sumdim": sumdim})


# The C++ type names ATen's dtype check prints.
_CPP_TYPES = {"float32": "float", "float64": "double", "float16": "c10::Half",
              "int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
              "uint8": "unsigned char", "bool": "bool"}


def _check_same_dtype(input1, input2, weight, bias) -> None:
    tensors = {"input1": input1, "input2": input2, "weight": weight}
    if bias is not None:
        tensors["bias"] = bias
    if len({t._data.dtype for t in tensors.values()}) > 1:
        got = ", ".join(f"{name}: {_CPP_TYPES.get(t._data.dtype.name, t._data.dtype.name)}"
                        for name, t in tensors.items())
        raise RuntimeError(f"All tensors must have the same dtype, got {got}")


def _check_bilinear(input1, input2, weight, bias) -> None:
    check_tensor_arguments("bilinear", ("input1", input1), ("input2", input2),
                           ("weight", weight), ("bias", bias), optional=("bias",))
    _check_same_dtype(input1, input2, weight, bias)
    if input1.dim() != input2.dim():
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {input1.dim()} and "
                           f"{input2.dim()}")
    for d in range(input1.dim() - 1):
        if input1.size(d) != input2.size(d):
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {d}: "
                               f"got {input1.size(d)} and {input2.size(d)}")
    for k, t in ((1, input1), (2, input2)):
        if t.size(t.dim() - 1) != weight.size(k):
            raise RuntimeError(f"bilinear(): input{k} size does not match weight size: got "
                               f"{t.size(t.dim() - 1)} but expected {weight.size(k)}")
    if bias is not None and bias.size(0) != weight.size(0):
        raise RuntimeError(f"bilinear(): bias size does not match weight size: got "
                           f"{bias.size(0)} but expected {weight.size(0)}")


def bilinear(input1, input2, weight, bias=None):
    _check_bilinear(input1, input2, weight, bias)
    output_size = tuple(input1.shape[:-1]) + (weight.size(0),)
    rows1 = input1.reshape(-1, input1.size(-1))
    rows2 = input2.reshape(-1, input2.size(-1))
    output = _trilinear(rows1, weight, rows2, (1, 3), (0,), (1, 2), (2, 3)).reshape(output_size)
    if bias is not None:
        output = output + bias
    return output
