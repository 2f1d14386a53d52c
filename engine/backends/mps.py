"""torch.backends.mps: no Metal device."""
from engine._unsupported import module_getattr


def is_available() -> bool:
    return False


def is_built() -> bool:
    return False


__getattr__ = module_getattr("torch.backends.mps")
