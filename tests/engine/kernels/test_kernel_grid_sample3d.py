"""engine.kernels.grid_sample3d against a NumPy reference written from the definition (in
float64): trilinear and nearest sampling, the padding modes, align_corners, and the
backward and double backward against finite differences."""
import itertools

import numpy as np
import pytest

from engine.kernels.grid_sample3d import (grid_sample_3d_backward,
                                          grid_sample_3d_double_backward,
                                          grid_sample_3d_forward)
from test_kernel_grid_sample import PADDINGS, _source

CASES = list(itertools.product(["bilinear", "nearest"], PADDINGS, [False, True]))


def _reference(inp, grid, mode, padding, align):
    batch, channels, depth, height, width = inp.shape
    out = np.zeros((batch, channels) + grid.shape[1:4])
    for n, i, j, k in np.ndindex(batch, *grid.shape[1:4]):
        point = [_source(grid[n, i, j, k, a], size, padding, align)
                 for a, size in enumerate((width, height, depth))]
        if mode == "nearest":
            corners = [(tuple(np.rint(point)), 1.0)]
        else:
            low = np.floor(point)
            corners = []
            for step in itertools.product((0, 1), repeat=3):
                frac = [p - lo for p, lo in zip(point, low)]
                weight = np.prod([f if s else 1 - f for f, s in zip(frac, step)])
                corners.append((tuple(lo + s for lo, s in zip(low, step)), weight))
        for (cx, cy, cz), weight in corners:
            if 0 <= cx < width and 0 <= cy < height and 0 <= cz < depth:
                out[n, :, i, j, k] += inp[n, :, int(cz), int(cy), int(cx)] * weight
    return out


def _inputs():
    rng = np.random.default_rng(0)
    return rng.standard_normal((1, 2, 2, 3, 4)), rng.random((1, 2, 1, 2, 3)) * 3.2 - 1.6


@pytest.mark.parametrize("mode, padding, align", CASES)
def test_forward_matches_reference(mode, padding, align):
    inp, grid = _inputs()
    out = grid_sample_3d_forward(inp, grid, int(mode == "nearest"), PADDINGS[padding], align)
    np.testing.assert_allclose(out, _reference(inp, grid, mode, padding, align), atol=1e-12)


def _numeric(function, arguments, which):
    found = np.zeros_like(arguments[which])
    for index in np.ndindex(found.shape):
        moved = [a.copy() for a in arguments]
        moved[which][index] += 1e-6
        up = function(*moved)
        moved[which][index] -= 2e-6
        found[index] = (up - function(*moved)) / 2e-6
    return found


@pytest.mark.parametrize("padding, align", list(itertools.product(PADDINGS, [False, True])))
def test_backward_and_double_backward_match_finite_differences(padding, align):
    inp, grid = _inputs()
    rng = np.random.default_rng(1)
    grad_out = rng.standard_normal((1, 2, 2, 1, 2))
    gg_inp, gg_grid = rng.standard_normal(inp.shape), rng.standard_normal(grid.shape)
    pad = PADDINGS[padding]

    def loss(inp, grid):
        return (_reference(inp, grid, "bilinear", padding, align) * grad_out).sum()

    grad_inp, grad_grid = grid_sample_3d_backward(grad_out, inp, grid, 0, pad, align)
    np.testing.assert_allclose(grad_inp, _numeric(loss, [inp, grid], 0), atol=1e-6)
    np.testing.assert_allclose(grad_grid, _numeric(loss, [inp, grid], 1), atol=1e-5)

    def pairing(grad_out, inp, grid):
        gi, gg = grid_sample_3d_backward(grad_out, inp, grid, 0, pad, align)
        return (gi * gg_inp).sum() + (gg * gg_grid).sum()

    found = grid_sample_3d_double_backward(gg_inp, gg_grid, grad_out, inp, grid, 0, pad, align)
    for which in range(3):
        np.testing.assert_allclose(found[which], _numeric(pairing, [grad_out, inp, grid], which),
                                   rtol=1e-5, atol=1e-5)
