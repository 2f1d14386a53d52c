"""What every op shares: operands, PyTorch's type promotion, and recording a node."""
from __future__ import annotations

import functools
import numbers
import sys

import numpy as np

from engine import dtypes as _dt
from engine import trace
from engine.autograd import anomaly_mode as _anomaly
from engine.autograd import grad_mode as _gm
from engine.autograd.node import SavedTensor, expose_saved, grad_accumulator
from engine.tensor import Tensor, _announce
from engine.tensor import _wrap_dim as wrap_dim  # noqa: F401  (the ops' shared helper)


def as_saved(value):
    """An int64 argument as PyTorch's node getters read it back (`_saved_dim`, ...): as
    given, a negative one as its unsigned 64-bit wrap."""
    return value % 2**64 if isinstance(value, int) and not isinstance(value, bool) else value


# ---------------------------------------------------------------- operands

def is_scalar(value) -> bool:
    return isinstance(value, (numbers.Number, np.generic)) and not isinstance(value, Tensor)


def as_tensor(value) -> Tensor:
    if isinstance(value, Tensor):
        return value
    if isinstance(value, np.ndarray):
        return Tensor._make(value)
    from engine.creation import tensor
    return tensor(value)


def data_of(value):
    """The array of a Tensor; a Python scalar stays a scalar (weak in NumPy's promotion)."""
    return value._data if isinstance(value, Tensor) else value


_KIND_RANK = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}


def _scalar_rank(value) -> int:
    if isinstance(value, (bool, np.bool_)):
        return 0
    if isinstance(value, numbers.Integral):
        return 1
    if isinstance(value, numbers.Real):
        return 2
    return 3


def result_dtype(*operands) -> np.dtype:
    """PyTorch's promotion: dimensioned tensors first, then 0-dim tensors, then scalars; a
    lower priority group only counts when it brings a higher kind (bool < int < float)."""
    if len(operands) == 2:
        fast = _same_kind_fast_path(*operands)
        if fast is not None:
            return fast
    return _promote(operands)


def _same_kind_fast_path(a, b):
    """The common cases: two tensors of one dtype, or a float tensor and a Python number."""
    if type(a) is Tensor or isinstance(a, Tensor):
        da = a._data.dtype
        if isinstance(b, Tensor):
            return da if b._data.dtype == da else None
        if da.kind == "f" and isinstance(b, (float, int)) and not isinstance(b, bool):
            return da
    return None


def _promote(operands) -> np.dtype:
    groups = ([], [], [])
    for op in operands:
        if isinstance(op, Tensor):
            groups[0 if op._data.ndim else 1].append(op._data.dtype)
        elif op is not None:
            groups[2].append(op)
    result, rank = None, -1
    for index, group in enumerate(groups):
        if not group:
            continue
        if index < 2:
            group_rank = max(_KIND_RANK[d.kind] for d in group)
            if group_rank > rank:
                candidates = [d for d in group if _KIND_RANK[d.kind] == group_rank]
                result, rank = functools.reduce(np.promote_types, candidates), group_rank
        else:
            group_rank = max(_scalar_rank(s) for s in group)
            if group_rank > rank:
                result = _scalar_default(group_rank)
                rank = group_rank
    return result


def _scalar_default(rank: int) -> np.dtype:
    if rank == 0:
        return np.dtype(np.bool_)
    if rank == 1:
        return np.dtype(np.int64)
    return _dt.get_default_dtype().np_dtype


def cast(array, dtype: np.dtype) -> np.ndarray:
    array = np.asarray(array)
    return array if array.dtype == dtype else array.astype(dtype)


# ---------------------------------------------------------------- recording

def edge(tensor):
    if tensor is None:
        return None
    base = tensor._base
    if base is None:
        if not tensor._requires_grad:
            return None
    elif not (tensor._requires_grad or base._requires_grad):
        return None
    elif tensor._view_version != tensor._vc[0]:
        from engine.ops.inplace import refresh_view
        refresh_view(tensor)
    if tensor._grad_fn is not None:
        return (tensor._grad_fn, tensor._output_nr)
    if not tensor._requires_grad or (tensor._no_grad_view and not tensor._own_requires_grad):
        # It requires grad through its base only (a view made under no_grad, or before the
        # base required grad): PyTorch gives it no accumulator.
        return None
    return (grad_accumulator(tensor), 0)


def has_edge(tensor) -> bool:
    """Whether edge(tensor) gives an edge, without making the leaf's accumulator."""
    base = tensor._base
    if base is None:
        return tensor._requires_grad
    if not (tensor._requires_grad or base._requires_grad):
        return False
    if tensor.grad_fn is not None:      # the property regenerates a stale view's grad_fn
        return True
    return tensor._requires_grad and not (tensor._no_grad_view and not tensor._own_requires_grad)


def requires_grad(t) -> bool:
    """Whether `t` requires grad: itself, or as a view of a base that does (PyTorch's rule)."""
    return t._requires_grad or (t._base is not None and t._base._requires_grad)


def needs_grad(*inputs) -> bool:
    if not _gm.state.enabled:
        return False
    for t in inputs:
        if t is not None and (t._requires_grad or t._base is not None) and t.requires_grad:
            return True
    return False


def collect_edges(operands) -> None:
    """Autograd collects the edges of an op's tensor operands before its kernel checks
    them: a view made under no_grad whose base changed raises here (regenerating its
    grad_fn), before any error of the kernel."""
    tensors = [t for t in operands if isinstance(t, Tensor)]
    if needs_grad(*tensors):
        for tensor in tensors:
            edge(tensor)


def edges_before_kernel_errors(op):
    """For an op whose kernel checks its arguments (dims, sizes, indices, dtypes): the
    edges of its tensor arguments are collected first (collect_edges), so a stale view
    raises its own error before the kernel's."""
    @functools.wraps(op)
    def checked(*args, **kwargs):
        try:
            return op(*args, **kwargs)
        except (RuntimeError, IndexError):
            collect_edges(args + tuple(kwargs.values()))
            raise
    return checked


def record(node_cls, data: np.ndarray, inputs: tuple, saved: dict | None = None,
           attrs: dict | None = None, save_result: str | None = None) -> Tensor:
    """Wrap `data` as the op's output and, when grad is needed, attach a `node_cls` node.

    inputs: the op's tensor inputs in edge order (None for scalars: a `None` edge).
    saved: name -> Tensor to keep for backward; attrs: name -> plain value.
    save_result: name under which the output itself is saved (ExpBackward0's "result").
    """
    if type(data) is not np.ndarray:
        data = np.asarray(data)     # NumPy gives a scalar for some ops on 0-dim arrays
    out = Tensor._make(data)
    if _gm.state.inference:
        out._inference = True
    elif _gm.state.enabled:
        for t in inputs:
            if t is not None and (t._requires_grad or t._base is not None) and \
                    t.requires_grad:
                _attach_node(node_cls, out, inputs, saved, attrs, save_result)
                break
    if trace.active:
        _announce(out, made=None if _gm.state.enabled or _gm.state.inference
                  or not _any_requires_grad(inputs) else "no_grad", new=True)
    return out


def _any_requires_grad(inputs: tuple) -> bool:
    for t in inputs:
        if t is not None and (t._requires_grad or t._base is not None) and t.requires_grad:
            return True
    return False


def _attach_node(node_cls, out: Tensor, inputs: tuple, saved, attrs, save_result) -> None:
    node = node_cls()
    data = out._data
    dtype = data.dtype
    if len(inputs) == 1:    # record found it requires grad
        t = inputs[0]
        node._next = ((t._grad_fn, t._output_nr),) if t._grad_fn is not None and \
            t._base is None else (edge(t),)
        node._in_shapes = (t._data.shape,)
        uniform = t._data.dtype is dtype
    else:
        uniform = _link_inputs(node, inputs, dtype)
    node._out_meta = ((data.shape, dtype),)
    # An op-table rule's gradients have its inputs' dtype when they share the output's: the
    # executor then compares only their shapes (see executor._bare_work).
    node._checked = uniform and node_cls._from_op_table
    if saved:
        saved_tensors = {}          # a loop, not a comprehension: no frame of its own
        for name, value in saved.items():
            saved_tensors[name] = SavedTensor(name, value)
        node._saved = saved_tensors
    if attrs:
        node._attrs = attrs
    out._grad_fn = node
    out._requires_grad = True
    if save_result is not None:
        if node._saved is None:
            node._saved = {}
        node._saved[save_result] = SavedTensor(save_result, out, is_output=True)
    known = node_cls._known_names
    if (node._saved and not known.issuperset(node._saved)) or \
            (attrs and not known.issuperset(attrs)):
        expose_saved(node)
    if _anomaly.state.enabled:
        node._forward_stack = _anomaly.forward_stack()
    if trace.active:
        announce_node(node, (out,))


def _link_inputs(node, inputs: tuple, dtype) -> bool:
    """Set the node's edges and input shapes; whether every input has `dtype`."""
    edges, shapes = [], []
    uniform = True
    for t in inputs:        # edge(t) for each input, inlined, and the inputs' metadata
        if t is None:
            edges.append(None)
            shapes.append(None)
            continue
        array = t._data
        shapes.append(array.shape)
        if array.dtype is not dtype:
            uniform = False
        if t._base is None and not t._requires_grad:
            edges.append(None)
        elif t._grad_fn is not None and t._base is None:
            edges.append((t._grad_fn, t._output_nr))
        else:
            edges.append(edge(t))
    node._next = tuple(edges)
    node._in_shapes = tuple(shapes)
    return uniform


def bind_outputs(node, outputs) -> None:
    """Make ``node`` the grad_fn of each output (by position; None skipped) for a node
    with several outputs, then keep its anomaly stack and announce it."""
    for nr, out in enumerate(outputs):
        if out is not None:
            out._grad_fn, out._output_nr, out._requires_grad = node, nr, True
    expose_saved(node)
    if _anomaly.state.enabled:
        node._forward_stack = _anomaly.forward_stack()
    if trace.active:
        announce_node(node, outputs)


def announce_node(node, outputs) -> None:
    stack = trace.module_stack
    node._module = module = stack[-1] if stack else None
    # Loops rather than comprehensions: a comprehension is a call of its own, and this runs
    # for every op a debugger watches. The user's line is above this function and its
    # caller (the engine's): skip=2.
    next_ids = []
    for e in node._next:
        next_ids.append((None, 0) if e is None else (e[0]._id, e[1]))
    output_ids = []
    for t in outputs:
        if t is not None:
            output_ids.append(t._tid or trace.tensor_id(t))
    trace.emit(trace.NodeCreated(node._id, node.name(), node._sequence_nr, tuple(next_ids),
                                 tuple(output_ids), node.saved_infos(), module,
                                 user_location(skip=2), node._attrs))


# ids of the code objects of the engine's (and a hosting debugger's) frames, which
# user_location skips. Keys are ids, not code objects: a code object's hash is computed
# afresh at every lookup (~0.2 us, most of the walk); the code objects of functions live as
# long as their module, and those of an `exec` that may die are checked by identity below.
_not_user_code: set = set()


def user_location(skip: int = 0) -> str | None:
    """file:line of the innermost frame outside the engine (the user's line). Asked once per
    recorded op: the answer is remembered per (code, instruction offset), since reading a
    frame's line number and formatting it cost more than the rest of the walk. ``skip``:
    frames above the caller's known to be the engine's; sys._getframe passes over them
    without making their frame objects, which is most of the walk's cost."""
    try:
        frame = sys._getframe(1 + skip)
    except ValueError:          # the stack is not that deep
        return None
    skip = _not_user_code
    known = trace.user_locations
    while frame is not None:
        code = frame.f_code
        code_id = id(code)
        if code_id not in skip:
            key = (code_id, frame.f_lasti)
            entry = known.get(key)
            if entry is not None and entry[0] is code:
                return entry[1]
            filename = code.co_filename
            if not filename.startswith(trace.ENGINE_DIR) and not trace.is_host_file(filename):
                location = f"{filename}:{frame.f_lineno}"
                known[key] = (code, location)
                return location
            skip.add(code_id)
        frame = frame.f_back
    return None


# ---------------------------------------------------------------- broadcasting

def zeros_grad(grad, shape: tuple | None = None):
    """ATen's `zeros_like(grad)` in a backward formula (copy_, fill_, zero_, the random
    fills): zeros of grad's dtype, never part of a double-backward graph, never NaN."""
    data = grad._data if isinstance(grad, Tensor) else grad
    zeros = np.zeros(data.shape if shape is None else shape, dtype=data.dtype)
    return Tensor._make(zeros) if isinstance(grad, Tensor) else zeros


def reduce_to(grad, shape: tuple):
    """Sum a broadcast gradient back to `shape` (arrays or Tensors)."""
    gshape = tuple(grad.shape)
    if gshape == tuple(shape):
        return grad
    lead = len(gshape) - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, s in enumerate(shape) if s == 1 and gshape[i + lead] != 1)
    if isinstance(grad, Tensor):
        # ATen's sum_to: to a 0-dim shape a plain sum; else a keepdim sum, then a view only
        # when leading dims went away.
        from engine.ops.reductions import sum as _sum
        if not shape:
            return _sum(grad)
        out = _sum(grad, axes, keepdim=True) if axes else grad
        return out.view(tuple(shape)) if lead else out
    # np.add.reduce is what ndarray.sum calls, without its Python-level wrapper.
    return np.add.reduce(grad, axis=axes, keepdims=True).reshape(shape) if axes else \
        grad.reshape(shape)

