"""In-place ops on a view whose elements share memory though no stride is 0 (an unfold
with a step below its size, an as_strided): torch allows them and TensorIterator writes
the result row by row, each row computed from the memory as the rows before left it, so
an element written twice compounds (core seed 402306: `x.unfold(0, 26, 1).mul_(w)`).
The engine computed every element from the original and the last write won. The backward
copies the slice's gradient into the overlapping view in copy_'s order, the last write
to a location being the one left. Values and gradients live against torch."""
import pytest

import oracle

EDITS = {
    "mul unfold": lambda t, x: x.view(-1).unfold(0, 4, 1).mul_(t.tensor([1.0, 2.0, 3.0, 4.0])),
    "add unfold": lambda t, x: x.view(-1).unfold(0, 4, 1).add_(1),
    "sub step 2": lambda t, x: x.view(-1).unfold(0, 5, 2).sub_(t.tensor([1.0, 2, 3, 4, 5])),
    "div step 2": lambda t, x: x.view(-1).unfold(0, 5, 2).div_(t.tensor([1.0, 2, 3, 4, 5])),
    "exp": lambda t, x: x.view(-1).unfold(0, 3, 1).exp_(),
    "sigmoid": lambda t, x: x.view(-1).unfold(0, 3, 1).sigmoid_(),
    "pow": lambda t, x: x.view(-1).unfold(0, 3, 1).pow_(2),
    "clamp": lambda t, x: x.view(-1).unfold(0, 3, 1).clamp_(0.5, 2),
    "2-d unfold": lambda t, x: x.unfold(1, 3, 1).mul_(2),
    "as_strided rows": lambda t, x: x.as_strided((3, 3), (2, 1)).add_(1),
    "as_strided columns": lambda t, x: x.as_strided((3, 3), (1, 2)).mul_(
        t.tensor([1.0, 2.0, 3.0])),
    "no overlap": lambda t, x: x[:, ::2].mul_(3),
}


def edited(lib, name, requires_grad):
    torch = lib.torch
    leaf = (torch.arange(1.0, 13.0).reshape(3, 4) / 3).requires_grad_(requires_grad)
    x = leaf * 1 if requires_grad else leaf.detach()
    EDITS[name](torch, x)
    values = [round(v, 5) for v in x.flatten().tolist()]
    if not requires_grad:
        return values
    (x * torch.arange(12.0).reshape(3, 4)).sum().backward()
    return values, [round(v, 4) for v in leaf.grad.flatten().tolist()]


@pytest.mark.parametrize("requires_grad", [False, True])
@pytest.mark.parametrize("name", sorted(EDITS))
def test_overlapping_writes_compound_as_in_torch(name, requires_grad):
    oracle.agree(edited, name, requires_grad, namespace_arg=True)
