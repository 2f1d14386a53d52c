"""F.rms_norm, torch.rms_norm and nn.RMSNorm against torch 2.13 live: values, the composite
graph node for node, gradients (the backward's float32 sums may differ in the last bit: held
to float32 rounding), the module's parameters and repr, and the argument errors."""
import pytest

from surface_live import check


def leaf(t, *shape, dtype="float32"):
    t.manual_seed(0)
    return t.randn(*shape, dtype=getattr(t, dtype)).requires_grad_()


def graph(y):
    names, stack = [], [y.grad_fn]
    while stack:
        node = stack.pop()
        if node is not None:
            names.append(node.name())
            stack.extend(f for f, _ in reversed(node.next_functions))
    return names


def with_grads(fn):
    def run(t):
        x, w = leaf(t, 2, 3, 4), leaf(t, 4) * 0.5
        y = fn(t, x, w)
        (y * y).sum().backward()
        return y, graph(y), x.grad
    return run


CALLS = {
    "functional": with_grads(lambda t, x, w: t.nn.functional.rms_norm(x, (4,), w)),
    "no weight, eps": with_grads(lambda t, x, w: t.nn.functional.rms_norm(x, [3, 4], eps=1e-3)),
    "torch.rms_norm": with_grads(lambda t, x, w: t.rms_norm(x, [4], w, 1e-6)),
    "float64": lambda t: t.nn.functional.rms_norm(leaf(t, 5, 6, dtype="float64"), (6,)),
    "module": lambda t: (lambda m: (repr(m), [n for n, _ in m.named_parameters()],
                                    m(leaf(t, 2, 3, 4))))(t.nn.RMSNorm([3, 4], eps=1e-6)),
    "module without affine": lambda t: (lambda m: (repr(m), m.weight, m(leaf(t, 2, 4))))(
        t.nn.RMSNorm(4, elementwise_affine=False)),
    "shape mismatch": lambda t: t.nn.functional.rms_norm(leaf(t, 2, 3, 4), (2, 5)),
    "weight shape": lambda t: t.nn.functional.rms_norm(leaf(t, 2, 4), (4,), t.ones(3)),
    "int shape": lambda t: t.nn.functional.rms_norm(leaf(t, 2, 4), 4),
}


@pytest.mark.parametrize("name", CALLS)
def test_rms_norm_as_torch(name):
    check(CALLS[name])


def test_long_rows_without_grad_agree_to_float32_rounding():
    # torch's fused kernel gives the composite's values; the mean over 128 float32 values
    # sums in ATen's vectorised order, NumPy's pairwise one differs in the last bit at times.
    check(lambda t: t.nn.functional.rms_norm(leaf(t, 64, 128).detach(), (128,)),
          rtol=3e-7, atol=0)
