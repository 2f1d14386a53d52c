"""conv1d_autoencoder.py (unmodified PyTorch code: Conv1d, MaxPool1d, AdaptiveAvgPool1d,
ConvTranspose1d with output_size, SGD with momentum) prints under graphtui's engine what it
prints on PyTorch: the model, six losses and gradient norms, the graph's node names, the
pool's indices. Numbers are compared to float32 rounding, though they matched to the printed
digits when this was written: every operand is float32 and small, and the only sums whose
order differs (the products' BLAS) are short."""
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "tests" / "unmodified" / "conv1d_autoencoder.py"
NUMBER = re.compile(r"-?\d+\.\d+(?:e-?\d+)?")


def _run(*args: str) -> str:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(REPO)] + [p for p in [os.environ.get("PYTHONPATH")] if p])}
    done = subprocess.run([sys.executable, *args], cwd=REPO, capture_output=True, text=True,
                          timeout=600, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_conv1d_autoencoder_prints_what_pytorch_prints():
    on_torch = _run(str(SCRIPT))
    on_engine = _run(str(REPO / "tests" / "scenarios" / "run_with_engine.py"), str(SCRIPT))
    assert len(on_torch.splitlines()) == 22 and "ConvTranspose1d(8, 1" in on_torch
    assert NUMBER.sub("#", on_engine) == NUMBER.sub("#", on_torch)
    np.testing.assert_allclose([float(v) for v in NUMBER.findall(on_engine)],
                               [float(v) for v in NUMBER.findall(on_torch)], rtol=1e-5)
