"""lbfgs_curve_fit.py (unmodified PyTorch code: L-BFGS with a closure and the strong-Wolfe
line search fitting a damped cosine, then plain L-BFGS steps on a quadratic least squares)
prints under graphtui's engine exactly what it prints on PyTorch: the losses, the closure
calls, the fitted values, LBFGS's iteration and evaluation counts and its history length."""
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "tests" / "unmodified" / "lbfgs_curve_fit.py"


def _run(*args: str) -> str:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(REPO)] + [p for p in [os.environ.get("PYTHONPATH")] if p])}
    done = subprocess.run([sys.executable, *args], cwd=REPO, capture_output=True, text=True,
                          timeout=600, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_lbfgs_curve_fit_prints_what_pytorch_prints():
    on_torch = _run(str(SCRIPT))
    on_engine = _run(str(REPO / "tests" / "scenarios" / "run_with_engine.py"), str(SCRIPT))
    assert len(on_torch.splitlines()) == 12 and "history" in on_torch
    assert on_engine == on_torch
