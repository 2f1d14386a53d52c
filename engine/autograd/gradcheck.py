"""gradcheck: compare analytical gradients with finite differences."""
from __future__ import annotations

import numpy as np

from engine.tensor import Tensor


class GradcheckError(RuntimeError):
    pass


def _outputs(func, inputs):
    out = func(*inputs)
    return out if isinstance(out, tuple) else (out,)


def _numerical(func, inputs, diff_index: list, out_index: int, eps: float) -> np.ndarray:
    target = inputs[diff_index[0]]
    flat = target._data.reshape(-1)
    out_size = _outputs(func, inputs)[out_index]._data.size
    jacobian = np.zeros((flat.size, out_size))
    for i in range(flat.size):
        original = flat[i].copy()
        flat[i] = original + eps
        plus = _outputs(func, inputs)[out_index]._data.astype(np.float64).reshape(-1)
        flat[i] = original - eps
        minus = _outputs(func, inputs)[out_index]._data.astype(np.float64).reshape(-1)
        flat[i] = original
        jacobian[i] = (plus - minus) / (2 * eps)
    return jacobian


def _analytical(func, inputs, input_index: int, out_index: int) -> np.ndarray:
    from engine.autograd.api import grad
    out = _outputs(func, inputs)[out_index]
    rows = []
    for j in range(out._data.size):
        seed = np.zeros(out._data.size, dtype=out._data.dtype)
        seed[j] = 1
        out = _outputs(func, inputs)[out_index]
        (g,) = grad(out, inputs[input_index], Tensor._make(seed.reshape(out._data.shape)),
                    allow_unused=True)
        rows.append(np.zeros(inputs[input_index]._data.size) if g is None
                    else g._data.astype(np.float64).reshape(-1))
    return np.stack(rows, axis=1) if rows else np.zeros((inputs[input_index]._data.size, 0))


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              **unused) -> bool:
    """Check gradients of `func` at `inputs` (float64 tensors that require grad)."""
    inputs = _as_tuple(inputs)
    outputs = _outputs(func, inputs)
    if not any(isinstance(out, Tensor) and out._requires_grad for out in outputs):
        return _check_no_differentiable_outputs(func, inputs, outputs, eps, raise_exception)
    for i, tensor in enumerate(inputs):
        if not (isinstance(tensor, Tensor) and tensor._requires_grad):
            continue
        for o, out in enumerate(outputs):
            if not isinstance(out, Tensor) or not out._requires_grad:
                continue
            numerical = _numerical(func, inputs, [i], o, eps)
            analytical = _analytical(func, inputs, i, o)
            if not np.allclose(analytical, numerical, rtol=rtol, atol=atol):
                if raise_exception:
                    raise GradcheckError(
                        f"Jacobian mismatch for output {o} with respect to input {i},\n"
                        f"numerical:{_show(numerical)}\nanalytical:{_show(analytical)}\n")
                return False
    return True


def _check_no_differentiable_outputs(func, inputs, outputs, eps, raise_exception) -> bool:
    """PyTorch's rule: with no output that requires grad, every numerical gradient must be 0
    (a gradient that lost its graph, say, must not pass for a correct one)."""
    for i, tensor in enumerate(inputs):
        if not (isinstance(tensor, Tensor) and tensor._requires_grad):
            continue
        for o, out in enumerate(outputs):
            if isinstance(out, Tensor) and np.any(_numerical(func, inputs, [i], o, eps) != 0):
                if raise_exception:
                    raise GradcheckError("Numerical gradient for function expected to be zero")
                return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, **unused) -> bool:
    """Check second derivatives: gradcheck of the map (inputs, grad_outputs) -> the gradients
    of `func` with create_graph=True, as PyTorch's gradgradcheck does. Without grad_outputs,
    random ones in [-1, 1) that require grad are drawn (engine's generator)."""
    from engine.autograd.api import grad
    inputs = _as_tuple(inputs)
    if grad_outputs is None:
        grad_outputs = tuple(_random_like(out) for out in _outputs(func, inputs)
                             if isinstance(out, Tensor) and out._requires_grad)
    else:
        grad_outputs = _as_tuple(grad_outputs)
    count = len(grad_outputs)

    def first_gradients(*args):
        outputs = [out for out in _outputs(func, args[:-count])
                   if isinstance(out, Tensor) and out._requires_grad]
        wrt = tuple(x for x in args[:-count] if isinstance(x, Tensor) and x._requires_grad)
        grads = grad(outputs, wrt, list(args[-count:]), create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_gradients, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)


def _as_tuple(inputs) -> tuple:
    if isinstance(inputs, tuple):
        return inputs
    return tuple(inputs) if isinstance(inputs, list) else (inputs,)


def _random_like(out: Tensor) -> Tensor:
    from engine import random
    data = out._data
    dtype = data.dtype if data.dtype.kind in "fc" else np.dtype(np.float64)
    values = random.uniform(random.default_generator, np.empty(data.shape, dtype), -1.0, 1.0)
    return Tensor._make(values.astype(dtype, copy=False)).requires_grad_()


def _show(matrix: np.ndarray) -> str:
    from engine._tensor_str import format_tensor
    return format_tensor(matrix, dtype_name="float64", suffixes=[])
