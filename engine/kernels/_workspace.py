"""Per-thread scratch buffers for temporaries that never leave a kernel wrapper.

A fresh multi-megabyte np.empty is a fresh mmap: its page faults cost as much as the
im2col that fills it, and two threads faulting at once serialise on the kernel's mm lock,
which erased the gain of splitting a batch over both cores. Reusing one growing buffer
per thread and dtype removes both costs.
"""

import threading

import numpy as np

_local = threading.local()


def scratch(shape, dtype):
    """An uninitialised array of ``shape`` that stays valid until this thread's next call."""
    buffers = getattr(_local, "buffers", None)
    if buffers is None:
        buffers = _local.buffers = {}
    size = 1
    for length in shape:
        size *= length
    dtype = np.dtype(dtype)
    buffer = buffers.get(dtype)
    if buffer is None or buffer.size < size:
        buffer = buffers[dtype] = np.empty(max(size, 1), dtype=dtype)
    return buffer[:size].reshape(shape)
