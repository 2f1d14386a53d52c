"""torch.backends.opt_einsum: torch uses the opt_einsum package when it is installed to order
einsum's contractions; the engine never does, as torch without the package."""
from engine._unsupported import module_getattr

enabled = False
strategy = None


def is_available() -> bool:
    return False


def get_opt_einsum():
    return None


__getattr__ = module_getattr("torch.backends.opt_einsum")
