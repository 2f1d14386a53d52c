"""Anomaly mode keeps each node's forward stack ending at the user's line: PyTorch's ops are
C++, so no frame of the library sits between the user's call and the node."""
import warnings

import pytest

import engine
import engine.nn.functional as F


def last_frame(node) -> str:
    return node._forward_stack[-1]


@pytest.mark.parametrize("make", [
    lambda x: x.sqrt(),                                   # one output, through record()
    lambda x: x.split(2)[0],                              # several outputs, one node
    lambda x: engine.autograd.grad(F.gelu(x).sum(), x, create_graph=True)[0],  # double
], ids=["sqrt", "split", "gelu double backward"])
def test_the_forward_stack_ends_at_the_users_line(make):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with engine.autograd.detect_anomaly():
            x = engine.ones(4, requires_grad=True)
            out = make(x)
    frame = last_frame(out.grad_fn)
    assert f'File "{__file__}"' in frame and "in <lambda>" in frame, frame
