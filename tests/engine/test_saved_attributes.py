"""Every `grad_fn._saved_<name>` that torch 2.13 exposes on a broad list of ops reads the same
on engine: plain values (dims as given, negative ones as torch's unsigned wrap, ints as ints,
scalars, sizes, strings, None) equal in value and type, saved tensors as tensors of the same
shape and dtype. Compared with torch live."""
import pytest

import engine
import oracle

def _x(t, *shape):
    return t.ones(*shape, requires_grad=True) * 0.5


def _nn(t):
    return t.nn.functional


# name -> fn(torch-like); ops the engine does not support (amax, cumsum, logsumexp, narrow,
# norm of p other than 2) are not listed. -> a tensor whose grad_fn is compared
OPS = {
    "sum dim -1": lambda t: _x(t, 2, 3).sum(-1),
    "sum dims": lambda t: _x(t, 2, 3, 4).sum((0, -1), keepdim=True),
    "mean dim -2": lambda t: _x(t, 2, 3).mean(-2),
    "max dim -1": lambda t: _x(t, 2, 3).max(-1)[0],
    "min dim 0": lambda t: _x(t, 2, 3).min(0)[0],
    "prod dim -1": lambda t: _x(t, 2, 3).prod(-1),
    "var dim -1": lambda t: _x(t, 2, 3).var(-1),
    "std": lambda t: _x(t, 2, 3).std(),
    "norm": lambda t: _x(t, 2, 3).norm(),
    "norm 2.0 dim -1": lambda t: _x(t, 2, 3).norm(2.0, -1),
    "slice negative": lambda t: _x(t, 4, 3)[-3:-1],
    "slice past the end": lambda t: _x(t, 4, 3)[:, 1:5],
    "select -1 -2": lambda t: _x(t, 2, 3).select(-1, -2),
    "softmax implicit dim": lambda t: _nn(t).softmax(_x(t, 2, 3)),
    "stack 0": lambda t: t.stack([_x(t, 2), _x(t, 2)]),
    "softmax -1": lambda t: _x(t, 2, 3).softmax(-1),
    "log_softmax -2": lambda t: _x(t, 2, 3).log_softmax(-2),
    "F.softmax 1": lambda t: _nn(t).softmax(_x(t, 2, 3), dim=1),
    "cat -1": lambda t: t.cat([_x(t, 2, 3), _x(t, 2, 1)], -1),
    "cat 0": lambda t: t.cat([_x(t, 2, 3), _x(t, 1, 3)]),
    "stack -1": lambda t: t.stack([_x(t, 2, 3), _x(t, 2, 3)], -1),
    "squeeze -1": lambda t: _x(t, 2, 1).squeeze(-1),
    "squeeze": lambda t: _x(t, 2, 1).squeeze(),
    "unsqueeze -1": lambda t: _x(t, 2, 3).unsqueeze(-1),
    "transpose -1 -2": lambda t: _x(t, 2, 3).transpose(-1, -2),
    "permute": lambda t: _x(t, 2, 3, 4).permute(2, 0, -2),
    "select -1": lambda t: _x(t, 2, 3).select(-1, 1),
    "index -1": lambda t: _x(t, 2, 3)[:, -1],
    "slice": lambda t: _x(t, 4, 3)[1:-1],
    "split -1": lambda t: _x(t, 2, 4).split(2, -1)[1],
    "chunk": lambda t: _x(t, 2, 4).chunk(2, -1)[0],
    "unbind -1": lambda t: _x(t, 2, 3).unbind(-1)[0],
    "flatten": lambda t: _x(t, 2, 3, 4).flatten(-2),
    "view": lambda t: _x(t, 2, 3).view(-1),
    "reshape": lambda t: _x(t, 2, 3).reshape(3, -1),
    "expand": lambda t: _x(t, 1, 3).expand(2, -1),
    "repeat": lambda t: _x(t, 2, 3).repeat(2, 1),
    "gather -1": lambda t: _x(t, 2, 3).gather(-1, t.tensor([[0], [2]])),
    "index_select -1": lambda t: _x(t, 2, 3).index_select(-1, t.tensor([0, 2])),
    "diagonal": lambda t: _x(t, 3, 3).diagonal(0, -2, -1),
    "argmax-free max": lambda t: t.max(_x(t, 2, 3)),
    "pow 2": lambda t: _x(t, 2, 3) ** 2,
    "pow 0.5": lambda t: _x(t, 2, 3).pow(0.5),
    "mul scalar": lambda t: _x(t, 2, 3) * 3,
    "add alpha": lambda t: t.add(_x(t, 2, 3), _x(t, 2, 3), alpha=2),
    "sub scalar": lambda t: _x(t, 2, 3) - 1.5,
    "div scalar": lambda t: _x(t, 2, 3) / 4,
    "clamp": lambda t: _x(t, 2, 3).clamp(0.1, 0.9),
    "clamp min": lambda t: _x(t, 2, 3).clamp(min=0.1),
    "leaky_relu": lambda t: _nn(t).leaky_relu(_x(t, 2, 3), 0.2),
    "gelu tanh": lambda t: _nn(t).gelu(_x(t, 2, 3), approximate="tanh"),
    "linear": lambda t: _nn(t).linear(_x(t, 2, 3), _x(t, 4, 3), _x(t, 4)),
    "conv2d": lambda t: _nn(t).conv2d(_x(t, 1, 2, 5, 5), _x(t, 4, 1, 3, 3), None, stride=(2, 1),
                                      padding=1, dilation=(1, 2), groups=2),
    "max_pool2d": lambda t: _nn(t).max_pool2d(_x(t, 1, 2, 5, 5), 3, 2, 1, ceil_mode=True),
    "avg_pool2d": lambda t: _nn(t).avg_pool2d(_x(t, 1, 2, 5, 5), 2, 1, 1,
                                              count_include_pad=False),
    "adaptive_avg_pool2d": lambda t: _nn(t).adaptive_avg_pool2d(_x(t, 1, 2, 5, 5), (2, 3)),
    "batch_norm": lambda t: _nn(t).batch_norm(_x(t, 4, 3), None, None, _x(t, 3), _x(t, 3),
                                              training=True, eps=1e-3),
    "layer_norm": lambda t: _nn(t).layer_norm(_x(t, 2, 3), (3,), _x(t, 3), _x(t, 3), eps=1e-3),
    "embedding": lambda t: _nn(t).embedding(t.tensor([1, 0]), _x(t, 3, 2), padding_idx=-1),
    "mse_loss": lambda t: _nn(t).mse_loss(_x(t, 2, 3), t.zeros(2, 3), reduction="sum"),
    "l1_loss": lambda t: _nn(t).l1_loss(_x(t, 2, 3), t.zeros(2, 3)),
    "smooth_l1_loss": lambda t: _nn(t).smooth_l1_loss(_x(t, 2, 3), t.zeros(2, 3), beta=0.5),
    "nll_loss": lambda t: _nn(t).nll_loss(_x(t, 2, 3), t.tensor([0, 2]), ignore_index=1),
    "cross_entropy": lambda t: _nn(t).cross_entropy(_x(t, 2, 3), t.tensor([0, 2]),
                                                    label_smoothing=0.1),
    "bce": lambda t: _nn(t).binary_cross_entropy(_x(t, 2, 3), t.ones(2, 3)),
    "bce_with_logits": lambda t: _nn(t).binary_cross_entropy_with_logits(
        _x(t, 2, 3), t.ones(2, 3), pos_weight=t.ones(3)),
    "pad constant": lambda t: _nn(t).pad(_x(t, 2, 3), (1, 2), value=0.5),
    "pad reflect": lambda t: _nn(t).pad(_x(t, 1, 2, 3), (1, 1), mode="reflect"),
    "sdpa": lambda t: _nn(t).scaled_dot_product_attention(_x(t, 1, 1, 2, 3), _x(t, 1, 1, 2, 3),
                                                          _x(t, 1, 1, 2, 3), scale=0.5),
}


def _plain(value):
    """What is compared of a saved value: tensors by shape and dtype, the rest as is (with
    its type, so 2 and 2.0 differ)."""
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        return ("tensor", tuple(value.shape), str(value.dtype).split(".")[-1])
    if isinstance(value, (tuple, list)):
        return (type(value).__name__ if type(value).__name__ != "Size" else "tuple",
                tuple(_plain(v) for v in value))
    return (type(value).__name__, value)


def saved_attributes(torch, name):
    node = OPS[name](torch).grad_fn
    out = {}
    for attr in dir(type(node)) + dir(node):
        if attr.startswith("_saved_") and attr not in out:
            try:
                out[attr] = _plain(getattr(node, attr))
            except Exception as exc:  # noqa: BLE001  (torch refuses some reads; compare that)
                out[attr] = ("raises", type(exc).__name__)
    return node.name(), out


@pytest.mark.parametrize("name", sorted(OPS))
def test_saved_attributes_read_as_torchs(name):
    want_name, want = saved_attributes(oracle.torch, name)
    got_name, got = saved_attributes(engine, name)
    assert got_name == want_name
    assert {k: got.get(k, "missing") for k in want} == want
