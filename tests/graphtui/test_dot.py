"""graphtui.dot: the graph of a real run as Graphviz DOT."""
import re

from graphtui.dot import to_dot


def test_retain_graph_lesson_as_dot(finished_state):
    state = finished_state("""
        import engine as torch
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        y.backward(torch.tensor([100, 0.1]), retain_graph=True)
    """)
    dot = to_dot(state, "lesson")
    assert dot.startswith('digraph "lesson" {') and dot.rstrip().endswith("}")
    labels = re.findall(r'^  (\w+) \[label="((?:[^"\\]|\\.)*)"', dot, flags=re.M)
    by_id = dict(labels)
    mul = next(i for i, label in labels if label.startswith("MulBackward0"))
    acc = next(i for i, label in labels if label.startswith("AccumulateGrad (x)"))
    assert r"_saved_other [] 8 B retained" in by_id[mul]
    assert r"\n[2]\ngrad [2] float32" in by_id[acc]
    assert f"  {acc} -> {mul};" in dot                       # forward direction, as torchviz
    root = next(i for i, label in labels if label.startswith("y "))
    assert f"  {mul} -> {root};" in dot
    assert re.search(rf"  {acc} \[.*fillcolor=lightblue\]", dot)


def test_labels_are_escaped(finished_state):
    from graphtui.dot import _quote
    assert _quote('a "b"\nc\\d') == r'"a \"b\"\nc\\d"'
