"""F.grid_sample / torch.grid_sampler and F.affine_grid / torch.affine_grid_generator live
against torch: every mode, padding mode and align_corners, float32 and float64, bit for bit
(forward, grad_input and grad_grid), the graph, warnings and error texts."""
import itertools

import numpy as np
import pytest

from surface_live import check
from test_dropouts_rrelu import _node_names


def _grid(t, dtype, shape=(2, 4, 7)):
    """Points inside, outside, on the borders and exactly on pixel centres."""
    t.manual_seed(0)
    grid = t.rand(*shape, 2, dtype=dtype) * 3.2 - 1.6
    grid[0, 0, 0] = t.tensor([1.0, -1.0], dtype=dtype)
    grid[0, 0, 1] = t.tensor([0.2, 0.5], dtype=dtype)
    grid[1, 0, 0] = t.tensor([-1.0, 1.0], dtype=dtype)
    grid[1, 0, 1] = t.tensor([5.0, -7.5], dtype=dtype)
    return grid.requires_grad_()


def sample_case(mode, padding, align, dtype):
    def snippet(t):
        d = getattr(t, dtype)
        grid = _grid(t, d)
        x = t.randn(2, 3, 5, 6, dtype=d, requires_grad=True)
        y = t.nn.functional.grid_sample(x, grid, mode=mode, padding_mode=padding,
                                        align_corners=align)
        weights = t.linspace(-1, 1, y.numel(), dtype=d).reshape(y.shape)
        grad_x, grad_grid = t.autograd.grad((y * weights).sum(), [x, grid])
        return [y, _node_names(y.grad_fn), grad_x, grad_grid]
    return snippet


CASES = {f"{m} {p} align={a} {d}": sample_case(m, p, a, d) for m, p, a, d in itertools.product(
    ["bilinear", "nearest"], ["zeros", "border", "reflection"], [False, True],
    ["float32", "float64"])}


@pytest.mark.parametrize("name", sorted(CASES))
def test_grid_sample(name):
    check(CASES[name], rtol=0, atol=0)


def test_default_align_corners_warns_and_grid_only_gradient():
    def snippet(t):
        x = t.arange(12.0).reshape(1, 1, 3, 4)
        grid = _grid(t, t.float32, (1, 2, 2))
        y = t.nn.functional.grid_sample(x, grid)
        grad, = t.autograd.grad(y.sum(), grid)
        return [y, grad, t.grid_sampler(x, grid.detach(), 1, 2, True)]
    check(snippet, rtol=0, atol=0)


def test_large_grid_through_a_model():
    """A spatial-transformer step: affine_grid from a predicted theta, grid_sample, loss."""
    def snippet(t):
        t.manual_seed(3)
        image = t.randn(2, 3, 16, 16)
        head = t.nn.Linear(3 * 16 * 16, 6)
        theta = head(image.flatten(1)).view(2, 2, 3) * 0.1 + t.tensor(
            [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
        grid = t.nn.functional.affine_grid(theta, (2, 3, 12, 12), align_corners=False)
        out = t.nn.functional.grid_sample(image, grid, align_corners=False,
                                          padding_mode="border")
        loss = out.pow(2).mean()
        loss.backward()
        return [out, loss, _node_names(loss.grad_fn), head.weight.grad, head.bias.grad]
    # Linear's 768-long float32 dot products round as the engine's matmul does, not as MKL's
    check(snippet, rtol=1e-4, atol=1e-5)


def affine_case(size, align, dtype="float32"):
    def snippet(t):
        t.manual_seed(1)
        d = getattr(t, dtype)
        theta = t.randn(size[0], len(size) - 2, len(size) - 1, dtype=d, requires_grad=True)
        grid = t.nn.functional.affine_grid(theta, size, align_corners=align)
        grad, = t.autograd.grad((grid * grid).sum(), theta, create_graph=True)
        return [grid, _node_names(grid.grad_fn), grad, grad.grad_fn is None]
    return snippet


AFFINE = {
    "2-D": affine_case((2, 3, 4, 5), False),
    "2-D align": affine_case((2, 3, 4, 5), True),
    "2-D float64 large": affine_case((1, 1, 40, 30), False, "float64"),
    "2-D unit size align": affine_case((2, 1, 1, 3), True),
    "3-D": affine_case((2, 1, 3, 4, 2), False),
    "3-D align float64": affine_case((1, 2, 2, 3, 4), True, "float64"),
}


@pytest.mark.parametrize("name", sorted(AFFINE))
def test_affine_grid(name):
    check(AFFINE[name], rtol=0, atol=0)


def test_affine_grid_default_and_torch_name():
    def snippet(t):
        theta = t.tensor([[[0.8, -0.3, 0.1], [0.2, 1.1, -0.4]]], requires_grad=True)
        return [t.nn.functional.affine_grid(theta, (1, 2, 3, 2)),
                t.affine_grid_generator(theta, (1, 2, 2, 3), True)]
    check(snippet, rtol=0, atol=0)


def _x(t):
    return t.randn(2, 3, 4, 5)


ERRORS = {
    "dtype": lambda t: t.nn.functional.grid_sample(_x(t), t.rand(2, 3, 3, 2).double(),
                                                   align_corners=False),
    "grid rank": lambda t: t.nn.functional.grid_sample(_x(t), t.rand(3, 3, 2),
                                                       align_corners=False),
    "batch": lambda t: t.nn.functional.grid_sample(_x(t), t.rand(1, 3, 3, 2),
                                                   align_corners=False),
    "last size": lambda t: t.nn.functional.grid_sample(_x(t), t.rand(2, 3, 3, 3),
                                                       align_corners=False),
    "empty": lambda t: t.nn.functional.grid_sample(t.ones(2, 3, 0, 5), t.rand(2, 3, 3, 2),
                                                   align_corners=False),
    "mode": lambda t: t.nn.functional.grid_sample(_x(t), t.rand(2, 3, 3, 2), mode="cubic"),
    "padding": lambda t: t.nn.functional.grid_sample(_x(t), t.rand(2, 3, 3, 2),
                                                     padding_mode="wrap"),
    "long": lambda t: t.nn.functional.grid_sample(_x(t).long(), t.rand(2, 3, 3, 2).long(),
                                                  align_corners=False),
    "3-D input": lambda t: t.nn.functional.grid_sample(t.ones(2, 3, 4), t.rand(2, 3, 3, 2),
                                                       align_corners=False),
    "theta long": lambda t: t.nn.functional.affine_grid(t.ones(1, 2, 3, dtype=t.int64),
                                                        (1, 1, 2, 2), False),
    "theta shape": lambda t: t.nn.functional.affine_grid(t.ones(1, 3, 3), (1, 1, 2, 2), False),
    "theta 3-D shape": lambda t: t.nn.functional.affine_grid(t.ones(1, 2, 3), (1, 1, 2, 2, 2),
                                                             False),
    "size rank": lambda t: t.nn.functional.affine_grid(t.ones(1, 2, 3), (1, 1, 2), False),
    "size zero": lambda t: t.nn.functional.affine_grid(t.ones(1, 2, 3), (1, 1, 0, 2), False),
    "batch mismatch": lambda t: t.nn.functional.affine_grid(t.ones(1, 2, 3), (2, 1, 3, 2),
                                                            False),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors(name):
    check(ERRORS[name])


def test_empty_channels():
    check(lambda t: t.nn.functional.grid_sample(t.ones(2, 0, 4, 5), t.rand(2, 3, 3, 2),
                                                align_corners=True))


@pytest.mark.parametrize("mode, padding, align", list(itertools.product(
    ["bilinear", "nearest"], ["zeros", "border", "reflection"], [False, True])))
def test_second_derivatives(mode, padding, align):
    def snippet(t):
        t.manual_seed(0)
        x = t.randn(2, 2, 3, 4, dtype=t.float64, requires_grad=True)
        grid = (t.rand(2, 3, 2, 2, dtype=t.float64) * 2.8 - 1.4).requires_grad_()
        y = t.nn.functional.grid_sample(x, grid, mode=mode, padding_mode=padding,
                                        align_corners=align)
        grad_x, grad_grid = t.autograd.grad((y * y).sum(), [x, grid], create_graph=True)
        second = t.autograd.grad((grad_x * grad_x).sum() + (grad_grid * grad_grid).sum(),
                                 [x, grid], allow_unused=True)
        return [grad_x, grad_grid, _node_names(grad_x.grad_fn), *second]
    check(snippet, rtol=1e-10, atol=1e-12)


def volume_case(mode, padding, align, dtype, second=False):
    def snippet(t):
        t.manual_seed(0)
        d = getattr(t, dtype)
        grid = (t.rand(2, 3, 2, 4, 3, dtype=d) * 3.2 - 1.6)
        grid[0, 0, 0, 0] = t.tensor([1.0, -1.0, 0.0], dtype=d)
        grid.requires_grad_()
        x = t.randn(2, 2, 3, 4, 5, dtype=d, requires_grad=True)
        y = t.nn.functional.grid_sample(x, grid, mode=mode, padding_mode=padding,
                                        align_corners=align)
        weights = t.linspace(-1, 1, y.numel(), dtype=d).reshape(y.shape)
        grad_x, grad_grid = t.autograd.grad((y * weights).sum(), [x, grid],
                                            create_graph=second)
        result = [y, _node_names(y.grad_fn), grad_x, grad_grid]
        if second:
            result += [_node_names(grad_x.grad_fn), *t.autograd.grad(
                (grad_x * grad_x).sum() + (grad_grid * grad_grid).sum(), [x, grid],
                allow_unused=True)]
        return result
    return snippet


VOLUME = {f"{m} {p} align={a} {d}": volume_case(m, p, a, d) for m, p, a, d in
          itertools.product(["bilinear", "nearest"], ["zeros", "border", "reflection"],
                            [False, True], ["float32", "float64"])}


@pytest.mark.parametrize("name", sorted(VOLUME))
def test_grid_sample_3d(name):
    check(VOLUME[name], rtol=0, atol=0)


@pytest.mark.parametrize("mode, padding", list(itertools.product(
    ["bilinear", "nearest"], ["zeros", "border", "reflection"])))
def test_grid_sample_3d_second_derivatives(mode, padding):
    check(volume_case(mode, padding, False, "float64", second=True), rtol=1e-10, atol=1e-12)


def test_grid_sample_3d_errors():
    check(lambda t: t.nn.functional.grid_sample(t.ones(1, 1, 2, 2, 2), t.zeros(1, 1, 1, 1, 3),
                                                mode="bicubic", align_corners=False))
    check(lambda t: t.nn.functional.grid_sample(t.ones(1, 1, 2, 2, 2, dtype=t.int64),
                                                t.zeros(1, 1, 1, 1, 3, dtype=t.int64),
                                                align_corners=False))
    check(lambda t: t.nn.functional.grid_sample(t.ones(1, 1, 2, 2, 2), t.zeros(1, 1, 1, 3),
                                                align_corners=False))


def bicubic_case(padding, align, dtype, input_grad=True):
    def snippet(t):
        d = getattr(t, dtype)
        grid = _grid(t, d)
        x = t.randn(2, 3, 5, 6, dtype=d, requires_grad=input_grad)
        y = t.nn.functional.grid_sample(x, grid, mode="bicubic", padding_mode=padding,
                                        align_corners=align)
        weights = t.linspace(-1, 1, y.numel(), dtype=d).reshape(y.shape)
        grads = t.autograd.grad((y * weights).sum(), [x, grid] if input_grad else [grid])
        return [y, _node_names(y.grad_fn), *grads]
    return snippet


BICUBIC = {f"{p} align={a} {d}": bicubic_case(p, a, d) for p, a, d in itertools.product(
    ["zeros", "border", "reflection"], [False, True], ["float32", "float64"])}


@pytest.mark.parametrize("name", sorted(BICUBIC))
def test_bicubic(name):
    check(BICUBIC[name], rtol=0, atol=0)


@pytest.mark.parametrize("padding, align, dtype", list(itertools.product(
    ["zeros", "border", "reflection"], [False, True], ["float32", "float64"])))
def test_bicubic_when_only_the_grid_needs_a_gradient(padding, align, dtype):
    check(bicubic_case(padding, align, dtype, input_grad=False), rtol=0, atol=0)


def test_mode_tables():
    check(lambda t: [t.nn.functional.GRID_SAMPLE_INTERPOLATION_MODES,
                     t.nn.functional.GRID_SAMPLE_PADDING_MODES])


@pytest.mark.parametrize("padding, align", list(itertools.product(
    ["zeros", "border", "reflection"], [False, True])))
def test_bicubic_second_derivatives(padding, align):
    check(volume_free_second(padding, align), rtol=1e-10, atol=1e-12)


def volume_free_second(padding, align):
    def snippet(t):
        t.manual_seed(0)
        x = t.randn(2, 2, 3, 4, dtype=t.float64, requires_grad=True)
        grid = (t.rand(2, 3, 2, 2, dtype=t.float64) * 2.8 - 1.4).requires_grad_()
        y = t.nn.functional.grid_sample(x, grid, mode="bicubic", padding_mode=padding,
                                        align_corners=align)
        grad_x, grad_grid = t.autograd.grad((y * y).sum(), [x, grid], create_graph=True)
        second = t.autograd.grad((grad_x * grad_x).sum() + (grad_grid * grad_grid).sum(),
                                 [x, grid])
        return [grad_x, grad_grid, _node_names(grad_x.grad_fn), *second]
    return snippet


@pytest.mark.parametrize("mode, padding, align, dtype", list(itertools.product(
    ["bilinear", "nearest"], ["zeros", "border", "reflection"], [False, True],
    ["float32", "float64"])))
def test_grid_only_gradient(mode, padding, align, dtype):
    def snippet(t):
        d = getattr(t, dtype)
        grid = _grid(t, d)
        x = t.randn(2, 3, 5, 6, dtype=d)
        y = t.nn.functional.grid_sample(x, grid, mode=mode, padding_mode=padding,
                                        align_corners=align)
        weights = t.linspace(-1, 1, y.numel(), dtype=d).reshape(y.shape)
        return [y, *t.autograd.grad((y * weights).sum(), grid)]
    check(snippet, rtol=0, atol=0)
