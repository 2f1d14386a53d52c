"""expand's strides are ATen's inferExpandGeometry: a kept dimension keeps its stride (a
size-1 one too), a broadcast one is 0, a new leading one of size 1 continues the next one
contiguously. `stride()` shows them and matmul's fold check reads them: a float64 batch of
one expanded from a matrix folds into addmv as torch does (core seed 1003645), live."""
import pytest

import oracle

EXPANDS = {
    "new leading one": lambda t: t.randn(3, 4).expand(1, 3, 4),
    "new leading two": lambda t: t.randn(3, 4).expand(2, 3, 4),
    "two new ones": lambda t: t.randn(3, 4).expand(1, 1, 3, 4),
    "broadcast then one": lambda t: t.randn(3, 4).expand(2, 1, 3, 4),
    "kept size one": lambda t: t.randn(1, 4).expand(2, 1, 4),
    "scalar to one": lambda t: t.tensor(1.0).expand(1, 1),
    "transposed": lambda t: t.randn(2, 3).t().expand(1, 3, 2),
    "strided": lambda t: t.randn(4, 6)[:, ::2].expand(2, 1, 4, 3),
    "empty": lambda t: t.randn(0, 3).expand(1, 0, 3),
    "trailing one": lambda t: t.randn(3, 1).expand(2, 3, 4),
}


def expanded(lib, name):
    tensor = EXPANDS[name](lib.torch)
    return tensor.shape, tensor.stride(), tensor.is_contiguous()


@pytest.mark.parametrize("name", sorted(EXPANDS))
def test_expand_strides_are_atens(name):
    oracle.agree(expanded, name, namespace_arg=True)


def test_a_batch_of_one_expanded_folds_into_addmv():
    def case(lib):
        torch = lib.torch
        matrix = torch.tensor([[0.8, 0.3], [0.3, 1.6]], dtype=torch.float64, requires_grad=True)
        return oracle.error_of(lambda: torch.matmul(matrix.expand(1, 2, 2),
                                                    torch.tensor([0.1, -1.5])))

    error = oracle.agree(case, namespace_arg=True)
    assert error[1].startswith("addmv input tensors must have the same dtype")
