"""torch.distributions: probability distributions over the engine's ops, as PyTorch's.

Each distribution is plain Python over tensor ops, as torch's is, and runs the same ops in
the same order: the graph of a log_prob or an rsample has torch's nodes, and a sample after
the same seed draws the same numbers (torch.normal, rand, multinomial, bernoulli,
exponential_ and uniform_ reproduce torch's CPU generator).

Present: Distribution, ExponentialFamily, Normal, Uniform, Bernoulli, ContinuousBernoulli,
Categorical, OneHotCategorical(StraightThrough), Exponential, Laplace, Geometric, Gumbel,
HalfNormal, Independent, MixtureSameFamily, LogNormal, LogisticNormal, Pareto, Weibull,
RelaxedBernoulli, RelaxedOneHotCategorical,
TransformedDistribution, transforms, biject_to and transform_to, MultivariateNormal (its
log_prob and a covariance or precision matrix need torch.linalg's solve_triangular and
cholesky), kl_divergence with every rule torch registers between these, register_kl,
constraints. Other torch distributions raise NotSupportedError.

The package loads its modules on first read of a name (PEP 562), so that `import torch`,
which binds torch.distributions, does not pay for thirty modules a script may never use.
"""
from importlib import import_module as _import_module

# Each public name and the module that defines it.
_WHERE = {
    "Bernoulli": "bernoulli", "Categorical": "categorical",
    "ContinuousBernoulli": "continuous_bernoulli", "Distribution": "distribution",
    "Exponential": "exponential", "ExponentialFamily": "exp_family",
    "Geometric": "geometric", "Gumbel": "gumbel", "HalfNormal": "half_normal",
    "Independent": "independent", "Laplace": "laplace", "LogNormal": "log_normal",
    "LogisticNormal": "logistic_normal", "MixtureSameFamily": "mixture_same_family",
    "MultivariateNormal": "multivariate_normal", "Normal": "normal",
    "OneHotCategorical": "one_hot_categorical",
    "OneHotCategoricalStraightThrough": "one_hot_categorical", "Pareto": "pareto",
    "RelaxedBernoulli": "relaxed_bernoulli",
    "RelaxedOneHotCategorical": "relaxed_categorical",
    "TransformedDistribution": "transformed_distribution", "Uniform": "uniform",
    "Weibull": "weibull", "biject_to": "constraint_registry",
    "transform_to": "constraint_registry", "kl_divergence": "kl", "register_kl": "kl",
    **{name: "transforms" for name in (
        "AbsTransform", "AffineTransform", "CatTransform", "ComposeTransform",
        "ExpTransform", "IndependentTransform", "LowerCholeskyTransform",
        "PositiveDefiniteTransform", "PowerTransform", "ReshapeTransform",
        "SigmoidTransform", "SoftmaxTransform", "SoftplusTransform", "StackTransform",
        "StickBreakingTransform", "TanhTransform", "Transform", "identity_transform")},
}
__all__ = list(_WHERE)


def _submodules() -> frozenset:
    from pkgutil import iter_modules
    return frozenset(info.name for info in iter_modules(__path__))


def __getattr__(name: str):
    if name in _WHERE:
        value = getattr(_import_module(f"{__name__}.{_WHERE[name]}"), name)
        globals()[name] = value
        return value
    if name in _submodules():
        return _import_module(f"{__name__}.{name}")
    from engine._unsupported import missing
    raise missing("torch.distributions", name, f"module '{__name__}' has no attribute")


def __dir__() -> list:
    return sorted(set(globals()) | set(_WHERE) | _submodules())
