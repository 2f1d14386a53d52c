"""torch.cpu: the CPU device module (its amp spellings, and the queries scripts make)."""
from engine._unsupported import module_getattr
from engine.cpu import amp


def is_available() -> bool:
    return True


def device_count() -> int:
    return 1


def current_device() -> str:
    return "cpu"


def synchronize(device=None) -> None:
    """The CPU runs in order: nothing to wait for."""


__getattr__ = module_getattr("torch.cpu")
