"""warm_up touches every kernel family in both dtypes without error."""

import numpy as np

import engine.kernels as kernels


def test_warm_up_runs_every_family_for_both_dtypes():
    kernels.warm_up(dtypes=(np.float32, np.float64))


def test_every_public_kernel_is_exported():
    public = [name for name in kernels.__all__ if not hasattr(kernels, name)]
    assert public == []
