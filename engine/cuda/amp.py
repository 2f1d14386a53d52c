"""torch.cuda.amp: deprecated spellings of torch.amp's autocast and GradScaler for "cuda"
(both disable themselves on a CPU-only build)."""
from engine._unsupported import module_getattr
from engine.amp.autocast_mode import custom_bwd, custom_fwd, deprecated_autocast
from engine.amp.grad_scaler import deprecated_grad_scaler

autocast = deprecated_autocast("cuda")
GradScaler = deprecated_grad_scaler("cuda")

__all__ = ["autocast", "custom_bwd", "custom_fwd", "GradScaler"]
__getattr__ = module_getattr("torch.cuda.amp")
