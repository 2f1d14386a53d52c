"""log_softmax, nll_loss and their fusion, cross_entropy, on NumPy arrays.

log_softmax works along the last axis. The losses take log_probs / logits [N, C], integer
targets [N] and optional class weights [C], with PyTorch's ignore_index, reduction
('mean', 'sum', 'none') and label_smoothing rules:

    loss_i   = -w[t_i] * log_probs[i, t_i]                  (0 where t_i == ignore_index)
    smooth_i = -sum_c w[c] * log_probs[i, c]                (0 where ignored)
    mean     = sum_i loss_i / sum_i w[t_i]                  (over non-ignored i)
    cross_entropy = (1 - eps) * nll + eps / C * smooth, smooth reduced like nll.

Reduced losses are 0-d arrays of the input's dtype; sums accumulate in float64.
"""

import numpy as np

from engine.kernels._jit import check_float, check_same_dtype, kernel

REDUCTIONS = ("mean", "sum", "none")


# ---------------------------------------------------------------------------- log_softmax

@kernel
def _log_softmax(x, out):
    rows, classes = x.shape
    for r in range(rows):
        row_max = x[r, 0]
        for c in range(1, classes):
            row_max = max(row_max, x[r, c])
        total = 0.0
        for c in range(classes):
            total += np.exp(x[r, c] - row_max)
        log_total = np.log(total)
        for c in range(classes):
            out[r, c] = (x[r, c] - row_max) - log_total     # PyTorch's order of operations


@kernel
def _log_softmax_backward(grad_y, y, grad_x):
    rows, classes = y.shape
    for r in range(rows):
        total = 0.0
        for c in range(classes):
            total += grad_y[r, c]
        for c in range(classes):
            grad_x[r, c] = grad_y[r, c] - np.exp(y[r, c]) * total


def _rows(array):
    return np.ascontiguousarray(array).reshape(-1, array.shape[-1])


def log_softmax_forward(x):
    """y = x - logsumexp(x) along the last axis; any shape [..., C], float32 or float64."""
    check_float("x", x)
    y = np.empty(x.shape, dtype=x.dtype)
    _log_softmax(_rows(x), y.reshape(-1, x.shape[-1]))
    return y


def log_softmax_backward(grad_y, y):
    """grad_x[..., C] = grad_y - exp(y) * sum(grad_y) along the last axis (y is the output)."""
    check_float("grad_y", grad_y)
    check_same_dtype("grad_y", grad_y, y=y)
    grad_x = np.empty(y.shape, dtype=y.dtype)
    _log_softmax_backward(_rows(grad_y), _rows(y), grad_x.reshape(-1, y.shape[-1]))
    return grad_x


# ---------------------------------------------------------------------------- nll / cross-entropy

@kernel
def _nll(log_probs, target, weight, ignore_index, losses, smooth):
    # Per-sample nll loss and smoothing term; returns (sum loss, sum weight, sum smooth,
    # first bad target position or -1).
    rows, classes = log_probs.shape
    weighted = weight.size > 0
    total_loss = 0.0
    total_weight = 0.0
    total_smooth = 0.0
    for r in range(rows):
        t = target[r]
        if t == ignore_index:
            losses[r] = 0.0
            smooth[r] = 0.0
            continue
        if t < 0 or t >= classes:
            return total_loss, total_weight, total_smooth, r
        w = weight[t] if weighted else 1.0
        losses[r] = -w * log_probs[r, t]
        total_loss += losses[r]
        total_weight += w
        row_smooth = 0.0
        for c in range(classes):
            row_smooth -= (weight[c] if weighted else 1.0) * log_probs[r, c]
        smooth[r] = row_smooth
        total_smooth += row_smooth
    return total_loss, total_weight, total_smooth, -1


@kernel
def _nll_grad(grad_loss, per_sample, target, weight, ignore_index, scale, smoothing, log_probs,
              grad_x, through_softmax):
    # grad wrt log_probs of (1 - smoothing) * nll + smoothing / C * smooth, each sample's
    # upstream gradient being grad_loss[r] (per_sample) or grad_loss[0], times scale
    # (a negative scale: 1 / the kept samples' total weight, computed here).
    # With through_softmax, log_probs are log_softmax outputs and grad_x is wrt the logits.
    # Returns the first bad target's position, or -1.
    rows, classes = log_probs.shape
    weighted = weight.size > 0
    spread = smoothing / classes
    total_weight = 0.0
    for r in range(rows):
        t = target[r]
        if t != ignore_index:
            if t < 0 or t >= classes:
                return r
            total_weight += weight[t] if weighted else 1.0
    if scale < 0:  # 'mean' without a given total weight: divide by the kept samples' weight
        scale = 1.0 / total_weight if total_weight != 0 else np.inf
    for r in range(rows):
        t = target[r]
        if t == ignore_index:
            for c in range(classes):
                grad_x[r, c] = 0.0
            continue
        g = (grad_loss[r] if per_sample else grad_loss[0]) * scale
        total = 0.0
        for c in range(classes):
            value = -spread * g * (weight[c] if weighted else 1.0)
            if c == t:
                value -= (1.0 - smoothing) * g * (weight[t] if weighted else 1.0)
            grad_x[r, c] = value
            total += value
        if through_softmax:
            for c in range(classes):
                grad_x[r, c] -= np.exp(log_probs[r, c]) * total
    return -1


def _check_loss_args(log_probs, target, weight, reduction):
    check_float("input", log_probs)
    if log_probs.ndim != 2:
        raise ValueError(f"expected input of shape [N, C], got {log_probs.shape}")
    if target.shape != log_probs.shape[:1]:
        raise ValueError(f"expected target of shape [{log_probs.shape[0]}], got {target.shape}")
    if reduction not in REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if weight is not None:
        check_same_dtype("input", log_probs, weight=weight)
        if weight.shape != log_probs.shape[1:]:
            raise ValueError(f"expected weight of shape [{log_probs.shape[1]}], got {weight.shape}")


def _weight_array(weight, dtype):
    return np.empty(0, dtype=dtype) if weight is None else np.ascontiguousarray(weight)


def _reduced_losses(log_probs, target, weight, ignore_index, reduction, label_smoothing):
    """(loss, total_weight) for nll with optional smoothing."""
    rows = log_probs.shape[0]
    dtype = log_probs.dtype
    losses = np.empty(rows, dtype=dtype)
    smooth = np.empty(rows, dtype=dtype)
    target = np.ascontiguousarray(target, dtype=np.int64)
    total_loss, total_weight, total_smooth, bad = _nll(
        np.ascontiguousarray(log_probs), target, _weight_array(weight, dtype), int(ignore_index),
        losses, smooth)
    if bad >= 0:
        raise IndexError(f"Target {target[bad]} is out of bounds.")
    keep, spread = 1.0 - label_smoothing, label_smoothing / log_probs.shape[1]
    if reduction == "none":
        loss = losses if not label_smoothing else keep * losses + spread * smooth
    else:
        total = keep * total_loss + spread * total_smooth
        if reduction == "mean":
            # Every sample ignored (or weighted 0) makes 0 / 0: NaN, as in PyTorch.
            total = total / total_weight if total_weight else np.nan
        loss = np.asarray(total, dtype=dtype)
    return loss, np.asarray(total_weight, dtype=dtype)


def nll_loss_forward(log_probs, target, weight=None, ignore_index=-100, reduction="mean"):
    """(loss, total_weight) for log_probs[N, C] and int targets[N]; weight[C] or None.

    loss is 0-d for 'mean'/'sum' and [N] for 'none'; total_weight (0-d) is the sum of
    w[t_i] over non-ignored samples, which nll_loss_backward needs for 'mean'.
    Raises IndexError("Target 12 is out of bounds.") as PyTorch does.
    """
    _check_loss_args(log_probs, target, weight, reduction)
    return _reduced_losses(log_probs, target, weight, ignore_index, reduction, 0.0)


def _loss_grad(grad_loss, log_probs, target, weight, ignore_index, reduction, label_smoothing,
               total_weight, through_softmax):
    dtype = log_probs.dtype
    grad_loss = np.ascontiguousarray(grad_loss, dtype=dtype).reshape(-1)
    scale = 1.0
    if reduction == "mean":
        if total_weight is None:
            scale = -1.0  # the kernel sums the weights itself
        else:
            scale = 1.0 / float(total_weight) if float(total_weight) else np.inf
    grad_x = np.empty(log_probs.shape, dtype=dtype)
    target = np.ascontiguousarray(target, dtype=np.int64)
    bad = _nll_grad(grad_loss, reduction == "none", target, _weight_array(weight, dtype),
                    int(ignore_index), float(scale), float(label_smoothing),
                    np.ascontiguousarray(log_probs), grad_x, through_softmax)
    if bad >= 0:
        raise IndexError(f"Target {target[bad]} is out of bounds.")
    return grad_x


def nll_loss_backward(grad_loss, log_probs, target, weight=None, ignore_index=-100,
                      reduction="mean", total_weight=None):
    """grad wrt log_probs[N, C]; grad_loss is 0-d ('mean'/'sum') or [N] ('none').

    total_weight as returned by nll_loss_forward (recomputed when None).
    """
    _check_loss_args(log_probs, target, weight, reduction)
    return _loss_grad(grad_loss, log_probs, target, weight, ignore_index, reduction, 0.0,
                      total_weight, False)


def cross_entropy_forward(logits, target, weight=None, ignore_index=-100, reduction="mean",
                          label_smoothing=0.0):
    """(loss, log_probs[N, C]) = cross_entropy(logits[N, C], target[N]) with PyTorch's options."""
    _check_loss_args(logits, target, weight, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    log_probs = np.empty(logits.shape, dtype=logits.dtype)
    _log_softmax(np.ascontiguousarray(logits), log_probs)
    loss, _ = _reduced_losses(log_probs, target, weight, ignore_index, reduction, label_smoothing)
    return loss, log_probs


def cross_entropy_grad_log_probs(grad_loss, log_probs, target, weight=None, ignore_index=-100,
                                 reduction="mean", label_smoothing=0.0):
    """grad wrt log_probs[N, C] of cross_entropy (nll plus the label-smoothing term)."""
    _check_loss_args(log_probs, target, weight, reduction)
    return _loss_grad(grad_loss, log_probs, target, weight, ignore_index, reduction,
                      label_smoothing, None, False)


def cross_entropy_backward(grad_loss, log_probs, target, weight=None, ignore_index=-100,
                           reduction="mean", label_smoothing=0.0):
    """grad wrt logits[N, C], from cross_entropy_forward's log_probs, in one fused pass."""
    _check_loss_args(log_probs, target, weight, reduction)
    return _loss_grad(grad_loss, log_probs, target, weight, ignore_index, reduction,
                      label_smoothing, None, True)
