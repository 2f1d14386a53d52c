"""gaussian_process.py (unmodified PyTorch code: cdist, cholesky, cholesky_solve,
solve_triangular, slogdet, logdet, inv, solve, Adam) prints under graphtui's engine what it
prints on PyTorch: the same lines and words, each number equal to within float64 rounding
of the last printed digit."""
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "tests" / "unmodified" / "gaussian_process.py"
NUMBER = re.compile(r"[-+]?\d+\.\d+(?:e[-+]?\d+)?")


def _run(*args: str) -> str:
    # This checkout's engine, whatever the environment's editable install points at.
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, *args], cwd=REPO, capture_output=True, text=True,
                          timeout=600, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_gaussian_process_script_prints_what_pytorch_prints():
    on_torch = _run(str(SCRIPT))
    on_engine = _run(str(REPO / "tests" / "scenarios" / "run_with_engine.py"), str(SCRIPT))
    assert len(on_torch.splitlines()) == 12
    assert on_torch.splitlines()[-1] == "grad_fn LinalgInvExBackward0 AddBackward0"
    assert NUMBER.sub("#", on_engine) == NUMBER.sub("#", on_torch)
    np.testing.assert_allclose([float(v) for v in NUMBER.findall(on_engine)],
                               [float(v) for v in NUMBER.findall(on_torch)], rtol=1e-6,
                               atol=2e-6)
