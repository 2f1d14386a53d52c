"""torch.backends: the flags scripts set (cudnn.deterministic = True) and the availability
checks they make (mps.is_available()), as on a CPU-only build."""
from engine.backends import cuda, cudnn, mkldnn, mps, opt_einsum
from engine._unsupported import module_getattr

__all__ = ["cuda", "cudnn", "mkldnn", "mps", "opt_einsum"]
__getattr__ = module_getattr("torch.backends")
