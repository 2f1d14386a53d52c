"""torch.distributions.ExponentialFamily: the entropy of an exponential family from its
natural parameters and log normalizer (Bregman divergence), through autograd.grad."""
from __future__ import annotations

import engine as torch
from engine.distributions.distribution import Distribution

__all__ = ["ExponentialFamily"]


class ExponentialFamily(Distribution):

    @property
    def _natural_params(self):
        raise NotImplementedError

    def _log_normalizer(self, *natural_params):
        raise NotImplementedError

    @property
    def _mean_carrier_measure(self):
        raise NotImplementedError

    def entropy(self):
        result = -self._mean_carrier_measure
        natural_params = [p.detach().requires_grad_() for p in self._natural_params]
        log_normalizer = self._log_normalizer(*natural_params)
        gradients = torch.autograd.grad(log_normalizer.sum(), natural_params,
                                        create_graph=True)
        result += log_normalizer
        for param, gradient in zip(natural_params, gradients):
            result -= (param * gradient).reshape(self._batch_shape + (-1,)).sum(-1)
        return result
