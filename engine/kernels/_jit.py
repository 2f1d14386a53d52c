"""The one place that says how kernels are compiled.

Every kernel is compiled lazily per dtype and cached on disk (``cache=True``), releases the
GIL (``nogil=True``) and uses the fast-math flags that allow reassociation and contraction
(sums vectorise) but not ``nnan``/``ninf``: max-pool pads with -inf and softmax meets inf.
``exact_kernel`` compiles without them, for kernels that follow ATen's order of operations
and its fused multiply-adds (``fma``) to the last bit.
"""

import numba
import numpy as np
from llvmlite import ir
from numba.extending import intrinsic

FASTMATH = {"nsz", "arcp", "contract", "afn", "reassoc"}
FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def kernel(function):
    """Compile ``function`` as a cached, GIL-free nopython kernel."""
    return numba.njit(cache=True, nogil=True, fastmath=FASTMATH)(function)


def exact_kernel(function):
    """Compile ``function`` as a cached, GIL-free nopython kernel without fast-math: sums in
    the order written, no contraction but the ``fma`` calls it makes."""
    return numba.njit(cache=True, nogil=True)(function)


@intrinsic
def fma(typingctx, a, b, c):
    """a * b + c rounded once (LLVM's llvm.fma), in the type of ``a``, as ATen's vectorised
    kernels compute ``x * alpha + beta`` where the compiler fuses them."""
    signature = a(a, a, a)

    def codegen(context, builder, signature, args):
        kind = args[0].type
        function = builder.module.declare_intrinsic("llvm.fma", [kind],
                                                    ir.FunctionType(kind, [kind] * 3))
        return builder.call(function, args)
    return signature, codegen


def check_float(name, array):
    """Raise unless ``array`` is a float32 or float64 NumPy array."""
    if array.dtype not in FLOAT_DTYPES:
        raise TypeError(f"{name} must be float32 or float64, got {array.dtype}")


def check_same_dtype(reference_name, reference, **others):
    """Raise unless every array in ``others`` has ``reference``'s dtype."""
    for name, array in others.items():
        if array is not None and array.dtype != reference.dtype:
            raise TypeError(f"{name} has dtype {array.dtype}, expected {reference.dtype} like {reference_name}")

