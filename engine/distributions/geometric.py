"""torch.distributions.Geometric: the number of failures before the first success."""
from __future__ import annotations

import engine as torch
from engine.distributions import constraints
from engine.distributions.distribution import Distribution
from engine.distributions.utils import (_NUMBER, broadcast_all, finfo_of, lazy_property,
                                        logits_to_probs, probs_to_logits)
from engine.dtypes import Size

__all__ = ["Geometric"]


class Geometric(Distribution):
    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.nonnegative_integer

    def __init__(self, probs=None, logits=None, validate_args=None) -> None:
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            (self.probs,) = broadcast_all(probs)
        else:
            (self.logits,) = broadcast_all(logits)
        given = probs if probs is not None else logits
        super().__init__(Size() if isinstance(given, _NUMBER) else given.size(),
                         validate_args=validate_args)
        if self._validate_args and probs is not None:
            self._check_positive_probs()

    def _check_positive_probs(self) -> None:
        """probs = 0 is in unit_interval but has no geometric distribution."""
        value = self.probs
        valid = value > 0
        if not valid.all():
            raise ValueError(f"Expected parameter probs ({type(value).__name__} of shape "
                             f"{tuple(value.shape)}) of distribution {self!r} to be positive "
                             f"but found invalid values:\n{value.data[~valid]}")

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Geometric, _instance)
        batch_shape = Size(batch_shape)
        if "probs" in self.__dict__:
            new.probs = self.probs.expand(batch_shape)
        if "logits" in self.__dict__:
            new.logits = self.logits.expand(batch_shape)
        super(Geometric, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self):
        return 1.0 / self.probs - 1.0

    @property
    def mode(self):
        return torch.zeros_like(self.probs)

    @property
    def variance(self):
        return (1.0 / self.probs - 1.0) / self.probs

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits, is_binary=True)

    def sample(self, sample_shape=Size()):
        shape = self._extended_shape(sample_shape)
        tiny = float(finfo_of(self.probs.dtype).tiny)
        with torch.no_grad():
            u = torch.empty(shape, dtype=self.probs.dtype,
                            device=self.probs.device).uniform_(tiny, 1)
            return (u.log() / (-self.probs).log1p()).floor()

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        value, probs = broadcast_all(value, self.probs)
        # torch clones with memory_format=contiguous_format: broadcast_all's probs is an
        # expanded view, whose clone is contiguous in either format.
        probs = probs.clone()
        # A sure success (probs 1) has probability 1 at 0, not 0 * log(0).
        probs[(probs == 1) & (value == 0)] = 0
        return value * (-probs).log1p() + self.probs.log()

    def entropy(self):
        return (torch.nn.functional.binary_cross_entropy_with_logits(
            self.logits, self.probs, reduction="none") / self.probs)
