"""std / var with a single result: ATen's std_var_all_cpu centres on the mean taken in the
input's dtype, so equal float32 values get rounding noise, not 0 (core seed 541162: the
reciprocal of that std was inf in the engine); other reductions accumulate in double.
Bit for bit, live against torch."""
import numpy as np
import pytest

import oracle

VALUES = {"equal, (3,)": np.full(3, 0.6933, np.float32),
          "equal, (1, 5)": np.full((1, 5), -1.7, np.float32),
          "random": np.random.RandomState(0).randn(7).astype(np.float32),
          "equal rows of a matrix": np.full((2, 3), 0.3, np.float32),
          "float64": np.full(4, 0.1, np.float64)}


def spreads(lib, name):
    t = lib.torch.tensor(VALUES[name])
    return [getattr(t, op)(**options).numpy().tobytes() for op in ("std", "var")
            for options in ({}, {"dim": -1}, {"dim": -1, "keepdim": True},
                            {"correction": 0})]


@pytest.mark.parametrize("name", sorted(VALUES))
def test_std_and_var_have_torchs_bits(name):
    oracle.agree(spreads, name, namespace_arg=True)
