"""zero_ / fill_ / copy_ into a view of a tensor that needs grad: the base moves onto a
CopySlices node and the view reads it through AsStridedBackward0, as torch 2.13 records it
(graphs, versions and gradients compared with torch live, tests/oracle.py)."""
import pytest

import oracle


def graph(node, depth=0):
    if node is None:
        return [f"{depth}:None"]
    lines = [f"{depth}:{node.name()}"]
    for child, _ in node.next_functions:
        lines += graph(child, depth + 1)
    return lines


OPS = {
    "zero_": lambda b, s: b[1].zero_(),
    "fill_": lambda b, s: b[1].fill_(3.0),
    "copy_": lambda b, s: b[1].copy_(s),
    "copy_ slices": lambda b, s: b[:, 1:].copy_(s[:2]),
}


def overwritten(t, name):
    a = t.tensor([[1., 2, 3], [4, 5, 6]], requires_grad=True)
    s = t.tensor([7., 8, 9], requires_grad=True)
    b = a * 2
    view = OPS[name](b, s)
    seen = [graph(b.grad_fn), graph(view.grad_fn), b._version, view._version]
    (b * t.tensor([[1., 2, 3], [4, 5, 6]])).sum().backward()
    return seen + [a.grad.tolist(), None if s.grad is None else s.grad.tolist()]


@pytest.mark.parametrize("name", sorted(OPS))
def test_overwriting_a_view_matches_torch(name):
    base_graph, view_graph = oracle.agree(overwritten, name)[:2]
    assert base_graph[0] == "0:torch::autograd::CopySlices"
    assert view_graph[0] == "0:AsStridedBackward0"


def copy_into_slices(t):
    x = t.tensor([1., 2, 3], requires_grad=True)
    out = t.zeros(5)
    out[1:4].copy_(x)
    out[0:1].copy_(out[3:4])
    seen = graph(out.grad_fn)
    out.backward(t.tensor([1., 10, 100, 1000, 10000]))
    return seen, x.grad.tolist()


def test_copy_into_a_slice_of_a_plain_buffer_records_the_source():
    oracle.agree(copy_into_slices)
