"""torch.cuda as a CPU-only build of PyTorch has it: no device, and its errors."""
from __future__ import annotations

from engine._device import NO_CUDA_MESSAGE
from engine._unsupported import module_getattr


def is_available() -> bool:
    return False


def is_bf16_supported(including_emulation: bool = True) -> bool:
    return False


def memory_allocated(device=None) -> int:
    return 0


def max_memory_allocated(device=None) -> int:
    return 0


def memory_reserved(device=None) -> int:
    return 0


def max_memory_reserved(device=None) -> int:
    return 0


def device_count() -> int:
    return 0


def is_initialized() -> bool:
    return False


def manual_seed(seed: int) -> None:
    """Without CUDA there is no CUDA generator to seed: PyTorch ignores the call too."""


def manual_seed_all(seed: int) -> None:
    """As manual_seed."""


def empty_cache() -> None:
    """Nothing is cached without CUDA."""


def _lazy_init():
    raise AssertionError(NO_CUDA_MESSAGE)


def current_device() -> int:
    _lazy_init()


def synchronize(device=None) -> None:
    _lazy_init()


def get_device_name(device=None) -> str:
    _lazy_init()


def get_rng_state(device="cuda"):
    _lazy_init()


def set_rng_state(new_state, device="cuda") -> None:
    """torch queues the call until CUDA initialises, which never happens here."""


def get_rng_state_all() -> list:
    return []


def set_rng_state_all(new_states) -> None:
    """No devices to set."""


def get_device_capability(device=None):
    _lazy_init()


def get_device_properties(device=None):
    _lazy_init()


__getattr__ = module_getattr("torch.cuda")
from engine.cuda import amp  # noqa: E402  (torch.cuda.amp)
