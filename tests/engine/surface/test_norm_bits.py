"""float32 group_norm and layer_norm bit for bit against torch (ATen's RowwiseMoments order and FMAs), and
the CloneBackward0 torch adds before group_norm and LSTM on a non-contiguous input."""
import numpy as np
import pytest
import torch

import engine
from surface_live import check

SHAPES = [(2, 4, 3), (3, 2), (2, 6, 5), (1, 4, 4, 4), (2, 8, 17), (2, 2, 300), (1, 2, 1100)]


@pytest.mark.parametrize("affine", [False, True])
@pytest.mark.parametrize("shape", SHAPES)
def test_group_norm_float32_is_bit_exact(shape, affine):
    rng = np.random.default_rng(len(shape) * 100 + shape[-1])
    for _ in range(5):
        data = (rng.normal(size=shape) * rng.uniform(0.1, 10)).astype(np.float32)
        params = [rng.normal(size=shape[1]).astype(np.float32) for _ in range(2)] \
            if affine else []
        results = []
        for lib in (torch, engine):
            out = lib.nn.functional.group_norm(lib.tensor(data, requires_grad=True), 2,
                                               *[lib.tensor(p) for p in params])
            results.append([out.detach().numpy(), out.grad_fn._saved_result1.detach().numpy(),
                            out.grad_fn._saved_result2.detach().numpy()])
        for expected, actual in zip(*results):
            np.testing.assert_array_equal(actual, expected)


@pytest.mark.parametrize("affine", [None, "weight", "both"])
@pytest.mark.parametrize("shape, normalized", [((2, 3), 1), ((3, 2, 3), 2), ((2, 11), 1),
                                               ((2, 40), 1), ((2, 3, 100), 2)])
def test_layer_norm_float32_is_bit_exact(shape, normalized, affine):
    rng = np.random.default_rng(shape[-1])
    for _ in range(5):
        data = (rng.normal(size=shape) * rng.uniform(0.1, 10)).astype(np.float32)
        params = [rng.normal(size=shape[-normalized:]).astype(np.float32) for _ in range(2)]
        params = {None: [], "weight": params[:1], "both": params}[affine]
        results = []
        for lib in (torch, engine):
            out = lib.nn.functional.layer_norm(lib.tensor(data, requires_grad=True),
                                               shape[-normalized:],
                                               *[lib.tensor(p) for p in params])
            results.append([out.detach().numpy(), out.grad_fn._saved_result1.detach().numpy(),
                            out.grad_fn._saved_result2.detach().numpy()])
        for expected, actual in zip(*results):
            np.testing.assert_array_equal(actual, expected)


def _names(node, depth=4) -> list:
    if node is None or depth == 0:
        return []
    return [node.name()] + [n for child, _ in node.next_functions for n in _names(child,
                                                                               depth - 1)]


NON_CONTIGUOUS = {
    "group_norm of a transpose": lambda t: t.nn.functional.group_norm(
        t.ones(2, 3, 4, requires_grad=True).transpose(1, 2), 2),
    "group_norm of a permute": lambda t: t.nn.functional.group_norm(
        t.arange(72.).reshape(2, 4, 3, 3).requires_grad_().permute(0, 2, 3, 1), 1),
    "group_norm of channels last": lambda t: t.nn.functional.group_norm(
        t.arange(72.).reshape(2, 3, 3, 4).requires_grad_().permute(0, 3, 1, 2), 2),
    "lstm of a slice": lambda t: (t.manual_seed(0), t.nn.LSTM(3, 2)(
        t.arange(60.).reshape(3, 4, 5).requires_grad_()[:, :, :3])[0])[1],
    "unbatched lstm of a strided slice": lambda t: (t.manual_seed(0), t.nn.LSTM(1, 3)(
        t.arange(12.).reshape(6, 2).requires_grad_()[:, ::2])[0])[1],
}


@pytest.mark.parametrize("name", sorted(NON_CONTIGUOUS))
def test_clone_of_a_non_contiguous_input(name):
    check(lambda t: [NON_CONTIGUOUS[name](t), _names(NON_CONTIGUOUS[name](t).grad_fn)],
          rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("affine", [False, True])
@pytest.mark.parametrize("shape, groups", [((2, 2), 2), ((2, 4, 3), 2), ((3, 34, 9), 2),
                                           ((2, 18, 40), 1), ((1, 6, 5, 5), 3)])
def test_group_norm_float32_gradients_are_bit_exact(shape, groups, affine):
    rng = np.random.default_rng(shape[1] * 10 + groups)
    for _ in range(3):
        data, grad = (rng.normal(size=shape).astype(np.float32) for _ in range(2))
        params = [rng.normal(size=shape[1]).astype(np.float32) for _ in range(2)] \
            if affine else []
        results = []
        for lib in (torch, engine):
            leaves = [lib.tensor(a, requires_grad=True) for a in [data] + params]
            lib.nn.functional.group_norm(leaves[0], groups, *leaves[1:]).backward(
                lib.tensor(grad))
            results.append([leaf.grad.numpy() for leaf in leaves])
        for expected, actual in zip(*results):
            np.testing.assert_array_equal(actual, expected)
