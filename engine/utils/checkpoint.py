"""torch.utils.checkpoint.checkpoint.

use_reentrant=True (PyTorch's default, with its warning, when not given) is PyTorch's
CheckpointFunction: the forward runs under no_grad, one CheckpointFunctionBackward node
stands for it in the graph, and its backward reruns the function with grad enabled and
backpropagates through that.

use_reentrant=False records the function's own graph, as PyTorch does. PyTorch then drops
the saved activations and recomputes them (running the function again) when the backward
first needs one; the engine keeps them instead, so values, gradients and the graph are
PyTorch's, but a function with side effects (a print) runs once here, not twice.
"""
from __future__ import annotations

import warnings

from engine._unsupported import module_getattr
from engine.autograd import grad_mode as _gm
from engine.autograd.function import Function
from engine.tensor import Tensor

USE_REENTRANT_WARNING = (
    "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. Starting "
    "in PyTorch 2.9, calling checkpoint without use_reentrant will raise an exception. "
    "use_reentrant=False is recommended, but if you need to preserve the current default "
    "behavior, you can pass use_reentrant=True. Refer to docs for more details on the "
    "differences between the two variants.")


class CheckpointFunction(Function):
    @staticmethod
    def forward(ctx, run_function, preserve_rng_state, *args):
        ctx.run_function = run_function
        ctx.inputs = args
        ctx.save_for_backward(*[a for a in args if isinstance(a, Tensor)])
        with _gm.no_grad():
            return run_function(*args)

    @staticmethod
    def backward(ctx, *grad_outputs):
        from engine.autograd import backward
        inputs = [a.detach().requires_grad_(a.requires_grad) if isinstance(a, Tensor) else a
                  for a in ctx.inputs]
        with _gm.enable_grad():
            outputs = ctx.run_function(*inputs)
        outputs = outputs if isinstance(outputs, tuple) else (outputs,)
        pairs = [(o, g) for o, g in zip(outputs, grad_outputs)
                 if isinstance(o, Tensor) and o.requires_grad and g is not None]
        backward([o for o, _ in pairs], [g for _, g in pairs])
        return (None, None) + tuple(a.grad if isinstance(a, Tensor) else None for a in inputs)


def checkpoint(function, *args, use_reentrant=None, context_fn=None, determinism_check="default",
               debug=False, preserve_rng_state=True, **kwargs):
    if use_reentrant is None:
        warnings.warn(USE_REENTRANT_WARNING, UserWarning, stacklevel=2)
        use_reentrant = True
    if use_reentrant:
        if kwargs:
            raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
        return CheckpointFunction.apply(function, preserve_rng_state, *args)
    return function(*args, **kwargs)


__getattr__ = module_getattr("torch.utils.checkpoint")
