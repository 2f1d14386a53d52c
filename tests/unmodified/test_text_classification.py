"""text_classification.py, the PyTorch text-classification tutorial's model and training loop
(EmbeddingBag in mean mode + Linear, SGD with gradient clipping, StepLR, then the tutorial's
random_split / DataLoader pipeline and evaluate()), prints under graphtui's engine what it
prints on PyTorch: the model, the graph's first nodes, every loss, accuracies, learning
rates, the shuffled batches' offsets, predictions and the trained weights' sum.
EmbeddingBag's values and gradients are torch's bit for bit; Linear's products are BLAS's
in torch and an ulp apart at times in the engine, so the printed numbers are compared to
float32 rounding (they agreed to all 9 printed digits for the first 12 steps when this was
written)."""
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "tests" / "unmodified" / "text_classification.py"
NUMBER = re.compile(r"-?\d+\.\d+(?:e-?\d+)?")


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
    assert len(on_torch.splitlines()) == 29 and "EmbeddingBag(60, 16, mode='mean')" in on_torch
    assert NUMBER.sub("#", on_engine) == NUMBER.sub("#", on_torch)
    np.testing.assert_allclose([float(v) for v in NUMBER.findall(on_engine)],
                               [float(v) for v in NUMBER.findall(on_torch)], rtol=1e-6)
