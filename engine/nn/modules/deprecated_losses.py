"""NLLLoss2d: NLLLoss under its old name, deprecated as PyTorch deprecates it (a
FutureWarning when the class itself is instantiated or subclassed)."""
from __future__ import annotations

import warnings

from engine.nn.modules.loss import NLLLoss

_NLL_LOSS_2D = ("`NLLLoss2d` has been deprecated. Please use `NLLLoss` instead as a drop-in "
                "replacement and see https://pytorch.org/docs/main/nn.html#torch.nn.NLLLoss "
                "for more details.")


class NLLLoss2d(NLLLoss):
    __deprecated__ = _NLL_LOSS_2D

    def __new__(cls, *args, **kwargs):
        if cls is NLLLoss2d:
            warnings.warn(_NLL_LOSS_2D, FutureWarning, stacklevel=2)
        return super().__new__(cls)

    def __init_subclass__(cls, **kwargs) -> None:
        warnings.warn(_NLL_LOSS_2D, FutureWarning, stacklevel=2)
        super().__init_subclass__(**kwargs)

    def __init__(self, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
                 reduction: str = "mean") -> None:
        super().__init__(weight, size_average, ignore_index, reduce, reduction)
