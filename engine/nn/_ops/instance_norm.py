"""F.instance_norm as ATen composes it: the input viewed as one sample of batch * channels
(contiguous first), batch_norm with the affine parameters and running stats repeated per
sample, the running stats averaged back in training, the result viewed to the input's shape."""
from __future__ import annotations

import numpy as np


def _repeated(tensor, times: int, dtype=None):
    if tensor is None:
        return None
    repeated = tensor.repeat(times)
    return repeated if dtype is None or repeated.dtype == dtype else repeated.to(dtype)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats: bool = True, momentum: float = 0.1, eps: float = 1e-5):
    from engine.autograd.grad_mode import no_grad
    from engine.nn._ops.normalization import batch_norm
    shape = tuple(input.shape)
    if use_input_stats and int(np.prod(shape[2:])) == 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size "
                         f"{input.shape}")
    batch, channels = shape[0], shape[1]
    reshaped = input.contiguous().view((1, batch * channels) + shape[2:])
    # Running stats of another dtype than the input's are allowed (unlike in batch_norm):
    # they are used, and updated, in the input's dtype.
    mean_ = _repeated(running_mean, batch, input.dtype)
    var_ = _repeated(running_var, batch, input.dtype)
    out = batch_norm(reshaped, mean_, var_, _repeated(weight, batch), _repeated(bias, batch),
                     use_input_stats, momentum, eps)
    if use_input_stats:             # only a training pass writes the stats back
        with no_grad():
            for stat, repeated in ((running_mean, mean_), (running_var, var_)):
                if stat is not None:
                    stat.copy_(repeated.view(batch, channels).mean(0))
    return out.view(shape)
