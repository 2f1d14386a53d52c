"""scaled_dot_product_attention (the CPU flash path) on rows masked everywhere: zeros, whose
sign is torch's (nn seed 520117: their reciprocals are -inf where torch's are), live."""
import numpy as np
import pytest

import oracle


def masked_row_signs(lib, values):
    source = len(values)
    q = lib.torch.ones(1, 1, 2, 3)
    k = lib.torch.ones(1, 1, source, 3, requires_grad=True)
    v = lib.torch.tensor(np.array(values, np.float32).reshape(1, 1, source, 3))
    mask = lib.torch.tensor([[False] * source, [True] * source])
    out = lib.F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    return np.signbit(out.detach().numpy()).tolist(), out.grad_fn.name()


@pytest.mark.parametrize("values", [[[-1.0, 2.0, -3.0]],
                                    [[-1.0, 2.0, -3.0], [-1.0, -2.0, 3.0]],
                                    [[-1.0, 2.0, -3.0], [-1.0, -2.0, 3.0], [-2.0, -1.0, -1.0]]])
def test_a_row_masked_everywhere_has_torchs_zeros(values):
    oracle.agree(masked_row_signs, values, namespace_arg=True)
