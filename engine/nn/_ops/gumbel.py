"""gumbel_softmax as torch.nn.functional composes it: Gumbel noise drawn as -log of an
exponential_ sample (torch's random numbers for the same seed), a softmax of
(logits + noise) / tau, and with hard=True the straight-through one-hot."""
from __future__ import annotations

import warnings


def gumbel_softmax(logits, tau: float = 1, hard: bool = False, eps: float = 1e-10,
                   dim: int = -1):
    import engine
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    gumbels = -engine.empty_like(logits).exponential_().log()
    y_soft = ((logits + gumbels) / tau).softmax(dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = engine.zeros_like(logits).scatter_(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft
