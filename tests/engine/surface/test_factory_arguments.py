"""rand, randn, eye, arange, linspace and logspace refuse a requires_grad that is not a bool
(None passes) with torch's argument-parser text, live against torch."""
import numpy as np
import pytest

from surface_live import check

SNIPPETS = {
    "rand int": lambda t: t.rand(2, requires_grad=1),
    "rand sizes and keywords": lambda t: t.rand(2, 3, dtype=t.float64, device="cpu",
                                                requires_grad=1),
    "rand list and generator": lambda t: t.rand([2, 3], generator=t.Generator(),
                                                requires_grad=1),
    "rand none": lambda t: t.rand(2, requires_grad=None).requires_grad,
    "rand numpy bool": lambda t: t.rand(2, requires_grad=np.bool_(True)),
    "rand numpy size": lambda t: t.rand(np.int64(2), requires_grad=1),
    "randn str": lambda t: t.randn(2, requires_grad="yes"),
    "randn float": lambda t: t.randn(2, 3, requires_grad=1.0),
    "randn none": lambda t: t.randn(2, requires_grad=None).requires_grad,
    "eye": lambda t: t.eye(2, requires_grad=1),
    "eye m": lambda t: t.eye(2, 3, requires_grad=np.bool_(True)),
    "eye m keyword": lambda t: t.eye(2, m=3, requires_grad=1),
    "eye device": lambda t: t.eye(2, device="cpu", requires_grad=True),
    "arange": lambda t: t.arange(3, requires_grad=1),
    "arange float": lambda t: t.arange(3.0, requires_grad=0),
    "arange three": lambda t: t.arange(0, 3, 1, requires_grad=1),
    "arange keywords only": lambda t: t.arange(start=0, end=3, requires_grad=1),
    "arange none": lambda t: t.arange(3, requires_grad=None),
    "linspace": lambda t: t.linspace(0, 1, 3, requires_grad=1),
    "linspace tensor start": lambda t: t.linspace(t.tensor(0.0), 1.5, 3, requires_grad=1),
    "linspace steps keyword": lambda t: t.linspace(0, 1, steps=3, requires_grad=1),
    "logspace": lambda t: t.logspace(0, 1, 3, requires_grad=1),
    "logspace base": lambda t: t.logspace(0, 1, 3, 2, requires_grad=1),
    "logspace device": lambda t: t.logspace(0, 1, 3, device="cpu", requires_grad=None),
}


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_factory_requires_grad_agrees_with_torch(name):
    check(SNIPPETS[name])
