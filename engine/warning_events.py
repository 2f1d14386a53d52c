"""Warnings the engine announces itself, with the node or tensor they are about.

`warn` shows the warning as PyTorch would (Python's warnings module, so filters apply) and
then emits a `WarningRaised` naming the node or tensor. While it shows the warning,
`announcing()` is true: a watcher that turns every other shown warning into an event (the
runner, for warnings from the scenario or its libraries) skips these, so none is counted
twice.
"""
from __future__ import annotations

import threading
import warnings

from engine import trace

_local = threading.local()


def warn(message: str, category=UserWarning, stacklevel: int = 1, *, node_id=None,
         tensor_id=None) -> None:
    _local.depth = getattr(_local, "depth", 0) + 1
    try:
        warnings.warn(message, category, stacklevel=stacklevel + 1)
    finally:
        _local.depth -= 1
    if trace.active:
        trace.emit(trace.WarningRaised(category.__name__, message, node_id, tensor_id))


def announcing() -> bool:
    return getattr(_local, "depth", 0) > 0
