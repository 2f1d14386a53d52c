"""The layout (strides) of results on permuted input, as torch 2.13's: layer_norm writes a
contiguous result whatever its input's layout; unary elementwise ops (exp, relu, gelu, ...)
keep the input's, as TensorIterator does. A Linear after them views or copies accordingly,
which decides the graph (ViewBackward0 + AddmmBackward0, or mm + UnsafeViewBackward0)."""
import pytest
import torch

import engine

PERMUTED = [((1, 2, 2), (0, 2, 1)), ((3, 2, 4), (0, 2, 1)), ((4, 3, 2), (2, 1, 0)),
            ((1, 5, 4), (0, 2, 1))]
OPS = {
    "layer_norm": lambda lib, x: lib.nn.functional.layer_norm(x, x.shape[-1:]),
    "exp": lambda lib, x: x.exp(),
    "tanh": lambda lib, x: lib.tanh(x),
    "relu": lambda lib, x: lib.relu(x),
    "gelu": lambda lib, x: lib.nn.functional.gelu(x),
    "sigmoid": lambda lib, x: x.sigmoid(),
}


def strides(lib, op, shape, perm, dtype):
    lib.manual_seed(0)
    x = lib.randn(*shape, dtype=getattr(lib, dtype)).permute(*perm)
    return tuple(OPS[op](lib, x).stride())


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape, perm", PERMUTED)
@pytest.mark.parametrize("op", OPS)
def test_result_strides_as_torchs(op, shape, perm, dtype):
    assert strides(engine, op, shape, perm, dtype) == strides(torch, op, shape, perm, dtype)


def linear_after_norm(lib):
    """A post-norm encoder layer's feed-forward input on a batch of one (differential seed
    400175): torch's linear1 views its contiguous input."""
    lib.manual_seed(0)
    layer = lib.nn.TransformerEncoderLayer(2, 1, dim_feedforward=2, dropout=0.0,
                                           batch_first=True)
    x = lib.randn(1, 2, 2, requires_grad=True).permute(0, 2, 1)
    h = layer.norm1(x + layer.self_attn(x, x, x, need_weights=False)[0])
    node = layer.linear1(h).grad_fn
    return node.name(), node.next_functions[0][0].name()


def test_a_linear_after_layer_norm_of_permuted_input_records_torchs_nodes():
    assert linear_after_norm(engine) == linear_after_norm(torch) == (
        "ViewBackward0", "AddmmBackward0")
