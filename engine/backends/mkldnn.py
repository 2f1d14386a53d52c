"""torch.backends.mkldnn: oneDNN is built into PyTorch's CPU wheels; its flags are held."""
from engine._unsupported import module_getattr

enabled = True
deterministic = False
verbose = 0


def is_available() -> bool:
    return True


__getattr__ = module_getattr("torch.backends.mkldnn")
