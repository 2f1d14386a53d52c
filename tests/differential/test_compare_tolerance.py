"""The tester's tolerance for float64 values: float64's, unless both libraries' values are
all float32 numbers (computed in float32, then converted), which get float32's."""
import numpy as np

from tests.differential.compare import _close

# Core seed 512932: a float32 product whose BLAS rounding differs in the last bit, after a
# cancellation, then .to(torch.float64).
TORCH = np.array([-1.43646598, -0.03240401, -2.08741093], np.float32).astype(np.float64)
ENGINE = np.array([-1.43646598, -0.03240395, -2.08741093], np.float32).astype(np.float64)


def test_float64_copies_of_float32_values_get_float32_tolerance():
    assert _close(TORCH, ENGINE, "float64")


def test_float64_values_keep_float64_tolerance():
    assert not _close(TORCH + 1e-12, ENGINE + 1e-12, "float64")
    assert not _close(TORCH, ENGINE + 1e-12, "float64")


def test_float32_values_beyond_float32_tolerance_still_differ():
    farther = (ENGINE.astype(np.float32) * np.float32(1.001)).astype(np.float64)
    assert not _close(TORCH, farther, "float64")
