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
    inputs = inputs if isinstance(inputs, tuple) else (tuple(inputs) if isinstance(inputs, list)
                                                       else (inputs,))
    outputs = _outputs(func, inputs)
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


def _show(matrix: np.ndarray) -> str:
    from engine._tensor_str import format_tensor
    return format_tensor(matrix, dtype_name="float64", suffixes=[])
