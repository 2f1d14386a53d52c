"""torch.profiler: record_function only (see engine/autograd/profiler.py)."""
from engine._unsupported import module_getattr
from engine.autograd.profiler import record_function

__all__ = ["record_function"]
__getattr__ = module_getattr("torch.profiler")
