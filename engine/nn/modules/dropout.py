"""Dropout."""
from __future__ import annotations

from engine.nn import functional as F
from engine.nn.modules.module import Module


class Dropout(Module):
    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p, self.inplace = p, inplace

    def forward(self, input):
        return F.dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout2d(Dropout):
    """Zeroes whole channels: one draw per (sample, channel)."""

    def forward(self, input):
        return F.dropout2d(input, self.p, self.training, self.inplace)
