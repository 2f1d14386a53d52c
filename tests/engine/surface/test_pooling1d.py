"""The 1-D pools (and adaptive_max_pool2d) live against torch: the unsqueeze / 2-D pool /
squeeze chain node for node with each node's saved values, values and indices, first and
second derivatives in float32 and float64, the checks' texts in torch's order, and the
modules' reprs."""
import numpy as np
import pytest

from surface_live import check

RNG = np.random.default_rng(3)
X = RNG.normal(size=(2, 3, 9))
X[0, 1, 2:4] = 1.5                      # a tie inside one window: the first index wins
X4 = RNG.normal(size=(2, 3, 5, 7))


def _chain(out):
    """(name, saved plain values) of each node from out down to the leaf."""
    nodes, node = [], out.grad_fn
    while node is not None and "AccumulateGrad" not in node.name():
        saved = {a: getattr(node, a) for a in dir(node) if a.startswith("_saved_")}
        nodes.append([node.name(), sorted((k, v) for k, v in saved.items()
                                          if not hasattr(v, "grad_fn"))])
        node = next((f for f, _ in node.next_functions if f is not None), None)
    return nodes


def _pool(call, dtype="float64", data=X, second=True):
    def snippet(t):
        x = t.tensor(data, dtype=getattr(t, dtype), requires_grad=True)
        out = call(t.nn.functional, x)
        first = out[0] if isinstance(out, tuple) else out
        grad, = t.autograd.grad((first * first).sum(), x, create_graph=second)
        results = [out, _chain(first), grad]
        if second:
            results += [_chain(grad), t.autograd.grad((grad * grad).sum(), x)]
        return results
    return snippet


CASES = {
    "max": lambda F, x: F.max_pool1d(x, 3),
    "max strided, padded, dilated, ceil": lambda F, x: F.max_pool1d(
        x, 3, stride=2, padding=1, dilation=2, ceil_mode=True),
    "max indices": lambda F, x: F.max_pool1d(x, 2, return_indices=True),
    "max with_indices, list args": lambda F, x: F.max_pool1d_with_indices(x, [3], [2], [1]),
    "max unbatched": lambda F, x: F.max_pool1d(x[0], 2, 1),
    "avg": lambda F, x: F.avg_pool1d(x, 3),
    "avg padded, no pad count, ceil": lambda F, x: F.avg_pool1d(
        x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
    "avg unbatched": lambda F, x: F.avg_pool1d(x[1], (4,), stride=[3]),
    "adaptive avg": lambda F, x: F.adaptive_avg_pool1d(x, 4),
    "adaptive avg to one": lambda F, x: F.adaptive_avg_pool1d(x, 1),
    "adaptive avg unbatched": lambda F, x: F.adaptive_avg_pool1d(x[0], (5,)),
    "adaptive max": lambda F, x: F.adaptive_max_pool1d(x, 4),
    "adaptive max indices": lambda F, x: F.adaptive_max_pool1d(x, 5, return_indices=True),
    "adaptive max unbatched": lambda F, x: F.adaptive_max_pool1d(x[1], 2),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_pool1d(name, dtype):
    check(_pool(CASES[name], dtype), rtol=1e-5, atol=1e-5)


CASES_2D = {
    "adaptive max 2d": lambda F, x: F.adaptive_max_pool2d(x, (3, 4)),
    "adaptive max 2d, None": lambda F, x: F.adaptive_max_pool2d(x, (None, 3),
                                                                return_indices=True),
    "adaptive max 2d unbatched": lambda F, x: F.adaptive_max_pool2d(x[0], 2),
    "adaptive max 2d with_indices": lambda F, x: F.adaptive_max_pool2d_with_indices(x, 4),
}


@pytest.mark.parametrize("name", sorted(CASES_2D))
def test_adaptive_max_pool2d(name):
    check(_pool(CASES_2D[name], data=X4))


def _f(t):
    return t.nn.functional


ERRORS = {
    "max 4-D": lambda t: _f(t).max_pool1d(t.ones(1, 2, 3, 4), 2),
    "max empty channels": lambda t: _f(t).max_pool1d(t.ones(2, 0, 4), 2),
    "max kernel pair": lambda t: _f(t).max_pool1d(t.ones(2, 3, 9), (2, 2)),
    "max stride pair": lambda t: _f(t).max_pool1d(t.ones(2, 3, 9), 2, stride=(1, 1)),
    "max kernel 0": lambda t: _f(t).max_pool1d(t.ones(2, 3, 9), 0),
    "max stride 0": lambda t: _f(t).max_pool1d(t.ones(2, 3, 9), 2, 0),
    "max negative padding": lambda t: _f(t).max_pool1d(t.ones(2, 3, 9), 2, padding=-1),
    "max padding": lambda t: _f(t).max_pool1d(t.ones(2, 3, 9), 2, padding=2),
    "max dilation 0": lambda t: _f(t).max_pool1d(t.ones(2, 3, 9), 2, dilation=0),
    "max output": lambda t: _f(t).max_pool1d(t.ones(2, 3, 9), 10),
    "max long": lambda t: _f(t).max_pool1d(t.ones(2, 3, 9, dtype=t.int64), 2),
    "max indices 4-D": lambda t: _f(t).max_pool1d(t.ones(1, 2, 3, 4), 2, return_indices=True),
    "max indices output": lambda t: _f(t).max_pool1d(t.ones(2, 3, 9), 10, return_indices=True),
    "max indices kernel pair": lambda t: _f(t).max_pool1d_with_indices(t.ones(2, 3, 9), (2, 2)),
    "avg 1-D": lambda t: _f(t).avg_pool1d(t.ones(4), 2),
    "avg kernel pair": lambda t: _f(t).avg_pool1d(t.ones(2, 3, 9), (2, 2)),
    "avg padding": lambda t: _f(t).avg_pool1d(t.ones(2, 3, 9), 2, padding=2),
    "avg output": lambda t: _f(t).avg_pool1d(t.ones(2, 3, 9), 10),
    "avg empty channels": lambda t: _f(t).avg_pool1d(t.ones(2, 0, 4), 2),
    "adaptive avg 4-D": lambda t: _f(t).adaptive_avg_pool1d(t.ones(1, 2, 3, 4), 2),
    "adaptive avg pair": lambda t: _f(t).adaptive_avg_pool1d(t.ones(2, 3, 9), (2, 2)),
    "adaptive max 1-D": lambda t: _f(t).adaptive_max_pool1d(t.ones(4), 2),
    "adaptive max empty": lambda t: _f(t).adaptive_max_pool1d(t.ones(2, 3, 0), 2),
    "adaptive max negative": lambda t: _f(t).adaptive_max_pool1d(t.ones(3, 5), -1),
    "adaptive max 2d 5-D": lambda t: _f(t).adaptive_max_pool2d(t.ones(1, 2, 3, 4, 5), 2),
    "adaptive max 2d empty": lambda t: _f(t).adaptive_max_pool2d(t.ones(2, 3, 0, 4), 2),
    "adaptive max 2d, sizes past the input": lambda t: _f(t).adaptive_max_pool2d(
        t.ones(3, 4), (1, None)),
    "adaptive max 2d, 5-D with three sizes": lambda t: _f(t).adaptive_max_pool2d(
        t.ones(2, 3, 4, 5, 6), (1, 2, 3)),
    "adaptive max 2d long": lambda t: _f(t).adaptive_max_pool2d(t.ones(2, 3, 5, 7,
                                                                       dtype=t.int64), 2),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_pool1d_errors(name):
    check(ERRORS[name])


def test_modules_and_reprs():
    def snippet(t):
        x = t.tensor(X, dtype=t.float32)
        layers = [t.nn.MaxPool1d(3), t.nn.MaxPool1d(3, 2, 1, 2, True, True),
                  t.nn.AvgPool1d(3), t.nn.AvgPool1d(3, 2, 1, True, False),
                  t.nn.AdaptiveAvgPool1d(4), t.nn.AdaptiveMaxPool1d(4, True),
                  t.nn.AdaptiveMaxPool1d(2)]
        plane = t.nn.AdaptiveMaxPool2d((3, None))
        return ([repr(m) for m in layers] + [m(x) for m in layers]
                + [repr(plane), plane(t.tensor(X4, dtype=t.float32)),
                   t.nn.AvgPool1d(3).kernel_size, t.nn.MaxPool1d(3).stride])
    check(snippet)


TOP_LEVEL = {
    "conv1d": lambda t, x: t.conv1d(x, t.ones(4, 3, 2) * 0.5, None, 2),
    "conv2d": lambda t, x: t.conv2d(x[None], t.ones(4, 2, 2, 2) * 0.5),
    "conv_transpose1d": lambda t, x: t.conv_transpose1d(x, t.ones(3, 2, 3) * 0.5, None, 2, 1),
    "max_pool1d": lambda t, x: t.max_pool1d(x, 3, 2),
    "max_pool1d_with_indices": lambda t, x: t.max_pool1d_with_indices(x, 3),
    "max_pool2d": lambda t, x: t.max_pool2d(x, 2),
    "max_pool3d": lambda t, x: t.max_pool3d(x[None], 2),
    "avg_pool1d": lambda t, x: t.avg_pool1d(x, 2),
    "adaptive_avg_pool1d": lambda t, x: t.adaptive_avg_pool1d(x, 4),
    "adaptive_max_pool1d (a tuple)": lambda t, x: t.adaptive_max_pool1d(x, 4),
}


@pytest.mark.parametrize("name", sorted(TOP_LEVEL))
def test_torch_level_names(name):
    def snippet(t):
        x = t.tensor(X, dtype=t.float32, requires_grad=True)
        return TOP_LEVEL[name](t, x)
    check(snippet, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("mode", ["no grad needed", "under no_grad", "grad", "inference"])
def test_max_pool1d_is_a_view_only_when_grad_is_needed(mode):
    """ATen's max_pool1d takes the 2-D path (a squeeze: a view) only when the input needs
    grad; otherwise it pools into a new tensor, so an in-place write to the result gives it
    a CopySlices, not an AsStridedBackward0 over one (nn seed 1127010)."""
    def snippet(t):
        x = t.tensor(X, dtype=t.float32, requires_grad=mode != "no grad needed")
        if mode == "under no_grad":
            with t.no_grad():
                out = t.nn.functional.max_pool1d(x, 2, dilation=2)
        elif mode == "inference":
            with t.inference_mode():
                out = t.nn.functional.max_pool1d(x, 2)
            return [out, out.is_inference(), out._base is None]
        else:
            out = t.nn.functional.max_pool1d(x, 2, dilation=2)
        is_view = out._base is not None
        if mode != "grad":
            out[0, 1:2, -1] = t.tensor([5.0], requires_grad=True)
        return [out, is_view, out.grad_fn.name() if out.grad_fn else None, out._version]
    check(snippet)
