"""Geometric, Gumbel, HalfNormal, Pareto, Weibull, LogisticNormal, MixtureSameFamily and
the relaxed (Gumbel-softmax) Bernoulli and one-hot Categorical held to PyTorch live, as
test_distributions_live holds the others: values, samples after a seed, grads, nodes,
reprs, KL, error texts."""
import pytest
import torch

import engine
from tests.engine.distributions.test_distributions_live import (_differences, _leaf,
                                                                graph_names, grads, seen)
from tests.oracle import agree, error_of, params, run, scenarios


def sc_geometric(lib):
    lib.manual_seed(23)
    D = lib.distributions
    probs = _leaf(lib, [0.2, 0.5, 0.9, 1.0])
    dist = D.Geometric(probs=probs)
    draw = dist.sample((3,))
    log_prob = dist.log_prob(lib.tensor([0.0, 1.0, 3.0, 0.0]))
    log_prob.sum().backward()
    by_logits = D.Geometric(logits=lib.tensor([0.0, -2.0]))
    return (repr(dist), seen(draw), seen(log_prob), graph_names(log_prob), grads(probs),
            [seen(t) for t in (dist.mean, dist.variance, dist.mode, dist.logits)],
            seen(D.Geometric(probs=lib.tensor([0.3, 0.6])).entropy()), repr(by_logits),
            seen(by_logits.probs), seen(by_logits.sample()),
            seen(D.kl_divergence(by_logits, D.Geometric(probs=lib.tensor([0.4, 0.4])))),
            error_of(lambda: D.Geometric(probs=lib.tensor([0.5, 0.0]))),
            error_of(lambda: D.Geometric(probs=1.5)),
            error_of(lambda: dist.log_prob(lib.tensor([0.5, 1.0, 1.0, 1.0]))))


def sc_gumbel(lib):
    lib.manual_seed(24)
    D = lib.distributions
    loc, scale = _leaf(lib, [0.0, 2.0]), _leaf(lib, [1.0, 0.5])
    dist = D.Gumbel(loc, scale)
    draw = dist.rsample((3,))
    log_prob = dist.log_prob(lib.tensor([0.5, 1.0]))
    (draw.sum() + log_prob.sum()).backward()
    scalar = D.Gumbel(0.0, 1.0)
    return (repr(dist), seen(draw), graph_names(draw), seen(log_prob), grads(loc, scale),
            [seen(t) for t in (dist.mean, dist.mode, dist.stddev, dist.variance,
                               dist.entropy(), dist.cdf(lib.tensor([0.5, 1.0])))],
            repr(scalar), seen(scalar.sample((4,))), repr(dist.expand((3, 2)).batch_shape),
            seen(dist.expand((3, 2)).sample()), error_of(lambda: D.Gumbel(0.0, 0.0)))


def sc_half_normal(lib):
    lib.manual_seed(25)
    D = lib.distributions
    scale = _leaf(lib, [1.0, 0.5, 3.0])
    dist = D.HalfNormal(scale)
    draw = dist.rsample((2,))
    log_prob = dist.log_prob(lib.tensor([0.5, 0.0, 2.0]))
    (draw.sum() + log_prob.sum()).backward()
    return (repr(dist), seen(draw), graph_names(draw), seen(log_prob), graph_names(log_prob),
            grads(scale), [seen(t) for t in (dist.mean, dist.mode, dist.variance, dist.entropy(),
                                               dist.cdf(lib.tensor([0.5, 0.1, 1.0])))],
            seen(D.kl_divergence(dist, D.HalfNormal(lib.ones(3)))),
            repr(dist.support), error_of(lambda: dist.log_prob(lib.tensor([-1.0, 1.0, 1.0]))),
            seen(D.HalfNormal(1.0, validate_args=False).log_prob(lib.tensor([-1.0, 1.0]))),
            error_of(lambda: D.HalfNormal(-1.0)))


def sc_gaussian_mixture(lib):
    """A mixture density network's head: MixtureSameFamily of Independent Normals."""
    lib.manual_seed(27)
    D = lib.distributions
    logits = _leaf(lib, [[0.2, -1.0, 0.5], [1.0, 0.0, 0.0]])
    means = _leaf(lib, [[[0.0, 1.0], [2.0, -1.0], [-2.0, 0.5]],
                        [[1.0, 1.0], [0.0, 0.0], [3.0, -3.0]]])
    components = D.Independent(D.Normal(means, lib.ones(2, 3, 2) * 0.5), 1)
    mixture = D.MixtureSameFamily(D.Categorical(logits=logits), components)
    value = lib.tensor([[0.5, 0.5], [1.0, -1.0]])
    log_prob = mixture.log_prob(value)
    (-log_prob.sum()).backward()
    scalar = D.MixtureSameFamily(D.Categorical(lib.tensor([0.3, 0.7])),
                                 D.Normal(lib.tensor([-1.0, 2.0]), lib.tensor([0.5, 1.0])))
    return (repr(mixture), repr(mixture.batch_shape), repr(mixture.event_shape),
            seen(log_prob), graph_names(log_prob), grads(logits, means),
            seen(mixture.mean), seen(mixture.variance), seen(mixture.sample()),
            seen(mixture.sample((3,))), repr(mixture.support),
            seen(scalar.sample((5,))), seen(scalar.cdf(lib.tensor([0.0, 1.0]))),
            repr(scalar.expand((4,)).batch_shape),
            error_of(lambda: D.MixtureSameFamily(D.Normal(0.0, 1.0), components)),
            error_of(lambda: D.MixtureSameFamily(D.Categorical(lib.ones(2)), components)),
            error_of(lambda: D.MixtureSameFamily(D.Categorical(lib.ones(3)), "normal")))


def sc_relaxed_bernoulli(lib):
    lib.manual_seed(28)
    D = lib.distributions
    temperature = lib.tensor(0.5)
    logits = _leaf(lib, [0.0, 2.0, -1.0])
    dist = D.RelaxedBernoulli(temperature, logits=logits)
    draw = dist.rsample((2,))
    log_prob = dist.log_prob(lib.tensor([0.3, 0.9, 0.1]))
    (draw.sum() + log_prob.sum()).backward()
    by_probs = D.RelaxedBernoulli(temperature, probs=lib.tensor([0.2, 0.7]))
    return (repr(dist), seen(draw), graph_names(draw), seen(log_prob), grads(logits),
            seen(dist.probs), repr(by_probs), seen(by_probs.sample((3,))),
            repr(dist.support), repr(dist.expand((4, 3)).batch_shape),
            error_of(lambda: D.RelaxedBernoulli(temperature, probs=1.5)))


def sc_relaxed_one_hot_categorical(lib):
    """Gumbel-softmax: a reparameterised, relaxed one-hot sample."""
    lib.manual_seed(29)
    D = lib.distributions
    logits = _leaf(lib, [[0.0, 1.0, 2.0], [1.0, 1.0, -1.0]])
    dist = D.RelaxedOneHotCategorical(lib.tensor(0.7), logits=logits)
    draw = dist.rsample()
    (draw * lib.tensor([1.0, 2.0, 3.0])).sum().backward()
    return (repr(dist), repr(dist.batch_shape), repr(dist.event_shape), seen(draw),
            graph_names(draw), grads(logits), seen(dist.sample((2,))), seen(dist.probs),
            repr(dist.support), repr(dist.base_dist))


def sc_pareto(lib):
    lib.manual_seed(30)
    D = lib.distributions
    scale, alpha = _leaf(lib, [1.0, 2.0]), _leaf(lib, [3.0, 0.5])
    dist = D.Pareto(scale, alpha)
    draw = dist.rsample((3,))
    log_prob = dist.log_prob(lib.tensor([1.5, 4.0]))
    (draw.sum() + log_prob.sum()).backward()
    other = D.Pareto(lib.tensor([0.5, 3.0]), lib.tensor([2.0, 2.0]))
    return (repr(dist), seen(draw), graph_names(draw), seen(log_prob), grads(scale, alpha),
            [seen(t) for t in (dist.mean, dist.mode, dist.variance, dist.entropy(),
                               dist.cdf(lib.tensor([1.5, 4.0])))],
            repr(dist.support), seen(D.kl_divergence(dist, other)),
            repr(dist.expand((2, 2)).batch_shape),
            error_of(lambda: dist.log_prob(lib.tensor([0.5, 4.0]))))


def sc_logistic_normal(lib):
    lib.manual_seed(31)
    D = lib.distributions
    loc, scale = _leaf(lib, [0.0, 1.0, -1.0]), _leaf(lib, [1.0, 0.5, 2.0])
    dist = D.LogisticNormal(loc, scale)
    draw = dist.rsample((2,))
    log_prob = dist.log_prob(lib.tensor([0.1, 0.2, 0.3, 0.4]))
    (draw[..., 0].sum() + log_prob).backward()
    return (repr(dist), repr(dist.batch_shape), repr(dist.event_shape), seen(draw),
            seen(log_prob), graph_names(log_prob), grads(loc, scale),
            repr(D.LogisticNormal(0.0, 1.0).event_shape),
            seen(D.LogisticNormal(0.0, 1.0).sample()),
            repr(dist.support))


def sc_weibull(lib):
    lib.manual_seed(32)
    D = lib.distributions
    scale, concentration = _leaf(lib, [1.0, 2.0]), _leaf(lib, [1.5, 0.7])
    dist = D.Weibull(scale, concentration)
    draw = dist.rsample((3,))
    log_prob = dist.log_prob(lib.tensor([0.5, 3.0]))
    (draw.sum() + log_prob.sum()).backward()
    wide = dist.expand((2, 2))
    return (repr(dist), seen(draw), graph_names(draw), seen(log_prob),
            grads(scale, concentration),
            seen(dist.mode), seen(dist.entropy()), seen(dist.cdf(lib.tensor([0.5, 3.0]))),
            repr(wide.batch_shape), seen(wide.sample()), seen(dist.mean), seen(dist.variance),
            graph_names(dist.variance))



SCENARIOS = scenarios(globals())


@pytest.mark.parametrize("name", params(SCENARIOS))
def test_more_distributions_agree_with_torch(name):
    expected = run(SCENARIOS[name], torch)
    actual = run(SCENARIOS[name], engine)
    assert _differences(expected, actual) == []


def sx_samples(lib):
    """(Gumbel's samples are log(log(u)) of torch's uniforms: NumPy's float32 log may differ
    in the last bit, so sc_gumbel holds them to rounding.)"""
    D = lib.distributions
    lib.manual_seed(26)
    return [t.numpy().tobytes().hex() for t in (
        D.Geometric(probs=lib.tensor([0.2, 0.7])).sample((5,)),
        D.HalfNormal(lib.tensor([1.0, 2.0])).sample((4,)))]


def test_samples_are_torchs_bit_for_bit():
    agree(sx_samples)


def sx_gumbel_kl(lib):
    D = lib.distributions
    loc = _leaf(lib, [0.0, 1.5])
    kl = D.kl_divergence(D.Gumbel(loc, 1.0), D.Gumbel(1.0, 2.0))
    kl.sum().backward()
    return seen(kl), graph_names(kl), grads(loc)


def test_gumbel_kl_agrees_with_torch():
    """Its rule calls Tensor.lgamma (issue #11)."""
    assert _differences(run(sx_gumbel_kl, torch), run(sx_gumbel_kl, engine)) == []



def sx_continuous_bernoulli(lib):
    lib.manual_seed(33)
    D = lib.distributions
    probs = _leaf(lib, [0.2, 0.4995, 0.9])
    dist = D.ContinuousBernoulli(probs=probs)
    draw = dist.rsample((2,))
    log_prob = dist.log_prob(lib.tensor([0.3, 0.5, 0.99]))
    (draw.sum() + log_prob.sum()).backward()
    by_logits = D.ContinuousBernoulli(logits=lib.tensor([0.0, 2.0, -1.0]))
    return (repr(dist), seen(draw), graph_names(draw), seen(log_prob), grads(probs),
            [seen(t) for t in (dist.mean, dist.variance, dist.stddev, dist.entropy(),
                               dist.cdf(lib.tensor([0.3, 0.5, 0.99])),
                               dist.icdf(lib.tensor([0.3, 0.5, 0.99])), dist.logits)],
            repr(by_logits), seen(by_logits.probs), seen(by_logits.sample()),
            seen(D.kl_divergence(dist, by_logits)),
            seen(D.ExponentialFamily.entropy(by_logits)),
            error_of(lambda: D.ContinuousBernoulli(probs=1.5, validate_args=True)),
            error_of(lambda: D.ContinuousBernoulli(probs=1.5)))


def test_continuous_bernoulli_agrees_with_torch():
    assert _differences(run(sx_continuous_bernoulli, torch),
                        run(sx_continuous_bernoulli, engine)) == []


def _one_of_each(lib):
    """One distribution of each univariate family (batch shape (2,)), for every KL pair."""
    D = lib.distributions
    t = lib.tensor
    return [D.Normal(t([0.0, 1.0]), t([1.0, 2.0])), D.Uniform(t([0.1, -1.0]), t([0.9, 1.0])),
            D.Exponential(t([1.0, 3.0])), D.Laplace(t([0.0, 1.0]), t([1.0, 0.5])),
            D.Bernoulli(probs=t([0.3, 0.8])), D.Geometric(probs=t([0.3, 0.8])),
            D.Gumbel(t([0.0, 1.0]), t([1.0, 2.0])), D.HalfNormal(t([1.0, 2.0])),
            D.Pareto(t([1.0, 2.0]), t([3.0, 2.5])),
            D.ContinuousBernoulli(probs=t([0.3, 0.8])),
            D.LogNormal(t([0.0, 1.0]), t([1.0, 0.5])),
            D.Categorical(probs=t([[0.2, 0.8], [0.5, 0.5]])),
            D.Independent(D.Normal(t([[0.0, 1.0], [1.0, 0.0]]), t([1.0, 2.0])), 1)]


def sx_kl_between_every_pair(lib):
    """kl_divergence of every ordered pair: torch's value, inf, or its error, the same."""
    D = lib.distributions
    dists = _one_of_each(lib)
    outcomes = []
    for p in dists:
        for q in dists:
            try:
                outcomes.append(seen(D.kl_divergence(p, q)))
            except Exception as error:  # noqa: BLE001 - the error is the observation
                outcomes.append((type(p).__name__, type(q).__name__, type(error).__name__,
                                 str(error)))
    return outcomes


def test_kl_between_every_pair_agrees_with_torch():
    """All 169 pairs (Gumbel-Gumbel's rule calls Tensor.lgamma)."""
    expected = run(sx_kl_between_every_pair, torch)
    actual = run(sx_kl_between_every_pair, engine)
    assert len(expected) == 13 * 13
    assert _differences(expected, actual) == []
