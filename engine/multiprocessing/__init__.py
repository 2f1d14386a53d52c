"""torch.multiprocessing: Python's multiprocessing, plus the tensor sharing strategy torch
keeps (recorded here: engine tensors cross processes by pickling, as any NumPy array)."""
import multiprocessing
import sys
from multiprocessing import *  # noqa: F401,F403  (torch re-exports them all)

from engine._unsupported import module_getattr

_STRATEGIES = {"file_descriptor", "file_system"} if sys.platform != "darwin" else {
    "file_system"}
_sharing = {"strategy": "file_descriptor" if sys.platform != "darwin" else "file_system"}


def set_sharing_strategy(new_strategy) -> None:
    if new_strategy not in _STRATEGIES:
        raise AssertionError(f"invalid sharing strategy '{new_strategy}', expected one of "
                             f"{_STRATEGIES}")
    _sharing["strategy"] = new_strategy


def get_sharing_strategy():
    return _sharing["strategy"]


def get_all_sharing_strategies():
    return set(_STRATEGIES)


__all__ = ["set_sharing_strategy", "get_sharing_strategy", "get_all_sharing_strategies",
           *multiprocessing.__all__]
__getattr__ = module_getattr("torch.multiprocessing")
