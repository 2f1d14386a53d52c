"""F.group_norm and nn.GroupNorm live against torch: one NativeGroupNormBackward0 (N, C, HxW,
group, eps saved), values and the gradients of input, weight and bias, the checks' texts
(bias's quotes the weight's shape, as ATen's does) and the module's repr and parameters."""
import numpy as np
import pytest

from surface_live import check

RNG = np.random.default_rng(1)
X, W, B = RNG.normal(size=(2, 4, 3, 2)), RNG.normal(size=4), RNG.normal(size=4)


def _group_norm(groups, affine="wb", dtype="float32", rank=4, **options):
    def snippet(t):
        x = t.tensor(X[(...,) + (0,) * (4 - rank)], dtype=getattr(t, dtype), requires_grad=True)
        w = t.tensor(W, dtype=getattr(t, dtype), requires_grad=True)
        b = t.tensor(B, dtype=getattr(t, dtype), requires_grad=True)
        out = t.nn.functional.group_norm(x, groups, w if "w" in affine else None,
                                         b if "b" in affine else None, **options)
        node = out.grad_fn
        saved = [node.name(), node._saved_N, node._saved_C, node._saved_HxW, node._saved_group,
                 node._saved_eps, node._saved_result1.detach(), node._saved_result2.detach()]
        leaves = [x] + [p for p, key in ((w, "w"), (b, "b")) if key in affine]
        weights = t.arange(float(out.numel())).reshape(out.shape).to(out.dtype)
        return [out] + saved + list(t.autograd.grad((out * out * weights).sum(), leaves))
    return snippet


CASES = {
    "two groups": _group_norm(2),
    "a group per channel": _group_norm(4, "w"),
    "one group, no affine": _group_norm(1, ""),
    "float64, eps": _group_norm(2, "w", "float64", eps=0.1),
    "a bias without a weight": _group_norm(2, "b"),
    "2-D input": _group_norm(1, rank=2),
    "3-D input": _group_norm(4, rank=3),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_group_norm(name):
    check(CASES[name], rtol=1e-4, atol=1e-4)


def _fn(t):
    return t.nn.functional.group_norm


ERRORS = {
    "1-D": lambda t: _fn(t)(t.ones(4), 2),
    "one value per channel": lambda t: _fn(t)(t.ones(1, 2, 1), 2),
    "one value per group": lambda t: _fn(t)(t.ones(1, 2), 2),
    "channels not divisible": lambda t: _fn(t)(t.ones(2, 3, 4), 2),
    "weight size": lambda t: _fn(t)(t.ones(2, 4, 3), 2, t.ones(3)),
    "weight 2-D": lambda t: _fn(t)(t.ones(2, 4, 3), 2, t.ones(2, 2)),
    "bias size, no weight": lambda t: _fn(t)(t.ones(2, 4, 3), 2, None, t.ones(3)),
    "bias size": lambda t: _fn(t)(t.ones(2, 4, 3), 2, t.ones(4), t.ones(3)),
    "integer input": lambda t: _fn(t)(t.ones(2, 4, 3, dtype=t.long), 2),
    "float64 weight": lambda t: _fn(t)(t.ones(2, 4, 3), 2, t.ones(4, dtype=t.float64)),
    "float32 weight": lambda t: _fn(t)(t.ones(2, 4, 3, dtype=t.float64), 2, t.ones(4)),
    "float64 bias": lambda t: _fn(t)(t.ones(2, 4, 3), 2, t.ones(4), t.ones(4, dtype=t.float64)),
    "module groups": lambda t: t.nn.GroupNorm(3, 4),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_group_norm_errors(name):
    check(ERRORS[name])


@pytest.mark.parametrize("shape", [(2, 4, 0), (0, 4, 3)])
def test_no_elements(shape):
    def snippet(t):
        x = t.ones(*shape, requires_grad=True)
        w, b = t.ones(4, requires_grad=True), t.zeros(4, requires_grad=True)
        out = _fn(t)(x, 2, w, b)
        saved = [out.grad_fn._saved_result1.detach(), out.grad_fn._saved_result2.detach()]
        out.sum().backward()
        return [out] + saved + [x.grad, w.grad, b.grad]
    check(snippet)


def test_module():
    def snippet(t):
        m = t.nn.GroupNorm(2, 4)
        plain = t.nn.GroupNorm(2, 4, eps=1e-3, affine=False)
        return [repr(m), repr(plain), list(m.parameters()), list(plain.parameters()),
                m(t.tensor(X, dtype=t.float32))]
    check(snippet, rtol=1e-4, atol=1e-5)


LAYOUTS = {
    # (input shape, how it is laid out): ATen copies the input unless
    # suggest_memory_format reads its strides as contiguous or channels-last
    "contiguous": ((2, 4, 3, 3), lambda t, x: x),
    "transposed": ((2, 4, 3, 3), lambda t, x: x.transpose(1, -1)),
    "channels last": ((2, 4, 3, 3), lambda t, x: x.permute(0, 2, 3, 1).contiguous()
                      .permute(0, 3, 1, 2)),
    "N-H-W-1 transpose of one channel": ((2, 1, 2, 2), lambda t, x: x.transpose(1, -1)),
    "N111": ((3, 1, 1, 1), lambda t, x: x),
    "sliced": ((2, 4, 6, 3), lambda t, x: x[:, :, ::2]),
}


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_group_norm_copies_as_aten_does(name):
    """nn seed 1117752: the input's layout decides whether a CloneBackward0 comes first."""
    shape, lay_out = LAYOUTS[name]
    data = RNG.normal(size=shape)

    def snippet(t):
        leaf = t.tensor(data, dtype=t.float32, requires_grad=True)
        x = lay_out(t, leaf * 1)
        out = t.nn.functional.group_norm(x, 1)
        chain, node = [], out.grad_fn
        while node is not None:
            chain.append(node.name())
            node = node.next_functions[0][0] if node.next_functions else None
        return [out, out.stride(), chain]
    check(snippet)
