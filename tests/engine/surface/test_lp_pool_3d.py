"""nn.LPPool1d/2d/3d (F.lp_pool*), nn.AdaptiveMaxPool3d (F.adaptive_max_pool3d and
_with_indices) and nn.MaxUnpool3d (F.max_unpool3d) live against torch: values, indices,
graphs, gradients and second derivatives, reprs and error texts."""
import pytest

from surface_live import check
from test_dropouts_rrelu import _node_names


def pool_case(call, shape, dtype="float32", second=False, positive=False):
    def snippet(t):
        t.manual_seed(0)
        x = t.randn(*shape, dtype=getattr(t, dtype))
        x = (x.abs() + 0.1 if positive else x).requires_grad_()
        outs = call(t, x)
        out = outs[0] if isinstance(outs, tuple) else outs
        weights = t.linspace(-1, 2, out.numel(), dtype=out.dtype).reshape(out.shape)
        grad, = t.autograd.grad((out * out * weights).sum(), x, create_graph=second)
        result = [outs, _node_names(out.grad_fn), grad]
        if second:
            result += [_node_names(grad.grad_fn), t.autograd.grad((grad * grad).sum(), x)[0]]
        return result
    return snippet


def _unpool(t, x, **options):
    out, indices = t.nn.functional.max_pool3d(x, 2, return_indices=True)
    return t.nn.functional.max_unpool3d(out, indices, 2, **options), indices


CASES = {
    "lp_pool1d": pool_case(lambda t, x: t.nn.functional.lp_pool1d(x, 2, 3), (2, 3, 7),
                           positive=True),
    "lp_pool1d stride ceil": pool_case(lambda t, x: t.nn.functional.lp_pool1d(
        x, 1.5, 2, 3, ceil_mode=True), (2, 3, 8), positive=True),
    "lp_pool1d inf": pool_case(lambda t, x: t.nn.functional.lp_pool1d(x, float("inf"), 2),
                               (2, 3, 6)),
    "lp_pool2d": pool_case(lambda t, x: t.nn.functional.lp_pool2d(x, 2, (2, 3)),
                           (2, 3, 4, 6), positive=True, second=True, dtype="float64"),
    "lp_pool2d odd power": pool_case(lambda t, x: t.nn.functional.lp_pool2d(x, 3, 2, 1),
                                     (1, 2, 4, 4)),
    "lp_pool2d -inf": pool_case(lambda t, x: t.nn.functional.lp_pool2d(x, -float("inf"), 2),
                                (2, 2, 4, 4)),
    "lp_pool3d": pool_case(lambda t, x: t.nn.functional.lp_pool3d(x, 2, 2), (1, 2, 4, 4, 4),
                           positive=True),
    "lp_pool3d unbatched": pool_case(lambda t, x: t.nn.functional.lp_pool3d(
        x, 4, (2, 1, 2), (1, 1, 2)), (2, 3, 3, 4), positive=True),
    "adaptive_max_pool3d": pool_case(lambda t, x: t.nn.functional.adaptive_max_pool3d(
        x, (2, 3, None), return_indices=True), (2, 3, 4, 5, 6), second=True),
    "adaptive_max_pool3d unbatched": pool_case(lambda t, x: t.nn.functional.adaptive_max_pool3d(
        x, 3), (2, 5, 4, 7), dtype="float64"),
    "adaptive_max_pool3d_with_indices": pool_case(
        lambda t, x: t.nn.functional.adaptive_max_pool3d_with_indices(x, (1, 2, 2)),
        (1, 2, 3, 4, 4)),
    "max_unpool3d": pool_case(_unpool, (2, 3, 4, 4, 6), second=True),
    "max_unpool3d output_size": pool_case(lambda t, x: _unpool(t, x, output_size=(5, 4, 7)),
                                          (1, 2, 4, 4, 6)),
    "max_unpool3d unbatched": pool_case(_unpool, (2, 4, 2, 4), dtype="float64"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_pool(name):
    check(CASES[name], rtol=1e-5, atol=1e-6)


def test_modules():
    def snippet(t):
        nn = t.nn
        t.manual_seed(1)
        x = t.randn(2, 2, 4, 4, 4).abs()
        pool = nn.MaxPool3d(2, return_indices=True)
        out, indices = pool(x)
        modules = [nn.LPPool1d(2, 3), nn.LPPool2d(1.5, 2, 1, True), nn.LPPool3d(3, 2),
                   nn.AdaptiveMaxPool3d((2, None, 1)), nn.AdaptiveMaxPool3d(2, True),
                   nn.MaxUnpool3d(2), nn.MaxUnpool3d((2, 1, 2), (1, 1, 2), 1)]
        return [repr(m) for m in modules] + [
            modules[0](x[0, 0]), modules[1](x[0]), modules[2](x), modules[3](x),
            modules[4](x), modules[5](out, indices), modules[5](out, indices, (5, 5, 5))]
    check(snippet)


def _pooled(t):
    return t.nn.functional.max_pool3d(t.randn(2, 3, 4, 4, 6), 2, return_indices=True)


def _one_bad_index(t):
    """One index out of range (with several, torch's threads race to report one)."""
    out, indices = _pooled(t)
    indices[1, 2, 1, 0, 2] = 500
    return out, indices


ERRORS = {
    "adaptive 3-D": lambda t: t.nn.functional.adaptive_max_pool3d(t.ones(4, 5, 6), 2),
    "adaptive short size": lambda t: t.nn.functional.adaptive_max_pool3d(
        t.ones(2, 3, 4, 5, 6), (2, 2)),
    "adaptive low rank": lambda t: t.nn.functional.adaptive_max_pool3d(t.ones(4, 5, 6),
                                                                       (1, 1, 1)),
    "adaptive empty": lambda t: t.nn.functional.adaptive_max_pool3d(t.ones(2, 0, 2, 2, 2), 1),
    "adaptive negative": lambda t: t.nn.functional.adaptive_max_pool3d(
        t.ones(2, 3, 4, 5, 6), (2, -1, 2)),
    "adaptive long": lambda t: t.nn.functional.adaptive_max_pool3d(
        t.ones(2, 3, 4, 5, 6, dtype=t.int64), 2),
    "unpool int32": lambda t: t.nn.functional.max_unpool3d(
        _pooled(t)[0], _pooled(t)[1].int(), 2),
    "unpool shapes": lambda t: t.nn.functional.max_unpool3d(
        _pooled(t)[0], _pooled(t)[1][..., :1], 2),
    "unpool 3-D": lambda t: t.nn.functional.max_unpool3d(t.ones(2, 2, 3),
                                                         t.zeros(2, 2, 3, dtype=t.int64), 2),
    "unpool size": lambda t: t.nn.functional.max_unpool3d(*_pooled(t), 2, output_size=(1, 1, 1)),
    "unpool index": lambda t: t.nn.functional.max_unpool3d(*_one_bad_index(t), 2),
    "unpool empty": lambda t: t.nn.functional.max_unpool3d(
        t.ones(2, 0, 1, 1, 1), t.zeros(2, 0, 1, 1, 1, dtype=t.int64), 2),
    "unpool stride": lambda t: t.nn.functional.max_unpool3d(*_pooled(t), 2, stride=0),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors(name):
    check(ERRORS[name])
