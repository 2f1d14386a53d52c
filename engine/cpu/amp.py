"""torch.cpu.amp: deprecated spellings of torch.amp's autocast and GradScaler for "cpu"."""
from engine._unsupported import module_getattr
from engine.amp.autocast_mode import deprecated_autocast
from engine.amp.grad_scaler import deprecated_grad_scaler

autocast = deprecated_autocast("cpu")
GradScaler = deprecated_grad_scaler("cpu")

__all__ = ["autocast", "GradScaler"]
__getattr__ = module_getattr("torch.cpu.amp")
