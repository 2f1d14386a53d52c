"""smooth_l1_loss and huber_loss under create_graph=True, live against torch: the
*LossBackwardBackward0 nodes (names, edges, saved values) and second-order gradients of
self, target and grad_output, for every reduction."""
import numpy as np
import pytest

from surface_live import check


def _names(node) -> list:
    if node is None:
        return [None]
    return [node.name()] + [name for child, _ in node.next_functions for name in _names(child)]


def second_order(loss, reduction, **options):
    def snippet(t):
        rng = np.random.default_rng(0)
        x, y = (t.tensor(rng.normal(size=(3, 4)), dtype=t.float32, requires_grad=True)
                for _ in range(2))
        out = getattr(t.nn.functional, loss)(x, y, reduction=reduction, **options)
        v = t.tensor(rng.normal(size=tuple(out.shape)), dtype=t.float32, requires_grad=True)
        gx, gy = t.autograd.grad(out, (x, y), v, create_graph=True)
        node = gx.grad_fn
        saved = [getattr(node, f"_saved_{name}") for name in ("self", "target", "grad_output",
                                                             "reduction")]
        total = (gx * gx).sum() + (gy ** 3).sum()
        return [gx, gy, _names(gx.grad_fn), _names(gy.grad_fn)] + saved + list(
            t.autograd.grad(total, (x, y, v)))
    return snippet


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("loss, options", [("smooth_l1_loss", {"beta": 0.7}),
                                           ("huber_loss", {"delta": 0.6})])
def test_double_backward(loss, options, reduction):
    check(second_order(loss, reduction, **options), rtol=1e-5, atol=1e-6)
