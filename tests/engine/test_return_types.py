"""max/min by dim return PyTorch's named tuple, printed as torch.return_types."""
import engine


def test_max_by_dim_prints_and_unpacks_like_torch():
    x = engine.tensor([[1.0, 5.0], [3.0, 2.0]], requires_grad=True)
    result = x.max(1)
    # Recorded from PyTorch 2.13.
    assert repr(result) == ("torch.return_types.max(\n"
                            "values=tensor([5., 3.], grad_fn=<MaxBackward0>),\n"
                            "indices=tensor([1, 0]))")
    values, indices = result
    assert values is result.values and indices is result[1] and len(result) == 2


def test_min_by_dim_keepdim():
    x = engine.tensor([[1.0, 5.0], [3.0, 2.0]])
    result = engine.min(x, 0, keepdim=True)
    assert repr(result) == ("torch.return_types.min(\n"
                            "values=tensor([[1., 2.]]),\n"
                            "indices=tensor([[0, 1]]))")
