"""torch.nn.attention: SDPBackend and sdpa_kernel, which picks the kernels CUDA may use for
scaled_dot_product_attention in a block (the engine always computes the math kernel; the
flags in torch.backends.cuda read as torch's would)."""
from __future__ import annotations

import contextlib
import enum

from engine._unsupported import module_getattr
from engine.backends import cuda as _cuda


class SDPBackend(enum.Enum):
    ERROR = -1
    MATH = 0
    FLASH_ATTENTION = 1
    EFFICIENT_ATTENTION = 2
    CUDNN_ATTENTION = 3
    OVERRIDEABLE = 4

    def __int__(self) -> int:
        return self.value

    __index__ = __int__


_FLAG_OF = {SDPBackend.FLASH_ATTENTION: "flash", SDPBackend.EFFICIENT_ATTENTION: "mem_efficient",
            SDPBackend.MATH: "math", SDPBackend.CUDNN_ATTENTION: "cudnn"}


@contextlib.contextmanager
def sdpa_kernel(backends, set_priority: bool = False):
    if not isinstance(backends, (list, SDPBackend)):
        raise AssertionError("Backend must be an instance of SDPBackend or a list of "
                             f"SDPBackend instances, got {type(backends).__name__}")
    chosen = {backends} if isinstance(backends, SDPBackend) else set(backends)
    before = dict(_cuda._sdp_enabled)
    _cuda._sdp_enabled.update({flag: backend in chosen for backend, flag in _FLAG_OF.items()})
    try:
        yield {}
    finally:
        _cuda._sdp_enabled.update(before)


__all__ = ["SDPBackend", "sdpa_kernel"]
__getattr__ = module_getattr("torch.nn.attention")
