"""The tester's graph walk keeps no node alive: a node's lifetime, which decides the node
an error text names (seed 331827: "output 0 of Sqrt" once a view's old grad_fn is gone,
"of AsStrided" while it lives), must not wait for the garbage collector."""
import gc
import weakref

import engine
from tests.differential.execution import graph_of


def test_a_walked_graph_dies_with_its_tensor():
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        x = engine.tensor([[0.5], [-1.5], [2.0]], requires_grad=True)
        y = x.sign()[1]
        y.sqrt_()
        graph_of(y.grad_fn, {})
        node = weakref.ref(y.grad_fn)
        del y
        assert node() is None
    finally:
        if was_enabled:
            gc.enable()
