"""F.instance_norm, nn.InstanceNorm1d and nn.InstanceNorm2d live against torch: values,
every node (View, NativeBatchNorm, Repeat, Clone), gradients, running stats, warnings,
errors and reprs."""
import numpy as np
import pytest

from surface_live import check


def _names(node) -> list:
    if node is None:
        return [None]
    return [node.name()] + [n for child, _ in node.next_functions for n in _names(child)]


def instance(module_name, features, shape, transposed=False, train=True, **options):
    def snippet(t):
        rng = np.random.default_rng(0)
        x = t.tensor(rng.normal(size=shape), dtype=t.float32, requires_grad=True)
        module = getattr(t.nn, module_name)(features, **options)
        if not train:
            module.eval()
        source = x.transpose(-1, -2) if transposed else x
        out = module(source)
        out.backward(t.tensor(rng.normal(size=tuple(out.shape)), dtype=t.float32))
        grads = [x.grad] + [p.grad for p in module.parameters()]
        return [out, _names(out.grad_fn), repr(module)] + grads + [
            b for b in module.buffers()]
    return snippet


CASES = {
    "2d": instance("InstanceNorm2d", 3, (2, 3, 4, 5)),
    "2d affine": instance("InstanceNorm2d", 3, (2, 3, 4, 5), affine=True),
    "2d running stats": instance("InstanceNorm2d", 3, (2, 3, 4, 5), affine=True,
                                 track_running_stats=True),
    "2d eval with stats": instance("InstanceNorm2d", 3, (2, 3, 4, 5), train=False,
                                   track_running_stats=True),
    "2d unbatched": instance("InstanceNorm2d", 3, (3, 4, 5)),
    "1d": instance("InstanceNorm1d", 3, (2, 3, 6), affine=True),
    "1d non-contiguous": instance("InstanceNorm1d", 3, (2, 6, 3), transposed=True),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_instance_norm(name):
    check(CASES[name], rtol=1e-5, atol=1e-5)


ERRORS = {
    "rank": lambda t: t.nn.InstanceNorm2d(3)(t.ones(2, 3)),
    "spatial": lambda t: t.nn.InstanceNorm2d(3)(t.ones(2, 3, 1, 1)),
    "features affine": lambda t: t.nn.InstanceNorm2d(4, affine=True)(t.ones(2, 3, 2, 2)),
    "features warning": lambda t: t.nn.InstanceNorm2d(4)(t.ones(2, 3, 2, 2)),
    "functional": lambda t: t.nn.functional.instance_norm(t.ones(2, 3, 2) * t.arange(2.)),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_and_warnings(name):
    check(ERRORS[name])
