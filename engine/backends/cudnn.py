"""torch.backends.cudnn: its flags can be set (scripts set deterministic = True); without
CUDA they change nothing."""
from engine._unsupported import module_getattr

enabled = True
benchmark = False
deterministic = False
allow_tf32 = True


def is_available() -> bool:
    return False


__getattr__ = module_getattr("torch.backends.cudnn")
