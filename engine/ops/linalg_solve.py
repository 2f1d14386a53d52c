"""torch.linalg's inverses, determinants, solves and Cholesky, on NumPy's LAPACK: inv, inv_ex,
det, slogdet, logdet, solve, solve_ex, cholesky, cholesky_ex, matrix_power.

Each op is one node named as PyTorch names it (LinalgInvExBackward0, ...). The backward rules
are written once, on arrays or (under create_graph) on Tensors, with the helpers below, so
their gradients are differentiable where PyTorch's are: a rule's `solve` is then this file's
solve, recorded as a node of its own.
"""
from __future__ import annotations

from collections import namedtuple

import numpy as np

from engine.autograd import node as _node
from engine.autograd.node import node_class
from engine.ops._core import as_tensor, needs_grad, record
from engine.tensor import Tensor


class _LinAlgError(RuntimeError):
    """torch.linalg.LinAlgError (torch._C._LinAlgError): a singular or non positive-definite
    matrix."""


_LinAlgError.__module__ = "torch._C"
LinAlgError = _LinAlgError


def return_type(name: str, fields: tuple):
    base = namedtuple(name, fields)

    def __repr__(self) -> str:
        shown = ",\n".join(f"{field}={value!r}" for field, value in zip(fields, self))
        return f"torch.return_types.{name}(\n{shown})"
    return type(name, (base,), {"__slots__": (), "__repr__": __repr__,
                                "__module__": "torch.return_types"})


inv_ex_result = return_type("linalg_inv_ex", ("inverse", "info"))
slogdet_result = return_type("linalg_slogdet", ("sign", "logabsdet"))
torch_slogdet_result = return_type("slogdet", ("sign", "logabsdet"))
solve_ex_result = return_type("linalg_solve_ex", ("result", "info"))
cholesky_ex_result = return_type("linalg_cholesky_ex", ("L", "info"))


# ---------------------------------------------------------------- argument checks

def check_matrices(A, fn: str) -> None:
    if A._data.ndim < 2:
        raise RuntimeError(f"{fn}: The input tensor A must have at least 2 dimensions.")


def check_square(A, fn: str) -> None:
    check_matrices(A, fn)
    m, n = A._data.shape[-2:]
    if m != n:
        raise RuntimeError(f"{fn}: A must be batches of square matrices, but they are {m} by "
                           f"{n} matrices")


def check_floating(A, fn: str) -> None:
    if A._data.dtype.kind not in "fc":
        raise RuntimeError(f"{fn}: Expected a floating point or complex tensor as input. Got "
                           f"{A.dtype.tensor_type[:-6]}")


def column_major(values: np.ndarray) -> np.ndarray:
    """values laid out as LAPACK leaves them, and PyTorch returns them: each matrix
    column-major (strides (n * m, 1, m) for a batch of m x n)."""
    return np.swapaxes(np.ascontiguousarray(np.swapaxes(values, -1, -2)), -1, -2)


def _batch_prefix(data: np.ndarray, index: int) -> str:
    return f"(Batch element {index}): " if data.ndim > 2 else ""


def lu_solve(matrix: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """getrs after getrf, for a singular matrix too (its zero pivot gives inf / NaN, as
    PyTorch's solve_ex and inv_ex return)."""
    from engine.kernels.lu import lu_factor
    lu, pivots = lu_factor(matrix)
    x = np.array(rhs, dtype=rhs.dtype)
    for k, p in enumerate(pivots - 1):     # getrs applies getrf's row interchanges in order
        x[[k, p]] = x[[p, k]]
    n = lu.shape[0]
    with np.errstate(all="ignore"):
        for i in range(n):
            x[i] -= lu[i, :i] @ x[:i]
        for i in range(n - 1, -1, -1):
            x[i] = (x[i] - lu[i, i + 1:] @ x[i + 1:]) / lu[i, i]
    return x


def _pivot_infos(data: np.ndarray) -> np.ndarray:
    from engine.kernels.lu import infos, lu_factor
    return infos(lu_factor(np.asarray(data, dtype=np.result_type(data, np.float32)))[0])


def lu_saved(A, of_transpose: bool = False) -> dict:
    """LU and pivots of A, saved as PyTorch's det, slogdet and solve nodes save them (only
    when a node will keep them). det and slogdet factor A^T unless A is column-major (what
    LAPACK reads without a copy; the determinant is the same)."""
    from engine.kernels.lu import lu_factor
    data = A._data
    if of_transpose and not np.swapaxes(data, -1, -2).flags.c_contiguous:
        data = np.swapaxes(data, -1, -2)
    lu, pivots = lu_factor(data)
    return {"LU": Tensor._make(column_major(lu)), "pivots": Tensor._make(pivots)}


def _first_failure(infos: np.ndarray) -> tuple[int, int]:
    flat = infos.reshape(-1)
    index = int(np.flatnonzero(flat)[0])
    return index, int(flat[index])


def _singular_inverse(fn: str, data: np.ndarray) -> _LinAlgError:
    index, info = _first_failure(_pivot_infos(data))
    return _LinAlgError(f"{fn}: {_batch_prefix(data, index)}The diagonal element {info} is "
                        "zero, the inversion could not be completed because the input matrix "
                        "is singular.")


# ---------------------------------------------------------------- rule helpers (array or Tensor)

def _is_array(x) -> bool:
    return not isinstance(x, Tensor)


def lift(*values):
    """Under create_graph every value a rule computes with is a Tensor (a gradient from a
    node without double backward may still be an array)."""
    if not _node.graph_mode:
        return values
    return tuple(v if v is None or isinstance(v, Tensor) else Tensor._make(np.asarray(v))
                 for v in values)


def mT(x):
    return np.swapaxes(x, -1, -2) if _is_array(x) else x.transpose(-1, -2)


def tril(x, k: int = 0):
    return np.tril(x, k) if _is_array(x) else x.tril(k)


def diagonal(x):
    return np.diagonal(x, 0, -2, -1) if _is_array(x) else x.diagonal(0, -2, -1)


def diag_embed(v):
    """A batch of diagonal matrices with `v`'s last dim on the diagonal."""
    if _is_array(v):
        return v[..., None] * np.eye(v.shape[-1], dtype=v.dtype)
    from engine.ops.linalg_products import diag_embed as embed
    return embed(v)


def half(x):
    """x * 0.5, as ATen's mul.Scalar (MulBackward1) under create_graph."""
    if _is_array(x):
        return x * x.dtype.type(0.5)
    from engine.ops.elementwise import mul_scalar
    return mul_scalar(x, 0.5)


def unsqueeze(x, dim: int):
    return np.expand_dims(x, dim) if _is_array(x) else x.unsqueeze(dim)


def solve_matrices(A, B, left: bool = True):
    """A^-1 B for matrices B (batched); B A^-1 when not left."""
    if not _is_array(A):
        return solve(A, B, left=left)
    if left:
        return np.linalg.solve(A, B)
    return np.swapaxes(np.linalg.solve(np.swapaxes(A, -1, -2), np.swapaxes(B, -1, -2)), -1, -2)


def sum_to(x, shape: tuple):
    """A broadcast gradient summed back to an operand's shape."""
    lead = len(x.shape) - len(shape)
    dims = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(shape)
                                      if s == 1 and x.shape[lead + i] != 1)
    if not dims:
        return x
    if _is_array(x):
        return x.sum(axis=dims, keepdims=True).reshape(shape)
    return x.sum(dims, keepdim=True).reshape(shape)


# ---------------------------------------------------------------- inv

def _inv_rule(n, g):
    g, inverse = lift(g, n.saved("inverse"))
    return (-(mT(inverse) @ (g @ mT(inverse))),)


# inv_ex's, solve_ex's and cholesky_ex's second output (info) is not differentiable, and
# not an output of the node here.
LinalgInvExBackward0 = node_class("LinalgInvExBackward0", _inv_rule)


def _inverse_values(A, fn: str, check_errors: bool):
    check_square(A, fn)
    check_floating(A, fn)
    data = A._data
    try:
        return np.linalg.inv(data), np.zeros(data.shape[:-2], dtype=np.int32)
    except np.linalg.LinAlgError:
        if check_errors:
            raise _singular_inverse(fn, data) from None
    flat = data.reshape((-1,) + data.shape[-2:])
    identity = np.eye(data.shape[-1], dtype=data.dtype)
    values = np.stack([lu_solve(m, identity) for m in flat]).reshape(data.shape)
    return values, _pivot_infos(data)


def inv_ex(A, *, check_errors=False):
    values, infos = _inverse_values(A, "linalg.inv_ex", check_errors)
    inverse = record(LinalgInvExBackward0, column_major(values.astype(A._data.dtype)), (A,),
                     None, save_result="inverse")
    return inv_ex_result(inverse, Tensor._make(infos))


def inv(A):
    values, _ = _inverse_values(A, "linalg.inv", True)
    return record(LinalgInvExBackward0, column_major(values.astype(A._data.dtype)), (A,), None,
                  save_result="inverse")


# ---------------------------------------------------------------- det, slogdet, logdet

def _det_rule(n, g):
    """ATen's linalg_det_backward: solve(A^H, diag_embed(g det)) (the cofactors when A is
    singular)."""
    g, A, det = lift(g, n.saved("A"), n.saved("result"))
    if _is_array(A):
        g, det = np.asarray(g), np.asarray(det)
        try:
            return (np.linalg.solve(mT(A), _scaled_identity(g * det, A)),)
        except np.linalg.LinAlgError:
            return (unsqueeze(unsqueeze(g * det, -1), -1) * _cofactors(A),)
    return (solve(mT(A), _scaled_identity(g * det, A)),)


def _scaled_identity(scale, A):
    """ATen's diag_embed(scale.unsqueeze(-1).expand_as(pivots)).mT()."""
    n = A.shape[-1]
    if _is_array(scale):
        return scale[..., None, None] * np.eye(n, dtype=A.dtype)
    from engine.ops.linalg_products import diag_embed
    return mT(diag_embed(scale.unsqueeze(-1).expand(tuple(scale.shape) + (n,))))


def _cofactors(A: np.ndarray) -> np.ndarray:
    """The cofactor matrix adj(A)^T, d det(A) / dA, also for a singular A (through the SVD
    A = U S Vh: det(U) det(Vh) U diag(prod of the other singular values) Vh)."""
    U, S, Vh = np.linalg.svd(A)
    n = S.shape[-1]
    others = np.stack([np.prod(np.delete(S, i, axis=-1), axis=-1) for i in range(n)], -1)
    signs = np.linalg.det(U) * np.linalg.det(Vh)
    return signs[..., None, None] * (U * others[..., None, :]) @ Vh


LinalgDetBackward0 = node_class("LinalgDetBackward0", _det_rule)


def det(A):
    check_square(A, "linalg.det")
    check_floating(A, "linalg.det")
    value = np.asarray(np.linalg.det(A._data), dtype=A._data.dtype)
    saved = {"A": A, **lu_saved(A, of_transpose=True)} if needs_grad(A) else None
    return record(LinalgDetBackward0, value, (A,), saved, save_result="result")


def _slogdet_rule(n, g_sign, g_logabsdet):
    """ATen's slogdet_backward (real A): solve(A^H, diag_embed(g))."""
    if g_logabsdet is None:
        return (None,)
    g, A = lift(g_logabsdet, n.saved("A"))
    if _is_array(A):
        return (np.linalg.solve(mT(A), _scaled_identity(np.asarray(g), A)),)
    return (solve(mT(A), _scaled_identity(g, A)),)


LinalgSlogdetBackward0 = node_class("LinalgSlogdetBackward0", _slogdet_rule, num_outputs=2)
LinalgSlogdetBackward0.keeps_undefined_grads = True  # its rule tells None from zeros


def _slogdet(A, fn: str, result_type):
    check_square(A, fn)
    check_floating(A, fn)
    sign, logabsdet = np.linalg.slogdet(A._data)
    dtype = A._data.dtype
    outs = (Tensor._make(np.asarray(sign, dtype=dtype)),
            Tensor._make(np.asarray(logabsdet, dtype=dtype)))
    if needs_grad(A):
        _bind_node(LinalgSlogdetBackward0, outs, (A,), {"A": A, **lu_saved(A, True)},
                   {"sign": outs[0]})
    return result_type(*outs)


def slogdet(A):
    return _slogdet(A, "linalg.slogdet", slogdet_result)


def torch_slogdet(A):
    return _slogdet(A, "linalg.slogdet", torch_slogdet_result)


def logdet(A):
    """ATen's logdet: slogdet, then NaN where the determinant is negative (WhereBackward0)."""
    check_square(A, "logdet")
    check_floating(A, "logdet")
    from engine.ops.elementwise import where
    sign, logabsdet = slogdet(A)
    return where(sign == -1.0, float("nan"), logabsdet)


def _bind_node(node_cls, outs: tuple, inputs: tuple, saved: dict, saved_outputs: dict,
               attrs: dict | None = None) -> None:
    """A node of several outputs (slogdet's, qr's, ...), when an input requires grad."""
    from engine.autograd import grad_mode as _gm
    from engine.autograd.node import SavedTensor
    from engine.ops._core import bind_outputs, edge, needs_grad
    if not (_gm.state.enabled and needs_grad(*inputs)):
        return
    node = node_cls()
    node._next = tuple(edge(t) for t in inputs)
    node._in_shapes = tuple(t._data.shape for t in inputs)
    node._out_meta = tuple((o._data.shape, o._data.dtype) for o in outs)
    node._num_outputs = len(outs)
    for nr, out in enumerate(outs):     # before saving them: a saved output keeps its number
        out._output_nr = nr
    node._saved = {name: SavedTensor(name, t) for name, t in saved.items()}
    node._saved.update({name: SavedTensor(name, t, is_output=True)
                        for name, t in saved_outputs.items()})
    node._attrs = attrs
    bind_outputs(node, outs)


# ---------------------------------------------------------------- solve

def _solve_rule(n, g):
    a = n._attrs
    g, A, X = lift(g, n.saved("A"), n.saved("result"))
    if a["_vector"]:
        g, X = unsqueeze(g, -1), unsqueeze(X, -1)
    grad_B = solve_matrices(mT(A), g, a["left"])       # X A = B: gB = g A^-T
    grad_A = None
    if n.needs(0):
        grad_A = -(grad_B @ mT(X)) if a["left"] else -(mT(X) @ grad_B)
    if a["_vector"]:
        grad_B = grad_B[..., 0] if _is_array(grad_B) else grad_B.squeeze(-1)
    return (None if grad_A is None else sum_to(grad_A, a["_A_shape"]),
            sum_to(grad_B, a["_B_shape"]) if n.needs(1) else None)


LinalgSolveExBackward0 = node_class("LinalgSolveExBackward0", _solve_rule)


def _is_vector_rhs(A: np.ndarray, B: np.ndarray) -> bool:
    return B.ndim == 1 or (B.ndim == A.ndim - 1 and B.shape == A.shape[:-1])


def _solve_values(A, B, left: bool, fn: str, check_errors: bool):
    check_square(A, fn)
    check_floating(A, fn)
    a, b = A._data, B._data
    if a.dtype != b.dtype:
        raise RuntimeError(f"{fn}: Expected A and B to have the same dtype, but found A of type "
                           f"{A.dtype.tensor_type[:-6]} and B of type "
                           f"{B.dtype.tensor_type[:-6]} instead")
    vector = _is_vector_rhs(a, b)
    rhs = b[..., None] if vector else b
    if not left:
        a, rhs = np.swapaxes(a, -1, -2), np.swapaxes(rhs, -1, -2)
    if rhs.shape[-2] != a.shape[-1]:
        shown = rhs.shape[-2:] if left else rhs.shape[-2:][::-1]
        equation = "AX = B" if left else "XA = B"
        raise RuntimeError(f"{fn}: Incompatible shapes of A and B for the equation {equation} "
                           f"({a.shape[-2]}x{a.shape[-1]} and {shown[0]}x{shown[1]})")
    try:
        batch = np.broadcast_shapes(a.shape[:-2], rhs.shape[:-2])
    except ValueError:
        from engine.ops.elementwise import broadcast_error
        raise broadcast_error(rhs.shape[:-2], a.shape[:-2]) from None
    a = np.broadcast_to(a, batch + a.shape[-2:])
    rhs = np.broadcast_to(rhs, batch + rhs.shape[-2:])
    try:
        values, infos = np.linalg.solve(a, rhs), np.zeros(batch, dtype=np.int32)
    except np.linalg.LinAlgError:
        if check_errors:
            raise _LinAlgError(f"torch.{fn}: The solver failed because the input matrix is "
                               "singular.") from None
        values, infos = _solve_each(a, rhs)
    if not left:
        values = np.swapaxes(values, -1, -2)
    return (values[..., 0] if vector else values), vector, infos


def _solve_each(a: np.ndarray, rhs: np.ndarray):
    """solve_ex on a batch with singular matrices: each solved by getrf / getrs, and each
    matrix's info."""
    flat_a, flat_rhs = a.reshape((-1,) + a.shape[-2:]), rhs.reshape((-1,) + rhs.shape[-2:])
    values = np.stack([lu_solve(m, r) for m, r in zip(flat_a, flat_rhs)])
    return values.reshape(rhs.shape), _pivot_infos(a)


def _record_solve(A, B, values, vector: bool, left: bool):
    layout = column_major if left and not vector else np.ascontiguousarray
    saved = {"A": A, **lu_saved(A)} if needs_grad(A, B) else None
    return record(LinalgSolveExBackward0, layout(values), (A, B), saved,
                  {"left": left, "_vector": vector, "_A_shape": A._data.shape,
                   "_B_shape": B._data.shape}, save_result="result")


def solve(A, B, *, left=True):
    A, B = as_tensor(A), as_tensor(B)
    values, vector, _ = _solve_values(A, B, left, "linalg.solve", True)
    return _record_solve(A, B, values, vector, left)


def solve_ex(A, B, *, left=True, check_errors=False):
    values, vector, infos = _solve_values(A, B, left, "linalg.solve_ex", check_errors)
    return solve_ex_result(_record_solve(A, B, values, vector, left), Tensor._make(infos))


# ---------------------------------------------------------------- cholesky

def _cholesky_rule(n, g):
    """ATen's cholesky_backward (Iain Murray, arXiv 1602.07527):
    gA = L^-H Phi(L^H gL) L^-1, Phi taking the lower triangle with its diagonal halved,
    symmetrised; the two triangular solves are linalg.solve_triangular's."""
    from engine.ops.linalg_triangular import solve_triangular_poly
    g, L = lift(g, n.saved("L" if "L" in n._saved else "result"))   # torch.cholesky's: result
    if n._attrs["upper"]:
        g, L = mT(g), mT(L)
    product = tril(mT(L) @ g)
    product = half(product + mT(tril(product, -1)))
    left = solve_triangular_poly(mT(L), product, upper=True, left=True)
    return (solve_triangular_poly(L, left, upper=False, left=False),)


LinalgCholeskyExBackward0 = node_class("LinalgCholeskyExBackward0", _cholesky_rule)


def _leading_minor(matrix: np.ndarray) -> int:
    """LAPACK potrf's info: the order of the first leading minor that is not positive-definite."""
    for k in range(1, matrix.shape[-1] + 1):
        try:
            np.linalg.cholesky(matrix[:k, :k])
        except np.linalg.LinAlgError:
            return k
    return 0


def _cholesky_values(A, upper: bool, fn: str, check_errors: bool):
    check_square(A, fn)
    check_floating(A, fn)
    data = A._data
    lower = np.tril(data) if not upper else np.tril(np.swapaxes(data, -1, -2))
    flat = lower.reshape((-1,) + data.shape[-2:])
    infos = np.zeros(flat.shape[0], dtype=np.int32)
    try:
        values = np.linalg.cholesky(lower)
    except np.linalg.LinAlgError:
        values = np.array(flat)
        for i, matrix in enumerate(flat):
            infos[i] = _leading_minor(matrix)
            if infos[i] == 0:
                values[i] = np.linalg.cholesky(matrix)
        if check_errors:
            index = int(np.flatnonzero(infos)[0])
            raise _LinAlgError(f"{fn}: {_batch_prefix(data, index)}The factorization could not "
                               "be completed because the input is not positive-definite (the "
                               f"leading minor of order {infos[index]} is not "
                               "positive-definite).") from None
        values = values.reshape(data.shape)
    if upper:
        values = np.swapaxes(values, -1, -2)
    return column_major(values), infos.reshape(data.shape[:-2])


def cholesky(A, *, upper=False):
    values, _ = _cholesky_values(A, upper, "linalg.cholesky", True)
    return record(LinalgCholeskyExBackward0, values, (A,), None, {"upper": upper},
                  save_result="L")


def cholesky_ex(A, *, upper=False, check_errors=False):
    values, infos = _cholesky_values(A, upper, "linalg.cholesky_ex", check_errors)
    L = record(LinalgCholeskyExBackward0, values, (A,), None, {"upper": upper}, save_result="L")
    return cholesky_ex_result(L, Tensor._make(infos))


# ---------------------------------------------------------------- matrix_power

def matrix_power(A, n: int):
    """ATen's linalg_matrix_power: inv for a negative n, then products by binary powers."""
    check_square(A, "linalg.matrix_power")
    from engine.ops.inplace import copy_
    from engine.ops.linalg import matmul
    from engine.ops.shape import clone
    if n == 0:
        from engine.creation import eye
        identity = eye(A._data.shape[-1], dtype=A.dtype).expand(A._data.shape)
        return copy_(clone(A), identity)
    base = inv(A) if n < 0 else A
    n = abs(n)
    if n == 1:
        return clone(base)
    if n == 2:
        return matmul(base, base)
    if n == 3:
        return matmul(matmul(base, base), base)
    power = result = None
    while n > 0:
        bit, n = n % 2, n // 2
        power = base if power is None else matmul(power, power)
        if bit:
            result = power if result is None else matmul(result, power)
    return result
