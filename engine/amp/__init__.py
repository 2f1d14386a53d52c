"""torch.amp: autocast and GradScaler as a CPU-only build of PyTorch has them."""
from engine._unsupported import module_getattr
from engine.amp.autocast_mode import (autocast, custom_bwd, custom_fwd,
                                      is_autocast_available)
from engine.amp.grad_scaler import GradScaler

__all__ = ["autocast", "custom_bwd", "custom_fwd", "is_autocast_available", "GradScaler"]
__getattr__ = module_getattr("torch.amp")
