"""torch.* names scripts reach that are not Tensor methods (issue #11): the constants pi,
e, inf, nan and newaxis; finfo and iinfo; result_type, promote_types, can_cast;
scalar_tensor; tril_indices/triu_indices; tensordot (ATen's permute, reshape, matmul,
reshape); std_mean/var_mean (one StdMeanBackward0/VarMeanBackward0 node with two
outputs); block_diag (BlockDiagBackward0), cartesian_prod and combinations (as torch
composes them)."""
from __future__ import annotations

import itertools
import math

import numpy as np

from engine import dtypes as _dt
from engine import trace
from engine.autograd import grad_mode as _gm
from engine.autograd.node import node_class
from engine.ops import shape as S
from engine.ops._core import bind_outputs, edge, needs_grad, record, result_dtype
from engine.tensor import Tensor, _announce

pi, e, inf, nan, newaxis = math.pi, math.e, math.inf, math.nan, None


# ---------------------------------------------------------------- finfo, iinfo

def _short(value) -> str:
    """A number as C++'s default stream writes it (6 significant digits)."""
    return f"{value:g}"


class finfo:
    """torch.finfo: the limits of a floating point dtype."""

    def __init__(self, type=None) -> None:
        dtype = _dt.get_default_dtype() if type is None else type
        if not dtype.is_floating_point:
            raise TypeError("torch.finfo() requires a floating point input type. Use "
                            "torch.iinfo to handle 'torch.finfo'")
        info = np.finfo(dtype.np_dtype)
        self.bits = info.bits
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        # 10 ** -(the decimal digits eps resolves), as torch computes it (NumPy's float16
        # resolution is that power of ten rounded to float16)
        self.resolution = 10.0 ** -math.floor(-math.log10(self.eps))
        self.dtype = dtype.name

    def __eq__(self, other) -> bool:
        return isinstance(other, finfo) and other.dtype == self.dtype

    def __hash__(self) -> int:
        return hash(("finfo", self.dtype))

    def __repr__(self) -> str:
        return (f"finfo(resolution={_short(self.resolution)}, min={_short(self.min)}, "
                f"max={_short(self.max)}, eps={_short(self.eps)}, smallest_normal="
                f"{_short(self.smallest_normal)}, tiny={_short(self.tiny)}, dtype={self.dtype})")


class iinfo:
    """torch.iinfo: the limits of an integer dtype."""

    def __init__(self, type) -> None:
        if type.np_dtype.kind == "b":
            raise TypeError("torch.bool is not supported by torch.iinfo")
        if type.np_dtype.kind not in "iu":
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo "
                            "to handle 'torch.iinfo'")
        info = np.iinfo(type.np_dtype)
        self.bits, self.max, self.min, self.dtype = info.bits, int(info.max), int(info.min), \
            type.name

    def __eq__(self, other) -> bool:
        return isinstance(other, iinfo) and other.dtype == self.dtype

    def __hash__(self) -> int:
        return hash(("iinfo", self.dtype))

    def __repr__(self) -> str:
        return f"iinfo(min={_short(self.min)}, max={_short(self.max)}, dtype={self.dtype})"


# ---------------------------------------------------------------- dtypes

def _as_dtype(np_dtype) -> _dt.dtype:
    return _dt._BY_NP[np.dtype(np_dtype)]


def result_type(tensor, other):
    return _as_dtype(result_dtype(tensor, other))


def promote_types(type1, type2):
    """Within a kind NumPy's promotion; across kinds the higher kind's type (int32 and
    float32 give float32, where NumPy gives float64)."""
    first, second = type1.np_dtype, type2.np_dtype
    rank1, rank2 = _KIND_ORDER[first.kind], _KIND_ORDER[second.kind]
    if rank1 != rank2:
        return type1 if rank1 > rank2 else type2
    return _as_dtype(np.promote_types(first, second))


_KIND_ORDER = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}


def can_cast(from_, to) -> bool:
    """torch's rule: no cast to a lower kind (float to integer, integer to bool)."""
    return _KIND_ORDER[from_.np_dtype.kind] <= _KIND_ORDER[to.np_dtype.kind]


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False, layout=None,
                  pin_memory=None):
    from engine.creation import _make
    np_dtype = (_dt.get_default_dtype() if dtype is None else dtype).np_dtype
    return _make(np.asarray(s, dtype=np_dtype), requires_grad)


def _indices(rows: int, cols: int, offset: int, lower: bool, dtype) -> Tensor:
    grid_rows, grid_cols = np.indices((rows, cols))
    keep = grid_cols - grid_rows <= offset if lower else grid_cols - grid_rows >= offset
    np_dtype = np.int64 if dtype is None else dtype.np_dtype
    return Tensor._make(np.stack([grid_rows[keep], grid_cols[keep]]).astype(np_dtype))


def tril_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None,
                 layout=None, pin_memory=None):
    return _indices(row, col, offset, True, dtype)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None,
                 layout=None, pin_memory=None):
    return _indices(row, col, offset, False, dtype)


# ---------------------------------------------------------------- tensordot

def _contracted(dims, a_ndim: int, b_ndim: int) -> tuple:
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        return list(range(-dims, 0)), list(range(dims))
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    first, second = dims
    first = [first] if isinstance(first, int) else list(first)
    second = [second] if isinstance(second, int) else list(second)
    return first, second


def tensordot(a, b, dims=2, out=None):
    from engine.ops.linalg import matmul
    given_a, given_b = _contracted(dims, a._data.ndim, b._data.ndim)
    if len(given_a) != len(given_b):
        raise RuntimeError("both dimension lists should have same length")
    dims_a = [d % max(a._data.ndim, 1) for d in given_a]
    dims_b = [d % max(b._data.ndim, 1) for d in given_b]
    for da, db, shown_a, shown_b in zip(dims_a, dims_b, given_a, given_b):
        if a._data.shape[da] != b._data.shape[db]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size "
                               f"{a._data.shape[da]} in dim {shown_a} and second has size "
                               f"{b._data.shape[db]} in dim {shown_b}")
    free_a = [d for d in range(a._data.ndim) if d not in dims_a]
    free_b = [d for d in range(b._data.ndim) if d not in dims_b]
    size = int(np.prod([a._data.shape[d] for d in dims_a]))
    left = S.permute(a, tuple(free_a + dims_a))
    right = S.permute(b, tuple(dims_b + free_b))
    left = S.reshape(left, (-1, size) if free_a else (size,))
    right = S.reshape(right, (size, -1) if free_b else (size,))
    shape = tuple(a._data.shape[d] for d in free_a) + tuple(b._data.shape[d] for d in free_b)
    return S.reshape(matmul(left, right), shape)


# ---------------------------------------------------------------- std_mean, var_mean

def _moments_rule(root: bool):
    def rule(n, g_spread, g_mean):
        from engine.ops import statistics as ST
        a = n._attrs
        x = n.saved("self")
        grad = None
        if g_spread is not None:
            if root:
                result = n.saved("result0")
                if isinstance(result, Tensor):
                    from engine.ops.elementwise import mul_scalar
                    g_spread = (g_spread / mul_scalar(result, 2)).masked_fill(result == 0, 0)
                else:
                    g_spread = np.where(result == 0, 0, g_spread / (result * 2)).astype(
                        g_spread.dtype, copy=False)
            grad = ST._var_grad(g_spread, x, a)
        if g_mean is not None:
            spread = _mean_backward(g_mean, a, x)
            grad = spread if grad is None else grad + spread
        return (grad,)
    return rule


def _mean_backward(g, a: dict, x):
    """grad expanded to self's sizes (unsqueezed first when the dims were dropped) / count."""
    dims, shape = a["_dims"], a["_self_shape"]
    count = int(np.prod([shape[d] for d in dims])) if shape else 1
    if not a["keepdim"] and shape:
        from engine.ops.reductions import _unsqueeze_dims
        g = _unsqueeze_dims(g, dims)
    if isinstance(g, Tensor):
        return S.expand(g, shape) / count
    return (np.broadcast_to(g, shape) / count).astype(g.dtype)


StdMeanBackward0 = node_class("StdMeanBackward0", _moments_rule(True), num_outputs=2)
VarMeanBackward0 = node_class("VarMeanBackward0", _moments_rule(False), num_outputs=2)


def _moments(name: str, input, dim, unbiased, keepdim, correction):
    from engine.ops import statistics as ST
    from engine.ops.reductions import mean
    if input._data.dtype.kind not in "fc":
        raise RuntimeError(f"{name}_mean only support floating point and complex dtypes")
    with _gm.no_grad():
        spread = getattr(ST, name)(input, dim, unbiased, keepdim, correction=correction)
        average = mean(input, dim, keepdim) if dim is not None else \
            (mean(input) if not keepdim else mean(input, tuple(range(input._data.ndim)), True))
    spread, average = Tensor._make(spread._data), Tensor._make(average._data)
    if needs_grad(input):
        saved_correction, used = ST._correction(unbiased, correction, dim)
        data = input._data
        dims = tuple(range(data.ndim)) if dim is None else ST._dims(dim, data.ndim)
        count = int(np.prod([data.shape[d] for d in dims])) if data.ndim else 1
        node = (StdMeanBackward0 if name == "std" else VarMeanBackward0)()
        node._next = (edge(input),)
        node._in_shapes = (data.shape,)
        node._out_meta = tuple((t._data.shape, t._data.dtype) for t in (spread, average))
        node._attrs = {"correction": saved_correction,
                       "dim": None if dim is None else ST._saved_dims(dim), "keepdim": keepdim,
                       "_dims": dims, "_dof": float(count - used),
                       "_all": dim is None or data.ndim == 0, "_self_shape": data.shape}
        from engine.autograd.node import SavedTensor
        node._saved = {"self": SavedTensor("self", input)}
        if name == "std":
            node._saved["result0"] = SavedTensor("result0", spread, is_output=True)
        bind_outputs(node, (spread, average))
    elif trace.active:
        _announce(spread)
        _announce(average)
    return spread, average


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return _moments("std", input, dim, unbiased, keepdim, correction)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return _moments("var", input, dim, unbiased, keepdim, correction)


# ---------------------------------------------------------------- block_diag, products

def _block_diag_rule(n, *grads):
    (g,) = grads
    out, row, col = [], 0, 0
    for shape in n._attrs["_shapes"]:
        rows, cols = shape if len(shape) == 2 else (1, shape[0]) if shape else (1, 1)
        piece = g[row:row + rows, col:col + cols]
        out.append(piece.reshape(shape) if isinstance(g, np.ndarray) else S.reshape(piece, shape))
        row, col = row + rows, col + cols
    return tuple(out)


BlockDiagBackward0 = node_class("BlockDiagBackward0", _block_diag_rule)


def block_diag(*tensors):
    if not tensors:
        return Tensor._make(np.zeros((1, 0), dtype=_dt.get_default_dtype().np_dtype))
    matrices = []
    for position, t in enumerate(tensors):
        data = t._data
        if data.ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer "
                               f"dimensions. Input {position} has {data.ndim} dimensions")
        matrices.append(data.reshape((1, -1)) if data.ndim < 2 else data)
    dtype = result_dtype(*tensors) if tensors else _dt.get_default_dtype().np_dtype
    rows = sum(m.shape[0] for m in matrices)
    cols = sum(m.shape[1] for m in matrices)
    out = np.zeros((rows, cols), dtype=dtype)
    row = col = 0
    for m in matrices:
        out[row:row + m.shape[0], col:col + m.shape[1]] = m
        row, col = row + m.shape[0], col + m.shape[1]
    return record(BlockDiagBackward0, out, tuple(tensors), attrs={
        "_shapes": tuple(t._data.shape for t in tensors)})


def cartesian_prod(*tensors):
    from engine.ops.grids import meshgrid
    for t in tensors:
        if t._data.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t._data.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return S.stack([S.flatten(grid) for grid in grids], 1)


def combinations(input, r: int = 2, with_replacement: bool = False):
    from engine.ops.gather import masked_select
    data = input._data
    if data.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(data.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return Tensor._make(np.zeros((0,), dtype=data.dtype))
    size = data.shape[0]
    choose = itertools.combinations_with_replacement if with_replacement else \
        itertools.combinations
    picks = list(choose(range(size), r))
    if not picks:
        return Tensor._make(np.zeros((0, r), dtype=data.dtype))
    shape = (size,) * r
    mask = np.zeros(shape, dtype=np.bool_)
    for pick in picks:
        mask[pick] = True
    columns = []
    for axis in range(r):
        view_shape = [1] * r
        view_shape[axis] = size
        grid = S.expand(S.view(input, tuple(view_shape)), shape)
        columns.append(masked_select(grid, Tensor._make(mask)))
    return S.stack(columns, 1)


FUNCTIONS = {
    "pi": pi, "e": e, "inf": inf, "nan": nan, "newaxis": newaxis,
    "finfo": finfo, "iinfo": iinfo, "result_type": result_type,
    "promote_types": promote_types, "can_cast": can_cast, "scalar_tensor": scalar_tensor,
    "tril_indices": tril_indices, "triu_indices": triu_indices, "tensordot": tensordot,
    "std_mean": std_mean, "var_mean": var_mean, "block_diag": block_diag,
    "cartesian_prod": cartesian_prod, "combinations": combinations,
}
