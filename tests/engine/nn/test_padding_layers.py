"""The padding layers against torch 2.13, live (tests/oracle.py): repr, output shape, node
name and output sum of each layer on the same input."""
import numpy as np
import pytest

import engine
import engine.nn as nn
import oracle

# Each layer is made from the library's nn; the input is arange over (2, 3, 4, 5), cut to the
# layer's batched rank (3-D layers) or one rank less.
LAYERS = {
    "ReflectionPad1d": lambda nn: nn.ReflectionPad1d(2),
    "ReflectionPad2d": lambda nn: nn.ReflectionPad2d((1, 0, 2, 1)),
    "ReflectionPad3d": lambda nn: nn.ReflectionPad3d(1),
    "ReplicationPad1d": lambda nn: nn.ReplicationPad1d((3, 1)),
    "ReplicationPad2d": lambda nn: nn.ReplicationPad2d(2),
    "ReplicationPad3d": lambda nn: nn.ReplicationPad3d((1, 2, 0, 1, 1, 0)),
    "CircularPad1d": lambda nn: nn.CircularPad1d(1),
    "CircularPad2d": lambda nn: nn.CircularPad2d((1, 2, 2, 1)),
    "CircularPad3d": lambda nn: nn.CircularPad3d(1),
    "ConstantPad1d": lambda nn: nn.ConstantPad1d(2, 3.5),
    "ConstantPad2d": lambda nn: nn.ConstantPad2d((1, 0, 0, 1), -1),
    "ConstantPad3d": lambda nn: nn.ConstantPad3d(1, 0.5),
    "ZeroPad1d": lambda nn: nn.ZeroPad1d(1),
    "ZeroPad2d": lambda nn: nn.ZeroPad2d((1, 1, 2, 0)),
    "ZeroPad3d": lambda nn: nn.ZeroPad3d((1, 0, 0, 1, 1, 0)),
}


def padded(torch, name):
    layer = LAYERS[name](torch.nn)
    dims = int(name[-2])
    x = torch.tensor(np.arange(120.).reshape(2, 3, 4, 5).astype(np.float32), requires_grad=True)
    y = layer(x[(0,) * (3 - dims)])
    return repr(layer), tuple(y.shape), y.grad_fn.name(), y.sum().item()


@pytest.mark.parametrize("name", LAYERS)
def test_layer_matches_torch(name):
    oracle.agree(padded, name)


def test_zero_pad_is_a_constant_pad():
    assert isinstance(nn.ZeroPad2d(1), nn.ConstantPad2d)


def test_circular_layer_checks_the_input_rank():
    oracle.agree(lambda torch: oracle.error_of(
        lambda: torch.nn.CircularPad2d(1)(torch.ones(1, 2, 3, 4, 5))))
    with pytest.raises(ValueError, match=r"^expected 3D or 4D input \(got 5D input\)$"):
        nn.CircularPad2d(1)(engine.ones(1, 2, 3, 4, 5))
