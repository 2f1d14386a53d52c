"""backward() and grad(): argument checks with PyTorch's texts, then the executor."""
from __future__ import annotations

import numpy as np

from engine import trace
from engine.autograd import executor
from engine.tensor import CreationMeta, Tensor


def _as_tuple(value) -> tuple:
    if value is None:
        return ()
    if isinstance(value, Tensor):
        return (value,)
    return tuple(value)


def _mark_no_grad_view(grad) -> None:
    """A gradient computed without create_graph that is a view (the expand of a sum's
    backward, say) is, in PyTorch, a view made in no_grad mode: writable, and an in-place
    edit with a value that requires grad is refused."""
    if grad is None or grad._data.base is None or grad._base is not None:
        return
    if not grad._data.flags.writeable:
        grad._data = grad._data.copy()
        return
    base = Tensor._make(grad._data.base if isinstance(grad._data.base, np.ndarray)
                        else np.asarray(grad._data.base))
    grad._vc = base._vc
    grad._base = base
    grad._view_version = base._vc[0]
    grad._no_grad_alias = True
    grad._creation_meta = CreationMeta.NO_GRAD_MODE


def _root_grads(outputs: tuple, grad_outputs, create_graph: bool) -> list:
    grads = list(_as_tuple(grad_outputs)) if grad_outputs is not None else [None] * len(outputs)
    if len(grads) != len(outputs):
        raise RuntimeError(f"got {len(outputs)} tensors and {len(grads)} gradients")
    result = []
    for index, (out, grad) in enumerate(zip(outputs, grads)):
        if grad is None:
            if out._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if out._data.dtype.kind not in "fc":
                raise RuntimeError(f"grad can be implicitly created only for real scalar "
                                   f"outputs but got {out.dtype}")
            grad_data = np.ones(out._data.shape, dtype=out._data.dtype)
            result.append(Tensor._make(grad_data) if create_graph else grad_data)
            continue
        if not isinstance(grad, Tensor):
            grad = Tensor._make(np.asarray(grad, dtype=out._data.dtype))
        if grad._data.shape != out._data.shape:
            raise RuntimeError(f"Mismatch in shape: grad_output[{index}] has a shape of "
                               f"{grad.shape} and output[{index}] has a shape of {out.shape}.")
        data = grad._data if grad._data.dtype == out._data.dtype else grad._data.astype(out._data.dtype)
        result.append((grad if data is grad._data else Tensor._make(data)) if create_graph else data)
    return result


def _root_edges(outputs: tuple) -> list:
    edges = []
    for index, out in enumerate(outputs):
        out.grad_fn     # gradient_edge reads it first: a stale no-grad view raises here
        if not out._requires_grad or (out._grad_fn is None and out._no_grad_view
                                      and not out._own_requires_grad):
            error = RuntimeError(f"element {index} of tensors does not require grad and does "
                                 f"not have a grad_fn")
            if trace.active:
                trace.emit(trace.ErrorRaised("RuntimeError", str(error), None,
                                             trace.tensor_id(out)))
            raise error
        edges.append(executor._input_edge(out))
    return edges


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False,
             grad_variables=None, inputs=None) -> None:
    """Compute the sum of gradients of `tensors` w.r.t. graph leaves into their .grad."""
    if grad_variables is not None:
        grad_tensors = grad_variables
    outputs = _as_tuple(tensors)
    if inputs is not None:
        inputs = _as_tuple(inputs)
        if not inputs:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    if retain_graph is None:
        retain_graph = create_graph
    edges = _root_edges(outputs)
    grads = _root_grads(outputs, grad_tensors, create_graph)
    for tensor in inputs or ():
        if tensor._grad_fn is not None:
            tensor.retain_grad()      # PyTorch fills .grad of non-leaf inputs this way
    executor.execute(edges, grads, retain_graph=retain_graph, create_graph=create_graph,
                     inputs=inputs, accumulate=True, root_tensors=outputs)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """Compute and return the gradients of outputs w.r.t. inputs (nothing is accumulated)."""
    outputs = _as_tuple(outputs)
    inputs_tuple = _as_tuple(inputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    for tensor in inputs_tuple:
        if not tensor.requires_grad:        # a view made under no_grad requires grad too
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    if retain_graph is None:
        retain_graph = create_graph
    edges = _root_edges(outputs)
    grads = _root_grads(outputs, grad_outputs, create_graph)
    # A tensor given twice gets its gradient twice: the executor captures each edge once.
    unique = list({id(t): t for t in inputs_tuple}.values())
    captured = executor.execute(edges, grads, retain_graph=retain_graph,
                                create_graph=create_graph, inputs=tuple(unique),
                                accumulate=False, root_tensors=outputs)
    if not create_graph:
        for value in captured:
            _mark_no_grad_view(value)
    by_id = {id(t): value for t, value in zip(unique, captured)}
    results = [by_id[id(t)] for t in inputs_tuple]
    for index, value in enumerate(results):
        if value is None:
            if materialize_grads:
                results[index] = Tensor._make(np.zeros_like(inputs_tuple[index]._data))
            elif not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {index} appears to not "
                                   "have been used in the graph. Set allow_unused=True if this "
                                   "is the desired behavior.")
    return tuple(results)
