"""Numba kernels for the nn layers, on plain NumPy arrays (never Tensors).

Each family lives in its own module: a private ``@kernel`` (``_jit.kernel``: njit, cached,
nogil) does the loops and a public wrapper validates, allocates and calls it. Matrix
products go through NumPy's BLAS. Shapes are documented on each public function.
"""

from engine.kernels.conv import (
    conv2d_forward,
    conv2d_grad_bias,
    conv2d_grad_input,
    conv2d_grad_weight,
)

__all__ = [
    "conv2d_forward",
    "conv2d_grad_bias",
    "conv2d_grad_input",
    "conv2d_grad_weight",
]
