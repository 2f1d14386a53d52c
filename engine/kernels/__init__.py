"""Numba kernels for the nn layers, on plain NumPy arrays (never Tensors).

Each family lives in its own module: a private ``@kernel`` (``_jit.kernel``: njit, cached,
nogil) does the loops and a public wrapper validates, allocates and calls it. Matrix
products go through NumPy's BLAS. Shapes are documented on each public function; float32
and float64 are supported, and outputs keep the input's dtype.

Loading the package also keeps freed memory in the process heap (``heap``: glibc's malloc
thresholds), so a training step reuses the pages of the step before. Large batches are split
over two threads (``set_num_threads(1)`` turns that off), and
``warm_up()`` loads every kernel ahead of the first real call (Numba's start-up costs
~0.5 s in a fresh process even with a warm on-disk cache).
"""

from engine.kernels.batch_norm import (
    batch_norm_backward,
    batch_norm_eval_forward,
    batch_norm_train_forward,
)
from engine.kernels.conv import (
    conv2d_backward,
    conv2d_forward,
    conv2d_grad_bias,
    conv2d_grad_input,
    conv2d_grad_weight,
)
from engine.kernels.elementwise import relu_backward, relu_forward, sigmoid_backward, tanh_backward
from engine.kernels.loss import (
    cross_entropy_backward,
    cross_entropy_forward,
    cross_entropy_grad_log_probs,
    log_softmax_backward,
    log_softmax_forward,
    nll_loss_backward,
    nll_loss_forward,
)
from engine.kernels.pooling import (
    adaptive_avg_pool2d_backward,
    adaptive_avg_pool2d_forward,
    avg_pool2d_backward,
    avg_pool2d_forward,
    max_pool2d_backward,
    max_pool2d_forward,
)
from engine.kernels._threads import get_num_threads, set_num_threads
from engine.kernels.heap import keep_freed_memory
from engine.kernels.statistics import moments, moments_of_checked
from engine.kernels.warmup import warm_up
from engine import trace as _trace

keep_freed_memory()
_trace.use_moments_kernel(moments_of_checked)

__all__ = [
    "adaptive_avg_pool2d_backward",
    "adaptive_avg_pool2d_forward",
    "avg_pool2d_backward",
    "avg_pool2d_forward",
    "batch_norm_backward",
    "batch_norm_eval_forward",
    "batch_norm_train_forward",
    "conv2d_backward",
    "conv2d_forward",
    "conv2d_grad_bias",
    "conv2d_grad_input",
    "conv2d_grad_weight",
    "cross_entropy_backward",
    "cross_entropy_forward",
    "cross_entropy_grad_log_probs",
    "get_num_threads",
    "log_softmax_backward",
    "log_softmax_forward",
    "max_pool2d_backward",
    "max_pool2d_forward",
    "nll_loss_backward",
    "nll_loss_forward",
    "relu_backward",
    "relu_forward",
    "set_num_threads",
    "sigmoid_backward",
    "tanh_backward",
    "warm_up",
]
