"""The executor's check of an op-table rule's gradients, which skips _validate's full look:
a gradient of the wrong shape is still conformed (or refused) as PyTorch's validate_outputs
does, and a mixed-dtype node is still validated (see test_semantics for its dtype)."""
import numpy as np
import pytest

import engine
from engine.autograd.node import NODE_CLASSES, node_class
from engine.ops._core import record


def rule_node(name, rule):
    """A node class made as the op table's are, but left out of its registry (the gradient
    check walks that)."""
    cls = node_class(name, rule)
    del NODE_CLASSES[name]
    return cls


Unsqueezes = rule_node("UnsqueezesBackward0", lambda n, g: (g.reshape((1,) + g.shape),))
Triples = rule_node("TriplesBackward0", lambda n, g: (np.tile(g, 3)[:3],))


def test_a_gradient_with_an_extra_leading_dim_is_summed_back():
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    out = record(Unsqueezes, x._data * 2, (x,))
    assert out.grad_fn._checked
    out.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]


def test_a_gradient_that_cannot_be_conformed_is_refused():
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    out = record(Triples, x._data * 2, (x,))
    with pytest.raises(RuntimeError, match=r"Function TriplesBackward0 returned an invalid "
                                           r"gradient at index 0 - got \[3\] but expected shape "
                                           r"compatible with \[2\]"):
        out.sum().backward()


def test_only_a_node_whose_inputs_share_its_dtype_skips_the_dtype_check():
    x = engine.ones(2, requires_grad=True)
    assert (x * 2).grad_fn._checked
    scale = engine.tensor(0.5, dtype=engine.float64, requires_grad=True)
    assert not (x * scale).grad_fn._checked
