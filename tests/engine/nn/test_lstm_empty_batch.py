"""nn.LSTM on a float32 input without elements (a batch of 0): ATen's use_mkldnn wants
elements, so torch composes the cells (StackBackward0, AddmmBackward0, ...) instead of
oneDNN's layer node (nn seed 530973); graphs live against torch."""
import pytest

import oracle
from tests.differential.execution import graph_of


def lstm_graphs(lib, shape, batch_first, layers, bidirectional):
    m = lib.nn.LSTM(shape[-1], 2, num_layers=layers, batch_first=batch_first,
                    bidirectional=bidirectional)
    with lib.torch.no_grad():
        for p in m.parameters():
            p.fill_(0.3)
    x = lib.torch.zeros(*shape, requires_grad=True)
    y, (h, c) = m(x)
    (h.sum() + c.sum()).backward()
    return [graph_of(t.grad_fn, {id(x): "x"}) for t in (y, h, c)] + [
        tuple(h.shape), [None if p.grad is None else p.grad.tolist() for p in m.parameters()]]


@pytest.mark.parametrize("shape, batch_first, layers, bidirectional",
                         [((1, 0, 1), False, 2, False), ((0, 2, 2), True, 1, True)])
def test_lstm_of_an_empty_batch_composes_torchs_cells(shape, batch_first, layers,
                                                      bidirectional):
    oracle.agree(lstm_graphs, shape, batch_first, layers, bidirectional, namespace_arg=True)
