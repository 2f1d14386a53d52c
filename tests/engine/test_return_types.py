"""max/min by dim return PyTorch's named tuple, printed as torch.return_types (compared with
torch 2.13 live, tests/oracle.py)."""
import oracle


def max_by_dim(torch):
    x = torch.tensor([[1.0, 5.0], [3.0, 2.0]], requires_grad=True)
    result = x.max(1)
    values, indices = result
    return [repr(result), values is result.values, indices is result[1], len(result)]


def test_max_by_dim_prints_and_unpacks_like_torch():
    assert oracle.agree(max_by_dim)[1:] == [True, True, 2]


def test_min_by_dim_keepdim():
    oracle.agree(lambda torch: repr(torch.min(torch.tensor([[1.0, 5.0], [3.0, 2.0]]), 0,
                                              keepdim=True)))
