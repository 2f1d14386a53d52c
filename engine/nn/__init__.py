"""engine.nn: PyTorch's torch.nn for the supported subset."""
from engine.nn.parameter import Buffer, Parameter, UninitializedBuffer, UninitializedParameter
from engine.nn.modules import *  # noqa: F401,F403  (every layer, as torch.nn does)
from engine.nn.modules import __all__ as _layers
from engine.nn import attention, functional, init, modules, utils

__all__ = ["Buffer", "Parameter", "UninitializedBuffer", "UninitializedParameter", *_layers,
           "functional", "init", "modules", "utils"]


from engine._unsupported import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr("torch.nn")
