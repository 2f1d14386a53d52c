"""torch.distributions held to PyTorch live: every case runs on torch and on the engine and
must give the same observations — values (exact lists), dtypes and shapes, the samples a seed
draws, the gradients through rsample and log_prob, the names of the graph's nodes, reprs,
and the texts of the errors and warnings."""
import math
import warnings

import pytest
import torch

import engine
from tests.oracle import agree, error_of, params, run, scenarios


def seen(t):
    """What a tensor shows: dtype, shape, values (NaN as "nan", so that equal results
    compare equal), whether it needs grad, its node."""
    node = t.grad_fn.name() if t.grad_fn is not None else None
    return str(t.dtype), tuple(t.shape), _nan_named(t.tolist()), t.requires_grad, node


def _nan_named(values):
    if isinstance(values, list):
        return [_nan_named(v) for v in values]
    return "nan" if values != values else values


def graph_names(tensor):
    """Every node reachable from tensor.grad_fn, depth first, as `depth:name` strings."""
    lines, visited = [], set()

    def visit(node, depth):
        if node is None:
            lines.append(f"{depth}:None")
            return
        lines.append(f"{depth}:{node.name()}")
        if node in visited:
            return
        visited.add(node)
        for child, _ in node.next_functions:
            visit(child, depth + 1)

    visit(tensor.grad_fn, 0)
    return lines


def grads(*tensors):
    return [_nan_named(t.grad.tolist()) for t in tensors]


def _leaf(lib, values, dtype=None):
    return lib.tensor(values, dtype=dtype, requires_grad=True)


# ---------------------------------------------------------------- Normal

def sc_normal_values(lib):
    D = lib.distributions
    loc, scale = _leaf(lib, [0.0, 1.0, -1.5]), _leaf(lib, [1.0, 0.5, 2.0])
    dist = D.Normal(loc, scale)
    value = lib.tensor([0.3, -0.2, 4.0])
    return (repr(dist), repr(dist.batch_shape), repr(dist.event_shape),
            [seen(t) for t in (dist.log_prob(value), dist.entropy(), dist.mean,
                               dist.variance, dist.stddev, dist.cdf(value),
                               dist.perplexity())],
            graph_names(dist.log_prob(value)), dist.has_rsample, dist.support.__repr__())


def sc_normal_rsample_gradients(lib):
    lib.manual_seed(7)
    loc, scale = _leaf(lib, [0.0, 1.0, -1.5]), _leaf(lib, [1.0, 0.5, 2.0])
    dist = lib.distributions.Normal(loc, scale)
    draw = dist.rsample((2,))
    loss = (draw ** 2).sum() + dist.log_prob(draw.detach()).sum()
    loss.backward()
    return seen(draw), graph_names(draw), graph_names(loss), grads(loc, scale)


def sc_normal_sample_shapes_and_numbers(lib):
    lib.manual_seed(11)
    dist = lib.distributions.Normal(_leaf(lib, [[0.0], [5.0]]), _leaf(lib, [1.0, 2.0, 3.0]))
    return (repr(dist), [seen(dist.sample(shape)) for shape in [(), (4,), lib.Size([2, 1])]],
            seen(dist.rsample()))


def sc_normal_of_numbers(lib):
    lib.manual_seed(0)
    dist = lib.distributions.Normal(0.0, 1.0)
    return (repr(dist), repr(dist.batch_shape), seen(dist.sample()), seen(dist.rsample((3,))),
            seen(dist.log_prob(lib.tensor(0.5))), seen(dist.entropy()))


def sc_normal_float64(lib):
    lib.manual_seed(2)
    dist = lib.distributions.Normal(lib.zeros(3, dtype=lib.float64), 2.0)
    return seen(dist.sample((2,))), seen(dist.rsample()), seen(dist.log_prob(lib.ones(3)))


def sc_normal_expand(lib):
    lib.manual_seed(5)
    dist = lib.distributions.Normal(_leaf(lib, [0.0, 1.0]), _leaf(lib, [1.0, 3.0]))
    wide = dist.expand((3, 2))
    return (repr(wide), repr(wide.batch_shape), seen(wide.rsample()), seen(wide.loc),
            error_of(lambda: dist.expand((3,))))


def sc_exponential_family_entropy(lib):
    """The Bregman-divergence entropy (through autograd.grad, create_graph) of the base."""
    D = lib.distributions
    normal = D.Normal(_leaf(lib, [0.0, 1.0, -1.5]), _leaf(lib, [1.0, 0.5, 2.0]))
    entropy = D.ExponentialFamily.entropy(normal)
    bernoulli = D.ExponentialFamily.entropy(D.Bernoulli(probs=lib.tensor([0.2, 0.7])))
    rate = D.ExponentialFamily.entropy(D.Exponential(lib.tensor([0.5, 3.0])))
    return seen(entropy), graph_names(entropy), seen(bernoulli), seen(rate)


# ---------------------------------------------------------------- Uniform, Exponential, Laplace

def sc_uniform(lib):
    lib.manual_seed(3)
    low, high = _leaf(lib, [0.0, -1.0]), _leaf(lib, [2.0, 3.0])
    dist = lib.distributions.Uniform(low, high)
    draw = dist.rsample((3,))
    draw.sum().backward()
    value = lib.tensor([0.5, 2.5])
    return (repr(dist), seen(draw), graph_names(draw), grads(low, high),
            [seen(t) for t in (dist.log_prob(value), dist.entropy(), dist.mean, dist.variance,
                               dist.stddev, dist.cdf(value), dist.icdf(lib.tensor([0.25, 0.5])),
                               dist.mode)],
            repr(dist.support), seen(dist.sample()))


def sc_uniform_outside_support(lib):
    dist = lib.distributions.Uniform(0.0, 1.0, validate_args=False)
    return seen(dist.log_prob(lib.tensor([-0.5, 0.0, 1.0, 2.0])))


def sc_exponential(lib):
    lib.manual_seed(4)
    rate = _leaf(lib, [0.5, 2.0, 4.0])
    dist = lib.distributions.Exponential(rate)
    draw = dist.rsample((2,))
    dist.log_prob(draw.detach()).sum().backward()
    value = lib.tensor([0.1, 1.0, 3.0])
    return (repr(dist), seen(draw), graph_names(draw), grads(rate),
            [seen(t) for t in (dist.entropy(), dist.mean, dist.variance, dist.stddev,
                               dist.cdf(value), dist.icdf(lib.tensor([0.1, 0.5, 0.9])),
                               dist.mode)])


def sc_laplace(lib):
    lib.manual_seed(6)
    loc, scale = _leaf(lib, [0.0, 1.0]), _leaf(lib, [1.0, 0.25])
    dist = lib.distributions.Laplace(loc, scale)
    draw = dist.rsample((4,))
    draw.sum().backward()
    value = lib.tensor([0.5, -1.0])
    return (repr(dist), seen(draw), graph_names(draw), grads(loc, scale),
            [seen(t) for t in (dist.log_prob(value), dist.entropy(), dist.mean, dist.variance,
                               dist.stddev, dist.cdf(value), dist.icdf(lib.tensor([0.2, 0.7])))],
            graph_names(dist.cdf(value)))


# ---------------------------------------------------------------- Bernoulli

def sc_bernoulli_probs(lib):
    lib.manual_seed(8)
    probs = _leaf(lib, [0.2, 0.5, 0.9])
    dist = lib.distributions.Bernoulli(probs=probs)
    before = repr(dist)
    value = lib.tensor([1.0, 0.0, 1.0])
    log_prob = dist.log_prob(value)
    log_prob.sum().backward()
    return (before, repr(dist), seen(dist.sample((2,))), seen(log_prob), graph_names(log_prob),
            grads(probs), [seen(t) for t in (dist.entropy(), dist.mean, dist.variance,
                                               dist.mode, dist.logits, dist.probs)],
            seen(dist.enumerate_support()), seen(dist.enumerate_support(expand=False)),
            repr(dist.param_shape))


def sc_bernoulli_logits(lib):
    lib.manual_seed(9)
    logits = _leaf(lib, [[-1.0, 0.0], [2.0, 0.5]])
    dist = lib.distributions.Bernoulli(logits=logits)
    entropy = dist.entropy()
    entropy.sum().backward()
    return (repr(dist), seen(dist.sample()), seen(entropy), graph_names(entropy), grads(logits),
            seen(dist.probs), seen(dist.log_prob(lib.tensor([1.0, 0.0]))))


def sc_bernoulli_of_a_number(lib):
    lib.manual_seed(1)
    dist = lib.distributions.Bernoulli(0.3)
    return repr(dist), repr(dist.batch_shape), seen(dist.sample((5,)))


# ---------------------------------------------------------------- Categorical

def sc_categorical_logits(lib):
    lib.manual_seed(10)
    logits = _leaf(lib, [[0.1, 0.2, 0.7, -1.0], [1.0, -1.0, 0.0, 3.0]])
    dist = lib.distributions.Categorical(logits=logits)
    action = dist.sample()
    log_prob = dist.log_prob(action)
    log_prob.sum().backward()
    return (repr(dist), repr(dist.batch_shape), repr(dist.event_shape), seen(action),
            seen(log_prob), graph_names(log_prob), grads(logits),
            [seen(t) for t in (dist.entropy(), dist.probs, dist.logits, dist.mean,
                               dist.variance, dist.mode)],
            graph_names(dist.entropy()), seen(dist.sample((3, 2))),
            seen(dist.enumerate_support()), repr(dist.support))


def sc_categorical_probs(lib):
    lib.manual_seed(12)
    probs = _leaf(lib, [2.0, 1.0, 0.0, 1.0])
    dist = lib.distributions.Categorical(probs=probs)
    entropy = dist.entropy()
    entropy.backward()
    return (repr(dist), seen(dist.probs), seen(entropy), graph_names(entropy), grads(probs),
            seen(dist.sample((6,))), seen(dist.log_prob(lib.tensor([0, 2, 3]))),
            seen(dist.logits))


def sc_categorical_expand(lib):
    lib.manual_seed(13)
    dist = lib.distributions.Categorical(probs=lib.tensor([0.1, 0.6, 0.3])).expand((2, 3))
    return repr(dist), repr(dist.batch_shape), seen(dist.sample((2,))), seen(dist.probs)


def sc_reinforce_step(lib):
    """The policy-gradient pattern: -(log_prob(action) * advantage).sum().backward()."""
    lib.manual_seed(14)
    policy = lib.nn.Linear(4, 3)
    states = lib.randn(5, 4)
    dist = lib.distributions.Categorical(logits=policy(states))
    actions = dist.sample()
    advantage = lib.tensor([1.0, -0.5, 2.0, 0.0, 0.3])
    loss = -(dist.log_prob(actions) * advantage).sum()
    loss.backward()
    return (seen(actions), seen(loss), graph_names(loss), policy.weight.grad.tolist(),
            policy.bias.grad.tolist())


def sc_one_hot_categorical(lib):
    lib.manual_seed(15)
    logits = _leaf(lib, [[0.0, 1.0, 2.0], [3.0, 0.0, -1.0]])
    dist = lib.distributions.OneHotCategorical(logits=logits)
    draw = dist.sample((2,))
    log_prob = dist.log_prob(draw)
    log_prob.sum().backward()
    through = lib.distributions.OneHotCategoricalStraightThrough(logits=logits)
    return (repr(dist), repr(dist.event_shape), seen(draw), seen(log_prob), grads(logits),
            [seen(t) for t in (dist.entropy(), dist.mean, dist.variance, dist.mode)],
            seen(dist.enumerate_support()), seen(through.rsample()),
            graph_names(through.rsample()))


# ---------------------------------------------------------------- Independent

def sc_independent(lib):
    lib.manual_seed(16)
    D = lib.distributions
    loc = _leaf(lib, [[0.0, 1.0, 2.0], [-1.0, 0.5, 0.0]])
    dist = D.Independent(D.Normal(loc, lib.ones(2, 3)), 1)
    draw = dist.rsample()
    log_prob = dist.log_prob(draw)
    log_prob.sum().backward()
    return (repr(dist), repr(dist.batch_shape), repr(dist.event_shape), seen(draw),
            seen(log_prob), graph_names(log_prob), grads(loc), seen(dist.entropy()),
            repr(dist.support), dist.has_rsample, repr(dist.expand((4, 2)).batch_shape),
            error_of(lambda: D.Independent(D.Normal(loc, 1.0), 3)))


# ---------------------------------------------------------------- MultivariateNormal

def _mvn_parameters(lib):
    loc = _leaf(lib, [[0.0, 1.0, -1.0], [2.0, -1.0, 0.5]])
    tril = _leaf(lib, [[1.0, 0.0, 0.0], [0.5, 2.0, 0.0], [-0.3, 0.2, 0.7]])
    return loc, tril


def sc_multivariate_normal_scale_tril(lib):
    lib.manual_seed(18)
    loc, tril = _mvn_parameters(lib)
    dist = lib.distributions.MultivariateNormal(loc, scale_tril=tril)
    draw = dist.rsample((4,))
    (draw ** 2).sum().backward()
    return (repr(dist), repr(dist.batch_shape), repr(dist.event_shape), seen(draw),
            graph_names(draw), grads(loc, tril),
            [seen(t) for t in (dist.mean, dist.variance, dist.stddev, dist.entropy(),
                               dist.covariance_matrix, dist.scale_tril, dist.mode)],
            graph_names(dist.entropy()), seen(dist.sample((2,))),
            repr(dist.expand((5, 2)).batch_shape), repr(dist.support))


def sc_multivariate_normal_errors(lib):
    MVN = lib.distributions.MultivariateNormal
    loc, tril = _mvn_parameters(lib)
    makers = [lambda: MVN(lib.tensor(1.0), scale_tril=tril), lambda: MVN(loc),
              lambda: MVN(loc, scale_tril=tril, covariance_matrix=tril),
              lambda: MVN(loc, scale_tril=lib.ones(3)),
              lambda: MVN(loc, covariance_matrix=lib.ones(3)),
              lambda: MVN(loc, precision_matrix=lib.ones(3)),
              lambda: MVN(loc, scale_tril=tril.detach().t()),
              lambda: MVN(loc, scale_tril=tril).log_prob(lib.ones(2))]
    return [error_of(make) for make in makers]


def sc_multivariate_normal_log_prob(lib):
    loc, tril = _mvn_parameters(lib)
    dist = lib.distributions.MultivariateNormal(loc, scale_tril=tril)
    value = lib.tensor([[[0.5, 0.0, 1.0]], [[-1.0, 2.0, 0.0]]])
    log_prob = dist.log_prob(value)
    log_prob.sum().backward()
    return seen(log_prob), graph_names(log_prob), grads(loc, tril)


def sc_multivariate_normal_kl(lib):
    loc, tril = _mvn_parameters(lib)
    dist = lib.distributions.MultivariateNormal(loc, scale_tril=tril)
    other = lib.distributions.MultivariateNormal(lib.zeros(3), scale_tril=tril.detach() * 2)
    kl = lib.distributions.kl_divergence(dist, other)
    kl.sum().backward()
    return seen(kl), graph_names(kl), grads(loc, tril)


def sc_multivariate_normal_covariance(lib):
    lib.manual_seed(19)
    covariance = lib.tensor([[2.0, 0.5], [0.5, 1.0]])
    dist = lib.distributions.MultivariateNormal(lib.zeros(2), covariance_matrix=covariance)
    precision = lib.distributions.MultivariateNormal(lib.zeros(2), precision_matrix=covariance)
    return (repr(dist), seen(dist.scale_tril), seen(dist.rsample()), seen(precision.scale_tril),
            seen(precision.covariance_matrix), seen(dist.precision_matrix),
            error_of(lambda: lib.distributions.MultivariateNormal(
                lib.zeros(2), covariance_matrix=lib.tensor([[1.0, 2.0], [2.0, 1.0]]))))


# ---------------------------------------------------------------- kl_divergence

def sc_kl_normal_normal(lib):
    D = lib.distributions
    loc, scale = _leaf(lib, [0.0, 1.0, -2.0]), _leaf(lib, [1.0, 0.5, 2.0])
    kl = D.kl_divergence(D.Normal(loc, scale), D.Normal(lib.zeros(3), lib.ones(3)))
    kl.sum().backward()
    return seen(kl), graph_names(kl), grads(loc, scale)


def sc_kl_categorical_categorical(lib):
    D = lib.distributions
    logits = _leaf(lib, [[0.0, 1.0, 2.0], [1.0, 1.0, 1.0]])
    p = D.Categorical(logits=logits)
    kl = D.kl_divergence(p, D.Categorical(probs=lib.tensor([0.2, 0.3, 0.5])))
    kl.sum().backward()
    zero_in_q = D.kl_divergence(p, D.Categorical(probs=lib.tensor([0.5, 0.5, 0.0])))
    zero_in_p = D.kl_divergence(D.Categorical(probs=lib.tensor([0.5, 0.5, 0.0])), p)
    return seen(kl), graph_names(kl), grads(logits), seen(zero_in_q), seen(zero_in_p)


def sc_kl_bernoulli_bernoulli(lib):
    D = lib.distributions
    probs = _leaf(lib, [0.2, 0.5, 0.9, 0.0, 1.0])
    kl = D.kl_divergence(D.Bernoulli(probs=probs),
                         D.Bernoulli(probs=lib.tensor([0.3, 0.0, 0.9, 0.5, 1.0])))
    return seen(kl), graph_names(kl)


def sc_kl_other_pairs(lib):
    D = lib.distributions
    normal = D.Normal(lib.tensor([0.0, 1.0]), lib.tensor([1.0, 2.0]))
    uniform = D.Uniform(lib.tensor([0.0, -1.0]), lib.tensor([1.0, 1.0]))
    exponential = D.Exponential(lib.tensor([1.0, 3.0]))
    laplace = D.Laplace(lib.tensor([0.0, 1.0]), lib.tensor([1.0, 0.5]))
    pairs = [(uniform, D.Uniform(lib.tensor([-1.0, 0.0]), lib.tensor([2.0, 1.0]))),
             (exponential, D.Exponential(lib.tensor([2.0, 2.0]))), (laplace, laplace),
             (normal, uniform), (normal, exponential), (normal, laplace), (laplace, normal),
             (exponential, normal), (uniform, normal), (uniform, exponential),
             (laplace, uniform), (exponential, uniform),
             (D.Independent(normal, 1), D.Independent(D.Normal(lib.zeros(2), 1.0), 1))]
    return [seen(D.kl_divergence(p, q)) for p, q in pairs]


def sc_kl_errors(lib):
    D = lib.distributions
    normal = D.Normal(0.0, 1.0)
    return (error_of(lambda: D.kl_divergence(normal, D.Bernoulli(0.5))),
            error_of(lambda: D.kl_divergence(D.Categorical(lib.ones(2)), normal)),
            error_of(lambda: D.kl_divergence(D.Independent(D.Normal(lib.zeros(2, 2), 1.0), 1),
                                             D.Independent(D.Normal(lib.zeros(2, 2), 1.0), 2))))


def sc_register_kl(lib):
    D = lib.distributions

    class Wide(D.Normal):
        pass

    @D.register_kl(Wide, D.Normal)
    def _wide_normal(p, q):
        return lib.tensor(42.0)

    return (D.kl_divergence(Wide(0.0, 1.0), D.Normal(0.0, 2.0)).item(),
            D.kl_divergence(D.Normal(0.0, 1.0), Wide(0.0, 2.0)).tolist())


# ---------------------------------------------------------------- validation

def sc_parameter_errors(lib):
    D = lib.distributions
    nan = float("nan")
    makers = [lambda: D.Normal(lib.tensor([0.0, nan]), 1.0),
              lambda: D.Normal(0.0, -1.0),
              lambda: D.Normal(lib.zeros(2), _leaf(lib, [1.0, -2.0])),
              lambda: D.Bernoulli(probs=1.5),
              lambda: D.Bernoulli(probs=lib.tensor([0.5]), logits=lib.tensor([0.0])),
              lambda: D.Bernoulli(),
              lambda: D.Categorical(probs=lib.tensor(1.0)),
              lambda: D.Categorical(logits=lib.tensor(1.0)),
              lambda: D.Categorical(probs=lib.tensor([0.5, -0.5, 1.0])),
              lambda: D.Uniform(1.0, 0.0),
              lambda: D.Uniform(lib.zeros(2), lib.tensor([1.0, 0.0])),
              lambda: D.Exponential(lib.tensor([1.0, 0.0])),
              lambda: D.Laplace(0.0, lib.tensor([[1.0], [-1.0]])),
              lambda: D.Normal("0", 1.0)]
    return [error_of(make) for make in makers]


def sc_sample_errors(lib):
    D = lib.distributions
    normal = D.Normal(lib.zeros(3), lib.ones(3))
    categorical = D.Categorical(logits=lib.zeros(2, 3))
    checks = [lambda: normal.log_prob(lib.ones(4)),
              lambda: normal.log_prob([1.0, 2.0, 3.0]),
              lambda: categorical.log_prob(lib.tensor(5)),
              lambda: categorical.log_prob(lib.tensor([0.5, 1.0])),
              lambda: D.Bernoulli(0.5).log_prob(lib.tensor(0.5)),
              lambda: D.Exponential(1.0).log_prob(lib.tensor(-1.0)),
              lambda: D.Uniform(0.0, 1.0).log_prob(lib.tensor(2.0)),
              lambda: D.OneHotCategorical(lib.ones(3)).log_prob(lib.tensor([1.0, 1.0, 0.0])),
              lambda: D.Independent(D.Normal(lib.zeros(2, 3), 1.0), 1).log_prob(lib.zeros(2)),
              lambda: D.Categorical(lib.ones(2)).cdf(lib.tensor(0)),
              lambda: D.Categorical(lib.ones(2)).icdf(lib.tensor(0))]
    return [error_of(check) for check in checks]


def sc_a_subclass_without_constraints_warns(lib):
    class Bare(lib.distributions.Distribution):
        pass

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        bare = Bare(lib.Size([2]))
    return ([(w.category.__name__, str(w.message).replace("torch.", "engine."),
              w.filename, w.lineno) for w in caught],
            repr(bare.batch_shape), error_of(lambda: bare.mean), error_of(lambda: bare.mode),
            error_of(lambda: bare.sample()), error_of(lambda: repr(bare)))


def sc_validate_args_switch(lib):
    D = lib.distributions
    off = D.Normal(0.0, -1.0, validate_args=False)
    D.Distribution.set_default_validate_args(False)
    try:
        quiet = D.Normal(0.0, -1.0)
        outside = D.Uniform(0.0, 1.0).log_prob(lib.tensor(2.0))
    finally:
        D.Distribution.set_default_validate_args(True)
    return (repr(off), seen(off.log_prob(lib.tensor(0.0))), repr(quiet), seen(outside),
            error_of(lambda: D.Distribution.set_default_validate_args(1.5)),
            error_of(lambda: D.Normal(0.0, -1.0)) is not None)


def sc_sample_n_warns(lib):
    lib.manual_seed(17)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        draw = lib.distributions.Normal(0.0, 1.0).sample_n(3)
    return seen(draw), [(w.category.__name__, str(w.message)) for w in caught]


# ---------------------------------------------------------------- constraints

def sc_constraints(lib):
    C = lib.distributions.constraints
    values = lib.tensor([[-1.0, 0.0, 0.5], [1.0, 2.0, float("nan")]])
    named = [C.real, C.positive, C.nonnegative, C.unit_interval, C.boolean, C.simplex,
             C.real_vector, C.greater_than(0.5), C.greater_than_eq(0.5), C.less_than(1.0),
             C.interval(-1.0, 1.0), C.half_open_interval(0.0, 1.0), C.integer_interval(0, 2),
             C.nonnegative_integer, C.positive_integer, C.one_hot, C.independent(C.positive, 1)]
    checks = [(repr(c), c.check(values).tolist(), c.event_dim, c.is_discrete) for c in named]
    matrices = lib.tensor([[[1.0, 0.0], [2.0, 3.0]], [[1.0, 1.0], [0.0, 1.0]]])
    for c in (C.lower_triangular, C.lower_cholesky, C.square, C.symmetric):
        checks.append((repr(c), c.check(matrices).tolist(), c.event_dim))
    return (checks, C.is_dependent(C.dependent), error_of(lambda: C.dependent.check(values)),
            error_of(lambda: C.dependent.event_dim))


def sc_utils(lib):
    U = lib.distributions.utils
    mat = _leaf(lib, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]])
    below = U.tril_matrix_to_vec(mat, diag=-1)
    back = U.vec_to_tril_matrix(below, diag=-1)
    back.sum().backward()
    probs = lib.tensor([0.0, 0.3, 1.0])
    return (seen(U.tril_matrix_to_vec(mat)), seen(below), seen(back), graph_names(back),
            grads(mat), seen(U.vec_to_tril_matrix(lib.arange(6.0))),
            seen(U.probs_to_logits(probs)), seen(U.probs_to_logits(probs, is_binary=True)),
            seen(U.logits_to_probs(lib.tensor([0.0, 1.0]))), seen(U.clamp_probs(probs)),
            [seen(t) for t in U.broadcast_all(lib.zeros(2, 1), 3.0, lib.ones(3))],
            U.euler_constant, error_of(lambda: U.tril_matrix_to_vec(mat, diag=3)),
            error_of(lambda: U.vec_to_tril_matrix(lib.ones(4))),
            error_of(lambda: U.broadcast_all(lib.ones(2), "x")))


SCENARIOS = scenarios(globals())
@pytest.mark.parametrize("name", params(SCENARIOS))
def test_distributions_agree_with_torch(name):
    """Everything equal but floats, which agree to float32 rounding: the engine's exp, log,
    softmax and logsumexp (NumPy's) differ from torch's (SLEEF's) in the last bit or two, and
    a few results (a KL of nearly equal distributions) are small differences of such values.
    Samples are held bit for bit below."""
    expected = run(SCENARIOS[name], torch)
    actual = run(SCENARIOS[name], engine)
    assert _differences(expected, actual) == []


def _differences(expected, actual, path="") -> list:
    if isinstance(expected, (list, tuple)) and isinstance(actual, (list, tuple)):
        if type(expected) is not type(actual) or len(expected) != len(actual):
            return [(path, expected, actual)]
        return [difference for index, (a, b) in enumerate(zip(expected, actual))
                for difference in _differences(a, b, f"{path}[{index}]")]
    if type(expected) is float and type(actual) is float:
        if math.isclose(expected, actual, rel_tol=1e-5, abs_tol=1e-6):
            return []
    return [] if expected == actual else [(path, expected, actual)]


def sx_samples_bit_for_bit(lib):
    """Every sampler after the same seed: torch's numbers exactly. (Laplace draws the same
    uniforms, but its float32 log1p, NumPy's, may differ from torch's in the last bit: it is
    held to rounding in sc_laplace.)"""
    D = lib.distributions
    lib.manual_seed(21)
    loc, scale = lib.tensor([0.0, 1.0, -1.5]), lib.tensor([1.0, 0.5, 2.0])
    dists = [D.Normal(loc, scale), D.Normal(0.0, 1.0), D.Uniform(loc, loc + scale),
             D.Exponential(scale), D.Bernoulli(probs=scale / 2),
             D.Bernoulli(logits=loc), D.Categorical(logits=lib.stack([loc, scale])),
             D.OneHotCategorical(probs=scale), D.Independent(D.Normal(loc, scale), 1),
             D.Normal(loc.double(), scale.double()), D.Exponential(scale.double())]
    drawn = []
    for dist in dists:
        for shape in [(), (2,), (3, 2)]:
            drawn.append(_bits(dist.sample(shape)))
            if dist.has_rsample:
                drawn.append(_bits(dist.rsample(shape)))
    return drawn


def _bits(t):
    return str(t.dtype), tuple(t.shape), t.detach().numpy().tobytes().hex()


def test_samples_are_torchs_bit_for_bit():
    agree(sx_samples_bit_for_bit)


def test_a_distribution_torch_has_and_the_engine_lacks_says_so():
    import engine
    error = error_of(lambda: engine.distributions.Beta)
    assert error == ("NotSupportedError", "torch.distributions.Beta is not supported by "
                     "graphtui's engine (see docs/supported.md for what is)")
    assert error_of(lambda: engine.distributions.Nothing) == (
        "AttributeError", "module 'engine.distributions' has no attribute 'Nothing'")
