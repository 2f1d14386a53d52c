"""nn.BatchNorm3d, nn.InstanceNorm3d, nn.LocalResponseNorm / F.local_response_norm and
nn.ChannelShuffle / F.channel_shuffle live against torch: values, graphs, gradients (second
derivatives too), running statistics, reprs, warnings and error texts."""
import pytest

from surface_live import check
from test_dropouts_rrelu import _node_names


def layer_case(make, shape, dtype="float32", second=False, calls=1, train=True):
    """make(nn) on a seeded input: outputs, graph, gradients, buffers after `calls` calls."""
    def snippet(t):
        t.manual_seed(0)
        module = make(t.nn).to(getattr(t, dtype))
        module.train(train)
        x = t.randn(*shape, dtype=getattr(t, dtype), requires_grad=True)
        for _ in range(calls):
            out = module(x)
        weights = t.linspace(-1, 2, out.numel(), dtype=out.dtype).reshape(out.shape)
        loss = (out * out * weights).sum()
        leaves = [x] + list(module.parameters())
        grads = t.autograd.grad(loss, leaves, create_graph=second)
        result = [repr(module), out, _node_names(out.grad_fn), *grads, *module.buffers()]
        if second:
            result.append(t.autograd.grad(sum((g * g).sum() for g in grads), x)[0])
        return result
    return snippet


CASES = {
    "BatchNorm3d": layer_case(lambda nn: nn.BatchNorm3d(3), (2, 3, 2, 3, 2), calls=2),
    "BatchNorm3d eval": layer_case(lambda nn: nn.BatchNorm3d(3), (2, 3, 2, 3, 2), train=False),
    "BatchNorm3d float64 no affine": layer_case(
        lambda nn: nn.BatchNorm3d(3, affine=False, momentum=None), (2, 3, 2, 1, 2), "float64",
        calls=3),
    "BatchNorm3d second": layer_case(lambda nn: nn.BatchNorm3d(2), (2, 2, 2, 2, 2), "float64",
                                     second=True),
    "InstanceNorm3d": layer_case(lambda nn: nn.InstanceNorm3d(3), (2, 3, 2, 3, 2)),
    "InstanceNorm3d affine tracked": layer_case(
        lambda nn: nn.InstanceNorm3d(3, affine=True, track_running_stats=True),
        (2, 3, 2, 3, 2), calls=2),
    "InstanceNorm3d unbatched": layer_case(lambda nn: nn.InstanceNorm3d(3), (3, 2, 3, 2)),
    "InstanceNorm3d wrong channels": layer_case(lambda nn: nn.InstanceNorm3d(4),
                                                (2, 3, 2, 2, 2)),
    "LocalResponseNorm 3-D": layer_case(lambda nn: nn.LocalResponseNorm(3), (2, 5, 4)),
    "LocalResponseNorm 4-D": layer_case(lambda nn: nn.LocalResponseNorm(2, 0.01, 0.5, 2.0),
                                        (2, 5, 3, 2)),
    "LocalResponseNorm 5-D float64": layer_case(lambda nn: nn.LocalResponseNorm(4, 0.1),
                                                (1, 6, 2, 2, 3), "float64", second=True),
    "ChannelShuffle": layer_case(lambda nn: nn.ChannelShuffle(3), (2, 6, 2, 2)),
    "ChannelShuffle 3-D second": layer_case(lambda nn: nn.ChannelShuffle(2), (2, 4, 3),
                                            "float64", second=True),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_layer(name):
    check(CASES[name], rtol=1e-5, atol=1e-6)


def test_functional():
    def snippet(t):
        F = t.nn.functional
        x = t.arange(24.0).reshape(1, 6, 2, 2)
        return [F.channel_shuffle(x, 2), t.channel_shuffle(x, 3),
                F.local_response_norm(x, 2), F.local_response_norm(t.ones(0, 2, 3), 2)]
    check(snippet)


ERRORS = {
    "BatchNorm3d 4-D": lambda t: t.nn.BatchNorm3d(3)(t.ones(2, 3, 2, 2)),
    "InstanceNorm3d 3-D": lambda t: t.nn.InstanceNorm3d(3)(t.ones(3, 2, 2)),
    "InstanceNorm3d affine channels": lambda t: t.nn.InstanceNorm3d(4, affine=True)(
        t.ones(2, 3, 2, 2, 2)),
    "InstanceNorm3d one element": lambda t: t.nn.InstanceNorm3d(3)(t.ones(2, 3, 1, 1, 1)),
    "lrn 2-D": lambda t: t.nn.functional.local_response_norm(t.ones(2, 3), 2),
    "shuffle groups": lambda t: t.nn.functional.channel_shuffle(t.ones(2, 4, 3), 3),
    "shuffle zero groups": lambda t: t.nn.functional.channel_shuffle(t.ones(2, 4, 3), 0),
    "shuffle 2-D": lambda t: t.nn.functional.channel_shuffle(t.ones(4, 2), 2),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors(name):
    check(ERRORS[name])


@pytest.mark.parametrize("size, channels", [(3, 5), (2, 4), (5, 3), (4, 6), (2, 1)])
def test_cross_map_lrn2d(size, channels):
    """The legacy module as torch computes it: its running window (which drops a channel one
    step late), CrossMapLRN2dBackward, the gradient its hand-written backward gives."""
    def snippet(t):
        t.manual_seed(0)
        module = t.nn.CrossMapLRN2d(size, alpha=0.5, beta=0.75, k=2)
        x = t.randn(2, channels, 3, 2, requires_grad=True)
        out = module(x)
        weights = t.linspace(-1, 2, out.numel()).reshape(out.shape)
        (out * weights).sum().backward()
        return [repr(module), out, _node_names(out.grad_fn), x.grad]
    check(snippet, rtol=1e-5, atol=1e-6)


def test_cross_map_lrn2d_needs_4d():
    check(lambda t: t.nn.CrossMapLRN2d(3)(t.ones(2, 3, 4)))
