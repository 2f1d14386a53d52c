"""The `/` list: every node by name, module and id, so twins can be told apart (issue 16)."""
from __future__ import annotations

from engine import trace
from graphtui.model import state_at
from graphtui.screens.navigation import find_targets
from tests.graphtui.conftest import mul_forward_events

UINT64_MAX = (1 << 64) - 1          # PyTorch's sequence_nr of an AccumulateGrad


def test_nodes_are_listed_by_id_never_by_sequence_nr():
    events = mul_forward_events()
    events[3] = trace.NodeCreated(10, "AccumulateGrad", UINT64_MAX, (), (1,), (), None, None)
    labels = [target.label for target in find_targets(state_at(events))]
    assert labels == ["MulBackward0  node 11", "AccumulateGrad (x)  node 10",
                      "tensor x  [2]  tensor 1", "tensor y  [2]  tensor 2"]


def test_the_same_op_in_two_networks_shows_each_module():
    events = mul_forward_events()[:3] + [
        trace.NodeCreated(20, "AddmmBackward0", 5, (), (), (), "net_a.fc", None),
        trace.NodeCreated(21, "AddmmBackward0", 6, (), (), (), "net_b.fc", None),
    ]
    labels = [target.label for target in find_targets(state_at(events))]
    assert labels[:2] == ["AddmmBackward0  in net_b.fc  node 21",
                          "AddmmBackward0  in net_a.fc  node 20"]
