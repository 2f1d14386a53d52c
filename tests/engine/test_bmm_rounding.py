"""Small batched products round as ATen's CPU bmm does (its baddbmm_cpu_kernel: each product
and each partial sum rounded, no fused multiply-add), bit for bit, live against torch: core
seed 500869, a broadcast float32 matmul whose float64 copy showed BLAS's last-bit
difference."""
import numpy as np
import pytest

import oracle


def products(lib, dtype, shapes):
    rng = np.random.RandomState(sum(sum(s) for s in shapes))
    a_shape, b_shape = shapes
    a = lib.tensor(rng.randn(*a_shape).astype(dtype), requires_grad=True)
    b = lib.tensor(rng.randn(*b_shape).astype(dtype), requires_grad=True)
    out = a @ b
    out.backward(lib.tensor(rng.randn(*out.shape).astype(dtype)))
    return [t.detach().numpy().tobytes() for t in (out, a.grad, b.grad)]


SHAPES = [((2, 2, 2, 3), (2, 3, 3)), ((3, 4, 7), (3, 7, 5)), ((2, 1, 5, 2), (4, 2, 6)),
          ((2, 9, 8), (2, 8, 5))]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shapes", SHAPES)
def test_small_batched_products_equal_torchs_bits(dtype, shapes):
    oracle.agree(products, dtype, shapes)


def test_seed_500869_product_in_float64():
    a = np.array([[0.309, -1.44, 1.559]], np.float32)
    b = np.array([[0.369], [1.012], [0.894]], np.float32)
    got = [oracle.run(lambda lib: (lib.tensor(a[None]) @ lib.tensor(b[None])).double().item(),
                      name) for name in ("torch", "engine")]
    assert got[0] == got[1]
