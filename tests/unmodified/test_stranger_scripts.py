"""Scripts written for PyTorch by strangers' habits (tiny_gpt.py, resnet_dataloader.py,
autograd_tour.py, siamese_metric.py, transformer_copy.py, modern_training.py: the
scaffolding of a current training script) print, run unchanged on graphtui's engine and
under `graphtui dump`, byte for byte what they print on PyTorch 2.13."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HERE = REPO / "tests" / "unmodified"
SCRIPTS = ["tiny_gpt.py", "resnet_dataloader.py", "autograd_tour.py", "siamese_metric.py",
           "transformer_copy.py", "modern_training.py"]


def _run(*args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, *args], cwd=HERE, capture_output=True, text=True,
                          timeout=600, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _stdout_of_dump(jsonl: str) -> str:
    events = [json.loads(line) for line in jsonl.splitlines()[1:]]
    return "".join(e["text"] + "\n" for e in events
                   if e["$"] == "OutputWritten" and e["stream"] == "stdout")


@pytest.mark.parametrize("script", SCRIPTS)
def test_a_strangers_script_prints_on_the_engine_what_it_prints_on_pytorch(script):
    on_torch = _run(script)
    assert len(on_torch.splitlines()) >= 5
    assert _run(str(REPO / "tests" / "scenarios" / "run_with_engine.py"), script) == on_torch
    dumped = _run("-m", "graphtui", "dump", "--json", script)
    assert _stdout_of_dump(dumped) == on_torch
