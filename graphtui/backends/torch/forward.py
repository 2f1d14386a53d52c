"""The forward pass: every op the scenario runs, seen by a ``TorchFunctionMode``.

After each op, the outputs that got a grad_fn PyTorch had not shown us yet are announced:
the new nodes of the graph behind them (children first, so an edge always names a node
already recorded: AccumulateGrad of a leaf, then the op's node), then the output tensors.
Factory functions' results (no tensor among the arguments: ``torch.randn``,
``torch.tensor``) are announced as leaves; an op that changed a tensor we know in place
(its version counter moved, or ``requires_grad_``) is a ``TensorModified``.
"""
from __future__ import annotations

import sys

import torch
from torch.autograd.function import BackwardCFunction
from torch.overrides import TorchFunctionMode

from engine import trace
from graphtui.backends.torch import ids, modules
from graphtui.backends.torch import backward as bw

TORCH_DIR = torch.__file__.rsplit("/", 1)[0] + "/"
_OWN_DIR = __file__.rsplit("/", 1)[0] + "/"
_Tensor = torch.Tensor


class RecordingMode(TorchFunctionMode):
    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if not trace.active:
            return func(*args, **kwargs)
        name = getattr(func, "__name__", "")
        if name == "__get__" or name == "__set__":     # a property: .grad, .shape, ...
            return _property(func, args, kwargs)
        if bw.pending_reorder:
            bw.reorder_post_hooks()
        if func in bw.PASSES:
            return bw.run_pass(func, args, kwargs)
        before = _versions(name, args)
        result = func(*args, **kwargs)
        try:
            users = not sys._getframe(1).f_code.co_filename.startswith(TORCH_DIR)
            after_op(name, args, kwargs, result, before, users)
        except Exception as error:      # a bug of ours must not become the scenario's error
            bw.report_own_error(error)
        return result


def _property(func, args, kwargs):
    result = func(*args, **kwargs)
    if func.__name__ == "__set__" and \
            getattr(getattr(func, "__self__", None), "__name__", "") == "grad":
        tid = ids.known_tensor_id(args[0])      # `x.grad = ...`, zero_grad(set_to_none)
        if tid:
            trace.emit(trace.GradAccumulated(tid, ids.summarize(args[1]), False))
    return result


_INPLACE_DUNDERS = {"__setitem__", "__iadd__", "__isub__", "__imul__", "__itruediv__",
                    "__ifloordiv__", "__imod__", "__ipow__", "__iand__", "__ior__",
                    "__ixor__", "__ilshift__", "__irshift__", "__imatmul__"}


def _is_inplace(name: str) -> bool:
    return (name.endswith("_") and not name.endswith("__")) or name in _INPLACE_DUNDERS


def _versions(name: str, args) -> tuple | None:
    if args and _is_inplace(name) and isinstance(args[0], _Tensor):
        return (args[0], ids.version(args[0]), args[0].requires_grad)
    return None


def after_op(name: str, args, kwargs, result, before, users: bool) -> None:
    """``users``: called by the scenario's code, not by PyTorch's own (a layer's
    ``torch.empty`` for its parameters is not a tensor the scenario made)."""
    outputs = _tensors_in(result)
    fresh_graph = False
    for tensor in outputs:
        grad_fn = tensor.grad_fn
        if grad_fn is not None and ids.known_node_id(grad_fn) is None:
            announce_graph(grad_fn, outputs)
            fresh_graph = True
    for tensor in outputs:
        if ids.is_announced(tensor):
            continue
        if tensor.grad_fn is not None:
            announce_tensor(tensor)
        elif users and not fresh_graph and _is_factory(args, kwargs):
            ids.note_created(tensor)
            announce_tensor(tensor)
    if before is not None:
        _modified(name, *before)


def _tensors_in(value) -> list:
    if isinstance(value, _Tensor):
        return [value]
    if isinstance(value, (tuple, list)):
        return [item for item in value if isinstance(item, _Tensor)]
    return []


def _is_factory(args, kwargs) -> bool:
    return not any(isinstance(a, _Tensor) or (isinstance(a, (tuple, list)) and any(
        isinstance(i, _Tensor) for i in a)) for a in (*args, *kwargs.values()))


def announce_tensor(tensor, name: str | None = None) -> int:
    tid = ids.tensor_id(tensor)
    ids.mark_announced(tid)
    grad_fn = tensor.grad_fn
    node_id = None if grad_fn is None else ids.known_node_id(grad_fn)
    trace.emit(trace.TensorCreated(tid, name, tuple(tensor.shape), ids.dtype_name(tensor),
                                   tensor.requires_grad, tensor.is_leaf, node_id,
                                   ids.summarize(tensor)))
    return tid


def ensure_announced(tensor) -> int:
    if ids.is_announced(tensor):
        return ids.known_tensor_id(tensor)
    grad_fn = tensor.grad_fn
    if grad_fn is not None and ids.known_node_id(grad_fn) is None:
        announce_graph(grad_fn, [tensor])
    return announce_tensor(tensor)


def announce_graph(root, outputs) -> None:
    """Announce the nodes behind ``root`` that are new, children first."""
    location = user_location()
    module = modules.current()
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        key = id(node)
        if key in seen or ids.known_node_id(node) is not None:
            continue
        seen.add(key)
        stack.append((node, True))
        for child, _ in reversed(node.next_functions):
            if child is not None and ids.known_node_id(child) is None:
                stack.append((child, False))
    for node in order:
        if ids.known_node_id(node) is None:
            _announce_node(node, outputs, location, module)


def _announce_node(node, outputs, location, module) -> None:
    node_id = ids.new_node_id(node)
    name = ids.node_name(node)
    if name == "AccumulateGrad":
        variable = node.variable
        trace.emit(trace.NodeCreated(node_id, name, _sequence_nr(node), (),
                                     (ids.tensor_id(variable),), (), None, None))
        if not ids.is_announced(variable):
            announce_tensor(variable)
        bw.watch_leaf(node, node_id, variable)
        return
    edges = tuple((None, 0) if child is None else (ids.known_node_id(child), nr)
                  for child, nr in node.next_functions)
    output_ids = tuple(ids.tensor_id(t) for t in outputs if t.grad_fn is node)
    saved = saved_infos(node)
    trace.emit(trace.NodeCreated(node_id, name, _sequence_nr(node), edges, output_ids, saved,
                                 module, location))
    bw.watch_node(node, node_id, name, saved)


def _sequence_nr(node) -> int:
    try:
        return node._sequence_nr()
    except Exception:
        return 0


_SAVED_NAMES: dict[type, tuple[str, ...]] = {}


def saved_names(node) -> tuple[str, ...]:
    """The names of the tensors a node saved: its ``_raw_saved_<name>`` attributes (PyTorch
    makes one per saved tensor or list of tensors, none for saved numbers and sizes)."""
    kind = type(node)
    names = _SAVED_NAMES.get(kind)
    if names is None:       # the class dict keeps PyTorch's order (derivatives.yaml's)
        attrs = list(getattr(kind, "__dict__", {})) or dir(kind)
        names = _SAVED_NAMES[kind] = tuple(
            attr[len("_raw_saved_"):] for attr in attrs if attr.startswith("_raw_saved_"))
    return names


def saved_infos(node) -> tuple:
    if isinstance(node, BackwardCFunction):       # a custom Function's ctx.save_for_backward
        return _custom_saved(node)
    infos = []
    for name in saved_names(node):
        try:
            value = getattr(node, "_saved_" + name)
        except Exception:
            continue
        for tensor in value if isinstance(value, (tuple, list)) else (value,):
            if isinstance(tensor, _Tensor):
                infos.append(_saved_info(name, tensor))
    return tuple(infos)


_WRAPPED_DTYPES = (torch.int64, torch.float64, torch.bool, torch.complex128)


def _saved_info(name: str, tensor) -> trace.SavedInfo:
    tid = ids.known_tensor_id(tensor) or None
    if tid is None and _is_wrapped_number(tensor):
        return trace.SavedInfo(name, (), ids.dtype_name(tensor), ids.nbytes(tensor),
                               kind=trace.SCALAR, version=ids.version(tensor))
    storage, storage_nbytes, offset = ids.storage_of(tensor) or (None, None, 0)
    return trace.SavedInfo(name, tuple(tensor.shape), ids.dtype_name(tensor), ids.nbytes(tensor),
                           tid, storage, storage_nbytes, offset,
                           ids.memory_kind(tensor, storage), ids.version(tensor))


def _is_wrapped_number(tensor) -> bool:
    """Whether a saved tensor is a Python number PyTorch wrapped (``x * 2``'s ``other``):
    PyTorch does not say, so a 0-dim leaf of a Python number's dtype that the scenario never
    made nor saw is taken for one."""
    return tensor.dim() == 0 and tensor.grad_fn is None and not tensor.requires_grad and \
        tensor.dtype in _WRAPPED_DTYPES and not ids.was_created(tensor)


def _custom_saved(node) -> tuple:
    try:
        tensors = node.saved_tensors
    except Exception:
        return ()
    return tuple(_saved_info(f"saved_tensors[{index}]", t)
                 for index, t in enumerate(tensors) if isinstance(t, _Tensor))


def _modified(name: str, tensor, version: int, requires_grad: bool) -> None:
    tid = ids.known_tensor_id(tensor)
    if not tid:
        return
    if ids.version(tensor) == version and tensor.requires_grad == requires_grad:
        return
    grad_fn = tensor.grad_fn
    node_id = None if grad_fn is None else ids.known_node_id(grad_fn)
    trace.emit(trace.TensorModified(tid, name, ids.version(tensor), node_id,
                                    ids.summarize(tensor),
                                    tensor.requires_grad if name == "requires_grad_" else None))


def user_location() -> str | None:
    """file:line of the innermost frame outside torch and graphtui (the user's line)."""
    frame = sys._getframe(2)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not (filename.startswith(TORCH_DIR) or filename.startswith(_OWN_DIR)
                or trace.is_host_file(filename) or filename.startswith("<frozen")):
            return f"{filename}:{frame.f_lineno}"
        frame = frame.f_back
    return None
