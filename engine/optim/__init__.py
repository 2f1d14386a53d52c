"""engine.optim: SGD, Adam, AdamW, RMSprop, Adagrad and the common lr_scheduler classes, as
PyTorch's."""
from engine.optim.optimizer import Optimizer
from engine.optim.sgd import SGD
from engine.optim.adam import Adam, AdamW
from engine.optim.rmsprop import Adagrad, RMSprop
from engine.optim import lr_scheduler

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "lr_scheduler"]


from engine._unsupported import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr("torch.optim")

# optims helper: LBFGS, NAdam, RAdam, Adamax, Adadelta, Rprop, ASGD
from engine.optim.lbfgs import LBFGS  # noqa: E402

__all__ += ["LBFGS"]
from engine.optim.adam_variants import Adamax, NAdam, RAdam  # noqa: E402

__all__ += ["NAdam", "RAdam", "Adamax"]
from engine.optim.adadelta_rprop_asgd import ASGD, Adadelta, Rprop  # noqa: E402

__all__ += ["Adadelta", "Rprop", "ASGD"]

# training-script scaffolding (issue #11): weight averaging (SWA, EMA)
from engine.optim import swa_utils  # noqa: E402

# breadth: Adafactor (engine/optim/adafactor.py)
from engine.optim.adafactor import Adafactor  # noqa: E402

__all__ += ["Adafactor"]
