"""zero_ / fill_ / copy_ into a view of a tensor that needs grad: the base moves onto a
CopySlices node and the view reads it through AsStridedBackward0, as torch 2.13 records it
(graphs and gradients below were recorded from torch by hand)."""
import pytest

import engine


def graph(node, depth=0):
    if node is None:
        return [f"{depth}:None"]
    lines = [f"{depth}:{node.name()}"]
    for child, _ in node.next_functions:
        lines += graph(child, depth + 1)
    return lines


OPS = {
    "zero_": (lambda b, s: b[1].zero_(), None),
    "fill_": (lambda b, s: b[1].fill_(3.0), None),
    "copy_": (lambda b, s: b[1].copy_(s), "torch::autograd::AccumulateGrad"),
    "copy_ slices": (lambda b, s: b[:, 1:].copy_(s[:2]), "SliceBackward0"),
}
EXPECTED_GRADS = {
    "zero_": ([[2.0, 4.0, 6.0], [0.0, 0.0, 0.0]], None),
    "fill_": ([[2.0, 4.0, 6.0], [0.0, 0.0, 0.0]], None),
    "copy_": ([[2.0, 4.0, 6.0], [0.0, 0.0, 0.0]], [4.0, 5.0, 6.0]),
    "copy_ slices": ([[2.0, 0.0, 0.0], [8.0, 0.0, 0.0]], [7.0, 9.0, 0.0]),
}


@pytest.mark.parametrize("name", sorted(OPS))
def test_overwriting_a_view_matches_torch(name):
    op, source_node = OPS[name]
    a = engine.tensor([[1., 2, 3], [4, 5, 6]], requires_grad=True)
    s = engine.tensor([7., 8, 9], requires_grad=True)
    b = a * 2
    view = op(b, s)
    base_graph = ["0:torch::autograd::CopySlices", "1:MulBackward0",
                  "2:torch::autograd::AccumulateGrad", "2:None"]
    if source_node == "SliceBackward0":
        base_graph += ["1:SliceBackward0", "2:torch::autograd::AccumulateGrad"]
    elif source_node is not None:
        base_graph += [f"1:{source_node}"]
    assert graph(b.grad_fn) == base_graph
    assert graph(view.grad_fn)[0] == "0:AsStridedBackward0"
    assert (b._version, view._version) == (1, 1)
    (b * engine.tensor([[1., 2, 3], [4, 5, 6]])).sum().backward()
    grad_a, grad_s = EXPECTED_GRADS[name]
    assert a.grad.tolist() == grad_a
    assert (None if s.grad is None else s.grad.tolist()) == grad_s


def test_copy_into_a_slice_of_a_plain_buffer_records_the_source():
    x = engine.tensor([1., 2, 3], requires_grad=True)
    out = engine.zeros(5)
    out[1:4].copy_(x)
    out[0:1].copy_(out[3:4])
    assert graph(out.grad_fn) == [
        "0:torch::autograd::CopySlices", "1:torch::autograd::CopySlices", "2:None",
        "2:torch::autograd::AccumulateGrad", "1:SliceBackward0",
        "2:torch::autograd::CopySlices", "3:None", "3:torch::autograd::AccumulateGrad"]
    out.backward(engine.tensor([1., 10, 100, 1000, 10000]))
    assert x.grad.tolist() == [10.0, 100.0, 1001.0]
