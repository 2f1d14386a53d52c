"""Load (or, on a cold cache, compile) every kernel before the first real call.

Numba compiles lazily per dtype and keeps the machine code on disk, but even a warm cache
costs ~0.5 s in a fresh process on the first kernel call (Numba initialising its typing and
target contexts) plus a few ms per kernel. A caller such as the TUI can run ``warm_up`` on a
background thread at start-up, behind a loading indicator.
"""

import numpy as np

from engine.kernels import batch_norm, conv, elementwise, loss, mt19937, pooling, statistics

ONE, ZERO = (1, 1), (0, 0)


def _conv_family(dtype):
    x = np.ones((1, 2, 4, 4), dtype)
    w = np.ones((2, 2, 2, 2), dtype)
    y = conv.conv2d_forward(x, w, np.ones(2, dtype), ONE, ZERO, ONE, 1)
    conv.conv2d_grad_input(y, w, x.shape, ONE, ZERO, ONE, 1)
    conv.conv2d_grad_weight(y, x, w.shape, ONE, ZERO, ONE, 1)


def _pooling_family(dtype):
    x = np.ones((1, 1, 4, 4), dtype)
    for kernel_size, stride in (((2, 2), (2, 2)), ((3, 3), (1, 1))):
        y, indices = pooling.max_pool2d_forward(x, kernel_size, stride, ZERO, ONE)
        pooling.max_pool2d_backward(y, indices, x.shape)
    y = pooling.avg_pool2d_forward(x, (2, 2), (2, 2), ZERO)
    pooling.avg_pool2d_backward(y, x.shape, (2, 2), (2, 2), ZERO)
    y = pooling.adaptive_avg_pool2d_forward(x, (1, 1))
    pooling.adaptive_avg_pool2d_backward(y, x.shape)


def _loss_family(dtype):
    logits, target = np.zeros((2, 3), dtype), np.array([0, 1])
    one = np.ones((), dtype)
    loss_value, log_probs = loss.cross_entropy_forward(logits, target)
    loss.cross_entropy_backward(one, log_probs, target)
    loss.cross_entropy_grad_log_probs(one, log_probs, target)
    loss.log_softmax_backward(log_probs, loss.log_softmax_forward(logits))
    _, total_weight = loss.nll_loss_forward(log_probs, target)
    loss.nll_loss_backward(one, log_probs, target, total_weight=total_weight)


def _batch_norm_family(dtype):
    x, ones = np.arange(4, dtype=dtype).reshape(2, 2), np.ones(2, dtype)
    y, mean, invstd, _ = batch_norm.batch_norm_train_forward(x, ones, ones)
    batch_norm.batch_norm_eval_forward(x, mean, ones, ones, ones)
    batch_norm.batch_norm_backward(y, x, ones, mean, invstd)


def _elementwise_family(dtype):
    x = np.ones(3, dtype)
    for backward in (elementwise.relu_backward, elementwise.sigmoid_backward, elementwise.tanh_backward):
        backward(x, x)
    elementwise.relu_forward(x)
    statistics.moments(x)


def _random_family(dtype):
    """The generator's kernels, on a scratch state (the default generator is not touched)."""
    words, position = np.arange(mt19937.N_WORDS, dtype=np.uint32), np.array([1, 0])
    out, wide = np.empty(16, dtype), np.empty(4, np.float64)
    fill = mt19937.fill_uniform_float if out.dtype == np.float32 else mt19937.fill_uniform_double
    fill(words, position, out, 0.0, 1.0)
    vector = (mt19937.fill_normal_vector_float if out.dtype == np.float32
              else mt19937.fill_normal_vector_double)
    vector(words, position, out, 0.0, 1.0)
    mt19937.fill_normal_scalar(words, position, np.zeros(2), out, 0.0, 1.0)
    integers = np.empty(4, np.int64)
    mt19937.fill_int_from_to(words, position, integers, np.uint64(10), 0)
    mt19937.fill_int_modulo(words, position, integers, np.uint64(10), False)
    mt19937.fill_randperm(words, position, integers)
    mt19937.fill_bernoulli_scalar(words, position, wide, 0.5)
    mt19937.fill_bernoulli_float_p(words, position, wide, wide)
    mt19937.fill_bernoulli_double_p(words, position, wide, wide)
    mt19937.fill_exponential(words, position, wide, 1.0)
    mt19937.multinomial_with_replacement(words, position, np.ones((1, 2), dtype), 2,
                                         np.empty((1, 2), np.int64))


def _aten_order_family(dtype):
    """Sums and 2-norms in ATen's order (every float .sum(), .mean(), vector_norm)."""
    from engine.kernels import aten_order
    rows = np.ones((2, 9), dtype)
    aten_order.inner_sums(rows)
    aten_order.inner_sums(rows[:, :3])
    aten_order.two_norms(rows)


FAMILIES = (_conv_family, _pooling_family, _loss_family, _batch_norm_family, _elementwise_family,
            _random_family, _aten_order_family)


def warm_up(dtypes=(np.float32,)):
    """Call every kernel once on tiny inputs of each dtype, so later calls run at full speed."""
    for dtype in dtypes:
        for family in FAMILIES:
            family(np.dtype(dtype))
