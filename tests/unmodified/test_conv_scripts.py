"""Unmodified PyTorch scripts with transposed convolutions and 1-D pools print under
graphtui's engine what they print on PyTorch:
- conv1d_autoencoder.py (Conv1d, MaxPool1d, AdaptiveAvgPool1d, ConvTranspose1d with
  output_size, SGD with momentum): the model, six losses and gradient norms, the graph's
  node names, the pool's indices;
- tiny_dcgan.py (ConvTranspose2d, BatchNorm2d, strided Conv2d, LeakyReLU in place,
  BCEWithLogitsLoss, two Adams): four steps' losses and means, node names, a repr.
Numbers are compared to float32 rounding, though they matched to the printed digits when
this was written: every operand is float32 and small, and the only sums whose order differs
(the products' BLAS) are short."""
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = {"conv1d_autoencoder.py": (22, "ConvTranspose1d(8, 1"),
           "tiny_dcgan.py": (6, "ConvTranspose2d(8, 1")}
NUMBER = re.compile(r"-?\d+\.\d+(?:e-?\d+)?")


def _run(*args: str) -> str:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(REPO)] + [p for p in [os.environ.get("PYTHONPATH")] if p])}
    done = subprocess.run([sys.executable, *args], cwd=REPO, capture_output=True, text=True,
                          timeout=600, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_the_script_prints_what_pytorch_prints(name):
    script = REPO / "tests" / "unmodified" / name
    on_torch = _run(str(script))
    on_engine = _run(str(REPO / "tests" / "scenarios" / "run_with_engine.py"), str(script))
    lines, text = SCRIPTS[name]
    assert len(on_torch.splitlines()) == lines and text in on_torch
    assert NUMBER.sub("#", on_engine) == NUMBER.sub("#", on_torch)
    np.testing.assert_allclose([float(v) for v in NUMBER.findall(on_engine)],
                               [float(v) for v in NUMBER.findall(on_torch)], rtol=1e-5)
