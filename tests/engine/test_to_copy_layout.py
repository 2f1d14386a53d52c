"""A dtype conversion lays its result out as ATen's _to_copy (preserve_format): a dense
input keeps its strides, an overlapping one (an expand) gets dense strides in its dims'
order, zero strides keeping the row-major order; so `contiguous()` of an expanded tensor
converted to float64 is the same tensor, no CloneBackward0 (core seed 402464), live."""
import pytest

import oracle

SOURCES = {
    "expand 4-d": lambda t, x: x.expand(2, 3, 2, -1),
    "expand new dims": lambda t, x: x.expand(3, 2, 1),
    "expand both": lambda t, x: x.expand(2, 2, 4),
    "expand then t": lambda t, x: x[:, :1].t().expand(5, 2),
    "permuted": lambda t, x: t.randn(2, 3, 4).permute(2, 0, 1),
    "sliced": lambda t, x: t.randn(4, 6)[:, ::2],
    "contiguous": lambda t, x: t.randn(2, 3),
}


def converted(lib, name):
    torch = lib.torch
    torch.manual_seed(0)
    x = torch.randn(2, 1, requires_grad=True)
    source = SOURCES[name](torch, x)
    out = source.to(torch.float64)
    again = out.contiguous()
    return (out.stride(), out.is_contiguous(), again is out,
            None if again.grad_fn is None else again.grad_fn.name())


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_a_conversion_keeps_atens_layout(name):
    oracle.agree(converted, name, namespace_arg=True)
