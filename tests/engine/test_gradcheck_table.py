"""Every node class in the op table has a finite-difference gradient check (float64).

The walker compares the registry of node classes with the cases below: adding an op
without a case here (or in `tests/engine/nn/test_gradcheck_nn.py`'s NN_CASES) fails.
Each case must also really produce its node, so a case cannot test the wrong op.
"""
import importlib.util
import pathlib

import numpy as np
import pytest

import engine
import oracle
from engine.autograd import gradcheck
from engine.autograd.node import NODE_CLASSES
from engine.ops import elementwise

RNG = np.random.default_rng(7)


def leaf(*shape, low=-1.0, high=1.0):
    data = RNG.uniform(low, high, size=shape)
    return engine.tensor(data, dtype=engine.float64, requires_grad=True)


def positive(*shape):
    return leaf(*shape, low=0.5, high=2.0)


def distinct(*shape):
    """Values far apart, so max/min/clamp/relu/abs are differentiable at them."""
    n = int(np.prod(shape))
    values = RNG.permutation(np.linspace(-2.0, 2.0, n) + 0.05)
    return engine.tensor(values.reshape(shape), dtype=engine.float64, requires_grad=True)


def _inplace_on_copy(op):
    def fn(x, *rest):
        y = x * 1
        op(y, *rest)
        return y
    return fn


def _mul_into_view(x, w):
    y = x * 1
    view = y[1:]
    view.mul_(w)
    return view * 1 + y.sum()


def _index_put(a, b):
    y = a * 1
    y[engine.tensor([0, 2])] = b
    return y


def _grad_of_squares(op):
    """d sum(op(a)^2) / da with create_graph=True: its graph holds op's double-backward node."""
    return lambda a: engine.autograd.grad((op(a) ** 2).sum(), a, create_graph=True)[0]


def _seeded(fn):
    """fn drawing the same random numbers on every call, so finite differences see a
    function of its inputs."""
    def seeded(*args):
        engine.manual_seed(0)
        return fn(*args)
    return seeded


def _random_in_place(op):
    return _seeded(lambda a, b: _inplace_on_copy(op)(a) * b)


def _fill_with_tensor(x, v):
    y = x * 1
    y.fill_(v)
    return y


def _setitem(x, v):
    y = x * 1
    y[0, 1:] = v
    return y


CORE_CASES = {
    "AddBackward0": lambda: (lambda a, b: engine.add(a, b, alpha=2), (leaf(2, 3), leaf(3))),
    "SubBackward0": lambda: (lambda a, b: a - b, (leaf(2, 3), leaf(2, 1))),
    "RsubBackward1": lambda: (lambda a: 2 - a, (leaf(3),)),
    "MulBackward0": lambda: (lambda a, b: a * b, (leaf(2, 3), leaf(3))),
    "DivBackward0": lambda: (lambda a, b: a / b, (leaf(2, 3), positive(2, 3))),
    "AddBackward1": lambda: (lambda a: elementwise.add_scalar(a, 0.5), (leaf(2, 3),)),
    "MulBackward1": lambda: (lambda a: elementwise.mul_scalar(a, -1.5), (leaf(2, 3),)),
    "DivBackward1": lambda: (lambda a: elementwise.div_scalar(a, 4), (leaf(2, 3),)),
    "PowBackward0": lambda: (lambda a: a ** 3, (leaf(4),)),
    "PowBackward1": lambda: (lambda a, b: a ** b, (positive(3), leaf(3))),
    "PowBackward2": lambda: (lambda b: 2 ** b, (leaf(3),)),
    "ExpBackward0": lambda: (engine.exp, (leaf(3),)),
    "LogBackward0": lambda: (engine.log, (positive(3),)),
    "SqrtBackward0": lambda: (engine.sqrt, (positive(3),)),
    "SinBackward0": lambda: (engine.sin, (leaf(3),)),
    "CosBackward0": lambda: (engine.cos, (leaf(3),)),
    "TanhBackward0": lambda: (engine.tanh, (leaf(3),)),
    "SigmoidBackward0": lambda: (engine.sigmoid, (leaf(3),)),
    "ReciprocalBackward0": lambda: (lambda a: 1 / a, (positive(3),)),
    "ReluBackward0": lambda: (engine.relu, (distinct(5),)),
    "AbsBackward0": lambda: (engine.abs, (distinct(5),)),
    "NegBackward0": lambda: (lambda a: -a, (leaf(3),)),
    "ClampBackward1": lambda: (lambda a: a.clamp(-0.7, 0.9), (distinct(6),)),
    "WhereBackward0": lambda: (lambda a, b: engine.where(a > 0, a, b), (distinct(4), leaf(4))),
    "MaximumBackward0": lambda: (engine.maximum, (distinct(2, 3), distinct(3))),
    "MinimumBackward0": lambda: (lambda a, b: engine.min(a, b), (distinct(2, 3), distinct(2, 1))),
    "SignBackward0": lambda: (engine.sign, (distinct(4),)),
    "SgnBackward0": lambda: (engine.sgn, (distinct(4),)),
    "MaskedFillBackward0": lambda: (lambda a: a.masked_fill(engine.tensor([True, False, True]),
                                                            2.0), (leaf(2, 3),)),
    # A mask broadcast over input and value, and an in-place fill through a view.
    "MaskedFillBackward1": lambda: (
        lambda a, v: a.masked_fill(engine.tensor([[True], [False]]), v)
        + _inplace_on_copy(lambda y: y[0].masked_fill_(engine.tensor([False, True, True]), v))(a),
        (leaf(2, 3), leaf())),
    # float32 in the middle: finite differences need a coarse step.
    "ToCopyBackward0": lambda: (lambda a: a.float().double() * 1, (leaf(3),),
                                {"eps": 1e-2, "atol": 1e-4, "rtol": 1e-3}),
    "SumBackward0": lambda: (lambda a: a.sum(), (leaf(2, 3),)),
    "SumBackward1": lambda: (lambda a: a.sum(1), (leaf(2, 3),)),
    "MeanBackward0": lambda: (lambda a: a.mean(), (leaf(2, 3),)),
    "MeanBackward1": lambda: (lambda a: a.mean((0, 2), keepdim=True), (leaf(2, 3, 2),)),
    "MaxBackward1": lambda: (lambda a: a.max(), (distinct(2, 3),)),
    "MinBackward1": lambda: (lambda a: a.min(), (distinct(2, 3),)),
    "MaxBackward0": lambda: (lambda a: a.max(1)[0], (distinct(2, 3),)),
    "MinBackward0": lambda: (lambda a: a.min(0, keepdim=True).values, (distinct(2, 3),)),
    "LinalgVectorNormBackward0": lambda: (lambda a: a.norm(dim=1), (leaf(2, 3),)),
    "SoftmaxBackward0": lambda: (lambda a: a.softmax(1), (leaf(2, 3),)),
    "LogSoftmaxBackward0": lambda: (lambda a: a.log_softmax(0), (leaf(2, 3),)),
    "SoftmaxBackwardDataBackward0": lambda: (_grad_of_squares(lambda a: a.softmax(1)),
                                             (leaf(2, 3),)),
    "TanhBackwardBackward0": lambda: (_grad_of_squares(engine.tanh), (leaf(3),)),
    "SigmoidBackwardBackward0": lambda: (_grad_of_squares(engine.sigmoid), (leaf(3),)),
    "ThresholdBackwardBackward0": lambda: (_grad_of_squares(engine.relu), (distinct(5),)),
    "LogSoftmaxBackwardDataBackward0": lambda: (_grad_of_squares(lambda a: a.log_softmax(0)),
                                                (leaf(2, 3),)),
    "ViewBackward0": lambda: (lambda a: a.view(3, 2), (leaf(2, 3),)),
    "UnsafeViewBackward0": lambda: (lambda a: a.t().reshape(6), (leaf(2, 3),)),
    "CloneBackward0": lambda: (lambda a: a.clone(), (leaf(2, 3),)),
    "TBackward0": lambda: (lambda a: a.t(), (leaf(2, 3),)),
    "TransposeBackward0": lambda: (lambda a: a.transpose(0, 2), (leaf(2, 3, 4),)),
    "PermuteBackward0": lambda: (lambda a: a.permute(2, 0, 1), (leaf(2, 3, 4),)),
    "UnsqueezeBackward0": lambda: (lambda a: a.unsqueeze(1), (leaf(2, 3),)),
    "AliasBackward0": lambda: (lambda a: a[...] * 1, (leaf(2, 3),)),
    "ReshapeAliasBackward0": lambda: (lambda a: a.t().reshape(3, 2) * 1, (leaf(2, 3),)),
    "FillBackward3": lambda: (_fill_with_tensor, (leaf(2, 3), leaf())),
    "SqueezeBackward0": lambda: (lambda a: a.squeeze(), (leaf(2, 1, 3),)),
    "SqueezeBackward1": lambda: (lambda a: a.squeeze(1), (leaf(2, 1, 3),)),
    "TransposeBackward1": lambda: (_inplace_on_copy(lambda y: y.transpose_(0, 2)),
                                   (leaf(2, 3, 4),)),
    "TBackward1": lambda: (_inplace_on_copy(lambda y: y.t_()), (leaf(2, 3),)),
    "SqueezeBackward3": lambda: (_inplace_on_copy(lambda y: y.squeeze_()), (leaf(2, 1, 3),)),
    "UnsqueezeBackward1": lambda: (_inplace_on_copy(lambda y: y.unsqueeze_(1)),
                                   (leaf(2, 3),)),
    "ExpandBackward0": lambda: (lambda a: a.expand(4, 3), (leaf(1, 3),)),
    "SelectBackward0": lambda: (lambda a: a[1], (leaf(2, 3),)),
    "SliceBackward0": lambda: (lambda a: a[:, 1::2], (leaf(2, 5),)),
    "IndexBackward0": lambda: (lambda a: a[engine.tensor([0, 2, 0])], (leaf(3, 2),)),
    "IndexPutBackward0": lambda: (_index_put, (leaf(3), leaf(2))),
    "IndexPutImplBackward0": lambda: (_grad_of_squares(lambda a: a[engine.tensor([1, 1])]),
                                      (leaf(3),)),
    "ThresholdBackwardBackward0": lambda: (_grad_of_squares(engine.relu), (leaf(3),)),
    "SelectBackwardBackward0": lambda: (_grad_of_squares(lambda a: a[1]), (leaf(2, 3),)),
    "SliceBackwardBackward0": lambda: (_grad_of_squares(lambda a: a[:, 1::2]), (leaf(2, 5),)),
    "IndexAddBackward0": lambda: (
        _grad_of_squares(lambda a: a.index_select(1, engine.tensor([2, 0, 2]))), (leaf(2, 3),)),
    # Every output but one unused: the node fills the missing gradients with zeros.
    "SplitBackward0": lambda: (lambda a: a.split(2, -1)[1] * 3, (leaf(2, 5),)),
    "SplitWithSizesBackward0": lambda: (
        lambda a: engine.cat(engine.split(a, [1, 3, 1], 1)[::2], 1), (leaf(2, 5),)),
    "UnbindBackward0": lambda: (
        lambda a: engine.stack([row * (i + 1) for i, row in enumerate(a.unbind(1)[1:])]),
        (leaf(2, 3),)),
    "RepeatBackward0": lambda: (lambda a: a.repeat(2, 1, 3), (leaf(2, 3),)),
    "CatBackward0": lambda: (lambda a, b: engine.cat([a, b], 1), (leaf(2, 3), leaf(2, 2))),
    "StackBackward0": lambda: (lambda a, b: engine.stack([a, b], 1), (leaf(2, 3), leaf(2, 3))),
    "MmBackward0": lambda: (lambda a, b: a @ b, (leaf(2, 3), leaf(3, 4))),
    "MvBackward0": lambda: (lambda a, b: a @ b, (leaf(2, 3), leaf(3))),
    "DotBackward0": lambda: (lambda a, b: a @ b, (leaf(3), leaf(3))),
    "BmmBackward0": lambda: (lambda a, b: a @ b, (leaf(2, 2, 3), leaf(2, 3, 4))),
    "SqueezeBackward4": lambda: (lambda a, b: a @ b, (leaf(3), leaf(3, 2))),
    "BaddbmmBackward0": lambda: (lambda m, a, b: engine.baddbmm(m, a, b, beta=0.5, alpha=2.0),
                                 (leaf(3, 1), leaf(2, 3, 2), leaf(2, 2, 4))),
    "ZeroBackward0": lambda: (lambda a, b: _inplace_on_copy(lambda y: y.zero_())(a) + b,
                              (leaf(3), leaf(3))),
    "FillBackward2": lambda: (lambda a, b: _inplace_on_copy(lambda y: y.fill_(2.0))(a) * b,
                              (leaf(3), leaf(3))),
    "CopyBackwards": lambda: (lambda a, b: _inplace_on_copy(lambda y, s: y.copy_(s))(a, b),
                              (leaf(2, 3), leaf(3))),
    "CopySlices": lambda: (_setitem, (leaf(2, 3), leaf(2))),
    "AsStridedBackward0": lambda: (_mul_into_view, (leaf(3, 2), leaf(2))),
    # Random ops: torch's gradients are zeros (samples are not reparameterised). torch.normal
    # of tensors is seen through `* 0`, as its finite differences would follow the mean;
    # tests/engine/test_random_torch.py compares all of these with torch live.
    "NormalBackward0": lambda: (_random_in_place(lambda y: y.normal_()), (leaf(3), leaf(3))),
    "UniformBackward0": lambda: (_random_in_place(lambda y: y.uniform_()), (leaf(3), leaf(3))),
    "ExponentialBackward0": lambda: (_random_in_place(lambda y: y.exponential_()),
                                     (leaf(3), leaf(3))),
    "RandomBackward0": lambda: (_random_in_place(lambda y: y.random_(0, 5)), (leaf(3), leaf(3))),
    "RandomBackward1": lambda: (_random_in_place(lambda y: y.random_(5)), (leaf(3), leaf(3))),
    "RandomBackward2": lambda: (_random_in_place(lambda y: y.random_()), (leaf(3), leaf(3))),
    "BernoulliBackward2": lambda: (_random_in_place(lambda y: y.bernoulli_(0.5)),
                                   (leaf(3), leaf(3))),
    "BernoulliBackward1": lambda: (_seeded(lambda a, p, b: _inplace_on_copy(
        lambda y: y.bernoulli_(p))(a) * b), (leaf(3), leaf(3, low=0.2, high=0.8), leaf(3))),
    "BernoulliBackward0": lambda: (_seeded(lambda p, b: engine.bernoulli(p) * b),
                                   (leaf(4, low=0.2, high=0.8), leaf(4))),
    "NormalBackward1": lambda: (_seeded(lambda m, b: engine.normal(m, 1.0) * 0 + b),
                                (leaf(3), leaf(3))),
    "NormalBackward2": lambda: (_seeded(lambda s, b: engine.normal(0.0, s) * 0 + b),
                                (positive(3), leaf(3))),
    "NormalBackward3": lambda: (_seeded(lambda m, s, b: engine.normal(m, s) * 0 + b),
                                (leaf(3), positive(3), leaf(3))),
    "Log1PBackward0": lambda: (engine.log1p, (positive(3),)),
    "Expm1Backward0": lambda: (engine.expm1, (leaf(3),)),
    "Log2Backward0": lambda: (engine.log2, (positive(3),)),
    "Log10Backward0": lambda: (engine.log10, (positive(3),)),
    "TanBackward0": lambda: (engine.tan, (leaf(3),)),
    "AsinBackward0": lambda: (engine.asin, (leaf(3, low=-0.8, high=0.8),)),
    "AcosBackward0": lambda: (engine.acos, (leaf(3, low=-0.8, high=0.8),)),
    "AtanBackward0": lambda: (engine.atan, (leaf(3),)),
    "SinhBackward0": lambda: (engine.sinh, (leaf(3),)),
    "CoshBackward0": lambda: (engine.cosh, (leaf(3),)),
    "RsqrtBackward0": lambda: (engine.rsqrt, (positive(3),)),
    "ErfBackward0": lambda: (engine.erf, (leaf(3),)),
    "Atan2Backward0": lambda: (engine.atan2, (leaf(2, 1), positive(3))),
    "FloorBackward0": lambda: (engine.floor, (distinct(4),)),
    "CeilBackward0": lambda: (engine.ceil, (distinct(4),)),
    "TruncBackward0": lambda: (engine.trunc, (distinct(4),)),
    "FracBackward0": lambda: (engine.frac, (distinct(4),)),
    "RoundBackward0": lambda: (engine.round, (distinct(4),)),
    "RoundBackward1": lambda: (lambda a: engine.round(a, decimals=1), (engine.tensor(
        [0.123, -0.871, 1.337], dtype=engine.float64, requires_grad=True),)),
    # more pointwise math (engine/ops/binary_math.py, unary_math.py)
    "FmodBackward0": lambda: (lambda a: engine.fmod(a, 0.7), (distinct(4),)),
    "FmodBackward1": lambda: (engine.fmod, (distinct(4), positive(4))),
    "RemainderBackward0": lambda: (lambda a: a % 0.7, (distinct(4),)),
    "RemainderBackward1": lambda: (engine.remainder, (distinct(4), positive(4))),
    "DivBackward2": lambda: (lambda a, b: engine.div(a, b, rounding_mode="floor") + a,
                             (distinct(4), positive(4))),
    "AddcmulBackward0": lambda: (lambda a, b, c: engine.addcmul(a, b, c, value=0.5),
                                 (leaf(2, 3), leaf(3), leaf(2, 1))),
    "AddcdivBackward0": lambda: (lambda a, b, c: engine.addcdiv(a, b, c, value=2),
                                 (leaf(2, 3), leaf(3), positive(2, 1))),
    "LerpBackward0": lambda: (lambda a, b: engine.lerp(a, b, 0.3), (leaf(3), leaf(2, 3))),
    "LerpBackward1": lambda: (engine.lerp, (leaf(3), leaf(2, 3), leaf(3))),
    "HypotBackward0": lambda: (engine.hypot, (leaf(3), positive(2, 3))),
    "LogaddexpBackward0": lambda: (engine.logaddexp, (leaf(3), leaf(2, 3))),
    "XlogyBackward0": lambda: (engine.xlogy, (leaf(3), positive(2, 3))),
    "XlogyBackward1": lambda: (lambda b: engine.xlogy(2.0, b), (positive(3),)),
    "XlogyBackward2": lambda: (lambda a: engine.xlogy(a, 3.0), (leaf(3),)),
    "FmaxBackward0": lambda: (engine.fmax, (distinct(4), leaf(4))),
    "FminBackward0": lambda: (engine.fmin, (distinct(4), leaf(4))),
    "CopysignBackward0": lambda: (engine.copysign, (distinct(4), distinct(4))),
    "CopysignBackward1": lambda: (lambda a: engine.copysign(a, -1.0), (distinct(4),)),
    "NanToNumBackward0": lambda: (engine.nan_to_num, (leaf(3),)),
    "AsinhBackward0": lambda: (engine.asinh, (leaf(3),)),
    "AcoshBackward0": lambda: (engine.acosh, (leaf(3, low=1.5, high=3.0),)),
    "AtanhBackward0": lambda: (engine.atanh, (leaf(3, low=-0.8, high=0.8),)),
    "SubBackward1": lambda: (_grad_of_squares(engine.acosh), (leaf(3, low=1.5, high=3.0),)),
    "Exp2Backward0": lambda: (engine.exp2, (leaf(3),)),
    "ErfcBackward0": lambda: (engine.erfc, (leaf(3),)),
    "Deg2RadBackward0": lambda: (engine.deg2rad, (leaf(3),)),
    "Rad2DegBackward0": lambda: (engine.rad2deg, (leaf(3),)),
    "SincBackward0": lambda: (engine.sinc, (leaf(3),)),
    "LogitBackward0": lambda: (engine.logit, (leaf(3, low=0.2, high=0.8),)),
    # reductions that pick or skip (engine/ops/selective_reductions.py), masked_select
    "AmaxBackward0": lambda: (lambda a: engine.amax(a, 1), (distinct(3, 4),)),
    "AminBackward0": lambda: (lambda a: engine.amin(a, (0, 1)), (distinct(3, 4),)),
    "MedianBackward0": lambda: (engine.median, (distinct(5),)),
    "MedianBackward1": lambda: (lambda a: engine.median(a, 1).values, (distinct(3, 4),)),
    "NanmedianBackward0": lambda: (engine.nanmedian, (distinct(5),)),
    "NanmedianBackward1": lambda: (lambda a: engine.nanmedian(a, 0).values, (distinct(3, 4),)),
    "NansumBackward0": lambda: (lambda a: engine.nansum(a, 1), (leaf(3, 4),)),
    "CumprodBackward0": lambda: (lambda a: engine.cumprod(a, 1), (leaf(2, 4),)),
    "CummaxBackward0": lambda: (lambda a: engine.cummax(a, 1).values, (distinct(3, 4),)),
    "CumminBackward0": lambda: (lambda a: engine.cummin(a, 0).values, (distinct(3, 4),)),
    "KthvalueBackward0": lambda: (lambda a: engine.kthvalue(a, 2, 1).values, (distinct(3, 4),)),
    "ModeBackward0": lambda: (lambda a: engine.mode(a, 1).values, (distinct(3, 4),)),
    "AminmaxBackward0": lambda: (lambda a: engine.stack(list(engine.aminmax(a, dim=0))),
                                 (distinct(3, 4),)),
    "IndexCopyBackward0": lambda: (lambda a, b: a.index_copy(1, engine.tensor([1]), b),
                                   (leaf(3, 2), leaf(3, 1))),
    "IndexFillBackward0": lambda: (lambda a: a.index_fill(0, engine.tensor([1]), 2.0),
                                   (leaf(3, 2),)),
    "IndexFillBackward1": lambda: (lambda a, v: a.index_fill(0, engine.tensor([1, 1]), v),
                                   (leaf(3, 2), leaf())),
    "MaskedSelectBackward0": lambda: (lambda a: engine.masked_select(
        a, engine.tensor([True, False, True])), (leaf(2, 3),)),
}


def _nn_cases() -> dict:
    path = pathlib.Path(__file__).parent / "nn" / "test_gradcheck_nn.py"
    if not path.exists():
        return {}
    spec = importlib.util.spec_from_file_location("_gradcheck_nn_cases", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, "NN_CASES", {})


def _surface_cases() -> dict:
    path = pathlib.Path(__file__).parent / "surface" / "gradcheck_cases.py"
    spec = importlib.util.spec_from_file_location("_gradcheck_surface_cases", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.SURFACE_CASES


ALL_CASES = {**CORE_CASES, **_nn_cases(), **_surface_cases()}


def _node_names(output) -> set:
    names, stack, seen = set(), [output.grad_fn], set()
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        names.add(type(node).__name__)
        stack.extend(n for n, _ in node.next_functions)
    return names


def _custom_function_node(cls) -> bool:
    from engine.autograd.function import BackwardCFunction
    return issubclass(cls, BackwardCFunction)


def test_every_node_class_has_a_gradient_check():
    if importlib.util.find_spec("engine.nn") is not None:
        import engine.nn  # noqa: F401  (registers the nn nodes)
    missing = sorted(name for name, cls in NODE_CLASSES.items()
                     if name not in ALL_CASES and not _custom_function_node(cls))
    assert missing == [], f"node classes without a gradient check: {missing}"


@pytest.mark.parametrize("node_name", sorted(ALL_CASES))
def test_gradient_matches_finite_differences(node_name):
    fn, inputs, *options = ALL_CASES[node_name]()
    tolerances = {"eps": 1e-6, "atol": 1e-6, "rtol": 1e-4, **(options[0] if options else {})}
    output = fn(*inputs)
    assert node_name in _node_names(output), f"the case for {node_name} does not make it"
    assert gradcheck(fn, inputs, **tolerances)


@pytest.mark.parametrize("op", [engine.exp, engine.sin, engine.tanh, engine.sigmoid,
                                lambda x: x * x * x, lambda x: (x ** 3).sum()])
def test_second_derivative_with_create_graph(op):
    x = engine.tensor([0.3, -0.8, 1.1], dtype=engine.float64, requires_grad=True)

    def first_grad(x):
        (g,) = engine.autograd.grad(op(x).sum(), x, create_graph=True)
        return g

    assert gradcheck(first_grad, (x,), eps=1e-6, atol=1e-5, rtol=1e-4)


def _set_slice(y):
    b = engine.zeros(5, dtype=engine.float64)
    b[1:3] = y[:2] * y[:2]
    return b


def _mul_into_view_squared(x, w):
    y = x * 1
    view = y[1:]
    view.mul_(w)
    return view * view + y.sum()


@pytest.mark.parametrize("fn, shapes", [(_set_slice, [(5,)]),
                                        (_mul_into_view_squared, [(3, 2), (2,)])])
def test_second_derivative_through_in_place_edits_of_views(fn, shapes):
    """CopySlices and AsStridedBackward0 keep a graph under create_graph=True."""
    assert engine.autograd.gradgradcheck(fn, tuple(leaf(*shape) for shape in shapes))


def pow_gradient_graph(torch, values):
    x = torch.tensor(values, dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad((x ** 3).sum(), x, create_graph=True)
    scaled = g.grad_fn.next_functions[1][0]
    return [g.grad_fn.name(), g.grad_fn.next_functions[0][0], scaled.name(),
            scaled.next_functions[0][0].name()]


def test_pow_gradient_graph_is_torchs():
    """ATen's pow_backward, grad * (exponent * self.pow(exponent - 1)), as torch 2.13 records
    it under create_graph=True (a gradient penalty on x ** 2 shows this graph)."""
    assert oracle.agree(pow_gradient_graph, leaf(2).tolist())[0] == "MulBackward0"