"""engine.utils: data loading (engine.utils.data), checkpointing and hook handles."""
from engine._unsupported import module_getattr
from engine.utils import data, hooks

__getattr__ = module_getattr("torch.utils")
