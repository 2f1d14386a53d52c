"""gather / scatter / scatter_add on an output of split whose base was then modified in
place: autograd collects the edges before ATen checks the index, so the view's own error
comes first (core seed 542366), live against torch."""
import pytest

import oracle

CALLS = {
    "scatter value": lambda lib, view, index: view.scatter(0, index, 2),
    "scatter src": lambda lib, view, index: view.scatter(0, index, lib.torch.ones(3)),
    "scatter_add": lambda lib, view, index: view.scatter_add(0, index, lib.torch.ones(3)),
    "gather": lambda lib, view, index: view.gather(0, index),
    "index dtype": lambda lib, view, index: view.gather(0, index.float()),
}


def stale_view_error(lib, name):
    x = lib.torch.tensor([-0.932, -2.543, 0.212], requires_grad=True)
    y = lib.torch.add(x, 2, alpha=2)
    view = y.split(3, dim=0)[-1]
    y[..., -4:] = lib.torch.tensor([0.038, -0.037, 0.398])
    return oracle.error_of(lambda: CALLS[name](lib, view, lib.torch.tensor([2, 0, 3])))


@pytest.mark.parametrize("name", sorted(CALLS))
def test_the_stale_view_raises_before_the_index_check(name):
    error = oracle.agree(stale_view_error, name, namespace_arg=True)
    assert "Output 0 of Split is a view" in error[1]
