"""layer_norm's float32 weight and bias gradients bit for bit against torch: ATen sums the
rows in one buffer per thread (rows split as at::parallel_for splits them), a fused
multiply-add per row for the weight, then adds the buffers."""
import numpy as np
import pytest
import torch

import engine


@pytest.mark.parametrize("shape", [(2, 2), (3, 2), (6, 2), (7, 3), (40, 2), (100, 5),
                                   (3, 2, 2), (300, 16), (3, 40)])
def test_layer_norm_weight_and_bias_grads_are_bit_exact(shape):
    rng = np.random.default_rng(sum(shape))
    for _ in range(5):
        data = (rng.normal(size=shape) * rng.uniform(0.1, 10)).astype(np.float32)
        weight, bias = (rng.normal(size=shape[-1:]).astype(np.float32) for _ in range(2))
        grad = rng.normal(size=shape).astype(np.float32)
        results = []
        for lib in (torch, engine):
            params = [lib.tensor(weight, requires_grad=True), lib.tensor(bias, requires_grad=True)]
            out = lib.nn.functional.layer_norm(lib.tensor(data), shape[-1:], *params)
            out.backward(lib.tensor(grad))
            results.append([p.grad.numpy() for p in params])
        for expected, actual in zip(*results):
            np.testing.assert_array_equal(actual, expected)
