"""pow(Tensor, number) for float and double as ATen's pow_tensor_scalar_kernel computes it:
1 / sqrt for -0.5 (so -0.0 ** -0.5 is -inf, as in pow's backward at -0.0: core seed
1003282), 1 / x for -1, x * x, x * x * x and 1 / (x * x) for 2, 3 and -2 (float64 cubes
were NumPy's pow, off in the last bit for a quarter of the values), bit for bit, live."""
import numpy as np
import pytest

import oracle

EXPONENTS = (-0.5, -1, -1.0, 2, 3, 3.0, -2, -2.0)
SPECIAL = [0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, 1e-300, 1e300, -1e-300, 3e-39]


def powers(lib, dtype_name, exponent):
    torch = lib.torch
    values = np.concatenate([np.random.default_rng(0).standard_normal(500) * 3, SPECIAL])
    x = torch.tensor(values).to(getattr(torch, dtype_name))
    result = x.pow(exponent)
    return str(result.dtype), [repr(v) for v in result.tolist()]


@pytest.mark.parametrize("exponent", EXPONENTS)
@pytest.mark.parametrize("dtype_name", ["float32", "float64"])
def test_special_exponents_are_atens_bit_for_bit(dtype_name, exponent):
    oracle.agree(powers, dtype_name, exponent, namespace_arg=True)


def test_square_root_backward_at_negative_zero():
    def case(lib):
        x = lib.torch.tensor([-0.0, 4.0, -1.0, 0.0], requires_grad=True)
        (x ** 0.5).sum().backward()
        return [repr(v) for v in x.grad.tolist()]

    grads = oracle.agree(case, namespace_arg=True)
    assert grads[0] == "-inf"
