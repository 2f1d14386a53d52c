"""The backward pass, watched through PyTorch's public hooks.

Each node gets, when first announced, a pre-hook (``NodeExecuting``: the recorder may hold
the step gate there, so the backward waits before the node runs) and a post-hook
(``NodeExecuted``; for AccumulateGrad also ``GradAccumulated``; saved buffers released
when the pass does not retain the graph, as PyTorch's engine releases them right after the
node). ``torch.autograd.backward`` and ``torch.autograd.grad`` are wrapped for
``BackwardStarted`` / ``BackwardFinished`` and the errors raised in a pass.
"""
from __future__ import annotations

import inspect
import itertools
import re
import threading
import weakref

import torch

from engine import trace
from graphtui.backends.torch import ids

_state = threading.local()          # the passes running on this thread, innermost last
_retained: dict[int, list] = {}     # node id -> weak refs of tensors that retain_grad
_backward_ids = itertools.count(1)
_report_error = None


def reset() -> None:
    global _backward_ids
    _backward_ids = itertools.count(1)
    _retained.clear()
    pending_reorder.clear()
    _node_hook_dicts.clear()


def report_own_error(error: BaseException) -> None:
    if _report_error is not None:
        _report_error(error)


def in_pass() -> bool:
    """Inside a backward pass the function mode started (the mode is off in there)."""
    return bool(getattr(_state, "passes", None))


def _passes() -> list:
    passes = getattr(_state, "passes", None)
    if passes is None:
        passes = _state.passes = []
    return passes


class _Pass:
    __slots__ = ("id", "retain_graph", "accumulates", "running")

    def __init__(self, backward_id: int, retain_graph: bool, accumulates: bool) -> None:
        self.id = backward_id
        self.retain_graph = retain_graph
        self.accumulates = accumulates
        self.running: list[int] = []      # nodes entered and not left (an error names them)


# ---------------------------------------------------------------- nodes

POST_HOOK_KEY = "graphtui_post_hook"


def watch_node(node, node_id: int, name: str, saved: tuple) -> None:
    # What the node still holds, kept by its hooks (they live as long as the node does)
    held = [tuple(dict.fromkeys(info.name for info in saved)),
            sum(info.nbytes for info in saved)]

    def before(grad_outputs):
        _entering(node_id, name, grad_outputs)

    def after(grad_inputs, grad_outputs):
        _leaving(node_id, name, grad_inputs, held)

    note_node_hooks(node.register_prehook(before), node_id, "grad_fn_pre", before)
    post = node.register_hook(after)
    note_node_hooks(post, node_id, "grad_fn_post", after)
    node.metadata[POST_HOOK_KEY] = (post, after)


# PyTorch keeps a node's Python pre-hooks in one dict and its post-hooks in another, and
# hands that dict to ``Function._register_hook`` when the scenario registers one more
# (``grad_fn.register_hook``): the dict tells which node and kind it is (see hooks.py).
_node_hook_dicts: dict[int, tuple] = {}      # id(dict) -> (weak ref, node id, kind, our hook
                                             # to keep after the scenario's, or None)


def note_node_hooks(handle, node_id: int, kind: str, ours) -> None:
    hooks_dict = handle.hooks_dict_ref()
    if hooks_dict is None:
        return
    key = id(hooks_dict)
    ref = weakref.ref(hooks_dict, lambda _, key=key: _node_hook_dicts.pop(key, None))
    _node_hook_dicts[key] = (ref, node_id, kind, ours)


def node_of_hooks(hooks_dict) -> tuple | None:
    """(node id, kind, our hook) of a node's hooks dict we know, else None."""
    entry = _node_hook_dicts.get(id(hooks_dict))
    if entry is None or entry[0]() is not hooks_dict:
        return None
    return entry[1:]


def move_ours_last(hooks_dict, ours) -> None:
    """Our hook runs after the scenario's, so that NodeExecuting / NodeExecuted follow the
    node's hooks as in the engine (and the step gate holds after the pre-hooks ran). PyTorch
    calls them in the order of the dict underneath the OrderedDict (``PyDict_Next``), which
    ``move_to_end`` leaves alone: the entry is taken out and put back."""
    for key, hook in list(hooks_dict.items()):
        if hook is ours:
            del hooks_dict[key]
            hooks_dict[key] = hook


# A module's legacy backward hooks are registered on its output's node after its forward
# (PyTorch's _call_impl), behind our post-hook: ours is moved behind them before the next
# op, so NodeExecuted follows them as in the engine.
pending_reorder: list = []


def after_legacy_hooks(node) -> None:
    pending_reorder.append(node)


def reorder_post_hooks() -> None:
    nodes = pending_reorder[:]
    pending_reorder.clear()
    for node in nodes:
        entry = node.metadata.get(POST_HOOK_KEY)
        if entry is not None:
            handle, after = entry
            handle.remove()
            node.metadata[POST_HOOK_KEY] = (node.register_hook(after), after)


def watch_leaf(node, node_id: int, variable) -> None:
    ref = weakref.ref(variable)
    had_grad = [False]

    def before(grad_outputs):
        tensor = ref()
        had_grad[0] = tensor is not None and tensor.grad is not None
        _entering(node_id, "AccumulateGrad", grad_outputs)

    def after(grad_inputs, grad_outputs):
        tensor = ref()
        passes = _passes()
        if tensor is not None and trace.active and (not passes or passes[-1].accumulates):
            trace.emit(trace.GradAccumulated(ids.tensor_id(tensor), ids.summarize(tensor.grad),
                                             had_grad[0]))
        _leaving(node_id, "AccumulateGrad", ())

    # A leaf's pre-hooks run inside its accumulation in the engine: after NodeExecuting.
    note_node_hooks(node.register_prehook(before), node_id, "grad_fn_pre", None)
    note_node_hooks(node.register_hook(after), node_id, "grad_fn_post", after)


def retain(tensor) -> None:
    """``tensor.retain_grad()`` on a non-leaf: its .grad is announced after its node ran."""
    grad_fn = tensor.grad_fn
    node_id = None if grad_fn is None else ids.known_node_id(grad_fn)
    if node_id is not None:
        _retained.setdefault(node_id, []).append(weakref.ref(tensor))


def _entering(node_id: int, name: str, grad_outputs) -> None:
    passes = _passes()
    if passes:
        passes[-1].running.append(node_id)
    if trace.active:
        trace.emit(trace.NodeExecuting(node_id, name, ids.summaries(grad_outputs, copy=False)))


def _leaving(node_id: int, name: str, grad_inputs, held=None) -> None:
    passes = _passes()
    current = passes[-1] if passes else None
    if current is not None and current.running and current.running[-1] == node_id:
        current.running.pop()
    if not trace.active:
        return
    retained = _retained.get(node_id, ()) if current is None or current.retain_graph \
        else _retained.pop(node_id, ())
    for ref in retained:
        tensor = ref()
        if tensor is not None and tensor.grad is not None:
            trace.emit(trace.GradAccumulated(ids.tensor_id(tensor), ids.summarize(tensor.grad),
                                             False, True))
    trace.emit(trace.NodeExecuted(node_id, name, ids.summaries(grad_inputs, copy=False)))
    if current is not None and not current.retain_graph and held and held[0]:
        names, nbytes = held
        held[0] = ()
        trace.emit(trace.BufferFreed(node_id, names, nbytes))


# ---------------------------------------------------------------- passes

# Functions that run a backward pass, as the function mode sees them (Tensor.backward and
# torch.autograd.backward / grad all hand themselves to a mode first).
PASSES = {torch.Tensor.backward: "backward", torch.autograd.backward: "backward",
          torch.autograd.grad: "grad"}
_SIGNATURES = {func: inspect.signature(func) for func in PASSES}


def run_pass(func, args, kwargs):
    """Call ``func`` (one of PASSES) between BackwardStarted and BackwardFinished."""
    bound = _SIGNATURES[func].bind(*args, **kwargs).arguments
    outputs = bound.get("self", bound.get("tensors", bound.get("outputs")))
    retain_graph, create_graph = bound.get("retain_graph"), bound.get("create_graph", False)
    roots = tuple(_root(t) for t in _as_tuple(outputs) if isinstance(t, torch.Tensor))
    retain = bool(create_graph) if retain_graph is None else bool(retain_graph)
    kind = PASSES[func]
    if pending_reorder:
        reorder_post_hooks()
    current = _Pass(next(_backward_ids), retain, kind == "backward")
    trace.emit(trace.BackwardStarted(current.id, kind, roots, retain, bool(create_graph)))
    passes = _passes()
    passes.append(current)
    ok = False
    try:
        result = func(*args, **kwargs)
        ok = True
        return result
    except Exception as error:
        node_id = current.running[-1] if current.running else None
        trace.emit(trace.ErrorRaised(type(error).__name__, str(error), node_id,
                                     _tensor_named_in(error, roots)))
        raise
    finally:
        passes.pop()
        trace.emit(trace.BackwardFinished(current.id, ok))


def _as_tuple(tensors) -> tuple:
    if isinstance(tensors, torch.Tensor):
        return (tensors,)
    try:
        return tuple(tensors) if tensors is not None else ()
    except TypeError:
        return ()


def _root(tensor) -> tuple:
    from graphtui.backends.torch import forward
    tid = forward.ensure_announced(tensor)
    grad_fn = tensor.grad_fn
    return (None if grad_fn is None else ids.known_node_id(grad_fn), tid)


_ELEMENT = re.compile(r"^element (\d+) of tensors does not require grad")


def _tensor_named_in(error: Exception, roots: tuple) -> int | None:
    match = _ELEMENT.match(str(error))
    if match and int(match[1]) < len(roots):
        return roots[int(match[1])][1]
    return None
