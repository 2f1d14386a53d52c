"""F.dropout1d/dropout3d, F.alpha_dropout/feature_alpha_dropout, F.rrelu/rrelu_, F.celu_ /
selu_ and their modules live against torch: the same seed gives torch's masks and slopes bit
for bit (float32 and float64), the same graph, gradients (and second derivatives for
rrelu), reprs, warnings and error texts."""
import numpy as np
import pytest

from surface_live import check


def _node_names(node, seen=None) -> list:
    seen = set() if seen is None else seen
    if node is None or node in seen:
        return [None if node is None else "<seen>"]
    seen.add(node)
    return [node.name()] + [name for child, _ in node.next_functions
                            for name in _node_names(child, seen)]


def random_op(call, shape=(3, 4, 5), dtype="float32", inplace=False):
    """call(F, x) on a seeded x (a copy when in place); output, graph, x's gradient."""
    def snippet(t):
        t.manual_seed(0)
        x = t.randn(*shape, dtype=getattr(t, dtype), requires_grad=True)
        out = call(t.nn.functional, x * 1 if inplace else x)
        weights = t.arange(out.numel(), dtype=out.dtype).reshape(out.shape)
        (out * weights).sum().backward()
        return [out, _node_names(out.grad_fn), x.grad, t.rand(2)]
    return snippet


CASES = {
    "dropout1d": random_op(lambda F, x: F.dropout1d(x, 0.4)),
    "dropout1d unbatched": random_op(lambda F, x: F.dropout1d(x, 0.4), shape=(4, 5)),
    "dropout1d in place": random_op(lambda F, x: F.dropout1d(x, 0.4, inplace=True),
                                    inplace=True),
    "dropout1d unbatched in place": random_op(lambda F, x: F.dropout1d(x, 0.4, inplace=True),
                                              shape=(4, 5), inplace=True),
    "dropout1d eval": random_op(lambda F, x: F.dropout1d(x * 2, 0.4, training=False)),
    "dropout1d p=1": random_op(lambda F, x: F.dropout1d(x, 1.0)),
    "dropout3d": random_op(lambda F, x: F.dropout3d(x, 0.3), shape=(2, 3, 2, 2, 2)),
    "dropout3d unbatched": random_op(lambda F, x: F.dropout3d(x, 0.3), shape=(3, 2, 2, 2)),
    "dropout3d 3-D": random_op(lambda F, x: F.dropout3d(x, 0.3), shape=(3, 2, 2)),
    "dropout3d float64": random_op(lambda F, x: F.dropout3d(x, 0.3), shape=(2, 3, 2, 1, 2),
                                   dtype="float64"),
    "alpha_dropout": random_op(lambda F, x: F.alpha_dropout(x, 0.3, True)),
    "alpha_dropout float64": random_op(lambda F, x: F.alpha_dropout(x, 0.2, True),
                                       dtype="float64"),
    "alpha_dropout in place": random_op(lambda F, x: F.alpha_dropout(x, 0.3, True, True),
                                        inplace=True),
    "alpha_dropout p=1": random_op(lambda F, x: F.alpha_dropout(x, 1.0, True)),
    "alpha_dropout default eval": random_op(lambda F, x: F.alpha_dropout(x * 3, 0.3)),
    "feature_alpha_dropout": random_op(lambda F, x: F.feature_alpha_dropout(x, 0.5, True)),
    "feature_alpha_dropout in place": random_op(
        lambda F, x: F.feature_alpha_dropout(x, 0.5, True, True), inplace=True),
    "rrelu eval": random_op(lambda F, x: F.rrelu(x)),
    "rrelu training": random_op(lambda F, x: F.rrelu(x, training=True)),
    "rrelu training float64": random_op(lambda F, x: F.rrelu(x, 0.05, 0.7, True),
                                        dtype="float64"),
    "rrelu equal bounds": random_op(lambda F, x: F.rrelu(x, 0.2, 0.2, True)),
    "rrelu in place": random_op(lambda F, x: F.rrelu(x, training=True, inplace=True),
                                inplace=True),
    "rrelu_": random_op(lambda F, x: F.rrelu_(x, 0.1, 0.3, True), inplace=True),
    "rrelu_ eval": random_op(lambda F, x: F.rrelu_(x), inplace=True),
    "celu_": random_op(lambda F, x: F.celu_(x, 0.5), inplace=True),
    "selu_": random_op(lambda F, x: F.selu_(x), inplace=True),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_random_op(name):
    # celu and selu round their float32 exp as the engine's elu family does (1 ulp off)
    exact = name not in ("celu_", "selu_")
    check(CASES[name], rtol=0 if exact else 1e-5, atol=0)


@pytest.mark.parametrize("training", [True, False])
def test_rrelu_second_derivative(training):
    def snippet(t):
        t.manual_seed(1)
        x = t.randn(3, 4, dtype=t.float64, requires_grad=True)
        out = t.nn.functional.rrelu(x, training=training)
        grad, = t.autograd.grad((out * out).sum(), x, create_graph=True)
        second, = t.autograd.grad(grad.sum(), x)
        return [grad, _node_names(grad.grad_fn), second]
    check(snippet)


def test_modules():
    def snippet(t):
        nn = t.nn
        t.manual_seed(2)
        modules = [nn.Dropout1d(0.2), nn.Dropout3d(), nn.AlphaDropout(0.1),
                   nn.FeatureAlphaDropout(0.3, inplace=True), nn.RReLU(), nn.RReLU(0.1, 0.2, True)]
        x = t.randn(2, 3, 2, 2, 2)
        outs = [repr(m) for m in modules]
        outs += [isinstance(m, nn.Dropout) for m in modules]
        for m in modules:
            outs.append(m(x.clone().reshape(2, 3, 8) if isinstance(m, nn.Dropout1d) else x.clone()))
            m.eval()
            outs.append(m(x.clone() if not isinstance(m, nn.Dropout1d) else x.reshape(2, 3, 8)))
        return outs
    check(snippet, rtol=0, atol=0)


ERRORS = {
    "p": lambda t: t.nn.functional.alpha_dropout(t.ones(3), 1.5, True),
    "module p": lambda t: t.nn.FeatureAlphaDropout(-0.1),
    "dropout1d 4-D": lambda t: t.nn.functional.dropout1d(t.ones(1, 2, 3, 4)),
    "feature 1-D": lambda t: t.nn.functional.feature_alpha_dropout(t.ones(3), 0.5, True),
    "rrelu bounds": lambda t: t.nn.functional.rrelu(t.ones(3), 0.5, 0.2),
    "rrelu long": lambda t: t.nn.functional.rrelu(t.ones(3, dtype=t.int64), training=True),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors(name):
    check(ERRORS[name])


def test_draws_from_a_seed_match_over_many_elements():
    def snippet(t):
        t.manual_seed(7)
        x = t.randn(64, 33) - 0.3
        return [t.nn.functional.rrelu(x, training=True), t.nn.functional.alpha_dropout(
            x, 0.35, True), t.nn.functional.dropout1d(x.reshape(8, 8, 33), 0.5)]
    check(snippet, rtol=0, atol=0)


def test_torch_level_names():
    def snippet(t):
        t.manual_seed(3)
        x = t.randn(2, 3, 4, requires_grad=True)
        outs = [t.rrelu(x, training=True), t.rrelu_(x * 1, 0.2, 0.4, True),
                t.alpha_dropout(x, 0.3, True), t.alpha_dropout_(x * 1, 0.3, True),
                t.feature_alpha_dropout(x, 0.3, True), t.feature_dropout(x, 0.3, True),
                t.feature_dropout_(x * 1, 0.6, True), t.celu_(x * 1), t.selu_(x * 1)]
        return outs + [_node_names(out.grad_fn) for out in outs]
    check(snippet, rtol=1e-6, atol=0)


def test_torch_level_p_error():
    check(lambda t: t.alpha_dropout(t.ones(3), 1.5, True))
