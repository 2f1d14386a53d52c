"""The lazy modules live against torch: placeholders before the first call (reprs, classes,
the shape error), the features inferred on the first call, parameters drawn from the seed
exactly as torch draws them, the module become its normal class, outputs and gradients,
loading a checkpoint into a lazy module, deepcopy, and the error texts."""
import copy

import pytest

from surface_live import check


def lazy_case(make, shape, dtype="float32", calls=2):
    def snippet(t):
        t.manual_seed(0)
        module = make(t.nn, getattr(t, dtype))
        before = [repr(module), type(module).__name__,
                  [type(p).__name__ for p in module.parameters()],
                  [type(b).__name__ for b in module.buffers()],
                  [repr(p) for p in module.parameters()], module.has_uninitialized_params()]
        x = t.randn(*shape, dtype=getattr(t, dtype), requires_grad=True)
        outs = [module(x) for _ in range(calls)]
        (outs[-1] * outs[-1]).sum().backward()
        after = [repr(module), type(module).__name__, hasattr(module, "_initialize_hook"),
                 [type(p).__name__ for p in module.parameters()],
                 [type(b).__name__ for b in module.buffers()]]
        return before + after + [*module.parameters(), *module.buffers(), *outs, x.grad,
                                 [p.grad for p in module.parameters()], t.rand(2)]
    return snippet


CASES = {
    "LazyLinear": lazy_case(lambda nn, d: nn.LazyLinear(3, dtype=d), (2, 5)),
    "LazyLinear no bias float64": lazy_case(lambda nn, d: nn.LazyLinear(4, False, dtype=d),
                                            (3, 2, 6), "float64"),
    "LazyConv1d": lazy_case(lambda nn, d: nn.LazyConv1d(4, 3, stride=2), (2, 3, 9)),
    "LazyConv2d groups": lazy_case(lambda nn, d: nn.LazyConv2d(4, 3, padding=1, groups=2),
                                   (2, 4, 5, 5)),
    "LazyConv2d unbatched": lazy_case(lambda nn, d: nn.LazyConv2d(2, (2, 3), bias=False),
                                      (3, 4, 5)),
    "LazyConv3d": lazy_case(lambda nn, d: nn.LazyConv3d(2, 2, dtype=d), (1, 2, 3, 3, 3),
                            "float64"),
    "LazyConvTranspose1d": lazy_case(lambda nn, d: nn.LazyConvTranspose1d(3, 2, stride=2),
                                     (2, 4, 5)),
    "LazyConvTranspose2d": lazy_case(lambda nn, d: nn.LazyConvTranspose2d(
        4, 3, output_padding=1, stride=2, groups=2), (1, 2, 3, 3)),
    "LazyConvTranspose3d": lazy_case(lambda nn, d: nn.LazyConvTranspose3d(2, 2),
                                     (1, 3, 2, 2, 2)),
    "LazyBatchNorm1d": lazy_case(lambda nn, d: nn.LazyBatchNorm1d(), (4, 3)),
    "LazyBatchNorm2d momentum None": lazy_case(lambda nn, d: nn.LazyBatchNorm2d(
        momentum=None, dtype=d), (2, 3, 2, 2), "float64", calls=3),
    "LazyBatchNorm3d no affine": lazy_case(lambda nn, d: nn.LazyBatchNorm3d(affine=False),
                                           (2, 2, 2, 2, 2)),
    "LazyBatchNorm2d no bias": lazy_case(lambda nn, d: nn.LazyBatchNorm2d(bias=False),
                                         (2, 3, 2, 2)),
    "LazyBatchNorm1d untracked": lazy_case(lambda nn, d: nn.LazyBatchNorm1d(
        track_running_stats=False), (4, 3, 2)),
    "LazyInstanceNorm1d": lazy_case(lambda nn, d: nn.LazyInstanceNorm1d(), (2, 3, 5)),
    "LazyInstanceNorm2d plain": lazy_case(lambda nn, d: nn.LazyInstanceNorm2d(
        affine=False, track_running_stats=False), (2, 3, 4, 4)),
    "LazyInstanceNorm3d": lazy_case(lambda nn, d: nn.LazyInstanceNorm3d(), (2, 2, 2, 2, 3)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_lazy_module(name):
    check(CASES[name], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", sorted(CASES))
def test_lazy_parameters_are_torchs_bit_for_bit(name):
    def parameters(t):
        outs = CASES[name](t)
        return [out for out in outs if getattr(out, "requires_grad", False)
                and out.grad_fn is None]
    check(parameters, rtol=0, atol=0)


def test_in_a_sequential_with_an_optimizer():
    def snippet(t):
        nn = t.nn
        t.manual_seed(4)
        model = nn.Sequential(nn.LazyConv2d(4, 3), nn.ReLU(), nn.Flatten(), nn.LazyLinear(2))
        x = t.randn(3, 2, 5, 5)
        model(x)                                 # the dummy call that sizes everything
        opt = t.optim.SGD(model.parameters(), lr=0.1)
        losses = []
        for _ in range(3):
            loss = model(x).pow(2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss)
        return [repr(model), *losses, *model.parameters()]
    check(snippet, rtol=1e-6, atol=1e-7)


def test_loading_a_checkpoint_sizes_the_placeholders():
    def snippet(t):
        nn = t.nn
        t.manual_seed(5)
        source = nn.Linear(4, 3)
        target = nn.LazyLinear(3)
        target.load_state_dict(source.state_dict())
        loaded = [type(target).__name__, [type(p).__name__ for p in target.parameters()],
                  target.in_features, *target.parameters()]
        out = target(t.ones(2, 4))
        return loaded + [type(target).__name__, target.in_features, out]
    check(snippet)


def test_deepcopy_and_placeholders():
    def snippet(t):
        nn = t.nn
        module = nn.LazyLinear(3)
        clone = copy.deepcopy(module)
        weight = module.weight
        outs = [repr(clone), clone.weight is not weight, type(clone.weight).__name__,
                isinstance(weight, nn.Parameter), isinstance(weight, nn.UninitializedParameter),
                weight.requires_grad, weight.dtype, nn.parameter.is_lazy(weight),
                repr(nn.UninitializedBuffer())]
        try:
            weight.shape
        except RuntimeError as error:
            outs.append(str(error))
        module(t.ones(1, 2))
        return outs + [nn.parameter.is_lazy(module.weight), type(weight).__name__,
                       tuple(weight.shape), repr(clone)]
    check(snippet)


ERRORS = {
    "conv rank": lambda t: t.nn.LazyConv2d(2, 3)(t.ones(2, 3)),
    "conv groups": lambda t: t.nn.LazyConv1d(2, 1, groups=2)(t.ones(1, 3, 4)),
    "linear not lazy": lambda t: t.nn.modules.lazy.LazyModuleMixin.initialize_parameters(
        t.nn.Linear(1, 1)),
    "batchnorm rank": lambda t: t.nn.LazyBatchNorm2d()(t.ones(2, 3)),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors(name):
    check(ERRORS[name])


@pytest.mark.parametrize("use", ["detach", "sum", "add", "numel", "mul", "dim", "view"])
def test_a_placeholder_refuses_tensor_methods(use):
    def snippet(t):
        p = t.nn.UninitializedParameter()
        calls = {"detach": lambda: p.detach(), "sum": lambda: p.sum(), "add": lambda: p + 1,
                 "numel": lambda: p.numel(), "mul": lambda: p * 2, "dim": lambda: p.dim(),
                 "view": lambda: t.nn.UninitializedBuffer().view(1)}
        return calls[use]()
    check(snippet)


def test_a_placeholder_keeps_its_properties_and_allowed_methods():
    def snippet(t):
        p = t.nn.UninitializedParameter(dtype=t.float64)
        return [p.dtype, p.requires_grad, p.grad, p.size(), repr(p.float()), p.is_leaf,
                p.is_floating_point()]
    check(snippet)
