"""text_classification.py, the PyTorch text-classification tutorial's model and training loop
(EmbeddingBag in mean mode + Linear, SGD with gradient clipping, StepLR), prints under
graphtui's engine exactly what it prints on PyTorch: the model, the graph's first nodes,
every loss to 9 digits, accuracies, learning rates, predictions and the trained weights' sum."""
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "tests" / "unmodified" / "text_classification.py"


def _run(*args: str) -> str:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(REPO)] + [p for p in [os.environ.get("PYTHONPATH")] if p])}
    done = subprocess.run([sys.executable, *args], cwd=REPO, capture_output=True, text=True,
                          timeout=600, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_tutorial_model_trains_as_on_pytorch():
    on_torch = _run(str(SCRIPT))
    on_engine = _run(str(REPO / "tests" / "scenarios" / "run_with_engine.py"), str(SCRIPT))
    assert len(on_torch.splitlines()) == 23 and "EmbeddingBag(60, 16, mode='mean')" in on_torch
    assert on_engine == on_torch
