"""In-place shape ops (transpose_, swapaxes_, swapdims_, t_, squeeze_, unsqueeze_) live
against torch: shape, strides, values, version, grad_fn and its saved dims, the gradient
through them, and the errors torch raises."""
import pytest

import oracle
from oracle import error_of

OPS = {
    "transpose_": ((2, 3, 1), ("transpose_", 0, -1)),
    "swapaxes_": ((2, 3), ("swapaxes_", 0, 1)),
    "swapdims_": ((2, 3), ("swapdims_", 1, 0)),
    "t_": ((2, 3), ("t_",)),
    "t_ of a vector": ((3,), ("t_",)),
    "squeeze_ all": ((2, 1, 3, 1), ("squeeze_",)),
    "squeeze_ one": ((2, 1, 3), ("squeeze_", 1)),
    "squeeze_ not one": ((2, 3), ("squeeze_", 0)),
    "unsqueeze_": ((2, 3), ("unsqueeze_", -1)),
}


def in_graph(torch, shape, call):
    x = torch.arange(float(torch.tensor(shape).prod().item())).reshape(shape)
    x.requires_grad_()
    y = x * 2
    version = y._version
    same = getattr(y, call[0])(*call[1:]) is y
    node = y.grad_fn
    saved = {k: getattr(node, k) for k in dir(node) if k.startswith("_saved_")}
    (y * torch.arange(float(y.numel())).reshape(y.shape)).sum().backward()
    return {"same": same, "shape": tuple(y.shape), "stride": y.stride(),
            "values": y.tolist(), "version": y._version - version, "node": node.name(),
            "next": node.next_functions[0][0].name(), "saved": saved, "grad": x.grad.tolist()}


def plain(torch, shape, call):
    x = torch.zeros(shape)
    getattr(x, call[0])(*call[1:])
    return tuple(x.shape), x.stride(), x._version, x.grad_fn


@pytest.mark.parametrize("name", OPS)
def test_in_graph_matches_torch(name):
    oracle.agree(in_graph, *OPS[name])


@pytest.mark.parametrize("name", OPS)
def test_without_grad_matches_torch(name):
    oracle.agree(plain, *OPS[name])


def errors(torch):
    leaf = torch.ones(2, 3, requires_grad=True)
    saved = torch.ones(2, 3, requires_grad=True) * 1
    product = saved * saved
    saved.t_()
    return [error_of(leaf.t_), error_of(torch.ones(2, 2, 2).t_),
            error_of(lambda: torch.ones(2).transpose_(0, 2)),
            error_of(lambda: product.sum().backward())]


def test_errors_match_torch():
    oracle.agree(errors)
