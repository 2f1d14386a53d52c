"""LogSigmoid and Softmax2d, as torch.nn's."""
from __future__ import annotations

from engine.nn import functional as F
from engine.nn.modules.module import Module


class LogSigmoid(Module):
    def forward(self, input):
        return F.logsigmoid(input)


class Softmax2d(Module):
    def forward(self, input):
        if input.dim() not in (3, 4):
            raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {input.dim()}D "
                             "instead")
        return F.softmax(input, -3, _stacklevel=5)
