"""AccumulateGrad's warn-once "gradient layout contract" warning, live against torch. PyTorch
warns once per process, so each library runs the program in a fresh interpreter."""
import os
import pathlib
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]

# An empty leaf made from NumPy has zero strides; a size-1 dim of stride 0 in its .grad
# breaks the contract at the second accumulation, and only the first time in the process
# (whatever the sizes in its text), but every time while set_warn_always is on. An empty view's
# .grad takes the view's strides and breaks nothing (differential seed 372448).
PROGRAM = """
import warnings
import numpy as np
import {module} as torch
warnings.simplefilter("always")
seen = []
def run(shape):
    x = torch.tensor(np.zeros(shape, dtype=np.float32), requires_grad=True)
    for _ in range(2):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            (x * 2).sum().backward()
        seen.extend(str(w.message) for w in caught)
def run_view():
    # a (1, 0) view of a non-empty tensor: its .grad takes the view's strides, no warning
    v = torch.tanh(torch.ones(3, 4))[None, 1:1, 0].detach().requires_grad_()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        v.backward(torch.tensor(np.zeros((1, 0), dtype=np.float32)))
        v[v > 0].sum().backward()
    seen.extend(str(w.message) for w in caught)
run_view()
run((2, 0))
run((1, 0, 4, 3))
run((1, 0))
torch.set_warn_always(True)
run((1, 3, 0))
torch.set_warn_always(False)
run((1, 2, 0))
print(repr(seen))
"""


def _warnings(module: str) -> str:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    out = subprocess.run([sys.executable, "-c", PROGRAM.format(module=module)], cwd=REPO,
                         env=env, capture_output=True, text=True, check=True, timeout=300)
    return out.stdout.strip().splitlines()[-1]


def test_layout_contract_warning_is_torchs_once_per_process():
    expected = _warnings("torch")
    assert expected.count("contract") == 2 and "[1, 3, 0]" in expected
    assert _warnings("engine") == expected
