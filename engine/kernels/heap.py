"""Keep freed memory in the process heap instead of handing it back to the kernel.

A training step allocates and frees the same large arrays every time (activations, their
gradients, max-pool's zeroed grad_input). glibc's malloc returns freed memory above its trim
threshold to the kernel and maps big blocks fresh, so every step touches new pages: at
SimpleNet's batch 64 that was ~1,400 page faults and ~3 ms of system time in a ~7-10 ms step
on this VM (faults are expensive here, and the two kernel threads queue on the mm lock).
Raising the mmap and trim thresholds lets malloc reuse those blocks; the price is that up to
TRIM_THRESHOLD bytes of freed memory stay with the process.

As with the BLAS thread count (blas_threads.py), this is set once, at the first kernel use,
through ctypes. A user who set MALLOC_MMAP_THRESHOLD_ or MALLOC_TRIM_THRESHOLD_ keeps their
choice; other C libraries (musl, macOS) are left alone.
"""
import ctypes
import os

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 << 20       # glibc's ceiling for this setting on 64-bit
TRIM_THRESHOLD = 64 << 20
_done = False


def keep_freed_memory():
    """Set glibc's malloc thresholds once per process; returns True if they were set."""
    global _done
    if _done:
        return False
    _done = True
    if "MALLOC_MMAP_THRESHOLD_" in os.environ or "MALLOC_TRIM_THRESHOLD_" in os.environ:
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and \
        bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
