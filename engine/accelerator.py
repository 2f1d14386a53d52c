"""torch.accelerator on a machine without one."""
from __future__ import annotations

from engine._unsupported import module_getattr


def is_available() -> bool:
    return False


def current_accelerator(check_available: bool = False):
    return None


def device_count() -> int:
    return 0


__getattr__ = module_getattr("torch.accelerator")
