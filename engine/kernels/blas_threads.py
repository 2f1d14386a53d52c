"""Keep NumPy's OpenBLAS on one thread while the engine runs its kernels.

The kernels already split a batch over both cores with a Python thread (_threads.py), and
NumPy's OpenBLAS starts its own thread team for every product. On this 2-core machine the
two fight: after a conv step, Linear's [64, 320] @ [320, 50] took ~10 ms instead of ~40 us,
which made SimpleNet's batch-64 forward 7.6 ms instead of 2.9 ms.

OpenBLAS is reached through ctypes, as threadpoolctl does: find the library NumPy loaded
and call its set_num_threads. A user who set OPENBLAS_NUM_THREADS or OMP_NUM_THREADS keeps
their choice; other BLAS builds (MKL, Accelerate) are left alone.
"""
import ctypes
import os

_SETTERS = ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads",
            "openblas_set_num_threads64_", "openblas_set_num_threads")
_done = False


def _loaded_openblas_paths():
    try:
        with open("/proc/self/maps") as maps:
            lines = maps.read().splitlines()
    except OSError:
        return []
    paths = []
    for line in lines:
        path = line.split()[-1] if line.split() else ""
        if "openblas" in os.path.basename(path).lower() and path not in paths:
            paths.append(path)
    return paths


def limit_blas_threads(threads=1):
    """Set NumPy's OpenBLAS thread count once per process; returns True if it was set."""
    global _done
    if _done:
        return False
    _done = True
    if "OPENBLAS_NUM_THREADS" in os.environ or "OMP_NUM_THREADS" in os.environ:
        return False
    import numpy  # noqa: F401  (loads OpenBLAS)
    changed = False
    for path in _loaded_openblas_paths():
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        for name in _SETTERS:
            setter = getattr(library, name, None)
            if setter is not None:
                setter(ctypes.c_int(threads))
                changed = True
                break
    return changed
