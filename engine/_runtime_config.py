"""The process-wide switches a training script sets before it starts: float32 matmul
precision (and the legacy TF32 flags that share its state), deterministic algorithms and the
thread counts. On the engine they change no result (its float32 matmul is always IEEE); they
hold and report what PyTorch's would.
"""
from __future__ import annotations

import os

# Per backend: "none" (not set), "ieee", "tf32" or "bf16". The new API sets both; the legacy
# torch.backends.cuda.matmul.allow_tf32 sets only CUDA's (as seen from torch 2.13 live).
_PRECISION_OF = {"highest": "ieee", "high": "tf32", "medium": "bf16"}
_NAME_OF = {v: k for k, v in _PRECISION_OF.items()}
_matmul = {"cuda": "none", "mkldnn": "none"}

MIXED_PRECISION_APIS = (
    "PyTorch is checking the matmul precision without a specific backend name,Current status "
    "indicate that you have used mix of the legacy and new APIs to set the matmul precision. "
    "We suggest only using the new API for matmul precision. See also: "
    "https://pytorch.org/docs/main/notes/cuda.html#tensorfloat-32-tf32-on-ampere-and-later-"
    "devices")


def set_float32_matmul_precision(precision: str) -> None:
    if precision not in _PRECISION_OF:
        import warnings
        from engine._cpp_warning import cpp_warning
        warnings.warn(cpp_warning(f"{precision} is not one of 'highest', 'high', or 'medium'; "
                                  "the currentsetFloat32MatmulPrecision call has no effect.",
                                  "aten/src/ATen/Context.cpp:458"), UserWarning, stacklevel=2)
        return
    _matmul["cuda"] = _matmul["mkldnn"] = _PRECISION_OF[precision]


def get_float32_matmul_precision() -> str:
    """oneDNN's precision, set only by the new API, decides unless it is IEEE; then CUDA's
    (which the legacy flag sets too) does. The two disagreeing otherwise is an error."""
    cuda, mkldnn = _matmul["cuda"], _matmul["mkldnn"]
    if mkldnn in ("none", "ieee"):
        return _NAME_OF.get(cuda, "highest")
    if cuda != mkldnn:
        raise RuntimeError(MIXED_PRECISION_APIS)
    return _NAME_OF[mkldnn]


def cuda_allows_tf32() -> bool:
    return _matmul["cuda"] in ("tf32", "bf16")


def set_cuda_allows_tf32(allow: bool) -> None:
    _matmul["cuda"] = "tf32" if allow else "ieee"


_deterministic = {"mode": False, "warn_only": False}


def use_deterministic_algorithms(mode, *, warn_only=False) -> None:
    for name, value in (("mode", mode), ("warn_only", warn_only)):
        if not isinstance(value, bool):
            raise TypeError(f"_set_deterministic_algorithms(): argument '{name}' "
                            f"{'(position 1) ' if name == 'mode' else ''}must be bool, "
                            f"not {type(value).__name__}")
    _deterministic.update(mode=mode, warn_only=warn_only)


def are_deterministic_algorithms_enabled() -> bool:
    return _deterministic["mode"]


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    return _deterministic["warn_only"]


def set_deterministic_debug_mode(debug_mode) -> None:
    modes = {"default": 0, "warn": 1, "error": 2}
    level = modes[debug_mode] if isinstance(debug_mode, str) else debug_mode
    use_deterministic_algorithms(level > 0, warn_only=level == 1)


def get_deterministic_debug_mode() -> int:
    if not _deterministic["mode"]:
        return 0
    return 1 if _deterministic["warn_only"] else 2


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


_threads = {"intra": _cores(), "interop": _cores(), "interop_set": False}


def get_num_threads() -> int:
    return _threads["intra"]


def set_num_threads(count: int) -> None:
    if count <= 0:
        raise RuntimeError("set_num_threads expects a positive integer")
    _threads["intra"] = count


def get_num_interop_threads() -> int:
    return _threads["interop"]


def set_num_interop_threads(count: int) -> None:
    if count <= 0:
        raise RuntimeError("Expected positive number of threads")
    if _threads["interop_set"]:
        raise RuntimeError("Error: cannot set number of interop threads after parallel work "
                           "has started or set_num_interop_threads called")
    _threads.update(interop=count, interop_set=True)
