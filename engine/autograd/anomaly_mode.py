"""detect_anomaly / set_detect_anomaly."""
from __future__ import annotations

import sys
import traceback
import warnings

from engine import trace


class _AnomalyState:
    __slots__ = ("enabled", "check_nan")

    def __init__(self) -> None:
        self.enabled = False
        self.check_nan = True


state = _AnomalyState()


def forward_stack() -> list[str]:
    """The stack anomaly mode keeps for a node, as ``traceback.format_stack()`` would give
    it: without the engine's own innermost frames (PyTorch's ops are C++, so its stack ends
    at the user's line), and starting below a hosting program's last frame (a scenario run
    by a debugger shows only its own frames, as under plain python)."""
    frames = traceback.extract_stack(sys._getframe(1))
    end = len(frames)
    while end and frames[end - 1].filename.startswith(trace.ENGINE_DIR):
        end -= 1
    start = 0
    for index, frame in enumerate(frames[:end]):
        if trace.is_host_file(frame.filename):
            start = index + 1
    return traceback.format_list(frames[start:end])


def is_anomaly_enabled() -> bool:
    return state.enabled


def is_anomaly_check_nan_enabled() -> bool:
    return state.check_nan


class detect_anomaly:
    """Context manager (and decorator) that enables anomaly detection for autograd."""

    def __init__(self, check_nan: bool = True) -> None:
        self.prev = state.enabled
        self.check_nan = check_nan
        self.prev_check_nan = state.check_nan
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime "
                      "and should only be enabled for debugging.", stacklevel=2)

    def __enter__(self) -> None:
        self.prev, self.prev_check_nan = state.enabled, state.check_nan
        state.enabled, state.check_nan = True, self.check_nan

    def __exit__(self, *exc) -> None:
        state.enabled, state.check_nan = self.prev, self.prev_check_nan

    def __call__(self, fn):
        def wrapper(*args, **kwargs):
            with self:
                return fn(*args, **kwargs)
        return wrapper


class set_detect_anomaly:
    """Sets anomaly detection on or off at once, or for the length of a `with` block."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.prev, self.prev_check_nan = state.enabled, state.check_nan
        state.enabled, state.check_nan = bool(mode), check_nan

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc) -> None:
        state.enabled, state.check_nan = self.prev, self.prev_check_nan
