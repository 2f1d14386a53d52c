"""torch.autograd.functional: vjp, jvp, jacobian, hessian, vhp and hvp of a Python function.

Each is built on ``autograd.grad`` the way PyTorch builds it, so a watched run shows the
same graphs and backward calls: the inputs are detached copies that require grad (views of
the inputs under ``create_graph``), a Jacobian is one ``grad`` call per output element, and
jvp / hvp use the double-backward trick (a ``grad`` with respect to zero grad_outputs).
Results are detached unless ``create_graph=True``. Forward-mode AD (``strategy=
"forward-mode"``) is not supported by the engine; ``vectorize=True`` gives the same values
as the loop and is computed by it.
"""
from __future__ import annotations

from engine._unsupported import NotSupportedError
from engine.autograd import api
from engine.autograd.grad_mode import enable_grad, is_grad_enabled, set_grad_enabled

__all__ = ["vjp", "jvp", "jacobian", "hessian", "vhp", "hvp"]


def _tensor_type():
    from engine.tensor import Tensor
    return Tensor


# ---------------------------------------------------------------- argument plumbing

def _as_tuple(value, arg_name: str, fn_name: str) -> tuple[bool, tuple]:
    """(whether ``value`` was a tuple, its tensors as a tuple); a non-tensor is a TypeError."""
    was_tuple = isinstance(value, tuple)
    items = value if was_tuple else (value,)
    for index, item in enumerate(items):
        if not isinstance(item, _tensor_type()):
            where = (f"value at index {index}" if was_tuple else f"given {arg_name}")
            raise TypeError(f"The {arg_name} given to {fn_name} must be either a Tensor or a "
                            f"tuple of Tensors but the {where} has type {type(item)}.")
    return was_tuple, items


def _unpack(results, was_tuple):
    """Undo ``_as_tuple`` on results: one flag, or (outer, inner) flags for nested ones."""
    if isinstance(was_tuple, tuple):
        outer, inner = was_tuple
        if not inner:
            results = tuple(row[0] for row in results)
        return results if outer else results[0]
    return results if was_tuple else results[0]


def _differentiable_inputs(inputs, create_graph: bool, need_graph: bool) -> tuple:
    """Fresh tensors to differentiate with respect to: a view of an input that requires
    grad when the result must be differentiable too, else a detached copy."""
    return tuple(t.view_as(t) if create_graph and t.requires_grad
                 else t.detach().requires_grad_(need_graph) for t in inputs)


def _detached(results, create_graph: bool):
    if create_graph:
        return results
    if results and isinstance(results[0], _tensor_type()):
        return tuple(t.detach() for t in results)
    return tuple(_detached(row, create_graph) for row in results)


def _check_v(v, like, like_was_tuple: bool) -> None:
    if len(v) != len(like):
        if like_was_tuple:
            raise RuntimeError(f"v is a tuple of invalid length: should be {len(like)} but "
                               f"got {len(v)}.")
        raise RuntimeError("The given v should contain a single Tensor.")
    for index, (given, wanted) in enumerate(zip(v, like)):
        if given.size() != wanted.size():
            entry = f"Entry {index} in " if like_was_tuple else ""
            raise RuntimeError(f"{entry}v has invalid size: should be {wanted.size()} but got "
                               f"{given.size()}.")


def _vector(v, like, like_was_tuple: bool, fn_name: str, create_graph: bool, none_text: str):
    if v is None:
        if len(like) != 1 or like[0].nelement() != 1:
            raise RuntimeError(none_text)
        return None
    _, v = _as_tuple(v, "v", fn_name)
    v = _differentiable_inputs(v, create_graph, need_graph=False)
    _check_v(v, like, like_was_tuple)
    return v


_OUTPUT_IS_SCALAR = ("The vector v can only be None if the user-provided function returns "
                     "a single Tensor with a single element.")
_INPUT_IS_SCALAR = ("The vector v can only be None if the input to the user-provided "
                    "function is a single Tensor with a single element.")


# ---------------------------------------------------------------- strict-mode checks

_NOT_REQUIRING = {
    "outputs": ("Output {i} of the user-provided function does not require gradients. The "
                "outputs must be computed in a differentiable manner from the input when "
                "running in strict mode."),
    "grad_inputs": ("The gradient with respect to input {i} is independent of the inputs of "
                    "the user-provided function. This is not allowed in strict mode."),
    "jacobian": ("While computing the hessian, found that the jacobian of the user-provided "
                 "function with respect to input {i} is independent of the input. This is not "
                 "allowed in strict mode. You should ensure that your function is twice "
                 "differentiable and that the jacobian depends on the inputs (this would be "
                 "violated by a linear function for example)."),
    "hessian": ("The hessian of the user-provided function with respect to input {i} is "
                "independent of the input. This is not allowed in strict mode. You should "
                "ensure that your function is thrice differentiable and that the hessian "
                "depends on the inputs."),
}


def _check_requires_grad(tensors, kind: str, strict: bool) -> None:
    if not strict:
        return
    for i, tensor in enumerate(tensors):
        if tensor is None:
            raise RuntimeError(f"The output of the user-provided function is independent of "
                               f"input {i}. This is not allowed in strict mode.")
        if not tensor.requires_grad:
            raise RuntimeError(_NOT_REQUIRING[kind].format(i=i))


_INDEPENDENT = {
    "back": ("The output of the user-provided function is independent of input {i}. This is "
             "not allowed in strict mode."),
    "back_trick": ("The gradient with respect to the input is independent of entry {i} in the "
                   "grad_outputs when using the double backward trick to compute forward mode "
                   "gradients. This is not allowed in strict mode."),
    "double_back": ("The jacobian of the user-provided function is independent of input {i}. "
                    "This is not allowed in strict mode."),
    "double_back_trick": ("The hessian of the user-provided function is independent of entry "
                          "{i} in the grad_jacobian. This is not allowed in strict mode as it "
                          "prevents from using the double backward trick to replace forward "
                          "mode AD."),
}


def _zeros_for_none(grads, like, strict: bool, create_graph: bool, stage: str) -> tuple:
    """Each missing gradient as zeros shaped like its reference (strict mode raises)."""
    import engine
    filled = []
    for i, grad in enumerate(grads):
        if grad is None:
            if strict:
                raise RuntimeError(_INDEPENDENT[stage].format(i=i))
            grad = engine.zeros_like(like[i])
        elif strict and create_graph and not grad.requires_grad:
            what = "hessian" if "double" in stage else "jacobian"
            raise RuntimeError(f"The {what} of the user-provided function is independent of "
                               f"input {i}. This is not allowed in strict mode when "
                               f"create_graph=True.")
        filled.append(grad)
    return tuple(filled)


def _grad(outputs, inputs, grad_outputs=None, create_graph=False, retain_graph=None) -> tuple:
    """``autograd.grad`` over the outputs that require grad; all None when none does."""
    grad_outputs = (None,) * len(outputs) if grad_outputs is None else grad_outputs
    kept = [(out, g) for out, g in zip(outputs, grad_outputs)
            if out is not None and out.requires_grad]
    if not kept:
        return (None,) * len(inputs)
    return api.grad(tuple(out for out, _ in kept), inputs, tuple(g for _, g in kept),
                    allow_unused=True, create_graph=create_graph, retain_graph=retain_graph)


def _prepared(inputs, fn_name: str, create_graph: bool) -> tuple[bool, tuple]:
    was_tuple, inputs = _as_tuple(inputs, "inputs", fn_name)
    return was_tuple, _differentiable_inputs(inputs, create_graph, need_graph=True)


def _last_grad(outputs, inputs, v, refs, stage: str, create_graph: bool, strict: bool):
    """The product: a grad call whose result is differentiable only under create_graph."""
    with set_grad_enabled(True if create_graph else is_grad_enabled()):
        grads = _grad(outputs, inputs, v, create_graph=create_graph)
        return _zeros_for_none(grads, refs, strict, create_graph, stage)


def _results(outputs, outputs_tuple: bool, products, products_tuple: bool, create_graph: bool):
    return (_unpack(_detached(outputs, create_graph), outputs_tuple),
            _unpack(_detached(products, create_graph), products_tuple))


def _call(func, inputs, fn_name: str, strict: bool) -> tuple[bool, tuple]:
    was_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function",
                                   fn_name)
    _check_requires_grad(outputs, "outputs", strict)
    return was_tuple, outputs


# ---------------------------------------------------------------- the functions

def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v · J): the vector-Jacobian product."""
    with enable_grad():
        inputs_tuple, inputs = _prepared(inputs, "vjp", create_graph)
        outputs_tuple, outputs = _call(func, inputs, "vjp", strict)
        v = _vector(v, outputs, outputs_tuple, "vjp", create_graph, _OUTPUT_IS_SCALAR)
    products = _last_grad(outputs, inputs, v, inputs, "back", create_graph, strict)
    return _results(outputs, outputs_tuple, products, inputs_tuple, create_graph)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), J · v), by the double-backward trick."""
    with enable_grad():
        inputs_tuple, inputs = _prepared(inputs, "jvp", create_graph)
        v = _vector(v, inputs, inputs_tuple, "jvp", create_graph, _INPUT_IS_SCALAR)
        outputs_tuple, outputs = _call(func, inputs, "jvp", strict)
        import engine
        dummies = tuple(engine.zeros_like(out, requires_grad=True) for out in outputs)
        grad_inputs = _grad(outputs, inputs, dummies, create_graph=True)
        _check_requires_grad(grad_inputs, "grad_inputs", strict)
    products = _last_grad(grad_inputs, dummies, v, outputs, "back_trick", create_graph, strict)
    return _results(outputs, outputs_tuple, products, outputs_tuple, create_graph)


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy="reverse-mode"):
    """The Jacobian of ``func`` at ``inputs``: one ``grad`` call per output element."""
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError(
            'Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
            'function has more outputs than inputs, "forward-mode" tends to be more '
            'performant. Otherwise, prefer to use "reverse-mode".')
    if strategy == "forward-mode":
        raise NotSupportedError(
            "torch.autograd.functional.jacobian(strategy=\"forward-mode\") is not supported "
            "by graphtui's engine: it has no forward-mode AD; use strategy=\"reverse-mode\"")
    if vectorize and strict:
        raise RuntimeError("torch.autograd.functional.jacobian: `strict=True` and "
                           "`vectorized=True` are not supported together. Please either set "
                           "`strict=False` or `vectorize=False`.")
    with enable_grad():
        inputs_tuple, inputs = _prepared(inputs, "jacobian", create_graph)
        outputs_tuple, outputs = _call(func, inputs, "jacobian", strict)
        blocks = tuple(_jacobian_rows(i, out, inputs, create_graph, strict)
                       for i, out in enumerate(outputs))
    return _unpack(_detached(blocks, create_graph), (outputs_tuple, inputs_tuple))


def _jacobian_rows(index: int, output, inputs, create_graph: bool, strict: bool) -> tuple:
    """d output / d input for each input, each shaped output.shape + input.shape."""
    import engine
    rows = tuple([] for _ in inputs)
    flat = output.reshape(-1)
    for element in range(output.nelement()):
        grads = _grad((flat[element],), inputs, retain_graph=True, create_graph=create_graph)
        for which, (grad, inp) in enumerate(zip(grads, inputs)):
            if grad is None:
                if strict:
                    raise RuntimeError(f"Output {index} of the user-provided function is "
                                       f"independent of input {which}. This is not allowed "
                                       f"in strict mode.")
                grad = engine.zeros_like(inp)
            elif strict and create_graph and not grad.requires_grad:
                raise RuntimeError(f"The jacobian of the user-provided function is "
                                   f"independent of input {index}. This is not allowed in "
                                   f"strict mode when create_graph=True.")
            rows[which].append(grad)
    return tuple(engine.stack(row, dim=0).view(output.size() + inp.size())
                 for row, inp in zip(rows, inputs))


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    """The Hessian of a scalar function: the Jacobian of its Jacobian."""
    inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def scalar_func(*args):
        out = func(*args)
        out_tuple, outs = _as_tuple(out, "outputs of the user-provided function", "hessian")
        _check_requires_grad(outs, "outputs", strict)
        if out_tuple:
            raise RuntimeError("The function given to hessian should return a single Tensor")
        if out.nelement() != 1:
            raise RuntimeError("The Tensor returned by the function given to hessian should "
                               "contain a single element")
        return out.squeeze()

    def gradient_func(*args):
        gradient = jacobian(scalar_func, args, create_graph=True)
        _check_requires_grad(gradient, "jacobian", strict)
        return gradient

    result = jacobian(gradient_func, inputs, create_graph=create_graph, strict=strict,
                      vectorize=vectorize, strategy=outer_jacobian_strategy)
    return _unpack(result, (inputs_tuple, inputs_tuple))


def _scalar_output(func, inputs, fn_name: str, strict: bool):
    outputs_tuple, outputs = _call(func, inputs, fn_name, strict)
    if outputs_tuple:
        raise RuntimeError(f"The function given to {fn_name} should return a single Tensor")
    if outputs[0].nelement() != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {fn_name} should "
                           f"contain a single element")
    return outputs_tuple, outputs


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v · H) of a scalar function."""
    with enable_grad():
        inputs_tuple, inputs = _prepared(inputs, "vhp", create_graph)
        v = _vector(v, inputs, inputs_tuple, "vhp", create_graph, _INPUT_IS_SCALAR)
        outputs_tuple, outputs = _scalar_output(func, inputs, "vhp", strict)
        gradient = _grad(outputs, inputs, create_graph=True)
        _check_requires_grad(gradient, "jacobian", strict)
    products = _last_grad(gradient, inputs, v, inputs, "double_back", create_graph, strict)
    return _results(outputs, outputs_tuple, products, inputs_tuple, create_graph)


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), H · v) of a scalar function, by the double-backward trick."""
    import engine
    with enable_grad():
        inputs_tuple, inputs = _prepared(inputs, "hvp", create_graph)
        v = _vector(v, inputs, inputs_tuple, "hvp", create_graph, _INPUT_IS_SCALAR)
        outputs_tuple, outputs = _scalar_output(func, inputs, "hvp", strict)
        gradient = _grad(outputs, inputs, create_graph=True)
        _check_requires_grad(gradient, "jacobian", strict)
        dummies = tuple(engine.zeros_like(t, requires_grad=True) for t in inputs)
        double_back = _grad(gradient, inputs, dummies, create_graph=True)
        _check_requires_grad(gradient, "hessian", strict)
    products = _last_grad(double_back, dummies, v, inputs, "double_back_trick", create_graph, strict)
    return _results(outputs, outputs_tuple, products, inputs_tuple, create_graph)
