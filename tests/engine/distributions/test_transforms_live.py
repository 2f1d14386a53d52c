"""torch.distributions.transforms, biject_to / transform_to, TransformedDistribution and
LogNormal held to PyTorch live
(the same comparison as test_distributions_live: everything equal, floats to float32
rounding): values, inverses, log |det J|, the squashed-Gaussian policy of SAC (Normal through
TanhTransform with its cache), reprs, shapes and errors."""
import pytest
import torch

import engine
from tests.engine.distributions.test_distributions_live import (_differences, _leaf,
                                                                graph_names, grads, seen)
from tests.oracle import error_of, params, run, scenarios


def _round_trip(lib, transform, x):
    y = transform(x)
    return (repr(transform), seen(y), seen(transform.inv(y)),
            seen(transform.log_abs_det_jacobian(x, y)), repr(transform.domain),
            repr(transform.codomain), transform.bijective)


def sc_elementwise_transforms(lib):
    T = lib.distributions.transforms
    x = _leaf(lib, [-2.0, -0.3, 0.0, 0.7, 3.0])
    positive = lib.tensor([0.5, 1.0, 2.0, 4.0, 9.0])
    observed = [_round_trip(lib, t, x) for t in (
        T.ExpTransform(), T.SigmoidTransform(), T.SoftplusTransform(), T.TanhTransform(),
        T.AffineTransform(1.0, -2.0), T.AffineTransform(lib.tensor(0.5), lib.tensor(3.0)))]
    observed.append(_round_trip(lib, T.PowerTransform(lib.tensor(2.0)), positive))
    observed.append((repr(T.AbsTransform()), seen(T.AbsTransform()(x)),
                     seen(T.AbsTransform().inv(positive))))
    return observed


def sc_composed_and_inverse_transforms(lib):
    T = lib.distributions.transforms
    x = _leaf(lib, [[0.1, -0.4, 1.2], [2.0, 0.0, -1.0]])
    composed = T.ComposeTransform([T.AffineTransform(0.0, 2.0), T.TanhTransform()])
    y = composed(x)
    ladj = composed.log_abs_det_jacobian(x, y)
    ladj.sum().backward()
    inverse = composed.inv
    exp_inv = T.ExpTransform().inv
    return (repr(composed), repr(inverse), repr(exp_inv), seen(y), seen(ladj),
            graph_names(ladj), grads(x), seen(inverse(y)), inverse.inv is composed,
            exp_inv.inv == T.ExpTransform(), T.ExpTransform() == T.ExpTransform(),
            T.AffineTransform(1.0, 2.0) == T.AffineTransform(1.0, 2.0),
            T.AffineTransform(1.0, 2.0) != T.AffineTransform(1.0, 3.0),
            repr(T.identity_transform), seen(T.identity_transform(x)),
            composed.sign, composed.event_dim)


def sc_vector_transforms(lib):
    T = lib.distributions.transforms
    x = _leaf(lib, [[0.5, -1.0, 2.0, 0.0], [1.0, 1.0, 1.0, 1.0]])
    independent = T.IndependentTransform(T.ExpTransform(), 1)
    reshape = T.ReshapeTransform((4,), (2, 2))
    softmax = T.SoftmaxTransform()
    affine = T.AffineTransform(lib.zeros(4), lib.tensor([1.0, 2.0, 3.0, 4.0]), event_dim=1)
    return (_round_trip(lib, independent, x), repr(reshape), seen(reshape(x)),
            seen(reshape.inv(reshape(x))), seen(reshape.log_abs_det_jacobian(x, reshape(x))),
            repr(reshape.forward_shape(lib.Size([3, 4]))), seen(softmax(x)),
            seen(softmax.inv(softmax(x))), _round_trip(lib, affine, x),
            error_of(lambda: reshape.forward_shape(lib.Size([3]))),
            error_of(lambda: T.ReshapeTransform((4,), (3,))),
            error_of(lambda: T.ExpTransform(cache_size=2)),
            error_of(lambda: T.ComposeTransform([T.ExpTransform(), softmax]).event_dim))


def sc_squashed_gaussian_policy(lib):
    """SAC's policy: a Normal through tanh; the cached transform inverts the action it made."""
    lib.manual_seed(20)
    D, T = lib.distributions, lib.distributions.transforms
    mu, log_std = _leaf(lib, [0.1, -0.5]), _leaf(lib, [-1.0, 0.3])
    policy = D.TransformedDistribution(D.Normal(mu, log_std.exp()),
                                       [T.TanhTransform(cache_size=1)])
    action = policy.rsample()
    log_prob = policy.log_prob(action).sum(-1)
    (log_prob - action.pow(2).sum()).backward()
    return (repr(policy), repr(policy.batch_shape), repr(policy.event_shape), seen(action),
            seen(log_prob), graph_names(log_prob), grads(mu, log_std),
            repr(policy.support), seen(policy.sample((3,))), policy.has_rsample,
            seen(policy.cdf(lib.tensor([0.2, -0.9]))))


def sc_log_normal(lib):
    lib.manual_seed(22)
    loc, scale = _leaf(lib, [0.0, 1.0]), _leaf(lib, [0.5, 2.0])
    dist = lib.distributions.LogNormal(loc, scale)
    draw = dist.rsample((3,))
    log_prob = dist.log_prob(lib.tensor([0.5, 4.0]))
    (draw.sum() + log_prob.sum()).backward()
    return (repr(dist), seen(draw), graph_names(draw), seen(log_prob), graph_names(log_prob),
            grads(loc, scale), [seen(t) for t in (dist.mean, dist.mode, dist.variance,
                                                    dist.entropy(), dist.cdf(lib.tensor(2.0)))],
            repr(dist.expand((4, 2)).batch_shape), seen(dist.expand((4, 2)).sample()),
            repr(dist.support), error_of(lambda: dist.log_prob(lib.tensor([-1.0, 1.0]))),
            error_of(lambda: lib.distributions.LogNormal(0.0, -1.0)))


def sc_transformed_distribution_shapes(lib):
    D, T = lib.distributions, lib.distributions.transforms
    base = D.Normal(lib.zeros(2, 4), lib.ones(2, 4))
    reshaped = D.TransformedDistribution(base, T.ReshapeTransform((4,), (2, 2)))
    scaled = D.TransformedDistribution(D.Normal(0.0, 1.0),
                                       T.AffineTransform(lib.zeros(3), lib.ones(3)))
    return (repr(reshaped.batch_shape), repr(reshaped.event_shape),
            repr(reshaped.base_dist), seen(reshaped.log_prob(lib.ones(2, 2, 2))),
            repr(scaled.batch_shape), repr(scaled.base_dist),
            error_of(lambda: D.TransformedDistribution(base, "exp")),
            error_of(lambda: D.TransformedDistribution(base, [T.ExpTransform(), "exp"])),
            error_of(lambda: D.TransformedDistribution(D.Normal(0.0, 1.0),
                                                       T.ReshapeTransform((4,), (2, 2)))))


def sc_stick_breaking_cat_stack(lib):
    T = lib.distributions.transforms
    x = _leaf(lib, [[0.5, -1.0, 2.0], [0.0, 0.0, 0.0]])
    stick = T.StickBreakingTransform()
    y = stick(x)
    ladj = stick.log_abs_det_jacobian(x, y)
    ladj.sum().backward()
    cat = T.CatTransform([T.ExpTransform(), T.identity_transform], dim=1, lengths=[1, 2])
    stack = T.StackTransform([T.ExpTransform(), T.TanhTransform()], dim=0)
    return (repr(stick), seen(y), seen(stick.inv(y)), seen(ladj), graph_names(ladj), grads(x),
            repr(stick.forward_shape(lib.Size([2, 3]))), repr(stick.codomain),
            seen(cat(x)), seen(cat.inv(cat(x))), seen(cat.log_abs_det_jacobian(x, cat(x))),
            repr(cat.domain), cat.event_dim, seen(stack(x)), seen(stack.inv(stack(x))),
            seen(stack.log_abs_det_jacobian(x, stack(x))), repr(stack.codomain),
            error_of(lambda: cat(lib.zeros(2, 4))), error_of(lambda: stack(lib.zeros(3, 2))),
            error_of(lambda: stack.log_abs_det_jacobian(lib.zeros(2), lib.zeros(2, 2))))


def sc_biject_to_and_transform_to(lib):
    D = lib.distributions
    C = D.constraints
    x = lib.tensor([[-1.0, 0.0, 2.0], [0.5, -0.5, 1.0]])
    observed = []
    for constraint in (C.real, C.positive, C.nonnegative, C.greater_than(1.5),
                       C.greater_than_eq(-1.0), C.less_than(2.0), C.unit_interval,
                       C.interval(-2.0, 3.0), C.half_open_interval(0.0, 5.0), C.real_vector,
                       C.independent(C.positive, 1), C.simplex,
                       C.cat([C.positive, C.real], dim=1, lengths=[1, 2]),
                       C.stack([C.positive, C.unit_interval], dim=0)):
        for registry in (D.biject_to, D.transform_to):
            transform = registry(constraint)
            observed.append((repr(transform), seen(transform(x)),
                             bool(constraint.check(transform(x)).all())))
    return (observed, error_of(lambda: D.biject_to(C.boolean)),
            error_of(lambda: D.biject_to(C.lower_cholesky)),
            error_of(lambda: D.biject_to.register(3, lambda c: None)))


SCENARIOS = scenarios(globals())


@pytest.mark.parametrize("name", params(SCENARIOS))
def test_transforms_agree_with_torch(name):
    expected = run(SCENARIOS[name], torch)
    actual = run(SCENARIOS[name], engine)
    assert _differences(expected, actual) == []
