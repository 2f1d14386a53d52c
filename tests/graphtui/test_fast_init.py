"""fast_init builds and changes the model's views exactly as their dataclass would."""
from __future__ import annotations

import dataclasses

import pytest

from graphtui.model.fast_init import maker, replace
from graphtui.model.iterations import Iteration
from graphtui.model.state import Buffer, Edge, GradChange, Node, Tensor


def test_a_maker_builds_what_the_class_builds_defaults_included():
    edges = (Edge(1, 0), Edge(None, 1))
    for view_type, args, kwargs in [
            (Node, (5, "MulBackward0", 5, edges, (3,), None, "x.py:3"),
             {"saved": (), "attrs": (("dim", 1),), "created_step": 9}),
            (Node, (6, "AccumulateGrad", 6, (), (1,)), {}),
            (Tensor, (1, "x", (3,), "float32", True, True), {"created_step": 2}),
            (Buffer, (5, "self", (3,), "float32", 12), {"storage": 7, "kind": "input"}),
            (Edge, (None, 0), {}),
            (GradChange, (4, None, False), {})]:
        made = maker(view_type)(*args, **kwargs)
        assert type(made) is view_type
        assert made == view_type(*args, **kwargs)
        assert hash(made) == hash(view_type(*args, **kwargs))


def test_a_made_view_stays_frozen():
    edge = maker(Edge)(1, 0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        edge.node_id = 2


def test_a_maker_takes_arguments_as_the_class_does():
    with pytest.raises(TypeError):
        maker(Edge)(1)                       # input_nr has no default
    assert maker(Edge)(input_nr=2, node_id=None) == Edge(None, 2)


def test_replace_matches_dataclasses_replace():
    node = Node(5, "MulBackward0", 5, (Edge(1, 0),), (3,), "fc", "x.py:3")
    assert replace(node, status="done", times_run=1) == dataclasses.replace(
        node, status="done", times_run=1)
    assert replace(node) == node and replace(node) is not node
    record = Iteration(1, 7, "backward", 10)
    assert replace(record, end=20, ok=True) == dataclasses.replace(record, end=20, ok=True)


def test_types_a_maker_would_get_wrong_are_refused():
    @dataclasses.dataclass(frozen=True, slots=True)
    class Checked:
        value: int

        def __post_init__(self):
            assert self.value >= 0

    @dataclasses.dataclass(frozen=True)
    class Unslotted:
        value: int

    for view_type in (Checked, Unslotted):
        with pytest.raises(TypeError):
            maker(view_type)
