"""The backward executor: one loop over a graph task, in PyTorch's order.

Ready nodes run by descending sequence number (AccumulateGrad has the largest, so a leaf's
gradient lands as soon as it is ready). At a node: tensor hooks, node pre-hooks, retain_grad's
copy, the node, node post-hooks; at a leaf: tensor hooks, accumulate, post-accumulate-grad
hooks. Saved buffers are freed as each node runs unless retain_graph.
"""
from __future__ import annotations

import heapq
import itertools
import warnings
import weakref

import numpy as np

from engine import trace
from engine._cpp_warning import cpp_warning, warn_once
from engine.autograd import anomaly_mode as _anomaly
from engine.autograd import grad_mode as _gm
from engine.autograd import node as _node
from engine.autograd.function import BackwardCFunction
from engine.autograd.node import AccumulateGrad
from engine.ops._core import user_location
from engine.tensor import Tensor
from engine.utils.hooks import fire

_backward_ids = itertools.count(1)


def _reset_backward_ids() -> None:
    global _backward_ids
    _backward_ids = itertools.count(1)


trace.on_reset_ids(_reset_backward_ids)


class GraphTask:
    """One backward() or autograd.grad() call."""

    def __init__(self, retain_graph: bool, create_graph: bool, accumulate: bool) -> None:
        self.retain_graph = retain_graph
        self.create_graph = create_graph
        self.accumulate = accumulate
        self.dependencies: dict = {}
        self.buffers: dict = {}
        self.needed: set | None = None          # None: every reachable node runs
        self.captures: dict = {}                # (node, input_nr) -> index into results
        self.results: list = []
        self.capture_leaf_only: set = set()     # AccumulateGrads that capture instead of run
        self.captured: dict = {}                # id(gradient array) -> the Tensor returned
        # While watched: id(gradient array) -> (weak reference to it, its summary), for the
        # gradients a node produced, so the node they flow into unchanged announces them
        # with the same summary instead of summarising them again.
        self.flowing: dict = {}

    # ------------------------------------------------------------ graph
    def count_dependencies(self, root_nodes) -> None:
        # A node is walked once: when it is first met as a child (its count starts), or as
        # a root. The reachable nodes are the roots and the counted children.
        roots = set(root_nodes)
        deps = self.dependencies
        stack = list(roots)
        while stack:
            for e in stack.pop()._next:
                if e is not None:
                    child = e[0]
                    count = deps.get(child)
                    if count is None:
                        deps[child] = 1
                        if child not in roots:
                            stack.append(child)
                    else:
                        deps[child] = count + 1
        self.roots = roots

    @property
    def reachable(self) -> set:
        return self.roots | self.dependencies.keys()

    def restrict_to(self, targets) -> None:
        """Run only nodes on a path to the targets (edges for the `inputs=` tensors)."""
        target_nodes = {node for node, _ in targets}
        needed: set = set()
        order = _post_order(self.reachable)
        for node in order:
            if node in target_nodes and (isinstance(node, AccumulateGrad) and self.accumulate):
                needed.add(node)
            elif any(e is not None and (e[0] in needed or e[0] in target_nodes)
                     for e in node._next):
                needed.add(node)
        self.needed = needed

    def add_grad(self, node, input_nr: int, grad) -> None:
        buffer = self.buffers.get(node)
        if buffer is None:
            buffer = self.buffers[node] = [None] * node._num_outputs
        current = buffer[input_nr]
        buffer[input_nr] = grad if current is None else current + grad


def _post_order(nodes) -> list:
    """Children before parents, over the reachable nodes."""
    order, done = [], set()
    for start in nodes:
        if start in done:
            continue
        stack = [(start, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
                continue
            if node in done:
                continue
            done.add(node)
            stack.append((node, True))
            for e in node._next:
                if e is not None and e[0] not in done and e[0] in nodes:
                    stack.append((e[0], False))
    return order


# ---------------------------------------------------------------- running

def execute(roots: list, root_grads: list, *, retain_graph: bool, create_graph: bool,
            inputs=None, accumulate: bool = True, root_tensors=()) -> list:
    """Run backward from `roots` (edges) seeded with `root_grads`. Returns captured grads
    for `inputs` (in order) when accumulate is False or inputs are non-leaves."""
    if accumulate and create_graph:
        _warn_reference_cycle()
    task = GraphTask(retain_graph, create_graph, accumulate)
    root_nodes = [node for node, _ in roots]
    task.count_dependencies(root_nodes)
    if inputs is not None:
        targets = [_input_edge(t) for t in inputs]
        task.results = [None] * len(targets)
        for index, (node, nr) in enumerate(targets):
            task.captures[(node, nr)] = index
            if isinstance(node, AccumulateGrad) and not accumulate:
                task.capture_leaf_only.add(node)
        task.restrict_to(targets)
    for (node, nr), grad in zip(roots, root_grads):
        task.add_grad(node, nr, grad)

    backward_id = next(_backward_ids)
    if trace.active:
        trace.emit(trace.BackwardStarted(
            backward_id, "backward" if accumulate else "grad",
            tuple((node._id, trace.tensor_id(t)) for (node, _), t in zip(roots, root_tensors)),
            retain_graph, create_graph, user_location()))
    previous_mode, previous_graph_mode = _gm.state.enabled, _node.graph_mode
    _gm.state.enabled, _node.graph_mode = create_graph, create_graph
    ok = False
    try:
        with np.errstate(all="ignore"):     # PyTorch never warns about inf / nan arithmetic
            _run(task, root_nodes)
        ok = True
    finally:
        _gm.state.enabled, _node.graph_mode = previous_mode, previous_graph_mode
        if trace.active:
            trace.emit(trace.BackwardFinished(backward_id, ok))
    return task.results


REFERENCE_CYCLE_WARNING = cpp_warning(
    "Using backward() with create_graph=True will create a reference cycle between the "
    "parameter and its gradient which can cause a memory leak. We recommend using autograd.grad "
    "when creating the graph to avoid this. If you have to use this function, make sure to reset "
    "the .grad fields of your parameters to None after use to break the cycle and avoid the "
    "leak.", "torch/csrc/autograd/engine.cpp:1307")


def _warn_reference_cycle() -> None:
    """torch warns once per process (TORCH_WARN_ONCE) when backward() runs with create_graph."""
    warn_once(REFERENCE_CYCLE_WARNING, stacklevel=4)


def _input_edge(tensor: Tensor):
    if tensor.grad_fn is not None:
        return (tensor._grad_fn, tensor._output_nr)
    return (_node.grad_accumulator(tensor), 0)


def _run(task: GraphTask, root_nodes) -> None:
    ready: list = []
    tie = itertools.count()
    pushed = set()
    for node in root_nodes:
        if task.dependencies.get(node, 0) == 0 and node not in pushed and _wanted(task, node):
            heapq.heappush(ready, (-node._sequence_nr, next(tie), node))
            pushed.add(node)
        elif len(root_nodes) == 1 and task.dependencies.get(node, 0) == 0:
            _unneeded_root(task, node)
    buffers, dependencies, everything = task.buffers, task.dependencies, task.needed is None
    plain = everything and not task.captures
    push, pop = heapq.heappush, heapq.heappop
    while ready:
        node = pop(ready)[2]
        grads = buffers.pop(node, None) or [None] * node._num_outputs
        grad_inputs = _run_node(task, node, grads, plain)
        for e, grad in zip(node._next, grad_inputs):
            if e is None:
                continue
            child, nr = e
            if grad is not None:
                buffer = buffers.get(child)
                if buffer is None:
                    buffer = buffers[child] = [None] * child._num_outputs
                current = buffer[nr]
                buffer[nr] = grad if current is None else current + grad
            remaining = dependencies[child] - 1
            dependencies[child] = remaining
            if remaining == 0 and (everything or _wanted(task, child)):
                push(ready, (-child._sequence_nr, next(tie), child))


def _wanted(task: GraphTask, node) -> bool:
    if task.needed is None or node in task.needed:
        return True
    return any((node, nr) in task.captures for nr in range(node._num_outputs))


def _run_node(task: GraphTask, node, grads: list, plain: bool) -> tuple:
    """Every node runs here, and only here are nodes announced: NodeExecuting before its
    work, NodeExecuted after, then its saved buffers freed (BufferFreed). Hooks on the
    gradients flowing into an op's node fire before it is announced; a leaf's hooks are part
    of its accumulation (as in PyTorch, where they are AccumulateGrad's pre-hooks).

    ``plain``: the task neither restricts nor captures. Then a node with nothing but its own
    work to do (`_bare`) does it the short way (`_bare_work`); watched or not, it is
    announced the same."""
    leaf = type(node) is AccumulateGrad
    bare = plain and _bare(task, node)
    if not (leaf or bare):
        if node._tensor_pre_hooks or node._retain_grad_refs or node._pre_hooks or \
                task.captures:
            grads = _pre_hooks(task, node, grads)
        if task.needed is not None and node not in task.needed:
            return (None,) * len(node._next)
    name = received = None
    if trace.active:
        name = _name(node, leaf)
        received = _received_summaries(task, grads)
        trace.emit(trace.NodeExecuting(node._id, name, received))
    try:
        if bare:
            grad_inputs = _bare_work(task, node, grads)
        elif leaf:
            grad_inputs = _accumulate(task, node, grads[0])
        else:
            grad_inputs = _apply(task, node, grads)
    except BaseException as error:
        _report_error(node, error)
        raise
    if trace.active:
        trace.emit(trace.NodeExecuted(node._id, name or _name(node, leaf),
                                      _produced_summaries(task, grad_inputs, grads, received)))
    if not task.retain_graph and node._saved:
        if trace.active:
            _release(node)
        else:
            node._free_saved()
    return grad_inputs


def _name(node, leaf: bool) -> str:
    return "AccumulateGrad" if leaf else node.name()    # name() is torch's, namespaced


def _unneeded_root(task: GraphTask, node) -> None:
    """A lone root that no `inputs=` tensor is behind: PyTorch still evaluates it (it is the
    graph task's root, not a child that is skipped), but only its tensor hooks and
    retain_grad see the gradient; the node does not run."""
    grads = task.buffers.pop(node, None) or [None] * node._num_outputs
    if type(node) is AccumulateGrad:
        _leaf_tensor_hooks(node.variable, grads[0], task.create_graph)
    else:
        _pre_hooks(task, node, grads)


def _bare(task: GraphTask, node) -> bool:
    """Whether nothing but the node's own work happens at it: anomaly mode is off, no hook
    of any kind is on the node (or on its leaf), and the node's gradients need no check
    beyond their shapes. (The caller has checked that the task neither restricts nor
    captures.)"""
    if _anomaly.state.enabled or node._pre_hooks or node._post_hooks:
        return False
    if type(node) is AccumulateGrad:
        variable = node.variable
        return task.accumulate and variable._grad_fn is None and \
            not (variable._hooks or variable._post_acc_hooks)
    return node._checked and not (node._tensor_pre_hooks or node._retain_grad_refs)


def _bare_work(task: GraphTask, node, grads: list) -> tuple:
    """A node for which `_bare` holds: its rule (or the leaf's accumulation) alone.

    An op-table node's gradients have its inputs' dtype (see `_attach_node`); their shapes
    are compared with the inputs' (cheaper than _validate's look at each child), so a rule
    that gets one wrong is still caught and conformed."""
    if type(node) is AccumulateGrad:
        # requires_grad_(False) on the leaf after forward: PyTorch stores nothing
        if grads[0] is not None and node.variable._requires_grad:
            _store_grad(node.variable, grads[0], task.create_graph, retained=False)
        return ()
    if grads[0] is None:                # no gradient: the rule is skipped
        return (None,) * len(node._next)
    grad_inputs = node._apply(grads)
    if type(grad_inputs) is not tuple:
        grad_inputs = _as_tuple(grad_inputs)
    for grad, shape in zip(grad_inputs, node._in_shapes):
        if grad is not None and grad.shape != shape:
            return _validate(node, grad_inputs)
    return grad_inputs


def _apply(task: GraphTask, node, grads: list) -> tuple:
    """Run an op's node on its (pre-hooked) output grads; check its gradients.

    A node that got no gradient at all runs as PyTorch's does: its rule is skipped (every
    input's gradient is None), but its post-hooks fire. Post hooks see None, not the zeros
    a rule gets, for outputs that got no gradient."""
    received = grads
    if node._num_outputs == 1:
        runs = grads[0] is not None
    else:
        runs = any(g is not None for g in grads)
        if runs:
            grads = _materialize(node, grads)
    grad_inputs = node._apply(grads) if runs else (None,) * len(node._next)
    if type(grad_inputs) is not tuple:
        grad_inputs = _as_tuple(grad_inputs)
    if task.needed is not None:
        grad_inputs = _only_wanted(task, node, grad_inputs)
    elif node._post_hooks and not (node._tensor_list_input or
                                   isinstance(node, BackwardCFunction)):
        grad_inputs = _only_connected(node, grad_inputs)
    # PyTorch's call_function: validate_outputs (casts, expands) before the post hooks,
    # which see the gradients as the next nodes will; the anomaly check after them.
    grad_inputs = _validate(node, grad_inputs)
    if node._post_hooks:
        grad_inputs = _post_hooks(node, grad_inputs, received)
    if _anomaly.state.enabled:
        _check_nan(node, grad_inputs)
    return grad_inputs


def _only_wanted(task: GraphTask, node, grad_inputs: tuple) -> tuple:
    """Under `inputs=`, an input whose node does not run gets None, as PyTorch's nodes
    compute only the outputs whose edges will execute (should_compute_output): post hooks
    see None there. cat's / stack's tensors are one argument: all computed when one is
    wanted."""
    if node._tensor_list_input and any(e is not None and _wanted(task, e[0])
                                       for e in node._next):
        return grad_inputs
    return tuple(None if e is None or not _wanted(task, e[0]) else grad
                 for e, grad in zip(node._next, grad_inputs))


def _as_tuple(grad_inputs) -> tuple:
    if isinstance(grad_inputs, tuple):
        return grad_inputs
    return tuple(grad_inputs) if isinstance(grad_inputs, list) else (grad_inputs,)


def _check_nan(node, grad_inputs: tuple) -> None:
    if not _anomaly.state.check_nan:
        return
    for index, grad in enumerate(grad_inputs):
        if grad is not None and np.isnan(_array(grad)).any():
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its "
                               f"{index}th output.")


def _report_error(node, error: BaseException) -> None:
    if _anomaly.state.enabled and node._forward_stack and isinstance(error, Exception):
        stack = "".join(node._forward_stack)
        warnings.warn(cpp_warning(f"Error detected in {node.name()}. Traceback of forward call "
                                  f"that caused the error:\n{stack}",
                                  "torch/csrc/autograd/python_anomaly_mode.cpp:122"),
                      UserWarning, stacklevel=2)
    if trace.active and isinstance(error, Exception):
        trace.emit(trace.ErrorRaised(type(error).__name__, str(error), node._id, None))


def _release(node) -> None:
    names, nbytes = node._release()
    if names and trace.active:
        trace.emit(trace.BufferFreed(node._id, names, nbytes))


def _materialize(node, grads: list) -> list:
    """Zeros for outputs that got no gradient, when other outputs did (not for a node whose
    rule, as ATen's formulas do, tells an undefined gradient from zeros: linalg's)."""
    if node._out_meta is None or getattr(node, "keeps_undefined_grads", False):
        return grads
    return [np.zeros(shape, dtype) if g is None else g
            for g, (shape, dtype) in zip(grads, node._out_meta)]


# ---------------------------------------------------------------- hooks

def _as_tensor(grad):
    if grad is None or isinstance(grad, Tensor):
        return grad
    return Tensor._make(np.asarray(grad))     # a rule may give a NumPy scalar for a 0-dim grad


def _captured(task: GraphTask, grad):
    """What autograd.grad returns for a captured gradient: one Tensor per gradient array, so
    a gradient that flowed through unchanged (CloneBackward0 passes it on) to two inputs is
    one tensor, as in PyTorch."""
    if grad is None or isinstance(grad, Tensor) or not isinstance(grad, np.ndarray):
        return _as_tensor(grad)
    tensor = task.captured.get(id(grad))
    if tensor is None or tensor._data is not grad:
        tensor = task.captured[id(grad)] = Tensor._make(grad)
    return tensor


def _array(grad):
    return grad._data if isinstance(grad, Tensor) else grad


def _checked_hook_result(fn, value, grad):
    """A tensor hook may replace the gradient, but not change its size (a missing gradient,
    None, it may replace with anything)."""
    if value is not None and grad is not None and tuple(value.shape) != tuple(grad.shape):
        name = getattr(fn, "__name__", type(fn).__name__)
        raise RuntimeError(f"hook '{name}' has changed the size of value")
    return value


def _from_hook(value, graph: bool):
    if value is None:
        return None
    if graph:
        return value if isinstance(value, Tensor) else Tensor._make(np.asarray(value))
    return value._data if isinstance(value, Tensor) else np.asarray(value)


def _pre_hooks(task: GraphTask, node, grads: list) -> list:
    """Tensor hooks, then retain_grad's copy, then node pre-hooks (PyTorch 2.13's order)."""
    target = f"node:{node._id}"
    graph = task.create_graph
    needed = task.needed is None or node in task.needed
    if needed and task.captures:
        # PyTorch's evaluate_function: a node that will run calls its tensor hooks itself,
        # so autograd.grad captures the gradient before them
        _capture(task, node, grads)
    if node._tensor_pre_hooks:
        for nr, hooks in list(node._tensor_pre_hooks.items()):
            for hook_id, fn in list(hooks.items()):
                if hook_id in hooks:        # with None for an output that got no gradient
                    result = _checked_hook_result(
                        fn, fire(hook_id, fn, "tensor", target, _as_tensor(grads[nr])), grads[nr])
                    if result is not None:
                        grads[nr] = _from_hook(result, graph)
    if node._retain_grad_refs:
        for nr, ref in node._retain_grad_refs.items():
            tensor = ref()
            if tensor is not None and grads[nr] is not None:
                _store_grad(tensor, grads[nr], graph, retained=True)
    # A node that will not run: its tensor hooks ran first, then the capture; node pre-hooks
    # run only when the node itself runs (PyTorch's evaluate_function).
    if not needed:
        _capture(task, node, grads)
    else:
        grads = _node_pre_hooks(node, grads, graph)
    return grads


def _capture(task: GraphTask, node, grads: list) -> None:
    for nr in range(node._num_outputs):
        index = task.captures.get((node, nr))
        if index is not None and grads[nr] is not None:
            task.results[index] = _captured(task, grads[nr])


def _node_pre_hooks(node, grads: list, graph: bool) -> list:
    if node._pre_hooks:
        target = f"node:{node._id}"
        for hook_id, fn in list(node._pre_hooks.items()):
            if hook_id in node._pre_hooks:
                result = fire(hook_id, fn, "grad_fn_pre", target,
                              tuple(_as_tensor(g) for g in grads))
                if result is not None:
                    grads = [_from_hook(r, graph) for r in result]
    return grads


def _only_connected(node, grad_inputs: tuple) -> tuple:
    """An op's node computes no gradient for an input with no edge (a leaf that does not
    require grad, a view made under no_grad): its post hooks see None there. A custom
    Function's hooks see what its backward returned, and cat's / stack's every input's
    gradient (their tensors are one argument)."""
    return tuple(None if e is None else grad for e, grad in zip(node._next, grad_inputs))


def _post_hooks(node, grad_inputs: tuple, grads: list) -> tuple:
    if not node._post_hooks:
        return grad_inputs
    target = f"node:{node._id}"
    for hook_id, fn in list(node._post_hooks.items()):
        if hook_id in node._post_hooks:
            result = fire(hook_id, fn, "grad_fn_post", target,
                          tuple(_as_tensor(g) for g in grad_inputs),
                          tuple(_as_tensor(g) for g in grads))
            if result is not None:
                _check_post_hook_result(fn, result, grad_inputs)
                grad_inputs = tuple(_from_hook(r, _node.graph_mode) for r in result)
    return grad_inputs


def _check_post_hook_result(fn, result, grad_inputs: tuple) -> None:
    """PyTorch's check_result for what a node post hook returned: a tuple of as many values,
    each None or a tensor of the same type and size as the gradient it replaces."""
    name = getattr(fn, "__name__", type(fn).__name__)
    if not isinstance(result, tuple):
        raise TypeError(f"expected tuple, but hook returned '{type(result).__name__}'")
    if len(result) != len(grad_inputs):
        raise RuntimeError(f"hook '{name}' has returned an incorrect number of values (got "
                           f"{len(result)}, but expected {len(grad_inputs)})")
    for original, value in zip(grad_inputs, result):
        if value is None:
            continue
        if original is None:
            raise RuntimeError("can't replace a None gradient with a non-None value")
        if not isinstance(value, Tensor):
            raise TypeError(f"expected Variable, but hook returned '{type(value).__name__}'")
        was = Tensor._dtype_of(_array(original)).tensor_type
        got = value.dtype.tensor_type
        if was != got:
            raise RuntimeError(f"hook '{name}' has changed the type of value (was torch.{was} "
                               f"got torch.{got})")
        if tuple(value.shape) != tuple(original.shape):
            raise RuntimeError(f"hook '{name}' has changed the size of value")


def _validate(node, grad_inputs: tuple) -> tuple:
    if len(grad_inputs) != len(node._next):
        raise RuntimeError(f"function {node.name()} returned an incorrect number of gradients "
                           f"(expected {len(node._next)}, got {len(grad_inputs)})")
    fixed = None
    for index, (e, grad) in enumerate(zip(node._next, grad_inputs)):
        if e is None or grad is None:
            continue
        child = e[0]
        if type(child) is AccumulateGrad:       # its meta is the leaf's, read now
            data = child.variable._data
            shape, dtype = data.shape, data.dtype
        else:
            meta = child._out_meta
            if meta is None:
                continue
            shape, dtype = meta[e[1]]
        if grad.shape == shape and (grad.dtype is dtype or grad.dtype == dtype):
            continue
        if fixed is None:
            fixed = list(grad_inputs)
        fixed[index] = _conform(node, index, grad, shape, dtype)
    return grad_inputs if fixed is None else tuple(fixed)


def _conform(node, index: int, grad, shape: tuple, dtype):
    if tuple(grad.shape) != tuple(shape):
        try:
            np.broadcast_shapes(tuple(shape), tuple(grad.shape))
            from engine.ops._core import reduce_to
            grad = reduce_to(grad, shape)
            if tuple(grad.shape) != tuple(shape):
                raise ValueError
        except ValueError:
            got = ", ".join(map(str, grad.shape))
            want = ", ".join(map(str, shape))
            raise RuntimeError(f"Function {node.name()} returned an invalid gradient at index "
                               f"{index} - got [{got}] but expected shape compatible with "
                               f"[{want}]") from None
    if isinstance(grad, Tensor):
        return grad if grad._data.dtype == dtype else grad.to(Tensor._dtype_of(np.empty(0, dtype)))
    grad = np.asarray(grad)
    return grad if grad.dtype == dtype else grad.astype(dtype)


# ---------------------------------------------------------------- leaves

def _accumulate(task: GraphTask, node: AccumulateGrad, grad) -> tuple:
    """Tensor hooks, node pre-hooks, accumulate, post-accumulate-grad hooks, node post-hooks.
    With no gradient (None), PyTorch still calls the hooks (with None), accumulating nothing.
    Returns the node's gradients for its inputs: none."""
    variable = node.variable
    graph = task.create_graph
    target = f"tensor:{trace.tensor_id(variable) if trace.active else 0}"
    grad = _leaf_tensor_hooks(variable, grad, graph)
    index = task.captures.get((node, 0))
    if index is not None:
        task.results[index] = _captured(task, grad)
    if node not in task.capture_leaf_only:    # captured for autograd.grad: not run
        (grad,) = _node_pre_hooks(node, [grad], graph)
        if task.accumulate:
            if variable._grad_fn is not None:
                # An in-place op made the leaf an op's output after this node was made
                # (PyTorch refuses even when no gradient reached the node).
                raise RuntimeError("leaf variable has been moved into the graph interior")
            # A leaf that stopped requiring grad accumulates nothing, yet its hooks run.
            if grad is not None and variable._requires_grad:
                _store_grad(variable, grad, graph, retained=False)
            _post_accumulate_hooks(variable, target)
        _post_hooks(node, (), [grad])
    return ()


def _leaf_tensor_hooks(variable: Tensor, grad, graph: bool):
    """A leaf's tensor hooks, in order, each on what the one before returned."""
    if variable._hooks:
        target = f"tensor:{trace.tensor_id(variable) if trace.active else 0}"
        for hook_id, fn in list(variable._hooks.items()):
            if hook_id in variable._hooks:
                result = _checked_hook_result(
                    fn, fire(hook_id, fn, "tensor", target, _as_tensor(grad)), grad)
                if result is not None:
                    grad = _from_hook(result, graph)
    return grad


def _post_accumulate_hooks(variable: Tensor, target: str) -> None:
    hooks = variable._post_acc_hooks
    if not hooks:
        return
    for hook_id, fn in list(hooks.items()):
        if hook_id in hooks and fire(hook_id, fn, "post_accumulate_grad", target,
                                     variable) is not None:
            raise RuntimeError("Tensor post accumulate grad hooks should return None.")


def _store_grad(tensor: Tensor, grad, graph: bool, *, retained: bool) -> None:
    """Set or add to `tensor.grad`, as PyTorch's AccumulateGrad (and retain_grad) do."""
    existing = tensor._grad
    array = _array(grad)
    if array.shape != tensor._data.shape:
        array = np.broadcast_to(array, tensor._data.shape)
    if existing is None:
        if graph and isinstance(grad, Tensor) and retained:
            from engine.ops.shape import clone_contiguous     # retain_grad's grad.clone()
            tensor._grad = clone_contiguous(grad)
        elif graph and isinstance(grad, Tensor):
            tensor._grad = _differentiable_copy(grad)
        else:
            stored = np.array(array, dtype=tensor._data.dtype, copy=True)
            if not stored.size and not _obeys_layout_contract(array, tensor._data):
                stored = _with_strides_of(stored, tensor._data)
            tensor._grad = Tensor._make(stored)
    elif graph:
        tensor._grad = existing + grad
    elif retained:
        # retain_grad's hook adds out of place (var.grad() + grad): a .grad read before
        # keeps its value
        tensor._grad = Tensor._make((existing._data + array).astype(existing._data.dtype,
                                                                     copy=False))
    else:
        existing._data += array
        existing._vc[0] += 1
        if not tensor._data.size:
            _check_layout_contract(existing._data, tensor._data)
    if trace.active:
        trace.emit(trace.GradAccumulated(trace.tensor_id(tensor), trace.summarize(tensor._grad),
                                         existing is not None, retained))


_LAYOUT_CONTRACT_SITE = "torch/csrc/autograd/functions/accumulate_grad.h:252"


def _obeys_layout_contract(grad: np.ndarray, param: np.ndarray) -> bool:
    """torch's obeys_layout_contract for a dense param: the param's strides, except that a
    size-1 dim may have any stride but 0."""
    return all(step != 0 if size == 1 else step == param_step for size, step, param_step
               in zip(grad.shape, _steps(grad), _steps(param)))


def _steps(array: np.ndarray) -> list:
    return [s // array.itemsize for s in array.strides]


def _with_strides_of(empty: np.ndarray, param: np.ndarray) -> np.ndarray:
    """AccumulateGrad's clone_obey_contract for an empty grad: the param's strides (an empty
    array's strides touch no memory, so any are safe)."""
    steps = [step * empty.itemsize for step in _steps(param)]
    return np.lib.stride_tricks.as_strided(empty, empty.shape, steps)


def _check_layout_contract(grad: np.ndarray, param: np.ndarray) -> None:
    """AccumulateGrad's CHECK_RESULT after `grad += new_grad`, for an empty param (dense by
    definition, so its strides are the contract): a size-1 dim of stride 0 breaks it, which
    a param made from an empty NumPy array has (torch.tensor keeps NumPy's zero strides).
    PyTorch warns once per process (TORCH_WARN_ONCE), every time under set_warn_always.
    Only empty params are checked: a NumPy array's strides say nothing of torch's for a
    non-empty one."""
    steps = [s // grad.itemsize for s in grad.strides]
    if not any(size == 1 and step == 0 for size, step in zip(grad.shape, steps)):
        return
    param_steps = [s // param.itemsize for s in param.strides]
    warn_once(cpp_warning(
        "grad and param do not obey the gradient layout contract. This is not an error, but "
        f"may impair performance.\ngrad.sizes() = {_listed(grad.shape)}, strides() = "
        f"{_listed(steps)}\nparam.sizes() = {_listed(param.shape)}, strides() = "
        f"{_listed(param_steps)}", _LAYOUT_CONTRACT_SITE), UserWarning, stacklevel=2,
        site=_LAYOUT_CONTRACT_SITE)


def _listed(values) -> str:
    return "[" + ", ".join(str(int(v)) for v in values) + "]"


def _differentiable_copy(grad: Tensor) -> Tensor:
    """What AccumulateGrad stores under create_graph: a copy whose grad_fn is CopyBackwards."""
    from engine.ops._core import record
    from engine.ops.inplace import CopyBackwards
    out = record(CopyBackwards, grad._data.copy(), (None, grad))
    if out._grad_fn is not None:
        out._grad_fn._in_shapes = (None, grad._data.shape)
    return out


def _produced_summaries(task: GraphTask, grads, received_grads: list,
                        received: tuple | None) -> tuple:
    """The summaries of the gradients a node produced, remembered for the node each flows
    into (see _received_summaries). Gradients in flight are fresh arrays that nothing writes
    to later: their summaries need no copy, and a gradient the node passed on as it received
    it (an add's, a sub's) keeps the summary it came with."""
    summaries = []
    flowing = task.flowing
    for grad in grads:
        summary = None
        if received is not None and grad is not None:
            for index, incoming in enumerate(received_grads):
                if incoming is grad:
                    summary = received[index]
                    break
        if summary is None:
            summary = trace.summarize(grad, copy=False)
        summaries.append(summary)
        if type(grad) is np.ndarray:
            flowing[id(grad)] = (weakref.ref(grad), summary)
    return tuple(summaries)


def _received_summaries(task: GraphTask, grads) -> tuple:
    """The summaries of the gradients a node received: those that arrived unchanged from the
    node that produced them are its summaries (the same object), the others are made now."""
    flowing = task.flowing
    summaries = []
    for grad in grads:
        entry = flowing.pop(id(grad), None) if type(grad) is np.ndarray else None
        if entry is not None and entry[0]() is grad:
            summaries.append(entry[1])
        else:
            summaries.append(trace.summarize(grad, copy=False))
    return tuple(summaries)
