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


def nan_rows(lib):
    """A NaN in the query or key spreads as in torch's kernel (nn seed 530026: a row of NaN
    came out as zeros), masked rows still zeros."""
    nan = float("nan")
    q = lib.torch.tensor([[[[nan, 1.0], [0.5, -1.0], [0.2, 0.3]]]], requires_grad=True)
    k = lib.torch.tensor([[[[1.0, 2.0], [0.3, -0.4]]]], requires_grad=True)
    v = lib.torch.tensor([[[[1.0, -2.0], [0.3, 0.4]]]], requires_grad=True)
    mask = lib.torch.tensor([[True, True], [False, False], [True, False]])
    y = lib.F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    y.sum().backward()
    k2 = lib.torch.tensor([[[[nan, 2.0], [0.3, -0.4]]]])
    y2 = lib.F.scaled_dot_product_attention(q.detach()[..., 1:, :], k2, v.detach())
    return [np.isnan(t.detach().numpy()).tolist() for t in (y, q.grad, k.grad, v.grad, y2)] + [
        np.nan_to_num(y.detach().numpy()).tolist()]


def test_nan_spreads_as_in_torch():
    oracle.agree(nan_rows, namespace_arg=True)
