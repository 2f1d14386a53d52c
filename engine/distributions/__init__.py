"""torch.distributions: probability distributions over the engine's ops, as PyTorch's.

Each distribution is plain Python over tensor ops, as torch's is, and runs the same ops in
the same order: the graph of a log_prob or an rsample has torch's nodes, and a sample after
the same seed draws the same numbers (torch.normal, rand, multinomial, bernoulli,
exponential_ and uniform_ reproduce torch's CPU generator).

Present: Distribution, ExponentialFamily, Normal, Uniform, Bernoulli, ContinuousBernoulli,
Categorical, OneHotCategorical(StraightThrough), Exponential, Laplace, Geometric, Gumbel,
HalfNormal, Independent, MixtureSameFamily, LogNormal, LogisticNormal, Pareto, Weibull (its
mean and variance need lgamma), RelaxedBernoulli, RelaxedOneHotCategorical,
TransformedDistribution, transforms, biject_to and transform_to, MultivariateNormal (its
log_prob and a covariance or precision matrix need torch.linalg's solve_triangular and
cholesky), kl_divergence with every rule torch registers between these, register_kl,
constraints. Other torch distributions raise NotSupportedError.
"""
from engine.distributions import constraints, transforms
from engine.distributions.bernoulli import Bernoulli
from engine.distributions.categorical import Categorical
from engine.distributions.constraint_registry import biject_to, transform_to
from engine.distributions.continuous_bernoulli import ContinuousBernoulli
from engine.distributions.distribution import Distribution
from engine.distributions.exp_family import ExponentialFamily
from engine.distributions.exponential import Exponential
from engine.distributions.geometric import Geometric
from engine.distributions.gumbel import Gumbel
from engine.distributions.half_normal import HalfNormal
from engine.distributions.independent import Independent
from engine.distributions.kl import kl_divergence, register_kl
from engine.distributions.laplace import Laplace
from engine.distributions.log_normal import LogNormal
from engine.distributions.logistic_normal import LogisticNormal
from engine.distributions.mixture_same_family import MixtureSameFamily
from engine.distributions.multivariate_normal import MultivariateNormal
from engine.distributions.normal import Normal
from engine.distributions.one_hot_categorical import (OneHotCategorical,
                                                      OneHotCategoricalStraightThrough)
from engine.distributions.pareto import Pareto
from engine.distributions.relaxed_bernoulli import RelaxedBernoulli
from engine.distributions.relaxed_categorical import RelaxedOneHotCategorical
from engine.distributions.transformed_distribution import TransformedDistribution
from engine.distributions.transforms import (AbsTransform, AffineTransform, CatTransform,
                                             ComposeTransform, ExpTransform,
                                             IndependentTransform, LowerCholeskyTransform,
                                             PositiveDefiniteTransform, PowerTransform,
                                             ReshapeTransform, SigmoidTransform,
                                             SoftmaxTransform, SoftplusTransform,
                                             StackTransform, StickBreakingTransform,
                                             TanhTransform, Transform, identity_transform)
from engine.distributions.uniform import Uniform
from engine.distributions.weibull import Weibull

__all__ = ["Bernoulli", "Categorical", "ContinuousBernoulli", "Distribution", "Exponential",
           "ExponentialFamily", "Geometric", "Gumbel", "HalfNormal", "Independent", "Laplace",
           "LogNormal", "LogisticNormal", "MixtureSameFamily", "MultivariateNormal", "Normal",
           "OneHotCategorical", "OneHotCategoricalStraightThrough", "Pareto",
           "RelaxedBernoulli", "RelaxedOneHotCategorical", "TransformedDistribution",
           "Uniform", "Weibull", "biject_to", "kl_divergence", "register_kl", "transform_to",
           "AbsTransform", "AffineTransform", "CatTransform", "ComposeTransform",
           "ExpTransform", "IndependentTransform", "LowerCholeskyTransform",
           "PositiveDefiniteTransform", "PowerTransform", "ReshapeTransform",
           "SigmoidTransform", "SoftmaxTransform", "SoftplusTransform", "StackTransform",
           "StickBreakingTransform", "TanhTransform", "Transform", "identity_transform"]

from engine._unsupported import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr("torch.distributions")
