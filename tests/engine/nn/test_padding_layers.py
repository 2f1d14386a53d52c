"""The padding layers against torch 2.13 (reprs, output shapes, nodes and sums recorded from
torch by hand; torch is never imported here)."""
import numpy as np
import pytest

import engine
import engine.nn as nn

# (layer, repr, output shape, node name, output sum); the input is arange over
# (2, 3, 4, 5), cut to the layer's batched rank (3-D layers) or one rank less.
LAYERS = [
    (lambda: nn.ReflectionPad1d(2), "ReflectionPad1d((2, 2))", (4, 9),
     "ReflectionPad1DBackward0", 342.0),
    (lambda: nn.ReflectionPad2d((1, 0, 2, 1)), "ReflectionPad2d((1, 0, 2, 1))", (3, 7, 6),
     "ReflectionPad2DBackward0", 3741.0),
    (lambda: nn.ReflectionPad3d(1), "ReflectionPad3d((1, 1, 1, 1, 1, 1))", (2, 5, 6, 7),
     "ReflectionPad3DBackward0", 24990.0),
    (lambda: nn.ReplicationPad1d((3, 1)), "ReplicationPad1d((3, 1))", (4, 9),
     "ReplicationPad1DBackward0", 326.0),
    (lambda: nn.ReplicationPad2d(2), "ReplicationPad2d((2, 2, 2, 2))", (3, 8, 9),
     "ReplicationPad2DBackward0", 6372.0),
    (lambda: nn.ReplicationPad3d((1, 2, 0, 1, 1, 0)), "ReplicationPad3d((1, 2, 0, 1, 1, 0))",
     (2, 4, 5, 8), "ReplicationPad3DBackward0", 18000.0),
    (lambda: nn.CircularPad1d(1), "CircularPad1d((1, 1))", (4, 7),
     "torch::autograd::CopySlices", 266.0),
    (lambda: nn.CircularPad2d((1, 2, 2, 1)), "CircularPad2d((1, 2, 2, 1))", (3, 7, 8),
     "torch::autograd::CopySlices", 4995.0),
    (lambda: nn.CircularPad3d(1), "CircularPad3d((1, 1, 1, 1, 1, 1))", (2, 5, 6, 7),
     "torch::autograd::CopySlices", 24990.0),
    (lambda: nn.ConstantPad1d(2, 3.5), "ConstantPad1d(padding=(2, 2), value=3.5)", (4, 9),
     "ConstantPadNdBackward0", 246.0),
    (lambda: nn.ConstantPad2d((1, 0, 0, 1), -1), "ConstantPad2d(padding=(1, 0, 0, 1), value=-1)",
     (3, 5, 6), "ConstantPadNdBackward0", 1740.0),
    (lambda: nn.ConstantPad3d(1, 0.5), "ConstantPad3d(padding=(1, 1, 1, 1, 1, 1), value=0.5)",
     (2, 5, 6, 7), "ConstantPadNdBackward0", 7290.0),
    (lambda: nn.ZeroPad1d(1), "ZeroPad1d((1, 1))", (4, 7), "ConstantPadNdBackward0", 190.0),
    (lambda: nn.ZeroPad2d((1, 1, 2, 0)), "ZeroPad2d((1, 1, 2, 0))", (3, 6, 7),
     "ConstantPadNdBackward0", 1770.0),
    (lambda: nn.ZeroPad3d((1, 0, 0, 1, 1, 0)), "ZeroPad3d((1, 0, 0, 1, 1, 0))", (2, 4, 5, 6),
     "ConstantPadNdBackward0", 7140.0),
]


def arange_input():
    return engine.tensor(np.arange(120.).reshape(2, 3, 4, 5).astype(np.float32),
                         requires_grad=True)


@pytest.mark.parametrize("index", range(len(LAYERS)))
def test_layer_matches_torch(index):
    make, text, shape, node_name, total = LAYERS[index]
    layer = make()
    assert repr(layer) == text
    dims = int(type(layer).__name__[-2])
    x = arange_input()
    y = layer(x[(0,) * (3 - dims)])
    assert tuple(y.shape) == shape and y.grad_fn.name() == node_name
    assert y.sum().item() == total


def test_zero_pad_is_a_constant_pad():
    assert isinstance(nn.ZeroPad2d(1), nn.ConstantPad2d)


def test_circular_layer_checks_the_input_rank():
    with pytest.raises(ValueError, match=r"^expected 3D or 4D input \(got 5D input\)$"):
        nn.CircularPad2d(1)(engine.ones(1, 2, 3, 4, 5))
