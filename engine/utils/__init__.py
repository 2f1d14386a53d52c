"""engine.utils: data loading (engine.utils.data), checkpointing and hook handles.

engine.utils.checkpoint is imported on first use (`import engine.utils.checkpoint`), as in
torch (it needs engine.autograd, which imports after engine.utils)."""
from engine._unsupported import module_getattr
from engine.utils import data, hooks

__getattr__ = module_getattr("torch.utils")
