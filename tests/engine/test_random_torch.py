"""Random numbers held to PyTorch live: after the same seed, engine and torch give the same
values bit for bit (float32 and float64, small and large, in sequences of mixed calls), and
the generator's state and seeding behave as torch's do.

The float32 normal of 16 or more contiguous values follows torch's AVX2 kernel, which is the
one torch runs on this machine (torch.backends.cpu.get_cpu_capability() is checked below).
"""
import math
import warnings

import numpy as np
import pytest
import torch

import engine
from engine.nn import init

SEEDS = [0, 1, 42, 123456789, 2**40 + 3]
SIZES = [1, 7, 15, 16, 17, 100, 1000, 100_000]
DTYPES = ["float32", "float64"]


def same(ours, theirs) -> bool:
    """Bitwise equality of an engine and a torch tensor (values, dtype and shape)."""
    a, b = np.asarray(ours._data), theirs.detach().numpy()
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == np.ascontiguousarray(b).tobytes()


def both(program, seed):
    """Run program(lib) under the same seed in engine and torch; return both results."""
    engine.manual_seed(seed)
    ours = program(engine)
    torch.manual_seed(seed)
    return ours, program(torch)


def assert_same(program, seed):
    ours, theirs = both(program, seed)
    if not isinstance(ours, (tuple, list)):
        ours, theirs = (ours,), (theirs,)
    for index, (a, b) in enumerate(zip(ours, theirs)):
        assert same(a, b), f"result {index} differs: {a} vs {b}"


def test_torch_runs_its_avx2_kernels_here():
    assert torch.backends.cpu.get_cpu_capability() in ("AVX2", "AVX512")


# ---------------------------------------------------------------- factories

@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_rand_randn(seed, n, dtype):
    assert_same(lambda t: (t.rand(n, dtype=getattr(t, dtype)),
                           t.randn(n, dtype=getattr(t, dtype))), seed)


@pytest.mark.parametrize("seed", SEEDS[:3])
@pytest.mark.parametrize("n", SIZES)
def test_randint_randperm(seed, n):
    assert_same(lambda t: (t.randint(0, 10, (n,)), t.randint(-7, 2**35, (n,)),
                           t.randint(3, 9, (n,), dtype=t.float32), t.randperm(n),
                           t.randperm(n, dtype=t.float64)), seed)


@pytest.mark.parametrize("seed", SEEDS[:3])
def test_shapes_and_like_factories(seed):
    assert_same(lambda t: (t.rand(3, 4, 5), t.randn((2, 17)), t.randint(5, (2, 3)),
                           t.rand_like(t.zeros(4, 5, dtype=t.float64)),
                           t.randn_like(t.zeros(33)), t.randint_like(t.zeros(6), 4),
                           t.randint_like(t.zeros(6, dtype=t.int64), 2, 9),
                           t.randn(0), t.rand(()), t.randn(())), seed)


def test_the_tutorial_s_factory_calls():
    def program(t):
        return (t.rand(1000), t.randn(2, 3), t.randint(3, 7, (1000,)), t.randint(5, (4,)),
                t.randn(2, requires_grad=True), t.rand((2, 2)), t.randn(2, dtype=t.float64))
    assert_same(program, 0)
    assert engine.randn(2, requires_grad=True).requires_grad
    engine.manual_seed(1234)
    first = engine.randn(5)
    engine.manual_seed(1234)
    assert np.array_equal(first._data, engine.randn(5)._data)
    assert not np.array_equal(first._data, engine.randn(5)._data)


@pytest.mark.parametrize("seed", SEEDS)
def test_a_sequence_of_mixed_calls(seed):
    def program(t):
        return (t.randn(3), t.rand(20), t.randint(0, 10, (5,)), t.randn(1),
                t.randn(2, dtype=t.float64), t.randn(50), t.randperm(7), t.randn(5),
                t.rand(1000, dtype=t.float64), t.randn(1))
    assert_same(program, seed)


def test_the_cached_normal_survives_other_draws_and_is_cleared_by_seeding():
    # randn(1) leaves the sine half cached; rand and randint do not touch it.
    assert_same(lambda t: (t.randn(1), t.rand(3), t.randint(9, (2,)), t.randn(1)), 5)
    engine.manual_seed(5)
    engine.randn(1)
    engine.manual_seed(5)
    torch.manual_seed(5)
    assert same(engine.randn(3), torch.randn(3))


def test_generator_objects():
    ours, theirs = engine.Generator().manual_seed(7), torch.Generator().manual_seed(7)
    assert same(engine.randn(20, generator=ours), torch.randn(20, generator=theirs))
    assert same(engine.rand(3, generator=ours), torch.rand(3, generator=theirs))
    assert same(engine.randint(0, 5, (4,), generator=ours),
                torch.randint(0, 5, (4,), generator=theirs))
    assert same(engine.randperm(9, generator=ours), torch.randperm(9, generator=theirs))
    assert same(engine.empty(5).normal_(generator=ours), torch.empty(5).normal_(generator=theirs))
    assert same(engine.rand_like(engine.zeros(3), generator=ours),
                torch.rand_like(torch.zeros(3), generator=theirs))
    assert ours.initial_seed() == theirs.initial_seed() == 7
    assert engine.Generator().initial_seed() == torch.Generator().initial_seed() == 67280421310721
    assert isinstance(engine.manual_seed(3), engine.Generator)
    assert engine.default_generator.initial_seed() == 3


def test_a_generator_leaves_the_default_one_alone():
    def program(t):
        g = t.Generator().manual_seed(11)
        first = t.randn(4)
        t.randn(30, generator=g)
        return first, t.randn(4), t.rand(2, generator=g)
    assert_same(program, 2)


@pytest.mark.parametrize("seed", [0, -1, 2**64 - 1, 2**63, -(2**63), 3.7])
def test_seed_values(seed):
    assert engine.manual_seed(seed).initial_seed() == torch.manual_seed(seed).initial_seed()
    assert engine.initial_seed() == torch.initial_seed()
    assert same(engine.rand(5), torch.rand(5))


@pytest.mark.parametrize("seed", [2**64, -(2**63) - 1])
def test_seed_out_of_range(seed):
    with pytest.raises(ValueError) as ours:
        engine.manual_seed(seed)
    with pytest.raises(ValueError) as theirs:
        torch.manual_seed(seed)
    assert str(ours.value) == str(theirs.value)


def test_seed_draws_a_fresh_64_bit_seed():
    values = {engine.seed() for _ in range(4)}
    assert len(values) == 4 and all(0 <= v < 2**64 for v in values)
    assert engine.initial_seed() in values


# ---------------------------------------------------------------- state

@pytest.mark.parametrize("before", ["nothing", "randn(1)", "rand(700)"])
def test_rng_state_has_torch_s_bytes_and_round_trips(before):
    def advance(t):
        if before == "randn(1)":
            t.randn(1, dtype=t.float64)
        elif before == "rand(700)":
            t.rand(700)
    engine.manual_seed(9)
    advance(engine)
    torch.manual_seed(9)
    advance(torch)
    ours, theirs = engine.get_rng_state(), torch.get_rng_state()
    assert str(ours.dtype) == "torch.uint8" and same(ours, theirs)
    after = engine.randn(5), engine.rand(3)
    engine.set_rng_state(ours)
    again = engine.randn(5), engine.rand(3)
    assert all(same(a, b) for a, b in zip(after, (torch.randn(5), torch.rand(3))))
    assert all(np.array_equal(a._data, b._data) for a, b in zip(after, again))


def test_a_state_from_torch_loads_into_engine():
    torch.manual_seed(4)
    torch.randn(1)
    state = torch.get_rng_state()
    engine.set_rng_state(engine.tensor(state.numpy(), dtype=engine.uint8))
    assert same(engine.randn(3), torch.randn(3))
    assert engine.initial_seed() == 4


def test_bad_states():
    with pytest.raises(TypeError, match="RNG state must be a torch.ByteTensor"):
        engine.set_rng_state(engine.zeros(5056))
    with pytest.raises(RuntimeError, match="Expected a CPUGeneratorImplState of size 5056 but "
                                           "found the input RNG state size to be 10"):
        engine.set_rng_state(engine.zeros(10, dtype=engine.uint8))


def test_fork_rng_restores_the_state():
    engine.manual_seed(1)
    with engine.random.fork_rng():
        engine.randn(100)
    torch.manual_seed(1)
    with torch.random.fork_rng():
        torch.randn(100)
    assert same(engine.randn(4), torch.randn(4))


# ---------------------------------------------------------------- in-place and sampling ops

@pytest.mark.parametrize("seed", SEEDS[:3])
@pytest.mark.parametrize("n", SIZES[:-1])
@pytest.mark.parametrize("dtype", DTYPES)
def test_in_place_distributions(seed, n, dtype):
    def program(t):
        d = getattr(t, dtype)
        return (t.empty(n, dtype=d).normal_(), t.empty(n, dtype=d).normal_(2.5, 0.3),
                t.empty(n, dtype=d).uniform_(-3, 7.5), t.empty(n, dtype=d).random_(),
                t.empty(n, dtype=d).random_(9), t.empty(n, dtype=d).random_(-4, 40),
                t.empty(n, dtype=d).bernoulli_(0.3), t.empty(n, dtype=d).bernoulli_(),
                t.empty(n, dtype=d).bernoulli_(t.full((n,), 0.6, dtype=t.float32)),
                t.empty(n, dtype=d).bernoulli_(t.full((n,), 0.6, dtype=t.float64)),
                t.empty(n, dtype=d).exponential_(), t.empty(n, dtype=d).exponential_(3.0))
    assert_same(program, seed)


def test_integer_random_():
    def program(t):
        return (t.empty(50, dtype=t.int64).random_(), t.empty(50, dtype=t.int32).random_(),
                t.empty(20, dtype=t.uint8).random_(), t.empty(20, dtype=t.bool).random_(),
                t.empty(20, dtype=t.int64).random_(3, None), t.empty(9, dtype=t.int16).random_())
    assert_same(program, 8)


def test_non_contiguous_targets_draw_in_memory_order():
    def program(t):
        a = t.zeros(6, 5).t()
        a.normal_()                    # 30 values, not contiguous: the scalar path
        b = t.zeros(8, 6)[:, ::2]
        b.uniform_()
        c = t.zeros(4, 9, dtype=t.float64).t()
        c.bernoulli_(0.5)
        return a, b, c
    assert_same(program, 3)


@pytest.mark.parametrize("seed", SEEDS[:3])
def test_bernoulli_and_normal_functions(seed):
    def program(t):
        p32 = t.rand(40)
        p64 = t.rand(3, 5, dtype=t.float64)
        return (t.bernoulli(p32), t.bernoulli(p64), p32.bernoulli(), t.bernoulli(p32, 0.2),
                t.normal(0.5, 2.0, (20,)), t.normal(t.zeros(3), 2.0),
                t.normal(t.arange(20.0), t.ones(20) * 0.5), t.normal(1.5, t.ones(18)),
                t.normal(-1.0, 1.0, size=(4,), dtype=t.float64))
    assert_same(program, seed)


@pytest.mark.parametrize("seed", SEEDS[:3])
@pytest.mark.parametrize("dtype", DTYPES)
def test_multinomial(seed, dtype):
    def program(t):
        d = getattr(t, dtype)
        p = t.tensor([0.1, 0.2, 0.0, 0.4, 0.3], dtype=d)
        rows = t.rand(4, 30, dtype=d)
        return (t.multinomial(p, 1), t.multinomial(p, 4), t.multinomial(p, 20, True),
                t.multinomial(rows, 1), t.multinomial(rows, 10), t.multinomial(rows, 50, True),
                p.multinomial(2, replacement=True), t.multinomial(p, 1, replacement=True))
    assert_same(program, seed)


ERROR_CASES = {
    "normal_ std": lambda t: t.zeros(3).normal_(0, -1),
    "uniform_ range": lambda t: t.zeros(3).uniform_(2, 1),
    "exponential_ lambda": lambda t: t.zeros(3).exponential_(0),
    "exponential_ int": lambda t: t.zeros(3, dtype=t.int64).exponential_(),
    "bernoulli_ p": lambda t: t.zeros(3).bernoulli_(1.5),
    "bernoulli tensor p": lambda t: t.bernoulli(t.tensor([1.5])),
    "bernoulli int": lambda t: t.bernoulli(t.zeros(3, dtype=t.int64)),
    "random_ range": lambda t: t.zeros(3).random_(5, 2),
    "randint range": lambda t: t.randint(5, 2, (3,)),
    "rand int": lambda t: t.rand(3, dtype=t.int64),
    "randn int": lambda t: t.randn(3, dtype=t.int64),
    "normal_ int": lambda t: t.zeros(3, dtype=t.int64).normal_(),
    "rand negative": lambda t: t.rand(-1),
    "multinomial zero sum": lambda t: t.multinomial(t.tensor([0.0, 0.0]), 1),
    "multinomial too many": lambda t: t.multinomial(t.tensor([1.0, 1.0]), 3),
    "multinomial negative": lambda t: t.multinomial(t.tensor([-1.0, 1.0]), 1),
    "multinomial zero samples": lambda t: t.multinomial(t.tensor([[1.0, 1.0]]), 0),
    "multinomial 3-d": lambda t: t.multinomial(t.ones(2, 2, 2), 1),
    "multinomial int": lambda t: t.multinomial(t.tensor([1, 1]), 1),
    "normal tensor std": lambda t: t.normal(t.zeros(2), -1.0),
}


@pytest.mark.parametrize("case", ERROR_CASES)
def test_errors(case):
    with pytest.raises(Exception) as ours:
        ERROR_CASES[case](engine)
    with pytest.raises(Exception) as theirs:
        ERROR_CASES[case](torch)
    assert (type(ours.value).__name__, str(ours.value)) == \
        (type(theirs.value).__name__, str(theirs.value))


def test_random_in_place_ops_record_torch_s_nodes_with_zero_grads():
    def program(t):
        x = t.ones(3, requires_grad=True)
        names, grads = [], []
        for op in (lambda y: y.normal_(), lambda y: y.uniform_(), lambda y: y.random_(),
                   lambda y: y.random_(5), lambda y: y.random_(0, 5),
                   lambda y: y.bernoulli_(0.5), lambda y: y.bernoulli_(t.full((3,), 0.5)),
                   lambda y: y.exponential_()):
            y = x * 2
            op(y)
            names.append(y.grad_fn.name())
            (y * 3).sum().backward()
            grads.append(x.grad.tolist())
            x.grad = None
        for make in (lambda: t.bernoulli(x * 0.5), lambda: t.normal(x, 1.0),
                     lambda: t.normal(1.0, x), lambda: t.normal(x, x)):
            y = make()
            names.append(y.grad_fn.name())
            y.sum().backward()
            grads.append(x.grad.tolist())
            x.grad = None
        return names, grads
    ours, theirs = both(program, 0)
    assert ours == theirs


def test_a_leaf_that_requires_grad_is_refused_before_drawing():
    engine.manual_seed(0)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used "
                                           "in an in-place operation."):
        engine.ones(3, requires_grad=True).normal_()
    torch.manual_seed(0)
    assert same(engine.rand(2), torch.rand(2))


# ---------------------------------------------------------------- dropout

@pytest.mark.parametrize("seed", SEEDS[:3])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("p", [0.1, 0.5, 0.7])
def test_dropout(seed, dtype, p):
    def program(t):
        x = t.randn(20, 30, dtype=getattr(t, dtype)) + 1
        layer = t.nn.Dropout(p)
        a = t.nn.functional.dropout(x, p)
        b = layer(x[:3])
        c = t.nn.functional.dropout(x.t(), p)
        d = t.nn.Dropout2d(p)(x.reshape(2, 5, 6, 10))
        e = t.nn.functional.dropout2d(x.reshape(4, 5, 30), p)
        f = x.clone()
        t.nn.functional.dropout(f, p, inplace=True)
        return a, b, c, d, e, f, t.nn.functional.dropout(x, 1.0), t.rand(2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_same(program, seed)


def test_dropout_graph_and_warnings_match():
    def program(t):
        x = t.ones(2, 3, 4, requires_grad=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            y = t.nn.functional.dropout2d(x, 0.5)
        y.sum().backward()
        z = t.nn.functional.dropout(x * 1, 0.5, inplace=True)
        return (y.grad_fn.name(), z.grad_fn.name(), [str(w.message) for w in caught],
                x.grad.tolist())
    ours, theirs = both(program, 1)
    assert ours == theirs


# ---------------------------------------------------------------- nn.init

INIT_CASES = {
    "uniform_": lambda t, w: t.nn.init.uniform_(w, -0.3, 0.8),
    "normal_": lambda t, w: t.nn.init.normal_(w, 0.2, 1.7),
    "constant_": lambda t, w: t.nn.init.constant_(w, 0.25),
    "ones_": lambda t, w: t.nn.init.ones_(w),
    "zeros_": lambda t, w: t.nn.init.zeros_(w),
    "eye_": lambda t, w: t.nn.init.eye_(w.view(w.shape[0], -1)),
    "xavier_uniform_": lambda t, w: t.nn.init.xavier_uniform_(w, gain=1.3),
    "xavier_normal_": lambda t, w: t.nn.init.xavier_normal_(w),
    "kaiming_uniform_": lambda t, w: t.nn.init.kaiming_uniform_(w, a=math.sqrt(5)),
    "kaiming_uniform_ relu fan_out": lambda t, w: t.nn.init.kaiming_uniform_(
        w, mode="fan_out", nonlinearity="relu"),
    "kaiming_normal_": lambda t, w: t.nn.init.kaiming_normal_(w),
    "trunc_normal_": lambda t, w: t.nn.init.trunc_normal_(w, std=0.02),
    "trunc_normal_ narrow": lambda t, w: t.nn.init.trunc_normal_(w, 0.0, 1.0, 0.5, 0.9),
    "sparse_": lambda t, w: t.nn.init.sparse_(w.view(w.shape[0], -1), 0.3),
    "dirac_": lambda t, w: t.nn.init.dirac_(w.view(w.shape[0], w.shape[1], -1)),
}


@pytest.mark.parametrize("case", INIT_CASES)
@pytest.mark.parametrize("shape", [(3, 4), (20, 30), (8, 3, 5, 5)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_init_functions(case, shape, dtype):
    def program(t):
        w = t.empty(*shape, dtype=getattr(t, dtype))
        INIT_CASES[case](t, w)
        return w, t.rand(3)
    assert_same(program, 17)


@pytest.mark.parametrize("shape", [(3, 4), (20, 30), (5, 3, 2, 2)])
def test_orthogonal_draws_as_torch_and_agrees_to_rounding(shape):
    engine.manual_seed(6)
    ours = init.orthogonal_(engine.empty(*shape), gain=2.0)
    after_ours = engine.rand(3)
    torch.manual_seed(6)
    theirs = torch.nn.init.orthogonal_(torch.empty(*shape), gain=2.0)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), atol=1e-5)
    assert same(after_ours, torch.rand(3))


def test_init_under_grad_and_its_warnings():
    def program(t):
        w = t.nn.Parameter(t.empty(4, 5))
        t.nn.init.normal_(w)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            t.nn.init.kaiming_uniform_(t.empty(0, 3))
            t.nn.init.trunc_normal_(t.empty(3), mean=5.0)
        return w.requires_grad, w.grad_fn is None, w._version, [str(c.message) for c in caught]
    ours, theirs = both(program, 0)
    assert ours == theirs


# ---------------------------------------------------------------- module constructors

MODULES = {
    "Linear": lambda t: t.nn.Linear(3, 4),
    "Linear no bias": lambda t: t.nn.Linear(30, 20, bias=False),
    "Conv2d": lambda t: t.nn.Conv2d(3, 8, 5),
    "Conv2d groups": lambda t: t.nn.Conv2d(4, 8, (3, 2), groups=2),
    "Embedding": lambda t: t.nn.Embedding(10, 6, padding_idx=2),
    "BatchNorm2d": lambda t: t.nn.BatchNorm2d(5),
    "BatchNorm1d": lambda t: t.nn.BatchNorm1d(5),
    "Sequential": lambda t: t.nn.Sequential(t.nn.Linear(10, 7), t.nn.ReLU(),
                                            t.nn.Linear(7, 2)),
}


@pytest.mark.parametrize("name", MODULES)
@pytest.mark.parametrize("seed", SEEDS[:3])
def test_module_constructors_draw_in_torch_s_order(name, seed):
    def program(t):
        module = MODULES[name](t)
        return tuple(p for p in module.parameters()) + (t.rand(2),)
    assert_same(program, seed)


def test_simple_net_of_the_tutorial():
    def program(t):
        class SimpleNet(t.nn.Module):
            def __init__(self):
                super().__init__()
                self.conv1 = t.nn.Conv2d(1, 10, kernel_size=5)
                self.conv2 = t.nn.Conv2d(10, 20, kernel_size=5)
                self.fc = t.nn.Linear(320, 50)
                self.out = t.nn.Linear(50, 10)

            def forward(self, x):
                x = t.nn.functional.max_pool2d(self.conv1(x), 2)
                x = t.nn.functional.max_pool2d(self.conv2(x), 2)
                return self.out(t.relu(self.fc(x.view(x.size(0), -1))))
        net = SimpleNet()
        x = t.randn(1, 1, 28, 28)
        return tuple(net.parameters()) + (x,)
    assert_same(program, 0)


def test_gradgradcheck_draws_its_grad_outputs_as_torch_does():
    def program(t):
        x = t.rand(3, dtype=t.float64, requires_grad=True)
        assert t.autograd.gradgradcheck(lambda a: (a * a).sum() * a, (x,))
        return t.rand(4)
    assert_same(program, 12)


def test_float16_draws_are_refused_plainly():
    for draw in (lambda: engine.rand(2, dtype=engine.float16),
                 lambda: engine.zeros(2, dtype=engine.float16).normal_()):
        with pytest.raises(NotImplementedError, match="random numbers of dtype torch.float16 "
                                                      "are not supported by graphtui's engine"):
            draw()
