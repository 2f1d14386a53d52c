"""engine.kernels.grid_sample against a NumPy reference written from the definition (in
float64): bilinear and nearest sampling, the three padding modes, align_corners, and the
gradients for input and grid (checked by finite differences of the reference)."""
import itertools

import numpy as np
import pytest

from engine.kernels.grid_sample import (grid_sample_2d_backward, grid_sample_2d_forward,
                                        sequential_bmm)

PADDINGS = {"zeros": 0, "border": 1, "reflection": 2}


def _source(g, size, padding, align):
    x = (g + 1) / 2 * (size - 1) if align else ((g + 1) * size - 1) / 2
    if padding == "reflection":
        low, high = (0.0, size - 1.0) if align else (-0.5, size - 0.5)
        span = high - low
        if span <= 0:
            return 0.0
        d = abs(x - low) % (2 * span)
        x = low + (d if d <= span else 2 * span - d)
    if padding in ("border", "reflection"):
        x = min(max(x, 0.0), size - 1.0)
    return x


def _reference(inp, grid, mode, padding, align):
    batch, channels, height, width = inp.shape
    out = np.zeros((batch, channels) + grid.shape[1:3])
    for n, i, j in np.ndindex(batch, *grid.shape[1:3]):
        x = _source(grid[n, i, j, 0], width, padding, align)
        y = _source(grid[n, i, j, 1], height, padding, align)
        if mode == "nearest":
            corners = [(np.rint(y), np.rint(x), 1.0)]
        else:
            x0, y0 = np.floor(x), np.floor(y)
            dx, dy = x - x0, y - y0
            corners = [(y0, x0, (1 - dy) * (1 - dx)), (y0, x0 + 1, (1 - dy) * dx),
                       (y0 + 1, x0, dy * (1 - dx)), (y0 + 1, x0 + 1, dy * dx)]
        for row, col, weight in corners:
            if 0 <= row < height and 0 <= col < width:
                out[n, :, i, j] += inp[n, :, int(row), int(col)] * weight
    return out


CASES = list(itertools.product(["bilinear", "nearest"], PADDINGS, [False, True]))


def _inputs(dtype):
    rng = np.random.default_rng(0)
    inp = rng.standard_normal((2, 3, 4, 5)).astype(dtype)
    grid = (rng.random((2, 3, 4, 2)) * 3.4 - 1.7).astype(dtype)
    return inp, grid


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("mode, padding, align", CASES)
def test_forward_matches_reference(mode, padding, align, dtype):
    inp, grid = _inputs(dtype)
    out = grid_sample_2d_forward(inp, grid, int(mode == "nearest"), PADDINGS[padding], align)
    expected = _reference(inp.astype(np.float64), grid.astype(np.float64), mode, padding,
                          align)
    assert out.dtype == dtype
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("mode, padding, align", CASES)
def test_backward_matches_finite_differences(mode, padding, align):
    inp, grid = _inputs(np.float64)
    weights = np.random.default_rng(1).standard_normal((2, 3, 3, 4))
    grad_inp, grad_grid = grid_sample_2d_backward(weights, inp, grid, int(mode == "nearest"),
                                                  PADDINGS[padding], align)
    # linear in the input: the reference's gradient is exact by linearity
    basis = np.zeros_like(inp)
    expected_inp = np.zeros_like(inp)
    for index in np.ndindex(inp.shape):
        basis[index] = 1.0
        expected_inp[index] = (_reference(basis, grid, mode, padding, align) * weights).sum()
        basis[index] = 0.0
    np.testing.assert_allclose(grad_inp, expected_inp, atol=1e-12)
    step = 1e-6
    expected_grid = np.zeros_like(grid)
    for index in np.ndindex(grid.shape):
        moved = grid.copy()
        moved[index] += step
        up = (_reference(inp, moved, mode, padding, align) * weights).sum()
        moved[index] -= 2 * step
        down = (_reference(inp, moved, mode, padding, align) * weights).sum()
        expected_grid[index] = (up - down) / (2 * step)
    np.testing.assert_allclose(grad_grid, expected_grid, rtol=1e-5, atol=1e-5)


def test_sequential_bmm_matches_matmul():
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((2, 7, 3)), rng.standard_normal((2, 3, 4))
    np.testing.assert_allclose(sequential_bmm(a, b), a @ b, rtol=1e-14)


@pytest.mark.parametrize("padding, align", list(itertools.product(PADDINGS, [False, True])))
def test_double_backward_matches_finite_differences_of_the_backward(padding, align):
    """<(gg_input, gg_grid), backward(grad_out, input, grid)> differentiated numerically."""
    from engine.kernels.grid_sample import grid_sample_2d_double_backward
    inp, grid = _inputs(np.float64)
    rng = np.random.default_rng(3)
    grad_out = rng.standard_normal((2, 3, 3, 4))
    gg_inp, gg_grid = rng.standard_normal(inp.shape), rng.standard_normal(grid.shape)

    def pairing(grad_out, inp, grid):
        grad_inp, grad_grid = grid_sample_2d_backward(grad_out, inp, grid, 0,
                                                      PADDINGS[padding], align)
        return (grad_inp * gg_inp).sum() + (grad_grid * gg_grid).sum()

    found = grid_sample_2d_double_backward(gg_inp, gg_grid, grad_out, inp, grid, 0,
                                           PADDINGS[padding], align)
    arguments = [grad_out, inp, grid]
    for which, expected_shape_of in enumerate(arguments):
        numeric = np.zeros_like(expected_shape_of)
        for index in np.ndindex(expected_shape_of.shape):
            moved = [a.copy() for a in arguments]
            moved[which][index] += 1e-6
            up = pairing(*moved)
            moved[which][index] -= 2e-6
            numeric[index] = (up - pairing(*moved)) / 2e-6
        np.testing.assert_allclose(found[which], numeric, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("padding, align", list(itertools.product(PADDINGS, [False, True])))
def test_bicubic_matches_keys_cubic_convolution(padding, align):
    """Keys' kernel (A = -0.75) over the 4 x 4 taps, each tap padded on its own; the
    backward against finite differences (grid_grad without the padding's slope, as ATen)."""
    from engine.kernels.grid_sample_bicubic import (grid_sample_bicubic_backward,
                                                    grid_sample_bicubic_forward)

    def keys(d):
        d = abs(d)
        if d <= 1:
            return (1.25 * d - 2.25) * d * d + 1
        return ((-0.75 * d + 3.75) * d - 6) * d + 3 if d < 2 else 0.0

    def tap(coordinate, size):
        if padding == "reflection":       # through _source's reflection, back to an integer
            coordinate = np.rint(_source((2 * coordinate + 1) / size - 1 if not align else
                                         2 * coordinate / (size - 1) - 1, size, padding, align))
        elif padding == "border":
            coordinate = min(max(coordinate, 0.0), size - 1.0)
        return coordinate

    def reference(inp, grid):
        out = np.zeros((inp.shape[0], inp.shape[1]) + grid.shape[1:3])
        height, width = inp.shape[2:]
        for n, i, j in np.ndindex(inp.shape[0], *grid.shape[1:3]):
            x = (grid[n, i, j, 0] + 1) / 2 * (width - 1) if align else \
                ((grid[n, i, j, 0] + 1) * width - 1) / 2
            y = (grid[n, i, j, 1] + 1) / 2 * (height - 1) if align else \
                ((grid[n, i, j, 1] + 1) * height - 1) / 2
            x0, y0 = np.floor(x), np.floor(y)
            for a, b in itertools.product(range(-1, 3), repeat=2):
                col, row = tap(x0 + a, width), tap(y0 + b, height)
                if 0 <= col < width and 0 <= row < height:
                    weight = keys(x - (x0 + a)) * keys(y - (y0 + b))
                    out[n, :, i, j] += inp[n, :, int(row), int(col)] * weight
        return out

    inp, grid = _inputs(np.float64)
    out = grid_sample_bicubic_forward(inp, grid, PADDINGS[padding], align)
    np.testing.assert_allclose(out, reference(inp, grid), atol=1e-12)
    weights = np.random.default_rng(1).standard_normal(out.shape)
    grad_inp, _ = grid_sample_bicubic_backward(weights, inp, grid, PADDINGS[padding], align, 4)
    basis, expected = np.zeros_like(inp), np.zeros_like(inp)
    for index in np.ndindex(inp.shape):
        basis[index] = 1.0
        expected[index] = (reference(basis, grid) * weights).sum()
        basis[index] = 0.0
    np.testing.assert_allclose(grad_inp, expected, atol=1e-12)
    if padding == "zeros":
        _, grad_grid = grid_sample_bicubic_backward(weights, inp, grid, 0, align, 4)
        numeric = np.zeros_like(grid)
        for index in np.ndindex(grid.shape):
            moved = grid.copy()
            moved[index] += 1e-6
            up = (reference(inp, moved) * weights).sum()
            moved[index] -= 2e-6
            numeric[index] = (up - (reference(inp, moved) * weights).sum()) / 2e-6
        np.testing.assert_allclose(grad_grid, numeric, rtol=1e-5, atol=1e-5)
