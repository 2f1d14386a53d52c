"""Keeping a benchmark's arithmetic in float32's normal range, and proving it did.

Training one fixed batch drives SimpleNet's loss to 0, and within 200 steps its gradients
sink below the smallest normal float32 (about 1.2e-38): from then on a benchmark times
denormal arithmetic, which the CPU runs many times slower, in both libraries alike, and
which no real training run does. The benchmarks here train on many batches of random
normal data with random labels (a net cannot fit those exactly, so the loss and the
gradients stay away from 0), and check the gradients before they report a time:
``require_normal`` refuses to go on when more than a sliver of them are denormal.
"""
from __future__ import annotations

import numpy as np

# At most this fraction of a gradient's elements may be denormal (0 < |g| < tiny): a few
# can occur in honest arithmetic, a bulk of them means the run timed denormal arithmetic.
MAX_DENORMAL_FRACTION = 1e-3
# At least this fraction must be nonzero: all-zero gradients (a dead net) time nothing.
MIN_NONZERO_FRACTION = 0.05


class NotNormal(SystemExit):
    """The run's gradients were not normal numbers: its times would mean nothing."""


def random_batches(count: int, batch: int, shape: tuple, classes: int, seed: int = 0):
    """``count`` batches of standard normal inputs (float32) and uniform random labels."""
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal((batch, *shape)).astype(np.float32),
             rng.integers(0, classes, batch).astype(np.int64)) for _ in range(count)]


def as_library(lib_torch, batches):
    """The batches as ``lib_torch`` tensors (engine or torch), made once, before timing."""
    return [(lib_torch.tensor(x), lib_torch.tensor(y)) for x, y in batches]


def gradient_arrays(parameters) -> list[np.ndarray]:
    """The parameters' ``.grad`` as NumPy arrays (engine or torch parameters)."""
    return [np.array(p.grad.detach().numpy(), copy=True) for p in parameters
            if p.grad is not None]


def denormal_report(arrays) -> tuple[int, int, int]:
    """(elements, nonzero, denormal) over the arrays."""
    elements = nonzero = denormal = 0
    for array in arrays:
        flat = np.abs(np.asarray(array).reshape(-1))
        if flat.dtype.kind != "f":
            continue
        tiny = np.finfo(flat.dtype).tiny
        elements += flat.size
        nonzero += int(np.count_nonzero(flat))
        denormal += int(np.count_nonzero((flat > 0) & (flat < tiny)))
    return elements, nonzero, denormal


def require_normal(arrays, what: str) -> None:
    """Raise NotNormal (a SystemExit: its message is printed, exit status 1) unless the bulk
    of the gradients are normal numbers: zero or at least ``np.finfo(dtype).tiny`` in size."""
    elements, nonzero, denormal = denormal_report(arrays)
    if elements == 0:
        raise NotNormal(f"{what}: no gradients to check; refusing to report a time")
    if denormal > MAX_DENORMAL_FRACTION * elements:
        raise NotNormal(f"{what}: {denormal} of {elements} gradient elements are denormal "
                        f"floats; the times would measure denormal arithmetic, not reported")
    if nonzero < MIN_NONZERO_FRACTION * elements:
        raise NotNormal(f"{what}: only {nonzero} of {elements} gradient elements are nonzero "
                        f"(a dead net); refusing to report a time")


def require_normal_steps(step, parameters, what: str, steps: int = 8) -> None:
    """Run ``step`` a few more times and check the gradients left after each: one step of a
    small batch may rightly give all-zero gradients (every output under the last ReLU)."""
    parameters = list(parameters)
    arrays = []
    for _ in range(steps):
        step()
        arrays += gradient_arrays(parameters)
    require_normal(arrays, what)
